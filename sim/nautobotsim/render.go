package nautobotsim

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// enc appends compact JSON, as Django REST framework renders it, with keys
// in serializer order. Bodies are encoded per request from the world.
type enc struct{ b []byte }

// sep writes the comma before a member or element when one is due.
func (e *enc) sep() {
	if n := len(e.b); n > 0 {
		switch e.b[n-1] {
		case '{', '[', ':':
		default:
			e.b = append(e.b, ',')
		}
	}
}

func (e *enc) key(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

// begin starts an object or array (c): a member when k is set, else a
// value.
func (e *enc) begin(k string, c byte) {
	if k != "" {
		e.key(k)
	} else {
		e.sep()
	}
	e.b = append(e.b, c)
}

func (e *enc) open(k string) { e.begin(k, '{') }

func (e *enc) close() { e.b = append(e.b, '}') }

func (e *enc) openArr(k string) { e.begin(k, '[') }

func (e *enc) closeArr() { e.b = append(e.b, ']') }

func (e *enc) str(k, v string) {
	e.key(k)
	e.b = simkit.AppendJSONString(e.b, v)
}

// strv writes a string array element.
func (e *enc) strv(v string) {
	e.sep()
	e.b = simkit.AppendJSONString(e.b, v)
}

// strN writes v, or null when v is empty.
func (e *enc) strN(k, v string) {
	if v == "" {
		e.null(k)
		return
	}
	e.str(k, v)
}

func (e *enc) int(k string, v int64) {
	e.key(k)
	e.b = strconv.AppendInt(e.b, v, 10)
}

func (e *enc) bool(k string, v bool) {
	e.key(k)
	e.b = strconv.AppendBool(e.b, v)
}

func (e *enc) null(k string) {
	e.key(k)
	e.b = append(e.b, "null"...)
}

// raw writes a member whose value is literal JSON.
func (e *enc) raw(k, v string) {
	e.key(k)
	e.b = append(e.b, v...)
}

func (e *enc) id(k string, u uuid) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = u.appendTo(e.b)
	e.b = append(e.b, '"')
}

// url writes base + path + id + "/" (+ suffix).
func (e *enc) url(k, base, path string, u uuid, suffix string) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = append(e.b, base...)
	e.b = append(e.b, path...)
	e.b = u.appendTo(e.b)
	e.b = append(e.b, '/')
	e.b = append(e.b, suffix...)
	e.b = append(e.b, '"')
}

// dt writes a 2.x datetime: microseconds, UTC, "Z".
func (e *enc) dt(k string, us int64) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = time.UnixMicro(us).UTC().AppendFormat(e.b, "2006-01-02T15:04:05.000000Z")
	e.b = append(e.b, '"')
}

// date writes a 1.x created date.
func (e *enc) date(k string, us int64) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = time.UnixMicro(us).UTC().AppendFormat(e.b, "2006-01-02")
	e.b = append(e.b, '"')
}

// choice writes a {value, label} choice field.
func (e *enc) choice(k, value, label string) {
	e.open(k)
	e.str("value", value)
	e.str("label", label)
	e.close()
}

// slug writes slugify(v).
func (e *enc) slug(k, v string) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = appendSlug(e.b, v)
	e.b = append(e.b, '"')
}

// rctx is what rendering needs from the request.
type rctx struct {
	base          string // scheme://host
	minor         int    // requested API minor version
	excludeM2M    bool
	configContext bool
	brief         bool // 1.x ?brief
}

// paths are the list URLs objects live under, by version.
func (w *world) path(t tbl, i int) string {
	switch t {
	case tDevice:
		return "/api/dcim/devices/"
	case tLocation:
		if w.v1 {
			return w.path(w.locView(i), i)
		}
		return "/api/dcim/locations/"
	case tBuilding:
		return "/api/dcim/locations/"
	case tSite:
		return "/api/dcim/sites/"
	case tRegion:
		return "/api/dcim/regions/"
	case tLocType:
		return "/api/dcim/location-types/"
	case tStatus:
		return "/api/extras/statuses/"
	case tRole:
		if w.v1 {
			return "/api/dcim/device-roles/"
		}
		return "/api/extras/roles/"
	case tTenant:
		return "/api/tenancy/tenants/"
	case tManufacturer:
		return "/api/dcim/manufacturers/"
	case tPlatform:
		return "/api/dcim/platforms/"
	case tDevType:
		return "/api/dcim/device-types/"
	case tNamespace:
		return "/api/ipam/namespaces/"
	case tPrefix:
		return "/api/ipam/prefixes/"
	case tIP:
		return "/api/ipam/ip-addresses/"
	}
	return "/api/"
}

