// Package registry lists the vendors the exporter knows, one line each:
// the list the source manager builds sources from and the demo starts
// simulators from.
package registry

import (
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/sim/simkit"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
	"github.com/nmsexporter/nms_exporter/vendors/cxcloud/cxsource"
	"github.com/nmsexporter/nms_exporter/vendors/mist/mistsource"
	"github.com/nmsexporter/nms_exporter/vendors/nautobot/nautobotsource"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra/primesource"
)

// entries pair each vendor's adapter with its simulator, in the order the
// config lists their sections.
var entries = []entry{
	{mistsource.Vendor, mistsim.Spec},
	{primesource.Vendor, primesim.Spec},
	{cxsource.Vendor, cxsim.Spec},
	{nautobotsource.Vendor, nautobotsim.Spec},
}

type entry struct {
	source    collector.Vendor
	simulator simkit.Spec
}

// Vendors are the vendors, in the order the config lists their sections.
var Vendors = func() []collector.Vendor {
	out := make([]collector.Vendor, len(entries))
	for i, e := range entries {
		out[i] = e.source
	}
	return out
}()

// Simulators are the vendors' simulators.
var Simulators = func() *simulators.Set {
	specs := make([]simkit.Spec, len(entries))
	for i, e := range entries {
		specs[i] = e.simulator
	}
	return simulators.New(specs...)
}()
