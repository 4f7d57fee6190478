package primesource_test

import (
	"fmt"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra"
)

// series reads a scrape's families: by family, the value of each series
// under its labels in name order ("band=5,device=ap-1").
func scrapedValues(t *testing.T, s *collector.Source) map[string]map[string]float64 {
	t.Helper()
	g := collectortest.Scraped(t, s)
	collectortest.Lint(t, g)
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, mf := range mfs {
		out[mf.GetName()] = map[string]float64{}
		for _, m := range mf.GetMetric() {
			out[mf.GetName()][labelText(m)] = m.GetGauge().GetValue()
		}
	}
	return out
}

func labelText(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(parts, ",")
}

// TestPrimeRogueAPs: the rogue family counts every active rogue alarm
// once, by site, classification and severity, a burst of thousands at one
// site in one series; rogues whose alarms name no location are placed by
// their detecting AP, or without a site while the APs are not known.
func TestPrimeRogueAPs(t *testing.T) {
	for _, tc := range []struct {
		name, loc, extra string
		sited            bool
	}{
		{"located", "", "", true},
		{"placed by the detecting AP", "-", "", true},
		{"APs not collected", "-", "    collections:\n      access_points: {enabled: false}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newSim(t, primesim.Options{Seed: 11, Size: "small", RateLimit: -1, RogueLocationKey: tc.loc})
			burst := sim.APs()[0].Site
			if err := sim.RaiseRogues(burst, 3000); err != nil {
				t.Fatal(err)
			}
			got := scrapedValues(t, refreshedSource(t, sim, tc.extra))
			want := map[string]float64{}
			active := 0
			for _, r := range sim.Rogues() {
				if r.Severity == "CLEARED" {
					continue
				}
				active++
				site := r.Site
				if !tc.sited {
					site = ""
				}
				want[fmt.Sprintf("classification=%s,severity=%s,site=%s", strings.ToLower(r.Classification), primeinfra.Severity(r.Severity), site)]++
			}
			if fmt.Sprint(got["nms_prime_rogue_aps"]) != fmt.Sprint(want) {
				t.Errorf("nms_prime_rogue_aps =\n%v\nwant\n%v", got["nms_prime_rogue_aps"], want)
			}
			if n := got["nms_collection_items"]["collection=rogues"]; int(n) != active || active < 3000 {
				t.Errorf("rogues items = %v; want the %d active rogue alarms", n, active)
			}
			if b := want[fmt.Sprintf("classification=unclassified,severity=minor,site=%s", burst)]; tc.sited && b < 3000 {
				t.Errorf("unclassified minor rogues at %s = %v; want the burst of 3000 in one series", burst, b)
			}
		})
	}
}
