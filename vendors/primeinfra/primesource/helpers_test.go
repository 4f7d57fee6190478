package primesource_test

import (
	"fmt"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// newSim builds a Prime simulator with o, failing the test on an error.
func newSim(t testing.TB, o primesim.Options) *primesim.Server {
	t.Helper()
	sim, err := primesim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return sim
}

// sourceYAML serves sim on loopback until the test ends, and is a config
// of one source, pi, on it: its credentials, a short hold, and the extra
// lines of its section.
func sourceYAML(t testing.TB, sim *primesim.Server, extra string) string {
	t.Helper()
	base := vendortest.ServeHandler(t, sim)
	cr := sim.Credentials()
	return fmt.Sprintf("prime:\n  - name: pi\n    base_url: %s\n    username: %s\n    password: %s\n    hold: 1ms\n%s",
		base, cr.Username, cr.Password, extra)
}

// refreshedSource serves sim and refreshes a source on it once, with the
// extra config lines.
func refreshedSource(t testing.TB, sim *primesim.Server, extra string) *collector.Source {
	t.Helper()
	s := registrytest.Parse(t, sourceYAML(t, sim, extra), "pi.yml")
	registrytest.RefreshAll(t, s)
	return s
}
