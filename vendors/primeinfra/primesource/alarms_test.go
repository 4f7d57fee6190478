package primesource_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// TestPrimeAlarmsKnowTheirSitesAndTellOfChanges: a Prime source's active
// alarms carry the site of their access point, and the source tells of
// an acknowledgement and a clearing as the refresh that saw it lands,
// not of a refresh that saw nothing change.
func TestPrimeAlarmsKnowTheirSitesAndTellOfChanges(t *testing.T) {
	sim := newSim(t, primesim.Options{Seed: 11, Size: "small", RateLimit: -1})
	cfg := vendortest.Parse(t, sourceYAML(t, sim, ""), "pi.yml")
	var told atomic.Int64
	s, err := collector.NewSource(cfg.Sources()[0], collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler),
		AlarmsChanged: func(string) { told.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	refresh := func(collection string) int64 {
		t.Helper()
		before := told.Load()
		if err := s.Refresh(ctx, collection); err != nil {
			t.Fatal(err)
		}
		return told.Load() - before
	}
	for _, c := range []string{"access_points", "devices", "clients"} {
		refresh(c)
	}
	if n := refresh("alarms"); n != 1 {
		t.Errorf("the first alarms refresh told %d times; want once", n)
	}
	sites := map[string]string{}
	for _, ap := range sim.APs() {
		sites[ap.Name] = ap.Site
	}
	onAPs := 0
	for _, a := range s.ActiveAlarms() {
		if site, ok := sites[a.Device]; ok {
			onAPs++
			if a.Site != site || a.URL != cfg.Prime[0].BaseURL {
				t.Errorf("alarm %+v of AP %s; want its site %q and the server's address", a, a.Device, site)
			}
		}
	}
	if onAPs == 0 {
		t.Fatalf("no alarm of an AP among %d", len(s.ActiveAlarms()))
	}
	if n := refresh("alarms"); n != 0 {
		t.Errorf("a refresh that found the same alarms told %d times; want none", n)
	}
	if n := refresh("clients"); n != 0 {
		t.Errorf("a clients refresh told %d times; want none", n)
	}

	var target primesim.AlarmInfo
	for _, a := range sim.ActiveAlarms() {
		if !a.Acknowledged {
			target = a
			break
		}
	}
	id := strconv.FormatInt(target.ID, 10)
	if err := sim.AcknowledgeAlarm(target.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := refresh("alarms"); n != 1 {
		t.Errorf("the refresh that saw an acknowledgement told %d times; want once", n)
	}
	if a, ok := model.FindAlarm(s.ActiveAlarms(), id); !ok || !a.Acked {
		t.Errorf("acknowledged alarm %s = %+v, %t; want it acknowledged", id, a, ok)
	}
	if err := sim.ClearAlarm(target.ID); err != nil {
		t.Fatal(err)
	}
	if n := refresh("alarms"); n != 1 {
		t.Errorf("the refresh that saw a clearing told %d times; want once", n)
	}
	if a, ok := model.FindAlarm(s.ActiveAlarms(), id); ok {
		t.Errorf("cleared alarm %s still active: %+v", id, a)
	}
}
