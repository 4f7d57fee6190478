package mist

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// TestAlarmRecordsMatchSimulator: each open alarm of the search is one
// record with every field the alarm object gives: its id, site name,
// device, both severities, group, type, note, dates and acknowledgement;
// fields the alarm lacks (note, acknowledgement) stay empty.
func TestAlarmRecordsMatchSimulator(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small", Now: clock.Now})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	sw := sim.Devices()[0]
	noted := sim.RaiseAlarm(mistsim.Alarm{Type: "high_cpu", Severity: "major", DeviceMACs: []string{sw.MAC}, Note: "CPU above 90%"})
	clock.Advance(time.Minute)
	if err := sim.AckAlarm(noted, "Lars Berg (lars.berg@example.com)"); err != nil {
		t.Fatal(err)
	}
	bare := sim.RaiseAlarm(mistsim.Alarm{Type: "dns_failure", SiteID: sw.SiteID})

	sites := map[string]string{}
	for _, s := range vendortest.Get(t, "Sites()", c.Sites).Sites {
		sites[s.ID] = s.Name
	}
	got := vendortest.Get(t, "Alarms()", c.Alarms).Alarms
	open := sim.OpenAlarms()
	if len(got) != len(open) {
		t.Fatalf("Alarms() = %d records; want the %d open alarms", len(got), len(open))
	}
	for _, want := range open {
		a, ok := model.FindAlarm(got, want.ID)
		if !ok {
			t.Errorf("alarm %s missing, or the records are not sorted by id", want.ID)
			continue
		}
		device := ""
		for _, l := range [][]string{want.Hostnames, want.APs, want.Switches, want.Gateways} {
			if device == "" && len(l) > 0 {
				device = l[0]
			}
		}
		if a.Site != sites[want.SiteID] || a.Device != device || a.Severity != Severity(want.Severity) || a.VendorSeverity != want.Severity ||
			a.Category != strings.ToLower(want.Group) || a.Type != want.Type || a.Text != want.Note ||
			!a.StartedAt.Equal(want.Timestamp) || !a.UpdatedAt.Equal(want.LastSeen) ||
			a.Acked != want.Acked || a.AckedBy != want.AckAdminName || !a.AckedAt.Equal(want.AckedAt) || a.URL != "" {
			t.Errorf("record %+v; want the simulator's alarm %+v, named %q on site %q, no console link for a local base URL", a, want, device, sites[want.SiteID])
		}
	}
	if a, _ := model.FindAlarm(got, noted); a.Text != "CPU above 90%" || !a.Acked || a.AckedBy != "Lars Berg (lars.berg@example.com)" ||
		!a.AckedAt.Equal(clock.Now()) || a.Severity != "major" || a.Device != sw.Name {
		t.Errorf("noted, acknowledged alarm = %+v; want its note and the acknowledgement of a minute later", a)
	}
	if a, _ := model.FindAlarm(got, bare); a.Text != "" || a.Acked || a.AckedBy != "" || !a.AckedAt.IsZero() || a.Device != "" || a.Category != "infrastructure" {
		t.Errorf("site-wide alarm without note = %+v; want no text, device or acknowledgement", a)
	}
}

// TestConsoleURL: an org's portal page is built for the API hosts
// Juniper lists, every configured cloud among them, and for no other;
// a configured console URL is taken whatever the API host.
func TestConsoleURL(t *testing.T) {
	for name, base := range config.MistClouds {
		if u := ConsoleURL("", base, "org-1"); !strings.HasPrefix(u, "https://manage.") || !strings.HasSuffix(u, ".mist.com/admin/?org_id=org-1") {
			t.Errorf("ConsoleURL(%s, cloud %s) = %q; want its manage host's org page", base, name, u)
		}
	}
	for _, tc := range []struct{ console, base, org, want string }{
		{"https://portal.example.net/", "https://mist-proxy.example.net", "o", "https://portal.example.net/admin/?org_id=o"},
		{"http://127.0.0.1:9000", "http://127.0.0.1:8080", "a b", "http://127.0.0.1:9000/admin/?org_id=a+b"},
		{"https://manage.eu.mist.com", "https://api.mist.com", "o", "https://manage.eu.mist.com/admin/?org_id=o"},
		{"https://portal.example.net", "https://api.mist.com", "", ""},
		{"", "https://api.mist.com", "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7", "https://manage.mist.com/admin/?org_id=6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7"},
		{"", "https://api.ac2.mist.com", "o", "https://manage.ac2.mist.com/admin/?org_id=o"},
		{"", "https://API.EU.Mist.com/", "o", "https://manage.eu.mist.com/admin/?org_id=o"},
		{"", "https://api.mist.com", "a b&c", "https://manage.mist.com/admin/?org_id=a+b%26c"},
		{"", "https://api.mist.com", "", ""},
		{"", "http://api.mist.com", "o", ""},
		{"", "https://api.mist.com:8443", "o", ""},
		{"", "https://api.mistsys.com", "o", ""},
		{"", "https://api.us.mist-federal.com", "o", ""},
		{"", "http://127.0.0.1:8080", "o", ""},
		{"", "https://user:pass@api.mist.com", "o", "https://manage.mist.com/admin/?org_id=o"},
		{"", "::not a url", "o", ""},
	} {
		if got := ConsoleURL(tc.console, tc.base, tc.org); got != tc.want {
			t.Errorf("ConsoleURL(%q, %q, %q) = %q; want %q", tc.console, tc.base, tc.org, got, tc.want)
		}
	}
}

