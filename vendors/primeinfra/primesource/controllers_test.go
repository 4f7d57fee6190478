package primesource_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// primeSource runs a Prime source on a simulator with o, with only the
// collections named enabled, refreshed once.
func primeSource(t *testing.T, o primesim.Options, enabled ...string) (*primesim.Server, *collector.Source) {
	t.Helper()
	sim := newSim(t, o)
	y := "    page_size: 4\n    collections:\n"
	for _, c := range []string{"access_points", "clients", "devices", "alarms", "controllers"} {
		y += fmt.Sprintf("      %s: {enabled: %v}\n", c, slices.Contains(enabled, c))
	}
	return sim, refreshedSource(t, sim, y)
}

// TestPrimeControllerFamilies: each controller of the server renders its
// info (serial, model number, version, groups), its APs and clients as
// Prime counts them, and, where the details carry them, its CPU and memory
// as ratios in the families every vendor shares, the hot one above 0.9.
// Without them, no CPU or memory series.
func TestPrimeControllerFamilies(t *testing.T) {
	for _, util := range []bool{true, false} {
		t.Run(fmt.Sprintf("utilization %v", util), func(t *testing.T) {
			sim, src := primeSource(t, primesim.Options{Seed: 12, Size: "medium", RateLimit: -1, ControllerUtilization: util}, "controllers")
			g := collectortest.Scraped(t, src)
			collectortest.Lint(t, g)
			var info, aps, clients, cpu, mem strings.Builder
			info.WriteString("# HELP nms_prime_controller_info A wireless controller Prime manages, value 1: its serial, model, software version, mobility group and RF group.\n# TYPE nms_prime_controller_info gauge\n")
			aps.WriteString("# HELP nms_prime_controller_aps Access points joined to the wireless controller, as Prime counts them.\n# TYPE nms_prime_controller_aps gauge\n")
			clients.WriteString("# HELP nms_prime_controller_clients Clients on the wireless controller's access points, as Prime counts them.\n# TYPE nms_prime_controller_clients gauge\n")
			cpu.WriteString("# HELP nms_device_cpu_utilization_ratio CPU busy, 0..1.\n# TYPE nms_device_cpu_utilization_ratio gauge\n")
			mem.WriteString("# HELP nms_device_memory_utilization_ratio Memory in use, 0..1.\n# TYPE nms_device_memory_utilization_ratio gauge\n")
			ctrls := sim.Controllers()
			hot := 0
			for _, c := range ctrls {
				fmt.Fprintf(&info, "nms_prime_controller_info{device=%q,mobility_group=%q,model=%q,rf_group=%q,serial=%q,version=%q} 1\n",
					c.Name, c.MobilityGroup, c.ModelNumber, c.RFGroup, c.Serial, c.Version)
				fmt.Fprintf(&aps, "nms_prime_controller_aps{device=%q} %d\n", c.Name, c.APs)
				fmt.Fprintf(&clients, "nms_prime_controller_clients{device=%q} %d\n", c.Name, c.Clients)
				fmt.Fprintf(&cpu, "nms_device_cpu_utilization_ratio{device=%q} %v\n", c.Name, float64(c.CPU)/100)
				fmt.Fprintf(&mem, "nms_device_memory_utilization_ratio{device=%q} %v\n", c.Name, float64(c.Memory)/100)
				if c.CPU > 90 {
					hot++
				}
			}
			want := info.String() + aps.String() + clients.String()
			if util {
				want += cpu.String() + mem.String()
				if hot == 0 {
					t.Error("no controller of the simulator runs above 90% CPU; want one to show")
				}
			}
			names := []string{"nms_prime_controller_info", "nms_prime_controller_aps", "nms_prime_controller_clients",
				"nms_device_cpu_utilization_ratio", "nms_device_memory_utilization_ratio"}
			if err := testutil.GatherAndCompare(g, strings.NewReader(want), names...); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestPrimeControllerClientsAddUp: every wireless client is on an AP
// joined to a controller, so the controllers' clients add up to the
// wireless clients of nms_clients, and their APs to the reachable APs
// nms_device_up shows.
func TestPrimeControllerClientsAddUp(t *testing.T) {
	_, src := primeSource(t, primesim.Options{Seed: 13, Size: "small", RateLimit: -1}, "access_points", "clients", "controllers")
	mfs, err := collectortest.Scraped(t, src).Gather()
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			if name == "nms_device_up" {
				name += "/" + labelValue(m.GetLabel(), "device_type")
			}
			sums[name] += m.GetGauge().GetValue()
		}
	}
	if got, want := sums["nms_prime_controller_clients"], sums["nms_clients"]; got != want || got == 0 {
		t.Errorf("sum of nms_prime_controller_clients = %v; want nms_clients' %v", got, want)
	}
	if got, want := sums["nms_prime_controller_aps"], sums["nms_device_up/ap"]; got != want || got == 0 {
		t.Errorf("sum of nms_prime_controller_aps = %v; want the %v reachable APs", got, want)
	}
}

func labelValue(labels []*dto.LabelPair, name string) string {
	for _, l := range labels {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
