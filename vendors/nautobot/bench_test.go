package nautobot

import (
	"context"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// BenchmarkRefreshLarge fetches the 20,000 devices of the large simulated
// Nautobot (2.x shape, depth 0 and the lookup lists) once per iteration, in
// pages of 1,000 four at a time, and reports the calls against the
// page-count minimum. The
// simulator runs in the same process, so the RSS figures include its data.
func BenchmarkRefreshLarge(b *testing.B) {
	sim, base := vendortest.Serve(b, nautobotsim.New, nautobotsim.Options{Seed: 1, Size: "large"})
	simMiB := vendortest.SimMiB()
	z := sim.Sizes()
	n := z.Devices
	// The device pages, and a page of each lookup list that names what
	// they refer to.
	minimum := (n + 999) / 1000
	for _, k := range []int{z.Statuses, z.Roles, z.Tenants, z.Platforms, z.Locations} {
		minimum += max(1, (k+999)/1000)
	}
	cfg := nbConfig(b, base, sim.Credentials().Token, "")
	vendortest.Refresh(b, sim, simMiB, minimum, func(ctx context.Context) error {
		devices := vendortest.Count(newClient(b, cfg).Devices, "devices", n, func(d *Devices) int { return len(d.Devices) })
		return devices(ctx)
	})
}
