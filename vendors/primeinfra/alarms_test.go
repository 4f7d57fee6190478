package primeinfra

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// TestAlarmRecordsMatchSimulator: each active alarm is one record with
// every field the Alarms DTO gives, at v4 and at the older versions'
// forms (string numbers, bare entities, plain-string enumerations); the
// DTO names nobody who acknowledged, and no time.
func TestAlarmRecordsMatchSimulator(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  primesim.Options
		extra string
	}{
		{"v4", primesim.Options{}, ""},
		{"v4, acknowledging updates", primesim.Options{AckUpdatesAlarm: true}, ""},
		{"v3", primesim.Options{}, "    api_version: v3\n"},
		{"v1 strings", primesim.Options{StringNumbersAt: []string{"v1"}, BareEntityAt: []string{"v1"}, StringEnumsAt: []string{"v1"}}, "    api_version: v1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := testtool.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
			o := tc.opts
			o.Seed, o.Size, o.RateLimit, o.Now = 2, "small", -1, clock.Now
			sim, base := vendortest.Serve(t, primesim.New, o)
			c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n"+tc.extra))
			ap := sim.APs()[0]
			raised := sim.RaiseAlarm(primesim.Alarm{DeviceName: ap.Name, Condition: "AP_RADIO_DOWN", Severity: "CRITICAL", Message: "Radio 802.11b/g/n of AP is down."})
			clock.Advance(time.Minute)
			if err := sim.AcknowledgeAlarm(raised, true); err != nil {
				t.Fatal(err)
			}
			system := sim.RaiseAlarm(primesim.Alarm{Category: "System", Condition: "BACKUP_FAILED"})

			got := vendortest.Get(t, "Alarms()", c.Alarms).Alarms
			active := sim.ActiveAlarms()
			if len(got) != len(active) {
				t.Fatalf("Alarms() = %d records; want the %d active alarms", len(got), len(active))
			}
			for _, want := range active {
				a, ok := model.FindAlarm(got, strconv.FormatInt(want.ID, 10))
				if !ok {
					t.Errorf("alarm %d missing, or the records are not sorted by id", want.ID)
					continue
				}
				if a.Device != alarmDevice(want.DeviceName, want.Source) || a.Site != "" || a.Severity != Severity(want.Severity) ||
					a.VendorSeverity != want.Severity || a.Category != want.Category || a.Type != want.Condition || a.Text != want.Message ||
					!a.StartedAt.Equal(want.FoundAt) || !a.UpdatedAt.Equal(want.UpdatedAt) || a.Acked != want.Acknowledged ||
					a.AckedBy != "" || !a.AckedAt.IsZero() || a.URL != base {
					t.Errorf("record %+v; want the simulator's alarm %+v, linked to %s", a, want, base)
				}
			}
			a, _ := model.FindAlarm(got, strconv.FormatInt(raised, 10))
			updated := clock.Now().Add(-time.Minute)
			if tc.opts.AckUpdatesAlarm {
				updated = clock.Now()
			}
			if a.Device != ap.Name || a.Severity != "critical" || a.Type != "AP_RADIO_DOWN" || a.Category != "AP" || !a.Acked || !a.UpdatedAt.Equal(updated) {
				t.Errorf("raised AP alarm = %+v; want critical AP_RADIO_DOWN on %s, acknowledged, updated %v", a, ap.Name, updated)
			}
			if a, _ := model.FindAlarm(got, strconv.FormatInt(system, 10)); a.Device != "Prime Infrastructure" || a.Category != "System" || a.Acked {
				t.Errorf("System alarm = %+v; want it on the server, its source, and not acknowledged", a)
			}
		})
	}
}

