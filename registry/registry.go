// Package registry lists the vendors the exporter knows, one line each:
// the list the source manager builds sources from.
package registry

import (
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/vendors/cxcloud/cxsource"
	"github.com/nmsexporter/nms_exporter/vendors/mist/mistsource"
	"github.com/nmsexporter/nms_exporter/vendors/nautobot/nautobotsource"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra/primesource"
)

// Vendors are the vendors, in the order the config lists their sections.
var Vendors = []collector.Vendor{
	mistsource.Vendor,
	primesource.Vendor,
	cxsource.Vendor,
	nautobotsource.Vendor,
}
