package cxcloud

import (
	"context"
	"runtime"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
)

// BenchmarkRefreshLarge fetches every collection of the large simulated
// CX Cloud tenant (20,000 devices) once per iteration, with a new client
// each time so no answer is revalidated, and reports the calls against the
// page-count minimum. The pace of 10 a second is lifted on both sides, so
// the figure is the exporter's time. The simulator runs in the same
// process, so the RSS figures include its data.
func BenchmarkRefreshLarge(b *testing.B) {
	sim, base, _ := newSim(b, cxsim.Options{Seed: 1, Size: "large", PerSecond: 1000, PerDay: 1 << 30})
	runtime.GC()
	simRSS := procstat.MiB("VmRSS")
	cfg := cxConfig(b, base, sim.Credentials(), "")
	ctx := context.Background()
	minimum := pageMinimum(b, cfg)
	sim.ResetCalls()
	b.ResetTimer()
	for b.Loop() {
		c, _ := newClient(b, cfg, nil)
		if _, err := c.Inventory(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.FieldNotices(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Advisories(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.EndOfLife(ctx); err != nil {
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
