package mist

import (
	"context"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// BenchmarkRefreshLarge refreshes every collection of the large simulated
// org (1,000 sites, 10,000 devices, 100,000 clients) once per iteration,
// with a new client each time so org discovery counts too. It reports the
// calls made against the page-count minimum; the simulator runs in the same
// process, so the RSS figures include its data (sim-MiB is the RSS once it
// is built, before any refresh).
func BenchmarkRefreshLarge(b *testing.B) {
	sim, base := vendortest.Serve(b, mistsim.New, mistsim.Options{Seed: 1, Size: "large"})
	simMiB := vendortest.SimMiB()
	n := sim.Sizes()
	cfg := mistConfig(b, base, "", sim.Credentials())
	vendortest.Refresh(b, sim, simMiB, pageMinimum(b, cfg), func(ctx context.Context) error {
		c, _ := newClient(b, cfg)
		clients := vendortest.Count(c.Clients, "clients", n.Clients, func(cl *Clients) int { return cl.Total })
		return vendortest.Steps(ctx, vendortest.Step(c.Sites), vendortest.Step(c.Devices), clients,
			vendortest.Step(c.Alarms), vendortest.Step(c.Usage))
	})
}
