package nautobot

import (
	"context"
	"runtime"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
)

// BenchmarkRefreshLarge fetches the 20,000 devices of the large simulated
// Nautobot (2.x shape, depth 0 and the lookup lists) once per iteration, in
// pages of 1,000 four at a time, and reports the calls against the
// page-count minimum. The
// simulator runs in the same process, so the RSS figures include its data.
func BenchmarkRefreshLarge(b *testing.B) {
	sim, base := newSim(b, nautobotsim.Options{Seed: 1, Size: "large"})
	runtime.GC()
	simRSS := procstat.MiB("VmRSS")
	z := sim.Sizes()
	n := z.Devices
	// The device pages, and a page of each lookup list that names what
	// they refer to.
	minimum := (n + 999) / 1000
	for _, k := range []int{z.Statuses, z.Roles, z.Tenants, z.Platforms, z.Locations} {
		minimum += max(1, (k+999)/1000)
	}
	cfg := nbConfig(b, base, sim.Credentials().Token, "")
	ctx := context.Background()
	sim.ResetCalls()
	b.ResetTimer()
	for b.Loop() {
		d, err := newClient(b, cfg).Devices(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Devices) != n {
			b.Fatalf("devices = %d; want %d", len(d.Devices), n)
		}
	}
	b.StopTimer()
	calls := float64(sim.Calls()) / float64(b.N)
	if calls > float64(minimum) {
		b.Errorf("a refresh made %.0f calls; the page-count minimum is %d", calls, minimum)
	}
	b.ReportMetric(calls, "calls/refresh")
	b.ReportMetric(float64(minimum), "min-calls")
	b.ReportMetric(simRSS, "sim-MiB")
	b.ReportMetric(procstat.MiB("VmHWM"), "peak-RSS-MiB")
}