// locView is the 1.x model a location is.
func (w *world) locView(i int) tbl {
	switch w.locs[i].level {
	case lvRegion:
		return tRegion
	case lvSite:
		return tSite
	}
	return tBuilding
}

var objectTypes = map[tbl]string{
	tDevice: "dcim.device", tLocation: "dcim.location", tLocType: "dcim.locationtype", tStatus: "extras.status",
	tRole: "extras.role", tTenant: "tenancy.tenant", tManufacturer: "dcim.manufacturer", tPlatform: "dcim.platform",
	tDevType: "dcim.devicetype", tNamespace: "ipam.namespace", tPrefix: "ipam.prefix", tIP: "ipam.ipaddress",
}

func (w *world) metaOf(t tbl, i int) *meta {
	switch t {
	case tDevice:
		return &w.devs[i].meta
	case tLocation, tRegion, tSite, tBuilding:
		return &w.locs[i].meta
	case tPrefix:
		return &w.prefixes[i].meta
	case tIP:
		return &w.ips[i].meta
	}
	return &w.namedOf(t, i).meta
}

// namedOf is a row of one of the tables of named objects.
func (w *world) namedOf(t tbl, i int) *named {
	switch t {
	case tLocType:
		return &w.locTypes[i]
	case tStatus:
		return &w.statuses[i].named
	case tRole:
		return &w.roles[i].named
	case tTenant:
		return &w.tenants[i]
	case tManufacturer:
		return &w.mfrs[i].named
	case tPlatform:
		return &w.platforms[i].named
	case tDevType:
		return &w.dtypes[i].named
	case tNamespace:
		return &w.namespace
	}
	panic("nautobotsim: no table")
}

// ref2 writes a 2.x related object: {id, object_type, url} at depth 0, the
// object's own (nested) serialization one level shallower otherwise.
func (w *world) ref2(e *enc, k string, t tbl, i int, rc *rctx, depth int) {
	if i < 0 {
		e.null(k)
		return
	}
	if depth > 0 {
		e.key(k)
		w.render2(e, t, i, rc, depth-1, true)
		return
	}
	m := w.metaOf(t, i)
	e.open(k)
	e.id("id", m.id)
	e.str("object_type", objectTypes[t])
	e.url("url", rc.base, w.path(t, i), m.id, "")
	e.close()
}

func (w *world) head2(e *enc, t tbl, i int, rc *rctx) {
	m := w.metaOf(t, i)
	e.open("")
	e.id("id", m.id)
	e.str("object_type", objectTypes[t])
	e.key("display")
	e.b = append(e.b, '"')
	w.appendDisplay(e, t, i)
	e.b = append(e.b, '"')
	e.url("url", rc.base, w.path(t, i), m.id, "")
	e.key("natural_slug")
	e.b = append(e.b, '"')
	w.appendNaturalSlug(e, t, i)
	e.b = append(e.b, '"')
}

// appendDisplay writes a 2.x display string's contents.
func (w *world) appendDisplay(e *enc, t tbl, i int) {
	switch t {
	case tDevice:
		e.b = simkit.AppendJSONEscaped(e.b, w.devs[i].display())
	case tLocation:
		// The ancestry, root first: "EMEA → AMS01 → AMS01-B1".
		var chain [8]int32
		n := 0
		for l := int32(i); l >= 0 && n < len(chain); l = w.locs[l].parent {
			chain[n] = l
			n++
		}
		for k := n - 1; k >= 0; k-- {
			e.b = simkit.AppendJSONEscaped(e.b, w.locs[chain[k]].name)
			if k > 0 {
				e.b = append(e.b, " → "...)
			}
		}
	case tDevType:
		d := &w.dtypes[i]
		e.b = simkit.AppendJSONEscaped(e.b, w.mfrs[d.mfr].name)
		e.b = append(e.b, ' ')
		e.b = simkit.AppendJSONEscaped(e.b, d.name)
	default:
		e.b = simkit.AppendJSONEscaped(e.b, w.name(t, i))
	}
}

