package mist

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

func FuzzWebhook(f *testing.F) {
	sim, base := vendortest.Serve(f, mistsim.New, mistsim.Options{Seed: 21})
	c, _ := newClient(f, mistConfig(f, base, "", sim.Credentials()))
	ctx := context.Background()
	sites, err := c.Sites(ctx)
	if err != nil {
		f.Fatal(err)
	}
	devices, err := c.Devices(ctx)
	if err != nil {
		f.Fatal(err)
	}
	alarms, err := c.Alarms(ctx)
	if err != nil {
		f.Fatal(err)
	}
	org := sim.Credentials().OrgID
	devs := sim.Devices()
	d0, dn := devs[0], devs[len(devs)-1]

	alarm := fmt.Sprintf(`{"topic": "alarms", "events": [{"id": "b3f0c2a1-9e8d-4c7b-8a6f-5e4d3c2b1a09", "org_id": %q, "site_id": %q, "type": "switch_down", "count": 1, "timestamp": 1720594000, "last_seen": 1720594000, "switches": [%q]}]}`,
		org, d0.SiteID, d0.MAC)
	seeds := []string{
		alarm,
		fmt.Sprintf(`{"topic": "alarms", "events": [{"id": "a1", "org_id": %q, "site_id": %q, "type": "device_down", "aps": [%q], "hostnames": [%q]}, {"id": "a2", "site_id": "unknown-site", "type": "rogue_ap", "aps": ["5c5b35000001"]}, {"id": "a3", "type": "not_a_known_alarm"}]}`,
			org, dn.SiteID, dn.MAC, dn.Name),
		`{"topic": "alarms", "events": [{"id": "x", "org_id": "00000000-0000-0000-0000-00000000dead", "type": "gw_down"}]}`,
		`{"topic": "alarms", "events": [{"type": "gw_down"}]}`,
		`{"topic": "alarms", "events": [{"id": "x", "type": "high_cpu", "count": "one"}]}`,
		`{"topic": "alarms", "events": []}`,
		`{"topic": "alarms"}`,
		`{"topic": "device-events", "events": [{"type": "AP_DISCONNECTED"}]}`,
		`{"topic": "device_events", "events": [{"type": "AP_CONNECTED"}]}`,
		`{"topic": "device-updowns", "events": [{}]}`,
		`{"topic": "", "events": []}`,
		`{"topic": "alarms", "events": [`,
		`{"topic": "alarms", "events": [1, "two", null]}`,
		`{"topic": 7}`,
		`[]`,
		`null`,
		``,
		alarm[:len(alarm)/2],
		alarm + ` trailing`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	valid := map[string]bool{"critical": true, "major": true, "minor": true, "warning": true, "info": true}

	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := c.Webhook(ctx, body, sites, devices, alarms)
		if err != nil {
			if res != nil {
				t.Errorf("Webhook(%q) = %+v, %v; want no result with the error", body, res, err)
			}
			if !strings.Contains(err.Error(), "webhook") && !strings.Contains(err.Error(), "alarm definitions") {
				t.Errorf("Webhook(%q) error %q does not say what failed", body, err)
			}
			return
		}
		if res == nil {
			t.Fatalf("Webhook(%q) = nil, nil", body)
		}
		if res.Topic == "" {
			t.Errorf("Webhook(%q) accepted a webhook without a topic", body)
		}
		if res.Events < 0 || len(res.Alarms) > res.Events {
			t.Errorf("Webhook(%q) = %d alarms from %d events", body, len(res.Alarms), res.Events)
		}
		if res.Topic != "alarms" && res.Alarms != nil {
			t.Errorf("Webhook(%q) topic %q carries alarms %v", body, res.Topic, res.Alarms)
		}
		for _, p := range res.Alarms {
			id, a := p.Alarm.ID, p.Alarm
			if id == "" || p.Event == "" {
				t.Errorf("Webhook(%q) has an alarm without an id", body)
			}
			if !valid[a.Severity] {
				t.Errorf("Webhook(%q) alarm %s severity %q; want critical, major, minor, warning or info", body, id, a.Severity)
			}
			if a.Category != strings.ToLower(a.Category) {
				t.Errorf("Webhook(%q) alarm %s category %q; want lower case", body, id, a.Category)
			}
			if a.Type == "" || p.Cleared {
				t.Errorf("Webhook(%q) alarm %s of type %q, cleared %t; want its type, and not cleared", body, id, a.Type, p.Cleared)
			}
		}
	})
}
