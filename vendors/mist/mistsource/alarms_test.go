package mistsource_test

import (
	"context"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// TestWebhookAndPollAreOneAlarm follows one alarm of the simulator
// through a webhook and the polls after it: one record under the alarm's
// id all along, counted once, named by the webhook as the poll names it
// where the event carries the device, completed by the poll
// (acknowledgement, note), and gone once the simulator resolves it.
func TestWebhookAndPollAreOneAlarm(t *testing.T) {
	for _, lists := range []bool{false, true} {
		s, sim := mistSourceOn(t, mistsim.Options{Seed: 5, WebhookDeviceLists: lists}, "    webhook_secret: whsec-1\n")
		registrytest.RefreshAll(t, s)
		ctx := context.Background()
		var sw mistsim.DeviceInfo
		for _, d := range sim.Devices() {
			if d.Type == "switch" {
				sw = d
			}
		}
		id := sim.RaiseAlarm(mistsim.Alarm{Type: "switch_down", DeviceMACs: []string{sw.MAC}, Note: "uplink lost"})
		records := func(step string) model.Alarm {
			t.Helper()
			n, counted := 0, 0
			var found model.Alarm
			for _, a := range s.ActiveAlarms() {
				if a.ID == id {
					n++
					found = a
				}
			}
			for _, c := range s.Alarms() {
				counted += c.Count
			}
			if n != 1 || counted != len(s.ActiveAlarms()) {
				t.Fatalf("device lists %t, %s: %d records of alarm %s, %d alarms counted of %d; want one, each counted once",
					lists, step, n, id, counted, len(s.ActiveAlarms()))
			}
			return found
		}
		body, err := sim.AlarmWebhook(false, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptWebhook(ctx, body); err != nil {
			t.Fatal(err)
		}
		a := records("after the webhook")
		if want := map[bool]string{false: "", true: sw.Name}[lists]; a.Device != want || a.Severity != "critical" || a.Site != sw.Site || a.Acked {
			t.Errorf("device lists %t: webhook's alarm = %+v; want critical on %q at %s", lists, a, want, sw.Site)
		}
		if err := sim.AckAlarm(id, "Joe"); err != nil {
			t.Fatal(err)
		}
		refresh(t, s, "alarms")
		if a := records("after the next poll"); a.Device != sw.Name || !a.Acked || a.AckedBy != "Joe" || a.Text != "uplink lost" {
			t.Errorf("device lists %t: polled alarm = %+v; want it on %s, acknowledged by Joe, with its note", lists, a, sw.Name)
		}
		// A second delivery of the event changes nothing.
		if res, err := s.AcceptWebhook(ctx, body); err != nil || res.Dropped[collector.DropDuplicate] != 1 {
			t.Errorf("the event again = %+v, %v; want a duplicate", res, err)
		}
		if err := sim.ClearAlarm(id); err != nil {
			t.Fatal(err)
		}
		refresh(t, s, "alarms")
		for _, a := range s.ActiveAlarms() {
			if a.ID == id {
				t.Errorf("device lists %t: resolved alarm %s still active: %+v", lists, id, a)
			}
		}
	}
}

// TestAlarmDeviceNamedFromItsMAC: an alarm Mist lists with a device's MAC
// and no host name (a rogue's detecting AP) is on the device's name, as
// nms_device_up is, in the records, the counts and a webhook of it after
// the poll; a MAC the devices collection does not know stays a MAC.
func TestAlarmDeviceNamedFromItsMAC(t *testing.T) {
	s, sim := mistSourceOn(t, mistsim.Options{Seed: 5, WebhookDeviceLists: true}, "    webhook_secret: whsec-1\n")
	registrytest.RefreshAll(t, s)
	var ap mistsim.DeviceInfo
	for _, d := range sim.Devices() {
		if d.Type == "ap" && d.Name != "" {
			ap = d
			break
		}
	}
	const stranger = "020000c0ffee"
	named := sim.RaiseAlarm(mistsim.Alarm{Type: "rogue_client", Group: "security", Severity: "critical", DeviceMACs: []string{ap.MAC}, NoHostnames: true})
	unknown := sim.RaiseAlarm(mistsim.Alarm{Type: "rogue_client", Group: "security", Severity: "critical", SiteID: sim.SiteIDs()[0],
		DeviceMACs: []string{stranger}, NoHostnames: true})
	refresh(t, s, "alarms")
	active := s.ActiveAlarms()
	if a, _ := model.FindAlarm(active, named); a.Device != ap.Name {
		t.Errorf("alarm on %s without host names = %+v; want it on the AP's name %s", ap.MAC, a, ap.Name)
	}
	if a, _ := model.FindAlarm(active, unknown); a.Device != stranger {
		t.Errorf("alarm on the unknown %s = %+v; want the MAC kept", stranger, a)
	}
	counted := map[string]int{}
	for _, c := range s.Alarms() {
		counted[c.Device] += c.Count
	}
	if counted[ap.Name] < 1 || counted[ap.MAC] != 0 {
		t.Errorf("nms_alarms_active by device: %v; want the alarm counted on %s, none on %s", counted, ap.Name, ap.MAC)
	}
	body, err := sim.AlarmWebhook(false, named)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptWebhook(context.Background(), body); err != nil {
		t.Fatal(err)
	}
	if a, _ := model.FindAlarm(s.ActiveAlarms(), named); a.Device != ap.Name {
		t.Errorf("after a webhook of it, alarm = %+v; want it still on %s", a, ap.Name)
	}
}

func refresh(t *testing.T, s *collector.Source, collection string) {
	t.Helper()
	if err := s.Refresh(context.Background(), collection); err != nil {
		t.Fatal(err)
	}
}