// appendNaturalSlug writes slugified natural-key parts joined by "_" and
// the first four hex digits of the id (lossy, as Nautobot's is).
func (w *world) appendNaturalSlug(e *enc, t tbl, i int) {
	part := func(s string) {
		e.b = appendSlug(e.b, s)
		e.b = append(e.b, '_')
	}
	locParts := func(l int32) {
		for ; l >= 0; l = w.locs[l].parent {
			part(w.locs[l].name)
		}
	}
	switch t {
	case tDevice:
		d := &w.devs[i]
		part(d.name)
		if d.tenant >= 0 {
			part(w.tenants[d.tenant].name)
		} else {
			part("")
		}
		locParts(d.loc)
	case tLocation:
		locParts(int32(i))
	case tDevType:
		part(w.mfrs[w.dtypes[i].mfr].name)
		part(w.dtypes[i].name)
	case tPrefix:
		p := &w.prefixes[i]
		part("Global")
		part(ipString(p.network))
		part(strconv.Itoa(int(p.plen)))
	case tIP:
		part("Global")
		part(ipString(w.ips[i].addr))
	default:
		part(w.name(t, i))
	}
	e.b = hex.AppendEncode(e.b, w.metaOf(t, i).id[:2])
}

// tail2 closes a 2.x object; nested objects carry no many-to-many fields,
// so no tags.
func (w *world) tail2(e *enc, t tbl, i int, rc *rctx, tagged, nested bool) {
	m := w.metaOf(t, i)
	e.dt("created", m.created)
	e.dt("last_updated", m.updated)
	if tagged && !nested {
		e.raw("tags", "[]")
	}
	e.url("notes_url", rc.base, w.path(t, i), m.id, "notes/")
	e.raw("custom_fields", "{}")
	e.close()
}

func (w *world) render2(e *enc, t tbl, i int, rc *rctx, depth int, nested bool) {
	switch t {
	case tDevice:
		w.device2(e, i, rc, depth, nested)
	case tLocation:
		w.location2(e, i, rc, depth, nested)
	case tLocType:
		w.locType2(e, i, rc, depth, nested)
	case tStatus:
		s := &w.statuses[i]
		w.head2(e, t, i, rc)
		w.contentTypes(e, s.cts)
		e.str("name", s.name)
		e.str("color", s.color)
		e.str("description", s.desc)
		w.tail2(e, t, i, rc, false, nested)
	case tRole:
		r := &w.roles[i]
		w.head2(e, t, i, rc)
		w.contentTypes(e, []string{"dcim.device"})
		e.str("name", r.name)
		e.str("color", r.color)
		e.null("weight")
		e.str("description", "")
		w.tail2(e, t, i, rc, false, nested)
	case tTenant:
		tn := &w.tenants[i]
		w.head2(e, t, i, rc)
		e.str("name", tn.name)
		e.str("description", "")
		e.str("comments", "")
		e.null("tenant_group")
		w.tail2(e, t, i, rc, true, nested)
	case tManufacturer:
		m := &w.mfrs[i]
		w.head2(e, t, i, rc)
		if !nested {
			e.int("device_type_count", int64(w.mfrTypes[i]))
			e.int("inventory_item_count", 0)
			e.int("platform_count", int64(w.mfrPlats[i]))
		}
		e.str("name", m.name)
		e.str("description", "")
		w.tail2(e, t, i, rc, false, nested)
	case tPlatform:
		w.platform2(e, i, rc, depth, nested)
	case tDevType:
		d := &w.dtypes[i]
		w.head2(e, t, i, rc)
		if !nested {
			e.int("device_count", int64(w.typeDevs[i]))
		}
		e.null("subdevice_role")
		e.str("front_image", "")
		e.str("rear_image", "")
		e.str("model", d.name)
		e.str("part_number", d.part)
		e.int("u_height", int64(d.u))
		e.bool("is_full_depth", d.u > 1)
		e.str("comments", "")
		w.ref2(e, "manufacturer", tManufacturer, int(d.mfr), rc, depth)
		e.null("device_family")
		w.tail2(e, t, i, rc, true, nested)
	case tNamespace:
		n := &w.namespace
		w.head2(e, t, i, rc)
		e.str("name", n.name)
		e.str("description", "Default Global namespace. Created by Nautobot.")
		e.null("location")
		w.tail2(e, t, i, rc, true, nested)
	case tPrefix:
		w.prefix2(e, i, rc, depth, nested)
	case tIP:
		w.ip2(e, i, rc, depth, nested)
	}
}

