package mistsim

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// ackedItem is what the alarm search says of an acknowledgement.
type ackedItem struct {
	ID           string   `json:"id"`
	Acked        bool     `json:"acked"`
	AckedTime    *float64 `json:"acked_time"`
	AckAdminID   string   `json:"ack_admin_id"`
	AckAdminName string   `json:"ack_admin_name"`
	Note         string   `json:"note"`
	LastSeen     float64  `json:"last_seen"`
}

// TestAckAlarm: an acknowledged alarm carries acked, acked_time,
// ack_admin_name and ack_admin_id in the search, and OpenAlarms says the
// same; its last_seen moves only with Options.AckUpdatesLastSeen.
func TestAckAlarm(t *testing.T) {
	for _, moves := range []bool{false, true} {
		h := newHarness(t, Options{Seed: 3, AckUpdatesLastSeen: moves})
		sw := h.S.Devices()[0]
		id := h.S.RaiseAlarm(Alarm{Type: "high_cpu", DeviceMACs: []string{sw.MAC}, Note: "CPU above 90% for 10 minutes"})
		find := func() ackedItem {
			var p searchBody[ackedItem]
			h.GetOK(h.org("/alarms/search?status=open&limit=1000"), &p)
			for _, a := range p.Results {
				if a.ID == id {
					return a
				}
			}
			t.Fatalf("alarm %s not in the search", id)
			return ackedItem{}
		}
		if a := find(); a.Acked || a.AckedTime != nil || a.AckAdminName != "" || a.AckAdminID != "" || a.Note != "CPU above 90% for 10 minutes" {
			t.Errorf("new alarm = %+v; want not acknowledged, with its note", a)
		}
		h.Clock.Add(90 * time.Second)
		if err := h.S.AckAlarm(id, "Jane Doe"); err != nil {
			t.Fatal(err)
		}
		ackAt := testStart.Add(90 * time.Second)
		a := find()
		if !a.Acked || a.AckedTime == nil || int64(*a.AckedTime) != ackAt.Unix() || a.AckAdminName != "Jane Doe" || len(a.AckAdminID) != 36 {
			t.Errorf("acknowledged alarm = %+v; want acked at %d by Jane Doe, with her uuid", a, ackAt.Unix())
		}
		if want := testStart; moves {
			want = ackAt
			if int64(a.LastSeen) != want.Unix() {
				t.Errorf("AckUpdatesLastSeen: last_seen %v; want the acknowledgement's %d", a.LastSeen, want.Unix())
			}
		} else if int64(a.LastSeen) != want.Unix() {
			t.Errorf("last_seen %v after the acknowledgement; want it unchanged, %d", a.LastSeen, want.Unix())
		}
		i := slices.IndexFunc(h.S.OpenAlarms(), func(a AlarmInfo) bool { return a.ID == id })
		if i < 0 {
			t.Fatalf("OpenAlarms() lacks %s", id)
		}
		if info := h.S.OpenAlarms()[i]; !info.Acked || !info.AckedAt.Equal(ackAt) || info.AckAdminName != "Jane Doe" || info.Note != a.Note || info.Type != "high_cpu" {
			t.Errorf("OpenAlarms() has %+v; want what the search says", info)
		}
		if err := h.S.ClearAlarm(id); err != nil {
			t.Fatal(err)
		}
		if err := h.S.AckAlarm(id, "Jane Doe"); err == nil {
			t.Errorf("AckAlarm of a resolved alarm = nil; want an error")
		}
		if slices.ContainsFunc(h.S.OpenAlarms(), func(a AlarmInfo) bool { return a.ID == id }) {
			t.Errorf("OpenAlarms() still has the resolved alarm %s", id)
		}
		if err := h.S.AckAlarm("no-such-id", "Jane Doe"); err == nil {
			t.Errorf("AckAlarm of an unknown alarm = nil; want an error")
		}
	}
}

// TestAlarmWebhook: AlarmWebhook writes the documented alarms event of an
// open alarm (mist.md section 8): the same event id for a second
// delivery, another once the alarm changed; the switches and hostnames
// of the alarm object only with Options.WebhookDeviceLists.
func TestAlarmWebhook(t *testing.T) {
	for _, lists := range []bool{false, true} {
		h := newHarness(t, Options{Seed: 3, WebhookDeviceLists: lists})
		var sw DeviceInfo
		for _, d := range h.S.Devices() {
			if d.Type == "switch" {
				sw = d
				break
			}
		}
		id := h.S.RaiseAlarm(Alarm{Type: "switch_down", DeviceMACs: []string{sw.MAC}})
		decode := func(b []byte) map[string]any {
			t.Helper()
			var w struct {
				Topic  string           `json:"topic"`
				Events []map[string]any `json:"events"`
			}
			if err := json.Unmarshal(b, &w); err != nil || w.Topic != "alarms" || len(w.Events) != 1 {
				t.Fatalf("AlarmWebhook() = %s, %v; want one alarms event", b, err)
			}
			return w.Events[0]
		}
		b, err := h.S.AlarmWebhook(false, id)
		if err != nil {
			t.Fatal(err)
		}
		e := decode(b)
		for k, want := range map[string]any{"id": id, "org_id": h.C.OrgID, "site_id": sw.SiteID, "type": "switch_down",
			"count": 1.0, "timestamp": float64(testStart.Unix()), "last_seen": float64(testStart.Unix()), "update": false} {
			if e[k] != want {
				t.Errorf("event %s = %v; want %v", k, e[k], want)
			}
		}
		for _, k := range []string{"group", "severity", "acked", "note", "status"} {
			if _, ok := e[k]; ok {
				t.Errorf("event has %s, which the webhook schema lacks", k)
			}
		}
		if _, ok := e["switches"]; ok != lists {
			t.Errorf("event with WebhookDeviceLists %t has switches: %t", lists, ok)
		}
		again, _ := h.S.AlarmWebhook(false, id)
		h.Clock.Add(time.Minute)
		h.S.mu.Lock()
		h.S.w.alarmByID[id].lastSeenMs = h.S.now().UnixMilli()
		h.S.mu.Unlock()
		later, _ := h.S.AlarmWebhook(true, id)
		if decode(again)["event_id"] != e["event_id"] || decode(later)["event_id"] == e["event_id"] || decode(later)["update"] != true {
			t.Errorf("event ids %v, %v, %v; want a redelivery's the same, an update's another", e["event_id"], decode(again)["event_id"], decode(later)["event_id"])
		}
		_ = h.S.ClearAlarm(id)
		if _, err := h.S.AlarmWebhook(false, id); err == nil {
			t.Errorf("AlarmWebhook of a resolved alarm = nil error; want one: no event is documented for it")
		}
		if _, err := h.S.AlarmWebhook(false, "no-such-id"); err == nil {
			t.Errorf("AlarmWebhook of an unknown alarm = nil error; want one")
		}
	}
}
