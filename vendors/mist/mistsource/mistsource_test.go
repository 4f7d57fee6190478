package mistsource_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

func mistSource(t testing.TB, size, extra string) (*collector.Source, *mistsim.Server) {
	t.Helper()
	return mistSourceOn(t, mistsim.Options{Seed: 5, Size: size}, extra)
}

// mistSourceOn is a source on a simulator made with o, its config section
// completed by extra.
func mistSourceOn(t testing.TB, o mistsim.Options, extra string) (*collector.Source, *mistsim.Server) {
	t.Helper()
	sim, err := mistsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	base := vendortest.ServeHandler(t, sim)
	return registrytest.Parse(t, "mist:\n  - name: m\n    base_url: "+base+"\n    token: "+sim.Credentials().Token+"\n"+extra, "m.yml"), sim
}

// TestMistPlanFitsHourlyBudget refreshes a 100-site org under a budget its
// configured intervals would overspend, and checks that the intervals in
// force bring the hourly calls within the budget less its reserve.
func TestMistPlanFitsHourlyBudget(t *testing.T) {
	s, sim := mistSource(t, "medium", "    budget:\n      requests_per_hour: 400\n      reserve: 0.2\n")
	registrytest.RefreshAll(t, s)
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
	registrytest.RefreshAll(t, s)
	collectortest.Lint(t, collectortest.Scraped(t, s))
}

// TestMistDefaultPlanFitsAtLarge refreshes every collection of a 1,000-site,
// 10,000-device org at the default config (the per-second pace lifted, so
// the test does not wait on it) and checks that the default intervals, as
// they are, plan no more calls an hour than a token's 5,000 less the
// default reserve: nothing has to be stretched.
func TestMistDefaultPlanFitsAtLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a large org takes a while to build")
	}
	s, _ := mistSource(t, "large", "    budget: {requests_per_second: 0}\n")
	registrytest.RefreshAll(t, s)
	var perHour float64
	for _, st := range s.Status() {
		for _, c := range s.Collections {
			if c.Name != st.Collection {
				continue
			}
			if st.Interval != c.Interval {
				t.Errorf("%s: interval in force %v; want the default %v, unstretched", c.Name, st.Interval, c.Interval)
			}
			perHour += float64(max(st.Calls, 1)) * float64(time.Hour) / float64(c.Interval)
			t.Logf("%-10s %4d calls every %v", c.Name, st.Calls, c.Interval)
		}
	}
	defaults, err := config.Parse([]byte("mist:\n  - name: m\n    token: t\n"), "m.yml")
	if err != nil {
		t.Fatal(err)
	}
	b := defaults.Mist[0].Budget
	limit := float64(b.RequestsPerHour) * (1 - b.Reserve)
	t.Logf("the default plan: %.0f calls an hour, of %.0f", perHour, limit)
	// The series of each family, for BENCHMARKS.md (go test -v).
	perFamily := map[string]int{}
	// A render of 400,000 series takes a while under the race detector.
	for deadline := time.Now().Add(2 * time.Minute); !s.Settled(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the large source's data was not rendered within 2 minutes")
		}
	}
	for l := range strings.Lines(collectortest.Probe(s, nil).Body.String()) {
		if !strings.HasPrefix(l, "#") {
			name, _, _ := strings.Cut(l, "{")
			perFamily[strings.Fields(name)[0]]++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(perFamily)) {
		t.Logf("%-45s %7d series", name, perFamily[name])
	}
	if perHour > limit {
		t.Errorf("the default plan makes %.0f calls an hour; want at most %.0f", perHour, limit)
	}
}