func (w *world) contentTypes(e *enc, cts []string) {
	e.openArr("content_types")
	for _, c := range cts {
		e.strv(c)
	}
	e.closeArr()
}

func (d *device) display() string {
	if d.name == "" {
		return "Unnamed device"
	}
	return d.name
}

func (w *world) device2(e *enc, i int, rc *rctx, depth int, nested bool) {
	d := &w.devs[i]
	w.head2(e, tDevice, i, rc)
	e.strN("name", d.name)
	e.str("serial", d.serial)
	e.null("asset_tag")
	e.null("face")
	e.null("position")
	w.ref2(e, "device_type", tDevType, int(d.dtype), rc, depth)
	w.ref2(e, "status", tStatus, int(d.status), rc, depth)
	w.ref2(e, "role", tRole, int(d.role), rc, depth)
	w.ref2(e, "tenant", tTenant, int(d.tenant), rc, depth)
	w.ref2(e, "platform", tPlatform, int(d.platform), rc, depth)
	w.ref2(e, "location", tLocation, int(d.loc), rc, depth)
	e.null("rack")
	w.ref2(e, "primary_ip4", tIP, int(d.ip), rc, depth)
	e.null("primary_ip6")
	e.null("cluster")
	e.null("virtual_chassis")
	e.null("vc_position")
	e.null("vc_priority")
	e.null("device_redundancy_group")
	e.null("device_redundancy_group_priority")
	e.null("software_version")
	if !nested && !rc.excludeM2M {
		e.raw("software_image_files", "[]")
	}
	e.null("secrets_group")
	e.null("controller_managed_device_group")
	e.null("parent_bay")
	e.str("comments", "")
	e.null("local_config_context_data")
	e.null("local_config_context_schema")
	e.null("local_config_context_data_owner_content_type")
	e.null("local_config_context_data_owner_object_id")
	if !nested && rc.configContext {
		e.raw("config_context", "{}")
	}
	w.tail2(e, tDevice, i, rc, true, nested)
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// address writes a location's keys from facility to comments: its time
// zone unless a region, its coordinates if a site. 1.x (v1, where only
// sites have these keys) puts the description among them.
func address(e *enc, l *location, v1 bool) {
	e.str("facility", l.facility)
	e.null("asn")
	if l.city != nil && l.level != lvRegion {
		e.str("time_zone", l.city.tz)
	} else {
		e.null("time_zone")
	}
	if v1 {
		e.str("description", "")
	}
	e.str("physical_address", "")
	e.str("shipping_address", "")
	if l.city != nil && l.level == lvSite {
		e.str("latitude", coord(l.city.lat))
		e.str("longitude", coord(l.city.lon))
	} else {
		e.null("latitude")
		e.null("longitude")
	}
	e.str("contact_name", "")
	e.str("contact_phone", "")
	e.str("contact_email", "")
	e.str("comments", "")
}

func (w *world) location2(e *enc, i int, rc *rctx, depth int, nested bool) {
	l := &w.locs[i]
	w.head2(e, tLocation, i, rc)
	if !nested {
		e.int("tree_depth", int64(l.level))
	}
	e.str("name", l.name)
	e.str("description", "")
	address(e, l, false)
	w.ref2(e, "location_type", tLocType, int(l.level), rc, depth)
	w.ref2(e, "parent", tLocation, int(l.parent), rc, depth)
	w.ref2(e, "status", tStatus, int(w.stActive), rc, depth)
	e.null("tenant")
	if !nested {
		e.int("circuit_count", 0)
		e.int("device_count", int64(w.locDevs[i]))
		e.int("prefix_count", int64(w.locPfx[i]))
		e.int("rack_count", 0)
		e.int("virtual_machine_count", 0)
		e.int("vlan_count", 0)
	}
	w.tail2(e, tLocation, i, rc, true, nested)
}

var locTypeCTs = [3][]string{
	{},
	{"dcim.device", "ipam.prefix", "ipam.vlan"},
	{"dcim.device", "dcim.rack", "ipam.prefix"},
}

func (w *world) locType2(e *enc, i int, rc *rctx, depth int, nested bool) {
	lt := &w.locTypes[i]
	w.head2(e, tLocType, i, rc)
	w.contentTypes(e, locTypeCTs[i])
	e.str("name", lt.name)
	e.str("description", "")
	e.bool("nestable", false)
	w.ref2(e, "parent", tLocType, i-1, rc, depth)
	w.tail2(e, tLocType, i, rc, false, nested)
}

var driverAnsible = map[string]string{
	"juniper_junos": "junipernetworks.junos.junos", "cisco_xe": "cisco.ios.ios", "aruba_aoscx": "arubanetworks.aoscx.aoscx",
	"arista_eos": "arista.eos.eos", "paloalto_panos": "paloaltonetworks.panos.panos",
}

func (w *world) platform2(e *enc, i int, rc *rctx, depth int, nested bool) {
	p := &w.platforms[i]
	w.head2(e, tPlatform, i, rc)
	// A short form of Nautobot's network_driver_mappings.
	e.open("network_driver_mappings")
	if p.driver != "" {
		e.str("ansible", driverAnsible[p.driver])
		e.str("netmiko", p.driver)
		e.str("netutils_parser", p.driver)
		e.str("ntc_templates", p.driver)
		e.str("scrapli", p.driver)
	}
	e.close()
	if !nested {
		e.int("device_count", int64(w.platDevs[i]))
		e.int("virtual_machine_count", 0)
	}
	e.str("name", p.name)
	e.str("network_driver", p.driver)
	e.str("napalm_driver", p.napalm)
	e.null("napalm_args")
	e.str("description", "")
	w.ref2(e, "manufacturer", tManufacturer, int(p.mfr), rc, depth)
	w.tail2(e, tPlatform, i, rc, false, nested)
}

func ipString(a uint32) string {
	b := make([]byte, 0, 15)
	for s := 24; s >= 0; s -= 8 {
		if s != 24 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(a>>s&0xff), 10)
	}
	return string(b)
}

