package cxcloud

import (
	"context"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// BenchmarkRefreshLarge fetches every collection of the large simulated
// CX Cloud tenant (20,000 devices) once per iteration, under each plan,
// with a new client each time so no answer is revalidated, and reports the
// calls against the page-count minimum. The pace of 10 a second is lifted
// on both sides, so the figure is the exporter's time. The simulator runs
// in the same process, so the RSS figures include its data.
func BenchmarkRefreshLarge(b *testing.B) {
	for _, plan := range []struct{ name, extra string }{{"lists", listsPlan}, {"bulk", ""}} {
		b.Run(plan.name, func(b *testing.B) {
			sim, base, _ := newSim(b, cxsim.Options{Seed: 1, Size: "large", PerSecond: 1000, PerDay: 1 << 30})
			simMiB := vendortest.SimMiB()
			cfg := cxConfig(b, base, sim.Credentials(), plan.extra)
			vendortest.Refresh(b, sim, simMiB, pageMinimum(b, cfg), func(ctx context.Context) error {
				c, _ := newClient(b, cfg, nil)
				return vendortest.Steps(ctx, vendortest.Step(c.Inventory), vendortest.Step(c.FieldNotices),
					vendortest.Step(c.Advisories), vendortest.Step(c.EndOfLife), vendortest.Step(c.Contracts), vendortest.Step(c.Resets))
			})
		})
	}
}
