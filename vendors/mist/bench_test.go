package mist

import (
	"context"
	"runtime"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// BenchmarkRefreshLarge refreshes every collection of the large simulated
// org (1,000 sites, 10,000 devices, 100,000 clients) once per iteration,
// with a new client each time so org discovery counts too. It reports the
// calls made against the page-count minimum; the simulator runs in the same
// process, so the RSS figures include its data (sim-MiB is the RSS once it
// is built, before any refresh).
func BenchmarkRefreshLarge(b *testing.B) {
	sim, base := newSim(b, mistsim.Options{Seed: 1, Size: "large"})
	runtime.GC()
	simRSS := procstat.MiB("VmRSS")
	n := sim.Sizes()
	cfg := mistConfig(b, base, "", sim.Credentials())
	ctx := context.Background()
	minimum := pageMinimum(b, cfg)
	sim.ResetCalls()
	b.ResetTimer()
	for b.Loop() {
		c, _ := newClient(b, cfg)
		if _, err := c.Sites(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Devices(ctx); err != nil {
			b.Fatal(err)
		}
		cl, err := c.Clients(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if cl.Total != n.Clients {
			b.Fatalf("clients = %d; want %d", cl.Total, n.Clients)
		}
		if _, err := c.Alarms(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Usage(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	calls := float64(sim.Calls()) / float64(b.N)
	if calls > float64(minimum) {
		b.Errorf("a refresh made %.0f calls; the page-count minimum is %d (%v)", calls, minimum, sim.CallsByPath())
	}
	b.ReportMetric(calls, "calls/refresh")
	b.ReportMetric(float64(minimum), "min-calls")
	b.ReportMetric(simRSS, "sim-MiB")
	b.ReportMetric(procstat.MiB("VmHWM"), "peak-RSS-MiB")
}