func (p *prefix) cidr() string { return ipString(p.network) + "/" + strconv.Itoa(int(p.plen)) }

func (p *prefix) broadcast() uint32 { return p.network | (1<<(32-p.plen) - 1) }

func (p *prefix) container() bool { return p.loc < 0 }

func (w *world) prefix2(e *enc, i int, rc *rctx, depth int, nested bool) {
	p := &w.prefixes[i]
	cidr := p.cidr()
	w.head2(e, tPrefix, i, rc)
	e.str("prefix", cidr)
	e.str("network", ipString(p.network))
	e.str("broadcast", ipString(p.broadcast()))
	e.int("prefix_length", int64(p.plen))
	if p.container() {
		e.choice("type", "container", "Container")
	} else {
		e.choice("type", "network", "Network")
	}
	e.int("ip_version", 4)
	e.null("date_allocated")
	e.str("description", p.desc)
	w.ref2(e, "status", tStatus, int(w.stActive), rc, depth)
	e.null("role")
	w.ref2(e, "parent", tPrefix, int(p.parent), rc, depth)
	w.ref2(e, "namespace", tNamespace, 0, rc, depth)
	e.null("tenant")
	e.null("vlan")
	e.null("rir")
	// API 2.0 and 2.1 answer with one location, 2.2 and later with a list.
	if rc.minor < 2 {
		w.ref2(e, "location", tLocation, int(p.loc), rc, depth)
	} else if !nested && !rc.excludeM2M {
		e.openArr("locations")
		if p.loc >= 0 {
			w.ref2(e, "", tLocation, int(p.loc), rc, 0)
		}
		e.closeArr()
		e.raw("vrfs", "[]")
	}
	w.tail2(e, tPrefix, i, rc, true, nested)
}

