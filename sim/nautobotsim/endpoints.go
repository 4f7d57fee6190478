package nautobotsim

import (
	"strconv"
	"strings"
)

// endpoint is one model's list URL (and its detail URLs below it).
type endpoint struct {
	path    string // "/api/dcim/devices/"
	t       tbl
	model   string // Django model name, for 404 texts
	filters []filter
}

// find resolves a query key to a filter and lookup ("name__ic" → name, ic).
func (ep *endpoint) find(key string) (*filter, string) {
	for i := range ep.filters {
		if ep.filters[i].name == key {
			return &ep.filters[i], ""
		}
	}
	base, lk, ok := cutLast(key, "__")
	if !ok {
		return nil, ""
	}
	for i := range ep.filters {
		f := &ep.filters[i]
		if f.name == base {
			for _, l := range f.lookups() {
				if l == lk {
					return f, lk
				}
			}
		}
	}
	return nil, ""
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (ep *endpoint) pos(f *filter) int {
	for i := range ep.filters {
		if &ep.filters[i] == f {
			return i
		}
	}
	return len(ep.filters)
}

// domain is what a table's list endpoint lists, in API order: n objects,
// the k-th being storage index at(k).
func (w *world) domain(t tbl) (int, func(k int) int) {
	ident := func(k int) int { return k }
	switch t {
	case tRegion, tSite, tBuilding:
		lv := w.levels[map[tbl]uint8{tRegion: lvRegion, tSite: lvSite, tBuilding: lvBuilding}[t]]
		return len(lv), func(k int) int { return int(lv[k]) }
	case tLocType:
		if w.v1 {
			return 1, func(int) int { return int(lvBuilding) }
		}
		// By name: Building, Region, Site.
		order := [3]int{int(lvBuilding), int(lvRegion), int(lvSite)}
		return 3, func(k int) int { return order[k] }
	case tNamespace:
		if w.v1 {
			return 0, ident
		}
	}
	return w.rows(t), ident
}

// Filter constructors.

func fid(to tbl) filter { return filter{name: "id", kind: fID, to: to} }

func ftext(name string, get func(w *world, i int) string) filter {
	return filter{name: name, kind: fText, text: get}
}

func fref(name string, to tbl, nullable bool, get func(w *world, i int) int) filter {
	return filter{name: name, kind: fRef, to: to, nullable: nullable, ref: get}
}

// frefID is a 1.x "<field>_id" filter.
func frefID(name string, to tbl, nullable bool, get func(w *world, i int) int) filter {
	return filter{name: name + "_id", kind: fRefID, to: to, nullable: nullable, ref: get}
}

func fq(match func(w *world, i int, needle string) bool) filter {
	return filter{name: "q", kind: fSearch, search: match}
}

// named filters: id, name (, slug in 1.x) and q over the name.
func namedFilters(t tbl, v1 bool) []filter {
	name := func(w *world, i int) string { return w.name(t, i) }
	fs := []filter{fid(t), ftext("name", name)}
	if v1 {
		fs = append(fs, ftext("slug", func(w *world, i int) string { return slugify(w.name(t, i)) }))
	}
	return append(fs, fq(func(w *world, i int, n string) bool { return strings.Contains(strings.ToLower(w.name(t, i)), n) }))
}

func containsFold(s, lowerNeedle string) bool {
	return strings.Contains(strings.ToLower(s), lowerNeedle)
}

// endpointsFor lists the model endpoints of one major version.
func endpointsFor(v1 bool) []*endpoint {
	devStatus := func(w *world, i int) int { return int(w.devs[i].status) }
	devTenant := func(w *world, i int) int { return int(w.devs[i].tenant) }
	devPlatform := func(w *world, i int) int { return int(w.devs[i].platform) }
	devRole := func(w *world, i int) int { return int(w.devs[i].role) }
	devType := func(w *world, i int) int { return int(w.devs[i].dtype) }
	devMfr := func(w *world, i int) int { return int(w.dtypes[w.devs[i].dtype].mfr) }
	devSearch := func(w *world, i int, n string) bool {
		d := &w.devs[i]
		return containsFold(d.name, n) || containsFold(d.serial, n)
	}
	devName := filter{name: "name", kind: fText, nullable: true, text: func(w *world, i int) string { return w.devs[i].name }}
	devSerial := filter{name: "serial", kind: fIText, text: func(w *world, i int) string { return w.devs[i].serial }}
	hasIP := filter{name: "has_primary_ip", kind: fBool, flag: func(w *world, i int) bool { return w.devs[i].ip >= 0 }}

	pfxNet := func(w *world, i int) (uint32, uint8) { return w.prefixes[i].network, w.prefixes[i].plen }
	pfxSearch := func(w *world, i int, n string) bool {
		p := &w.prefixes[i]
		return strings.Contains(p.cidr(), n) || containsFold(p.desc, n)
	}
	pfxCIDR := ftext("prefix", func(w *world, i int) string { return w.prefixes[i].cidr() })
	ipNet := func(w *world, i int) (uint32, uint8) { return w.ips[i].addr, 32 }
	ipSearch := func(w *world, i int, n string) bool {
		return strings.Contains(w.ips[i].cidr(), n) || containsFold(w.dnsName(i), n)
	}
	ipAddress := ftext("address", func(w *world, i int) string { return w.ips[i].cidr() })
	ipAddress.kind = fIText
	maskLen := ftext("mask_length", func(w *world, i int) string { return strconv.Itoa(int(w.ips[i].plen)) })
	dnsName := ftext("dns_name", func(w *world, i int) string { return w.dnsName(i) })
	active := func(w *world, i int) int { return int(w.stActive) }
	none := func(w *world, i int) int { return -1 }
	cts := func(get func(w *world, i int) []string) filter {
		return filter{name: "content_types", kind: fMember, list: get}
	}
	mfrOfPlatform := func(w *world, i int) int { return int(w.platforms[i].mfr) }
	mfrOfType := func(w *world, i int) int { return int(w.dtypes[i].mfr) }

	statuses := &endpoint{path: "/api/extras/statuses/", t: tStatus, model: "Status",
		filters: append(namedFilters(tStatus, v1), cts(func(w *world, i int) []string { return w.statuses[i].cts }))}
	tenants := &endpoint{path: "/api/tenancy/tenants/", t: tTenant, model: "Tenant", filters: namedFilters(tTenant, v1)}
	mfrs := &endpoint{path: "/api/dcim/manufacturers/", t: tManufacturer, model: "Manufacturer", filters: namedFilters(tManufacturer, v1)}
	platforms := &endpoint{path: "/api/dcim/platforms/", t: tPlatform, model: "Platform",
		filters: append(namedFilters(tPlatform, v1),
			fref("manufacturer", tManufacturer, false, mfrOfPlatform),
			ftext("network_driver", func(w *world, i int) string { return w.platforms[i].driver }))}
	dtypes := &endpoint{path: "/api/dcim/device-types/", t: tDevType, model: "DeviceType",
		filters: []filter{fid(tDevType), ftext("model", func(w *world, i int) string { return w.dtypes[i].name }),
			fref("manufacturer", tManufacturer, false, mfrOfType),
			fq(func(w *world, i int, n string) bool { return containsFold(w.dtypes[i].name, n) })}}
	locTypes := &endpoint{path: "/api/dcim/location-types/", t: tLocType, model: "LocationType", filters: namedFilters(tLocType, v1)}

	if !v1 {
		locTree := filter{name: "location", kind: fTree, to: tLocation, ref: func(w *world, i int) int { return int(w.devs[i].loc) }}
		return []*endpoint{
			{path: "/api/dcim/devices/", t: tDevice, model: "Device", filters: []filter{
				fid(tDevice), devName, devSerial, locTree,
				fref("role", tRole, false, devRole),
				fref("status", tStatus, false, devStatus),
				fref("tenant", tTenant, true, devTenant),
				fref("platform", tPlatform, true, devPlatform),
				fref("device_type", tDevType, false, devType),
				fref("manufacturer", tManufacturer, false, devMfr),
				hasIP, fq(devSearch)}},
			{path: "/api/dcim/locations/", t: tLocation, model: "Location", filters: append(namedFilters(tLocation, false),
				fref("location_type", tLocType, false, func(w *world, i int) int { return int(w.locs[i].level) }),
				fref("parent", tLocation, true, func(w *world, i int) int { return int(w.locs[i].parent) }),
				fref("status", tStatus, false, active),
				fref("tenant", tTenant, true, none))},
			locTypes, mfrs, dtypes, platforms,
			{path: "/api/extras/roles/", t: tRole, model: "Role",
				filters: append(namedFilters(tRole, false), cts(func(*world, int) []string { return []string{"dcim.device"} }))},
			statuses, tenants,
			{path: "/api/ipam/namespaces/", t: tNamespace, model: "Namespace", filters: namedFilters(tNamespace, false)},
			{path: "/api/ipam/prefixes/", t: tPrefix, model: "Prefix", filters: []filter{
				fid(tPrefix), pfxCIDR,
				{name: "type", kind: fChoice, choices: []string{"container", "network", "pool"}, text: func(w *world, i int) string {
					if w.prefixes[i].container() {
						return "container"
					}
					return "network"
				}},
				{name: "ip_version", kind: fChoice, choices: []string{"4", "6"}, text: func(*world, int) string { return "4" }},
				fref("status", tStatus, false, active),
				fref("tenant", tTenant, true, none),
				{name: "location", kind: fTree, to: tLocation, nullable: true, ref: func(w *world, i int) int { return int(w.prefixes[i].loc) }},
				fref("namespace", tNamespace, false, func(*world, int) int { return 0 }),
				{name: "within", kind: fWithin, net: pfxNet},
				{name: "within_include", kind: fWithinInclude, net: pfxNet},
				{name: "contains", kind: fContains, net: pfxNet},
				fq(pfxSearch)}},
			{path: "/api/ipam/ip-addresses/", t: tIP, model: "IPAddress", filters: []filter{
				fid(tIP), ipAddress,
				{name: "ip_version", kind: fChoice, choices: []string{"4", "6"}, text: func(*world, int) string { return "4" }},
				maskLen,
				fref("status", tStatus, false, active),
				fref("tenant", tTenant, true, none),
				fref("parent", tPrefix, false, func(w *world, i int) int { return int(w.ips[i].prefix) }),
				{name: "prefix", kind: fWithinInclude, net: ipNet},
				dnsName, fq(ipSearch)}},
		}
	}

	devSite := func(w *world, i int) int { return int(w.siteOf(w.devs[i].loc)) }
	devBuilding := func(w *world, i int) int {
		if l := w.devs[i].loc; w.locs[l].level == lvBuilding {
			return int(l)
		}
		return -1
	}
	devRegion := func(w *world, i int) int { return int(w.regionOf(w.devs[i].loc)) }
	pfxSite := func(w *world, i int) int { return int(w.prefixes[i].loc) }
	pfxStatus := func(w *world, i int) int {
		if w.prefixes[i].container() {
			return int(w.statusIdx("Container"))
		}
		return int(w.stActive)
	}
	parentOf := func(w *world, i int) int { return int(w.locs[i].parent) }
	family := filter{name: "family", kind: fChoice, choices: []string{"4", "6"}, text: func(*world, int) string { return "4" }}
	return []*endpoint{
		{path: "/api/dcim/devices/", t: tDevice, model: "Device", filters: []filter{
			fid(tDevice), devName, devSerial,
			fref("site", tSite, false, devSite), frefID("site", tSite, false, devSite),
			fref("location", tBuilding, true, devBuilding), frefID("location", tBuilding, true, devBuilding),
			fref("region", tRegion, false, devRegion), frefID("region", tRegion, false, devRegion),
			fref("role", tRole, false, devRole), frefID("role", tRole, false, devRole),
			fref("status", tStatus, false, devStatus),
			fref("tenant", tTenant, true, devTenant), frefID("tenant", tTenant, true, devTenant),
			fref("platform", tPlatform, true, devPlatform), frefID("platform", tPlatform, true, devPlatform),
			frefID("device_type", tDevType, false, devType),
			fref("manufacturer", tManufacturer, false, devMfr), frefID("manufacturer", tManufacturer, false, devMfr),
			hasIP, fq(devSearch)}},
		{path: "/api/dcim/regions/", t: tRegion, model: "Region", filters: append(namedFilters(tRegion, true),
			fref("parent", tRegion, true, none))},
		{path: "/api/dcim/sites/", t: tSite, model: "Site", filters: append(namedFilters(tSite, true),
			fref("region", tRegion, false, parentOf), frefID("region", tRegion, false, parentOf),
			fref("status", tStatus, false, active),
			fref("tenant", tTenant, true, none), frefID("tenant", tTenant, true, none))},
		{path: "/api/dcim/locations/", t: tBuilding, model: "Location", filters: append(namedFilters(tBuilding, true),
			fref("site", tSite, false, parentOf), frefID("site", tSite, false, parentOf),
			fref("location_type", tLocType, false, func(*world, int) int { return int(lvBuilding) }),
			fref("parent", tBuilding, true, none),
			fref("status", tStatus, false, active),
			fref("tenant", tTenant, true, none))},
		locTypes, mfrs, dtypes, platforms,
		{path: "/api/dcim/device-roles/", t: tRole, model: "DeviceRole", filters: namedFilters(tRole, true)},
		statuses, tenants,
		{path: "/api/ipam/prefixes/", t: tPrefix, model: "Prefix", filters: []filter{
			fid(tPrefix), pfxCIDR, family,
			fref("status", tStatus, false, pfxStatus),
			fref("site", tSite, true, pfxSite), frefID("site", tSite, true, pfxSite),
			fref("tenant", tTenant, true, none), frefID("tenant", tTenant, true, none),
			{name: "is_pool", kind: fBool, flag: func(*world, int) bool { return false }},
			{name: "within", kind: fWithin, net: pfxNet},
			{name: "within_include", kind: fWithinInclude, net: pfxNet},
			{name: "contains", kind: fContains, net: pfxNet},
			fq(pfxSearch)}},
		{path: "/api/ipam/ip-addresses/", t: tIP, model: "IPAddress", filters: []filter{
			fid(tIP), ipAddress, family, maskLen,
			fref("status", tStatus, false, active),
			fref("tenant", tTenant, true, none), frefID("tenant", tTenant, true, none),
			{name: "parent", kind: fWithinInclude, net: ipNet},
			dnsName, fq(ipSearch)}},
	}
}