// TestWebhookAlarmTakesThePolledRecord: a webhook's alarm has the
// definition's severity and group, the event's dates and the org's portal
// link; of an alarm the last poll listed it keeps the record's names,
// note and acknowledgement, which the event does not carry.
func TestWebhookAlarmTakesThePolledRecord(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small", Now: clock.Now})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	ctx := context.Background()
	var sw mistsim.DeviceInfo
	for _, d := range sim.Devices() {
		if d.Type == "switch" {
			sw = d
		}
	}
	id := sim.RaiseAlarm(mistsim.Alarm{Type: "switch_down", DeviceMACs: []string{sw.MAC}, Note: "uplink lost"})
	if err := sim.AckAlarm(id, "Joe"); err != nil {
		t.Fatal(err)
	}
	body, err := sim.AlarmWebhook(true, id)
	if err != nil {
		t.Fatal(err)
	}
	sites := vendortest.Get(t, "Sites()", c.Sites)
	devices := vendortest.Get(t, "Devices()", c.Devices)

	// Before any poll: the event alone. The webhook schema has no
	// switches, so the switch is not named.
	res, err := c.Webhook(ctx, body, sites, devices, nil)
	if err != nil || len(res.Alarms) != 1 {
		t.Fatalf("Webhook() = %+v, %v; want one alarm", res, err)
	}
	p := res.Alarms[0]
	want := model.Alarm{ID: id, Site: sw.Site, Severity: "critical", VendorSeverity: "critical", Category: "infrastructure",
		Type: "switch_down", StartedAt: clock.Now(), UpdatedAt: clock.Now()}
	if p.Alarm != want || p.Cleared || !p.At.Equal(clock.Now()) {
		t.Errorf("webhook alarm before a poll = %+v at %v; want %+v", p.Alarm, p.At, want)
	}

	polled := vendortest.Get(t, "Alarms()", c.Alarms)
	res, err = c.Webhook(ctx, body, sites, devices, polled)
	if err != nil || len(res.Alarms) != 1 {
		t.Fatalf("Webhook() = %+v, %v; want one alarm", res, err)
	}
	want.Device, want.Text, want.Acked, want.AckedBy, want.AckedAt = sw.Name, "uplink lost", true, "Joe", clock.Now()
	if got := res.Alarms[0].Alarm; got != want {
		t.Errorf("webhook alarm after a poll = %+v; want %+v", got, want)
	}
}

// TestSavedAlarmsRestore: saved alarms read back as they were saved;
// counts an earlier version saved are refused rather than read as no
// alarms.
func TestSavedAlarmsRestore(t *testing.T) {
	var a Alarms
	saved := `{"Alarms": [{"ID": "a1", "Site": "HQ", "Severity": "major", "StartedAt": "2026-03-02T08:00:00Z", "Acked": true}]}`
	if err := a.UnmarshalJSON([]byte(saved)); err != nil || len(a.Alarms) != 1 || a.Alarms[0].Site != "HQ" ||
		!a.Alarms[0].StartedAt.Equal(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)) || !a.Alarms[0].Acked {
		t.Errorf("UnmarshalJSON(%s) = %+v, %v; want the alarm back", saved, a, err)
	}
	old := `{"Counts": [{"Site": "HQ", "Severity": "major", "Count": 3}], "Total": 3}`
	if err := new(Alarms).UnmarshalJSON([]byte(old)); err == nil || !strings.Contains(err.Error(), "earlier version") {
		t.Errorf("UnmarshalJSON(%s) = %v; want the earlier version's counts refused", old, err)
	}
	if err := new(Alarms).UnmarshalJSON([]byte(`{}`)); err != nil {
		t.Errorf("UnmarshalJSON({}) = %v; want no alarms, no error", err)
	}
}