// dnsName is the address's DNS name, from its device's current name.
func (w *world) dnsName(i int) string {
	a := &w.ips[i]
	if a.dev < 0 {
		return "gw." + slugify(w.locs[w.prefixes[a.prefix].loc].name) + ".mgmt.example.net"
	}
	d := &w.devs[a.dev]
	n := d.name
	if n == "" {
		n = d.serial
	}
	return slugify(n) + ".mgmt.example.net"
}

func (a *ipAddr) cidr() string { return ipString(a.addr) + "/" + strconv.Itoa(int(a.plen)) }

func (w *world) ip2(e *enc, i int, rc *rctx, depth int, nested bool) {
	a := &w.ips[i]
	cidr := a.cidr()
	w.head2(e, tIP, i, rc)
	e.str("address", cidr)
	e.str("host", ipString(a.addr))
	e.int("mask_length", int64(a.plen))
	e.choice("type", "host", "Host")
	e.int("ip_version", 4)
	e.str("dns_name", w.dnsName(i))
	e.str("description", "")
	w.ref2(e, "status", tStatus, int(w.stActive), rc, depth)
	e.null("role")
	w.ref2(e, "parent", tPrefix, int(a.prefix), rc, depth)
	e.null("tenant")
	e.null("nat_inside")
	w.tail2(e, tIP, i, rc, true, nested)
}

// ---- 1.x ----------------------------------------------------------------

// nest1 writes a 1.x nested serializer: id, display, url and a few keys.
func (w *world) nest1(e *enc, k string, t tbl, i int, rc *rctx) {
	if i < 0 {
		e.null(k)
		return
	}
	if t == tLocation {
		t = w.locView(i)
	}
	w.head1(e, k, t, i, rc)
	switch t {
	case tDevice:
		e.strN("name", w.devs[i].name)
	case tIP:
		e.int("family", 4)
		e.str("address", w.ips[i].cidr())
	case tPrefix:
		e.int("family", 4)
		e.str("prefix", w.prefixes[i].cidr())
	case tDevType:
		d := &w.dtypes[i]
		w.nest1(e, "manufacturer", tManufacturer, int(d.mfr), rc)
		e.str("model", d.name)
		e.slug("slug", d.name)
		e.int("device_count", int64(w.typeDevs[i]))
	default:
		name := w.name(t, i)
		e.str("name", name)
		e.slug("slug", name)
		switch t {
		case tRole:
			e.int("device_count", int64(w.roleDevs[i]))
			e.int("virtualmachine_count", 0)
		case tPlatform:
			e.int("device_count", int64(w.platDevs[i]))
			e.int("virtualmachine_count", 0)
		case tRegion:
			e.int("_depth", 0)
		case tBuilding:
			e.int("tree_depth", 0)
		}
	}
	e.close()
}

// name is an object's name where it has one.
func (w *world) name(t tbl, i int) string {
	switch t {
	case tDevice:
		return w.devs[i].name
	case tLocation, tRegion, tSite, tBuilding:
		return w.locs[i].name
	case tPrefix:
		return w.prefixes[i].cidr()
	case tIP:
		return w.ips[i].cidr()
	}
	return w.namedOf(t, i).name
}

func (w *world) status1(e *enc, k string, st uint8) {
	n := w.statuses[st].name
	e.open(k)
	e.slug("value", n)
	e.str("label", n)
	e.close()
}

func (w *world) tail1(e *enc, t tbl, i int, rc *rctx, tagged bool) {
	m := w.metaOf(t, i)
	if tagged {
		e.raw("tags", "[]")
	}
	e.raw("custom_fields", "{}")
	e.date("created", m.created)
	e.dt("last_updated", m.updated)
	e.url("notes_url", rc.base, w.path(t, i), m.id, "notes/")
	e.close()
}

// head1 opens a 1.x object under key k ("" for the answer's own): its id,
// display and url.
func (w *world) head1(e *enc, k string, t tbl, i int, rc *rctx) {
	m := w.metaOf(t, i)
	e.open(k)
	e.id("id", m.id)
	e.str("display", w.display1(t, i))
	e.url("url", rc.base, w.path(t, i), m.id, "")
}

