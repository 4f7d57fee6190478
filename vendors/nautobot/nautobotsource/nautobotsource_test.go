package nautobotsource_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
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
	want := fmt.Sprintf(`
# HELP nms_sot_drift_devices Devices on which the source of truth and a vendor source disagree, by kind: missing_in_sot, missing_in_vendor, site_mismatch, name_mismatch.
# TYPE nms_sot_drift_devices gauge
nms_sot_drift_devices{kind="missing_in_sot",vendor_source="org"} %d
nms_sot_drift_devices{kind="missing_in_vendor",vendor_source="org"} %d
nms_sot_drift_devices{kind="name_mismatch",vendor_source="org"} %d
nms_sot_drift_devices{kind="site_mismatch",vendor_source="org"} %d
`, len(d.Missing), len(d.Extra), len(d.Renamed), len(d.Moved))
	sot, _ := m.Source("sot")
	if err := testutil.GatherAndCompare(collectortest.Scraped(t, sot), strings.NewReader(want), "nms_sot_drift_devices"); err != nil {
		t.Errorf("drift against the mirror (%+v): %v", d, err)
	}
	collectortest.Lint(t, collectortest.Scraped(t, sot))
}
