package mistsim

import (
	"slices"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestSetDeviceConnected(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	var ap deviceItem
	var aps []deviceItem
	h.GetOK(h.org("/stats/devices?fields=*&status=connected"), &aps)
	for _, d := range aps {
		if *d.NumClients > 0 {
			ap = d
			break
		}
	}
	siteStats := func() siteStatsItem {
		var st siteStatsItem
		h.GetOK("/api/v1/sites/"+ap.SiteID+"/stats", &st)
		return st
	}
	connectedClients := func() int {
		var p searchBody[clientItem]
		h.GetOK(h.org("/clients/search?duration=10m&limit=1"), &p)
		return p.Total
	}
	device := func() deviceItem {
		var ds []deviceItem
		h.GetOK(h.org("/stats/devices?fields=*&mac="+ap.MAC), &ds)
		if len(ds) != 1 {
			t.Fatalf("stats/devices?mac=%s = %d items; want 1", ap.MAC, len(ds))
		}
		return ds[0]
	}
	before, clientsBefore, sizeBefore := siteStats(), connectedClients(), h.S.Sizes().Clients

	if err := h.S.SetDeviceConnected(ap.MAC, false); err != nil {
		t.Fatalf("SetDeviceConnected(%s, false) error: %v", ap.MAC, err)
	}
	d := device()
	if d.Status != "disconnected" || *d.NumClients != 0 || d.Uptime != 0 {
		t.Errorf("downed AP status %q, num_clients %d, uptime %v; want disconnected, 0, 0", d.Status, *d.NumClients, d.Uptime)
	}
	after := siteStats()
	n := *ap.NumClients
	if after.NumAPConnected != before.NumAPConnected-1 || after.NumClients != before.NumClients-n {
		t.Errorf("site num_ap_connected, num_clients = %d, %d; want %d, %d", after.NumAPConnected, after.NumClients, before.NumAPConnected-1, before.NumClients-n)
	}
	if got := connectedClients(); got != clientsBefore-n {
		t.Errorf("connected clients in search = %d; want %d", got, clientsBefore-n)
	}
	if got := h.S.Sizes().Clients; got != sizeBefore-n {
		t.Errorf("Sizes().Clients = %d; want %d", got, sizeBefore-n)
	}

	if err := h.S.SetDeviceConnected(ap.MAC, true); err != nil {
		t.Fatalf("SetDeviceConnected(%s, true) error: %v", ap.MAC, err)
	}
	h.Clock.Add(time.Minute)
	d = device()
	if d.Status != "connected" || *d.NumClients != n || d.Uptime != 60 {
		t.Errorf("restored AP status %q, num_clients %d, uptime %v; want connected, %d, 60", d.Status, *d.NumClients, d.Uptime, n)
	}
	if got := siteStats(); got != before {
		t.Errorf("site stats after restore = %+v; want %+v", got, before)
	}
	if err := h.S.SetDeviceConnected("ffffffffffff", false); err == nil {
		t.Errorf("SetDeviceConnected(unknown) error = nil; want an error")
	}
}

func TestAlarms(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	var sw DeviceInfo
	for _, d := range h.S.Devices() {
		if d.Type == "switch" {
			sw = d
			break
		}
	}
	open := h.S.Sizes().OpenAlarms
	id := h.S.RaiseAlarm(Alarm{Type: "high_cpu", DeviceMACs: []string{sw.MAC}})
	if got := h.S.Sizes().OpenAlarms; got != open+1 {
		t.Errorf("OpenAlarms after RaiseAlarm = %d; want %d", got, open+1)
	}
	find := func(query string) *alarmItem {
		for _, p := range walk[alarmItem](h, h.org("/alarms/search?limit=2&"+query)) {
			for _, a := range p.Results {
				if a.ID == id {
					return &a
				}
			}
		}
		return nil
	}
	a := find("status=open")
	if a == nil {
		t.Fatalf("raised alarm %s not in status=open search", id)
	}
	if a.Type != "high_cpu" || a.Group != "infrastructure" || a.Severity != "warn" || a.Status != "open" ||
		a.SiteID != sw.SiteID || !slices.Equal(a.Switches, []string{sw.MAC}) || !slices.Equal(a.Hostnames, []string{sw.Name}) ||
		a.Count == nil || a.Timestamp == nil || a.LastSeen == nil || int64(*a.Timestamp) != testStart.Unix() {
		t.Errorf("raised alarm = %+v; want high_cpu/infrastructure/warn, open, on %s (%s) at %d", *a, sw.MAC, sw.Name, testStart.Unix())
	}
	var site searchBody[alarmItem]
	h.GetOK("/api/v1/sites/"+sw.SiteID+"/alarms/search?severity=warn&group=infrastructure&acked=false&type=high_cpu", &site)
	if !slices.ContainsFunc(site.Results, func(x alarmItem) bool { return x.ID == id }) {
		t.Errorf("site alarm search with severity/group/acked filters misses %s", id)
	}
	if err := h.S.ClearAlarm(id); err != nil {
		t.Fatalf("ClearAlarm(%s) error: %v", id, err)
	}
	if find("status=open") != nil {
		t.Errorf("cleared alarm still in status=open search")
	}
	if a := find("status=resolved"); a == nil || a.Status != "resolved" {
		t.Errorf("cleared alarm in status=resolved search = %+v; want status resolved", a)
	}
	if err := h.S.ClearAlarm("no-such-id"); err == nil {
		t.Errorf("ClearAlarm(unknown) error = nil; want an error")
	}
	var cnt struct {
		Distinct string `json:"distinct"`
		Results  []map[string]any
	}
	h.GetOK("/api/v1/sites/"+sw.SiteID+"/alarms/count", &cnt)
	if cnt.Distinct != "type" || len(cnt.Results) == 0 || cnt.Results[0]["type"] == nil || cnt.Results[0]["count"] == nil {
		t.Errorf("site alarms/count = %+v; want distinct type with {type, count} results", cnt)
	}

	var defs []struct{ Key, Group, Severity string }
	h.GetOK("/api/v1/const/alarm_defs", &defs)
	keys := map[string]bool{}
	for _, d := range defs {
		keys[d.Key] = true
	}
	for _, k := range []string{"device_down", "switch_down", "gw_down", "high_cpu", "rogue_ap", "rogue_client"} {
		if !keys[k] {
			t.Errorf("alarm_defs lacks %s", k)
		}
	}
}

func TestInitialAlarms(t *testing.T) {
	h := newHarness(t, Options{Seed: 12, Size: "medium"})
	down := map[string]bool{}
	for _, d := range h.S.Devices() {
		if !d.Connected {
			down[d.MAC] = true
		}
	}
	siteWide := 0
	for _, p := range walk[alarmItem](h, h.org("/alarms/search?status=open&limit=1000")) {
		for _, a := range p.Results {
			if a.Count == nil || a.Timestamp == nil || a.LastSeen == nil || a.Group == "" || a.Severity == "" || a.Status != "open" {
				t.Errorf("alarm %+v lacks a required key", a)
			}
			for _, m := range append(append([]string{}, a.APs...), a.Switches...) {
				if a.Type == "device_down" || a.Type == "switch_down" {
					delete(down, m)
				}
			}
			if len(a.APs)+len(a.Switches) == 0 && a.Type != "gw_down" {
				siteWide++
			}
		}
	}
	for m := range down {
		if !slices.ContainsFunc(h.S.Devices(), func(d DeviceInfo) bool { return d.MAC == m && d.Type == "gateway" }) {
			t.Errorf("down device %s has no open down alarm", m)
		}
	}
	if siteWide == 0 {
		t.Errorf("no site-wide alarms; want some")
	}
}

func TestStep(t *testing.T) {
	snapshot := func(steps int) []byte {
		h := newHarness(t, Options{Seed: 5, Size: "medium"})
		for i := 0; i < steps; i++ {
			h.Clock.Add(time.Minute)
			h.S.Step()
		}
		var out []byte
		out = append(out, h.GetOK(h.org("/alarms/search?limit=1000"), nil).Body...)
		out = append(out, h.GetOK(h.org("/stats/devices?type=all&limit=1000&status=disconnected"), nil).Body...)
		return out
	}
	// The other run takes no steps: 3 must bring flaps and alarms.
	simtest.CheckDeterministic(t, "3 Steps from seed 5, twice, and none", snapshot(3), snapshot(3), snapshot(0))
}
