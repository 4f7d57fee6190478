package nautobotsource_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// TestDriftAgainstMirror runs a Mist source and a Nautobot that mirrors
// the simulated org with deliberate drift, in one manager, and checks the
// drift the Nautobot source reports against what the mirror did.
func TestDriftAgainstMirror(t *testing.T) {
	mist, mistBase := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 11, Size: "small"})
	var mirror []nautobotsim.DeviceSeed
	for _, d := range mist.Devices() {
		mirror = append(mirror, nautobotsim.DeviceSeed{Serial: d.Serial, Name: d.Name, Site: d.Site, Vendor: "Juniper", Type: d.Type})
	}
	nb, nbBase := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 11, Mirror: mirror})
	y := fmt.Sprintf(`mist:
  - name: org
    base_url: %s
    token: %s
nautobot:
  - name: sot
    base_url: %s
    token: %s
    describes: [org]
`, mistBase, mist.Credentials().Token, nbBase, nb.Credentials().Token)
	m := registrytest.Manager(t, y, "drift.yml", "org", "sot")
	d := nb.Drift()
	if len(d.Missing) == 0 || len(d.Renamed) == 0 || len(d.Moved) == 0 || len(d.Extra) == 0 {
		t.Fatalf("the mirror's drift %+v lacks a kind; the test needs each", d)
	}
	sot, _ := m.Source("sot")
	if err := driftDiff(t, sot, "org", d); err != nil {
		t.Errorf("drift against the mirror (%+v): %v", d, err)
	}
	collectortest.Lint(t, collectortest.Scraped(t, sot))
}

// TestDriftAgainstPrimeMirror runs a Prime source and a Nautobot that
// mirrors the simulated Prime, its switches, routers and controllers with
// the serials of their chassis, with deliberate drift, in one manager, and
// checks the drift the Nautobot source reports against what the mirror
// did. Among the drift are a renamed switch and a renamed controller:
// matched by the serial the inventory gives them, each counts as a
// name_mismatch, where without it each would count as missing_in_sot and
// missing_in_vendor.
func TestDriftAgainstPrimeMirror(t *testing.T) {
	pi, piBase := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 11, Size: "medium", RateLimit: -1, MaxConcurrent: -1})
	mirror := pi.DeviceSeeds()
	types := map[string]string{}
	for _, d := range mirror {
		types[d.Serial] = d.Type
	}
	// The first Nautobot seed whose drift renames a switch and a controller.
	var nb *nautobotsim.Server
	for seed := int64(1); seed <= 200 && nb == nil; seed++ {
		s, err := nautobotsim.New(nautobotsim.Options{Seed: seed, Mirror: mirror})
		if err != nil {
			t.Fatal(err)
		}
		renamed := map[string]bool{}
		for _, serial := range s.Drift().Renamed {
			renamed[types[serial]] = true
		}
		if renamed["switch"] && renamed["controller"] {
			nb = s
		}
	}
	if nb == nil {
		t.Fatal("no Nautobot seed up to 200 renames a switch and a controller; the test needs both")
	}
	nbBase := vendortest.ServeHandler(t, nb)
	cr := pi.Credentials()
	y := fmt.Sprintf(`prime:
  - name: pi
    base_url: %s
    username: %s
    password: %s
    hold: 1ms
nautobot:
  - name: sot
    base_url: %s
    token: %s
    describes: [pi]
`, piBase, cr.Username, cr.Password, nbBase, nb.Credentials().Token)
	m := registrytest.Manager(t, y, "drift.yml", "pi", "sot")
	d := nb.Drift()
	if len(d.Missing) == 0 || len(d.Moved) == 0 || len(d.Extra) == 0 {
		t.Fatalf("the mirror's drift %+v lacks a kind; the test needs each", d)
	}
	sot, _ := m.Source("sot")
	if err := driftDiff(t, sot, "pi", d); err != nil {
		var kinds []string
		for _, serial := range d.Renamed {
			kinds = append(kinds, types[serial])
		}
		slices.Sort(kinds)
		t.Errorf("drift against the mirror (renamed: %v): %v", kinds, err)
	}
}

// driftDiff compares the drift the source of truth sot reports against
// the vendor source named with the drift d its mirror made: nil when they
// agree.
func driftDiff(t *testing.T, sot *collector.Source, vendorSource string, d nautobotsim.Drift) error {
	t.Helper()
	want := fmt.Sprintf(`
# HELP nms_sot_drift_devices Devices on which the source of truth and a vendor source disagree, by kind: missing_in_sot, missing_in_vendor, site_mismatch, name_mismatch.
# TYPE nms_sot_drift_devices gauge
nms_sot_drift_devices{kind="missing_in_sot",vendor_source=%[1]q} %[2]d
nms_sot_drift_devices{kind="missing_in_vendor",vendor_source=%[1]q} %[3]d
nms_sot_drift_devices{kind="name_mismatch",vendor_source=%[1]q} %[4]d
nms_sot_drift_devices{kind="site_mismatch",vendor_source=%[1]q} %[5]d
`, vendorSource, len(d.Missing), len(d.Extra), len(d.Renamed), len(d.Moved))
	return testutil.GatherAndCompare(collectortest.Scraped(t, sot), strings.NewReader(want), "nms_sot_drift_devices")
}