// display1 is an object's 1.x display string.
func (w *world) display1(t tbl, i int) string {
	switch t {
	case tDevice:
		return w.devs[i].display()
	case tDevType:
		d := &w.dtypes[i]
		return w.mfrs[d.mfr].name + " " + d.name
	}
	return w.name(t, i)
}

// head1Named opens a 1.x object shown by its name, which with its slug
// comes first.
func (w *world) head1Named(e *enc, t tbl, i int, rc *rctx) {
	w.head1(e, "", t, i, rc)
	name := w.name(t, i)
	e.str("name", name)
	e.slug("slug", name)
}

// siteDevices counts devices at a 1.x site, its buildings included.
func (w *world) siteDevices(si int) int64 {
	n := int64(w.locDevs[si])
	for _, b := range w.levels[lvBuilding] {
		if int(w.locs[b].parent) == si {
			n += int64(w.locDevs[b])
		}
	}
	return n
}

func (w *world) render1(e *enc, t tbl, i int, rc *rctx) {
	if rc.brief {
		w.nest1(e, "", t, i, rc)
		return
	}
	switch t {
	case tDevice:
		w.device1(e, i, rc)
	case tSite:
		l := &w.locs[i]
		w.head1Named(e, t, i, rc)
		w.status1(e, "status", w.stActive)
		w.nest1(e, "region", tRegion, int(l.parent), rc)
		e.null("tenant")
		address(e, l, true)
		e.int("circuit_count", 0)
		e.int("device_count", w.siteDevices(i))
		e.int("prefix_count", int64(w.locPfx[i]))
		e.int("rack_count", 0)
		e.int("virtualmachine_count", 0)
		e.int("vlan_count", 0)
		w.tail1(e, t, i, rc, true)
	case tRegion:
		w.head1Named(e, t, i, rc)
		e.null("parent")
		e.str("description", "")
		n := 0
		for _, s := range w.levels[lvSite] {
			if int(w.locs[s].parent) == i {
				n++
			}
		}
		e.int("site_count", int64(n))
		e.int("_depth", 0)
		w.tail1(e, t, i, rc, false)
	case tBuilding:
		l := &w.locs[i]
		w.head1Named(e, t, i, rc)
		w.nest1(e, "location_type", tLocType, int(lvBuilding), rc)
		e.null("parent")
		w.nest1(e, "site", tSite, int(l.parent), rc)
		w.status1(e, "status", w.stActive)
		e.null("tenant")
		e.str("description", "")
		e.int("tree_depth", 0)
		w.tail1(e, t, i, rc, true)
	case tLocType:
		w.head1Named(e, t, i, rc)
		e.null("parent")
		e.bool("nestable", false)
		w.contentTypes(e, locTypeCTs[i])
		e.str("description", "")
		w.tail1(e, t, i, rc, false)
	case tRole:
		r := &w.roles[i]
		w.head1Named(e, t, i, rc)
		e.str("color", r.color)
		e.bool("vm_role", false)
		e.str("description", "")
		e.int("device_count", int64(w.roleDevs[i]))
		e.int("virtualmachine_count", 0)
		w.tail1(e, t, i, rc, false)
	case tPlatform:
		p := &w.platforms[i]
		w.head1Named(e, t, i, rc)
		w.nest1(e, "manufacturer", tManufacturer, int(p.mfr), rc)
		e.str("napalm_driver", p.napalm)
		e.null("napalm_args")
		e.str("network_driver", p.driver)
		e.str("description", "")
		e.int("device_count", int64(w.platDevs[i]))
		e.int("virtualmachine_count", 0)
		w.tail1(e, t, i, rc, false)
	case tManufacturer:
		w.head1Named(e, t, i, rc)
		e.str("description", "")
		e.int("devicetype_count", int64(w.mfrTypes[i]))
		e.int("inventoryitem_count", 0)
		e.int("platform_count", int64(w.mfrPlats[i]))
		w.tail1(e, t, i, rc, false)
	case tDevType:
		d := &w.dtypes[i]
		w.head1(e, "", t, i, rc)
		w.nest1(e, "manufacturer", tManufacturer, int(d.mfr), rc)
		e.str("model", d.name)
		e.slug("slug", d.name)
		e.str("part_number", d.part)
		e.int("u_height", int64(d.u))
		e.bool("is_full_depth", d.u > 1)
		e.null("subdevice_role")
		e.str("front_image", "")
		e.str("rear_image", "")
		e.str("comments", "")
		e.int("device_count", int64(w.typeDevs[i]))
		w.tail1(e, t, i, rc, true)
	case tStatus:
		s := &w.statuses[i]
		w.head1(e, "", t, i, rc)
		w.contentTypes(e, s.cts)
		e.str("name", s.name)
		e.slug("slug", s.name)
		e.str("color", s.color)
		e.str("description", s.desc)
		w.tail1(e, t, i, rc, false)
	case tTenant:
		w.head1Named(e, t, i, rc)
		e.null("group")
		e.str("description", "")
		e.str("comments", "")
		e.int("circuit_count", 0)
		e.int("device_count", int64(w.tenDevs[i]))
		for _, k := range []string{"ipaddress_count", "prefix_count", "rack_count", "site_count", "virtualmachine_count", "vlan_count", "vrf_count", "cluster_count"} {
			e.int(k, 0)
		}
		w.tail1(e, t, i, rc, true)
	case tPrefix:
		p := &w.prefixes[i]
		w.head1(e, "", t, i, rc)
		e.raw("family", `{"value":4,"label":"IPv4"}`)
		e.str("prefix", p.cidr())
		w.nest1(e, "site", tSite, int(p.loc), rc)
		e.null("location")
		e.null("vrf")
		e.null("tenant")
		e.null("vlan")
		if p.container() {
			w.status1(e, "status", w.statusIdx("Container"))
		} else {
			w.status1(e, "status", w.stActive)
		}
		e.null("role")
		e.bool("is_pool", false)
		e.str("description", p.desc)
		w.tail1(e, t, i, rc, true)
	case tIP:
		a := &w.ips[i]
		w.head1(e, "", t, i, rc)
		e.raw("family", `{"value":4,"label":"IPv4"}`)
		e.str("address", a.cidr())
		e.null("vrf")
		e.null("tenant")
		w.status1(e, "status", w.stActive)
		e.null("role")
		e.null("assigned_object_type")
		e.null("assigned_object_id")
		e.null("assigned_object")
		e.null("nat_inside")
		e.raw("nat_outside", "[]")
		e.str("dns_name", w.dnsName(i))
		e.str("description", "")
		w.tail1(e, t, i, rc, true)
	}
}

