package mistsource_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// series scrapes a source on a simulator made with o after a refresh of
// every collection, as name{labels} → value, health left out.
func series(t *testing.T, o mistsim.Options) map[string]float64 {
	t.Helper()
	o.Seed, o.Size = 5, "small"
	s, _ := mistSourceOn(t, o, "    ports: {keep: all}\n")
	registrytest.RefreshAll(t, s)
	collectortest.WaitSettled(t, s)
	rec := collectortest.Probe(s, nil)
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for name, mf := range mfs {
		if strings.HasPrefix(name, "nms_source_") || strings.HasPrefix(name, "nms_collection_") || strings.HasPrefix(name, "nms_api_") ||
			name == "nms_mist_api_usage_requests" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var b strings.Builder
			b.WriteString(name)
			for _, l := range m.GetLabel() {
				b.WriteString("," + l.GetName() + "=" + l.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			out[b.String()] = v
		}
	}
	return out
}

// TestEachUnverifiedBehaviourShowsTheSameSeries: for every form mist.md
// leaves open in the wired, WAN, Mist Edge, SLE and device stats answers,
// the exporter shows the same series as for the simulator's default form;
// only where a form leaves data out are those series missing.
func TestEachUnverifiedBehaviourShowsTheSameSeries(t *testing.T) {
	want := series(t, mistsim.Options{})
	for _, fam := range []string{"nms_interface_up", "nms_interface_speed_bytes", "nms_bgp_peer_up", "nms_sle_ratio", "nms_ap_radio_channel", "nms_device_memory_utilization_ratio", "nms_mist_edge_tunnels"} {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(want)), func(k string) bool { return strings.HasPrefix(k, fam+",") }) {
			t.Fatalf("the default simulator shows no %s: the comparison would prove nothing", fam)
		}
	}
	for _, tc := range []struct {
		name string
		o    mistsim.Options
		// lost tells the series the form leaves out.
		lost func(series string) bool
	}{
		{"port speed in bit/s", mistsim.Options{PortSpeedBps: true}, nil},
		{"WAN ports with a port_usage", mistsim.Options{WANPortUsage: "wan"}, nil},
		{"VPN uptime as an epoch", mistsim.Options{VPNUptimeEpoch: true}, nil},
		{"BGP AS numbers as integers", mistsim.Options{BGPASForm: "int"}, nil},
		{"BGP AS numbers as strings", mistsim.Options{BGPASForm: "string"}, nil},
		{"BGP searches without next", mistsim.Options{BGPNoNext: true}, nil},
		{"Mist Edge memory_stats", mistsim.Options{MxEdgeMemoryStats: true}, nil},
		{"Mist Edge memory in kilobytes", mistsim.Options{MxEdgeMemoryKB: true}, nil},
		{"SLE refused without sle", mistsim.Options{SLERequired: true}, nil},
		{"SLE sites listed without data", mistsim.Options{SLEEmptySites: true}, nil},
		{"last_trouble in milliseconds", mistsim.Options{LastTroubleMs: true}, nil},
		{"searches refusing a larger limit", mistsim.Options{RefuseLargeLimit: true, MaxLimit: 50}, nil},
		// AP memory is read from mem_used_kb and mem_total_kb together;
		// the schema has no mem_total_kb.
		{"no example-only keys", mistsim.Options{OmitExampleOnly: true}, func(k string) bool {
			return strings.HasPrefix(k, "nms_device_memory_utilization_ratio,") && strings.Contains(k, "-ap-")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := series(t, tc.o)
			for k, v := range want {
				g, ok := got[k]
				switch {
				case !ok && tc.lost != nil && tc.lost(k):
				case !ok:
					t.Errorf("%s missing; the default form shows %v", k, v)
				case g != v && !moves(k):
					t.Errorf("%s = %v; the default form shows %v", k, g, v)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s shown only in this form", k)
				}
			}
		})
	}
}

// moves reports whether a series' value moves with the simulator's clock
// (counters, timestamps, uptimes): only its presence is compared.
func moves(series string) bool {
	name, _, _ := strings.Cut(series, ",")
	return strings.HasSuffix(name, "_total") || strings.HasSuffix(name, "_timestamp_seconds") || strings.HasSuffix(name, "uptime_seconds")
}