// TestAlarmDecodingCopes: attributes Prime leaves out, numbers sent as
// strings, enumerations as strings or objects and dates in forms it does
// not read still make an alarm, with what is known.
func TestAlarmDecodingCopes(t *testing.T) {
	body := `{"queryResponse": {"entity": [
	  {"alarmsDTO": {"@id": "9400101", "alarmId": "9400101", "severity": "MAJOR", "category": "Switches and Hubs",
	    "condition": {"ordinal": 4, "value": "LINK_DOWN"}, "deviceName": "sw-7", "message": "Port down.",
	    "alarmFoundAt": "2026-03-02T07:00:00.000Z", "lastUpdatedAt": "2026-03-02T07:30:00.000+0100",
	    "acknowledgementStatus": true}},
	  {"alarmsDTO": {"@id": 9400102, "severity": "minor", "source": "10.0.0.9", "timeStamp": "2026-03-02T07:45:00Z"}},
	  {"alarmsDTO": {"severity": "WARNING", "deviceName": "ap-3,00:11:22:33:44:55", "alarmFoundAt": "yesterday"}},
	  {"alarmsDTO": {"@id": 9400101, "severity": "MAJOR"}},
	  {"alarmsDTO": {"@id": 9400104, "severity": "CLEARED"}}]}}`
	var env envelope[alarmEntity]
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	list := newAlarmList("https://pi.example.com")
	list.add(env.QueryResponse.Entity)
	got := list.result().Alarms
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	want := []model.Alarm{
		{Device: "ap-3", Severity: "warning", VendorSeverity: "WARNING", URL: "https://pi.example.com"},
		{ID: "9400101", Device: "sw-7", Severity: "major", VendorSeverity: "MAJOR", Category: "Switches and Hubs", Type: "LINK_DOWN",
			Text: "Port down.", StartedAt: at("2026-03-02T07:00:00Z"), UpdatedAt: at("2026-03-02T06:30:00Z"), Acked: true, URL: "https://pi.example.com"},
		{ID: "9400102", Device: "10.0.0.9", Severity: "minor", VendorSeverity: "minor", UpdatedAt: at("2026-03-02T07:45:00Z"), URL: "https://pi.example.com"},
	}
	if len(got) != len(want) {
		t.Fatalf("alarms = %+v; want %d: the repeat and the cleared one left out", got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("alarm %d = %+v; want %+v", i, got[i], want[i])
		}
	}
	var bad envelope[alarmEntity]
	err := json.Unmarshal([]byte(`{"queryResponse": {"entity": [{"alarmsDTO": {"@id": 1, "alarmFoundAt": 1772434800000}}]}}`), &bad)
	if err == nil || !strings.Contains(err.Error(), "alarmFoundAt") {
		t.Errorf("a number for a date = %v; want an error naming alarmFoundAt", err)
	}
}

// TestPrimeConsoleURL: alarms link to the server's own address, without
// the credentials, query or trailing slash its base URL may carry.
func TestPrimeConsoleURL(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"https://pi.example.com", "https://pi.example.com"},
		{"https://pi.example.com/", "https://pi.example.com"},
		{"https://nms:s3cret@pi.example.com:8443/prime/?x=1#f", "https://pi.example.com:8443/prime"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"ftp://pi.example.com", ""},
		{"pi.example.com", ""},
		{"", ""},
	} {
		if got := ConsoleURL(tc.base); got != tc.want {
			t.Errorf("ConsoleURL(%q) = %q; want %q", tc.base, got, tc.want)
		}
	}
}

// TestSavedAlarmsRestore: saved alarms read back as they were saved;
// counts an earlier version saved are refused rather than read as no
// alarms.
func TestSavedAlarmsRestore(t *testing.T) {
	var a Alarms
	saved := `{"Alarms": [{"ID": "9400101", "Device": "sw-7", "Severity": "major", "Category": "Routers"}, {"ID": "9400102", "Device": "sw-7", "Category": "Routers"}]}`
	if err := json.Unmarshal([]byte(saved), &a); err != nil || len(a.Alarms) != 2 || a.Alarms[1].Category != "Routers" {
		t.Errorf("Unmarshal(%s) = %+v, %v; want both alarms back", saved, a, err)
	}
	old := `{"Active": [{"Device": "sw-7", "Severity": "major", "Count": 3}], "Acknowledged": [], "Total": 3}`
	if err := json.Unmarshal([]byte(old), new(Alarms)); err == nil || !strings.Contains(err.Error(), "earlier version") {
		t.Errorf("Unmarshal(%s) = %v; want the earlier version's counts refused", old, err)
	}
}
