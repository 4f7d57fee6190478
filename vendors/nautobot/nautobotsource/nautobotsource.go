// Package nautobotsource is the Nautobot adapter: the collections a nautobot source
// offers, read back typed, and the series they render.
package nautobotsource

import (
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/nautobot"
)

// The collections of a nautobot source.
var (
	nautobotStatus    = collector.NewKey[*nautobot.Status]("status")
	nautobotDevices   = collector.NewKey[*nautobot.Devices]("devices")
	nautobotLocations = collector.NewKey[*nautobot.Locations]("locations")
	nautobotIpam      = collector.NewKey[*nautobot.IPAM]("ipam")
)

// Source-of-truth families.
var (
	sotDeviceInfoDesc = exposition.NewFamily("sot_device_info",
		"One series per device in the source of truth, value 1, for group_left joins on serial.",
		"device", "serial", "location", "role", "tenant", "platform", "status")
	sotDevicesDesc = exposition.NewFamily("sot_devices", "Devices in the source of truth, by location, role and status.",
		"location", "role", "status")
	sotDriftDesc = exposition.NewFamily("sot_drift_devices",
		"Devices on which the source of truth and a vendor source disagree, by kind: missing_in_sot, missing_in_vendor, site_mismatch, name_mismatch.",
		"vendor_source", "kind")
)

// Nautobot-only families.
var (
	nautobotInfoDesc = exposition.NewFamily("nautobot_info", "The Nautobot instance's versions, value 1.",
		"version", "api_version", "python_version")
	nautobotWorkersDesc     = exposition.NewFamily("nautobot_workers", "Celery workers Nautobot reports running.")
	nautobotPrefixesDesc    = exposition.NewFamily("nautobot_prefixes", "IP prefixes in Nautobot.")
	nautobotIPAddressesDesc = exposition.NewFamily("nautobot_ip_addresses", "IP addresses in Nautobot.")
)

// driftKinds are the kinds of disagreement, in the order they are emitted.
var driftKinds = []string{"missing_in_sot", "missing_in_vendor", "site_mismatch", "name_mismatch"}

// Vendor is the Nautobot vendor: its config key, hold cap (no quota; a proxy's limits at most) and
// adapter.
var Vendor = collector.NewVendor("nautobot", time.Minute, build)

func build(cfg *config.Nautobot, env collector.Env) (*collector.Parts, error) {
	budget := env.Budget(vendors.BudgetFor(cfg.Budget))
	client, err := nautobot.New(cfg, nautobot.Options{UserAgent: env.UserAgent, Budget: budget, Recorder: env.API})
	if err != nil {
		return nil, err
	}
	kinds := []collector.Kind{
		collector.Collect(nautobotStatus, client.Status, func(*nautobot.Status) int { return 1 }),
		collector.Collect(nautobotDevices, client.Devices, func(d *nautobot.Devices) int { return len(d.Devices) }),
		collector.Collect(nautobotLocations, client.Locations, func(l *nautobot.Locations) int { return len(l.Locations) }),
		collector.Collect(nautobotIpam, client.IPAM, func(*nautobot.IPAM) int { return 2 }),
	}
	p := &collector.Parts{Collections: kinds, Budget: budget,
		Identity: cfg.BaseURL + " " + cfg.APIVersion}
	describes := append([]string(nil), cfg.Describes...)
	p.Describes = describes
	p.Render = render
	p.SotDevices = sotDevices
	p.RenderPeers = func(out *exposition.Sink, d collector.Data, peers map[string][]model.Device) {
		sot, ok := collector.Get(d, nautobotDevices)
		if !ok {
			return
		}
		for _, name := range describes {
			devices, ok := peers[name]
			if !ok {
				continue
			}
			counts := drift(sot.Devices, devices)
			for i, k := range driftKinds {
				out.Gauge(sotDriftDesc, float64(counts[i]), name, k)
			}
		}
	}
	p.Close = client.Close
	return p, nil
}

func render(out *exposition.Sink, d collector.Data) {
	if st, ok := collector.Get(d, nautobotStatus); ok {
		out.Gauge(nautobotInfoDesc, 1, st.Version, st.APIVersion, st.PythonVersion)
		if st.Workers >= 0 {
			out.Gauge(nautobotWorkersDesc, float64(st.Workers))
		}
	}
	if d, ok := collector.Get(d, nautobotDevices); ok {
		type group struct{ location, role, status string }
		counts := map[group]int{}
		for _, dev := range d.Devices {
			out.Gauge(sotDeviceInfoDesc, 1, dev.Name, dev.Serial, dev.Location, dev.Role, dev.Tenant, dev.Platform, dev.Status)
			counts[group{dev.Location, dev.Role, dev.Status}]++
		}
		for g, n := range counts {
			out.Gauge(sotDevicesDesc, float64(n), g.location, g.role, g.status)
		}
	}
	if l, ok := collector.Get(d, nautobotLocations); ok {
		for _, loc := range l.Locations {
			out.Gauge(exposition.SiteInfo, 1, loc.ID, loc.Name)
		}
	}
	if i, ok := collector.Get(d, nautobotIpam); ok {
		out.Gauge(nautobotPrefixesDesc, float64(i.Prefixes))
		out.Gauge(nautobotIPAddressesDesc, float64(i.IPAddresses))
	}
}

// drift compares the source of truth with one vendor source's devices,
// matching by serial number and, for devices without one, by name. It
// counts, in driftKinds order: vendor devices the source of truth lacks;
// devices the source of truth places at one of the vendor's sites that the
// vendor does not report; matched devices whose location differs from the
// vendor's site; and devices matched by serial whose names differ.
func drift(sot []nautobot.Device, vendor []model.Device) [4]int {
	var out [4]int
	bySerial := make(map[string]int, len(sot))
	byName := make(map[string]int, len(sot))
	for i, d := range sot {
		if s := serialKey(d.Serial); s != "" {
			bySerial[s] = i
		}
		if n := nameKey(d.Name); n != "" {
			byName[n] = i
		}
	}
	matched := make([]bool, len(sot))
	sites := map[string]bool{}
	for _, v := range vendor {
		if v.Site != "" {
			sites[v.Site] = true
		}
		i, bySer := -1, false
		if s := serialKey(v.Serial); s != "" {
			if j, ok := bySerial[s]; ok {
				i, bySer = j, true
			}
		} else if j, ok := byName[nameKey(v.Name)]; ok {
			i = j
		}
		if i < 0 {
			out[0]++
			continue
		}
		matched[i] = true
		if v.Site != "" && sot[i].Location != v.Site {
			out[2]++
		}
		if bySer && nameKey(sot[i].Name) != nameKey(v.Name) {
			out[3]++
		}
	}
	for i, d := range sot {
		if !matched[i] && sites[d.Location] {
			out[1]++
		}
	}
	return out
}

// Matched as the alert bridge's enrichment matches them
// (collector.SotIndex), so an alert and the drift agree on a device.
func serialKey(s string) string { return model.SerialKey(s) }
func nameKey(s string) string   { return model.NameKey(s) }

// sotDevices lists the devices Nautobot records, for the alerts of the
// sources it describes.
func sotDevices(d collector.Data) []model.SotDevice {
	sot, ok := collector.Get(d, nautobotDevices)
	if !ok {
		return nil
	}
	out := make([]model.SotDevice, len(sot.Devices))
	for i, dev := range sot.Devices {
		out[i] = model.SotDevice{Name: dev.Name, Serial: dev.Serial, Location: dev.Location, Role: dev.Role, Tenant: dev.Tenant}
	}
	return out
}
