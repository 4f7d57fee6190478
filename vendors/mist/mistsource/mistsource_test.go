package mistsource_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

func mistSource(t *testing.T, size, extra string) (*collector.Source, *mistsim.Server) {
	t.Helper()
	sim, err := mistsim.New(mistsim.Options{Seed: 5, Size: size})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	y := "mist:\n  - name: m\n    base_url: " + srv.URL + "\n    token: " + sim.Credentials().Token + "\n" + extra
	cfg, err := config.Parse([]byte(y), "m.yml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := collector.NewSource(&cfg.Mist[0], collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s, sim
}

// TestMistPlanFitsHourlyBudget refreshes a 100-site org under a budget its
// configured intervals would overspend, and checks that the intervals in
// force bring the hourly calls within the budget less its reserve.
func TestMistPlanFitsHourlyBudget(t *testing.T) {
	s, sim := mistSource(t, "medium", "    budget:\n      requests_per_hour: 400\n      reserve: 0.2\n")
	for _, c := range s.Collections {
		if err := s.Refresh(context.Background(), c.Name); err != nil {
			t.Fatalf("refresh %s: %v", c.Name, err)
		}
	}
	if got := sim.Calls(); got == 0 {
		t.Fatal("no calls reached the simulator")
	}
	var perHour, configured float64
	for _, st := range s.Status() {
		calls := float64(max(st.Calls, 1))
		perHour += calls * float64(time.Hour) / float64(st.Interval)
		for _, c := range s.Collections {
			if c.Name == st.Collection {
				configured += calls * float64(time.Hour) / float64(c.Interval)
				if st.Interval < c.Interval {
					t.Errorf("%s interval %v is shorter than configured %v", c.Name, st.Interval, c.Interval)
				}
			}
		}
	}
	t.Logf("configured plan %.0f calls an hour; in force %.0f", configured, perHour)
	if configured <= 320 {
		t.Fatalf("the configured intervals plan %.0f calls an hour; the test needs more than 320 to mean anything", configured)
	}
	if perHour > 320*1.01 {
		t.Errorf("the intervals in force plan %.0f calls an hour; want at most 320 (400 less the 20%% reserve)", perHour)
	}
}

func TestMistCollectorLint(t *testing.T) {
	s, _ := mistSource(t, "small", "")
	for _, c := range s.Collections {
		if err := s.Refresh(context.Background(), c.Name); err != nil {
			t.Fatalf("refresh %s: %v", c.Name, err)
		}
	}
	problems, err := testutil.GatherAndLint(collectortest.Scraped(t, s))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}