func (w *world) device1(e *enc, i int, rc *rctx) {
	d := &w.devs[i]
	w.head1(e, "", tDevice, i, rc)
	e.strN("name", d.name)
	w.nest1(e, "device_type", tDevType, int(d.dtype), rc)
	w.nest1(e, "device_role", tRole, int(d.role), rc)
	w.nest1(e, "tenant", tTenant, int(d.tenant), rc)
	w.nest1(e, "platform", tPlatform, int(d.platform), rc)
	e.str("serial", d.serial)
	e.null("asset_tag")
	w.nest1(e, "site", tSite, int(w.siteOf(d.loc)), rc)
	if w.locs[d.loc].level == lvBuilding {
		w.nest1(e, "location", tBuilding, int(d.loc), rc)
	} else {
		e.null("location")
	}
	e.null("rack")
	e.null("position")
	e.null("face")
	e.null("parent_device")
	w.status1(e, "status", d.status)
	w.nest1(e, "primary_ip", tIP, int(d.ip), rc)
	w.nest1(e, "primary_ip4", tIP, int(d.ip), rc)
	e.null("primary_ip6")
	e.null("secrets_group")
	e.null("cluster")
	e.null("virtual_chassis")
	e.null("vc_position")
	e.null("vc_priority")
	e.null("device_redundancy_group")
	e.null("device_redundancy_group_priority")
	e.str("comments", "")
	e.null("local_context_schema")
	e.null("local_context_data")
	e.raw("tags", "[]")
	e.raw("custom_fields", "{}")
	e.raw("config_context", "{}")
	e.date("created", d.created)
	e.dt("last_updated", d.updated)
	e.url("notes_url", rc.base, w.path(tDevice, i), d.id, "notes/")
	e.close()
}
