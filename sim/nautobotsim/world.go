package nautobotsim

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// tbl names a kind of object. The last three are 1.x views of the location
// tree: regions and sites were models of their own there.
type tbl uint8

const (
	tDevice tbl = iota
	tLocation
	tLocType
	tStatus
	tRole
	tTenant
	tManufacturer
	tPlatform
	tDevType
	tNamespace
	tPrefix
	tIP
	tRegion
	tSite
	tBuilding
)

// Location tree levels.
const (
	lvRegion uint8 = iota
	lvSite
	lvBuilding
)

type kind uint8

const (
	kindAP kind = iota
	kindSwitch
	kindGateway
	kindRouter
	kindController
	kindOther
	nKinds
)

var kindNames = [nKinds]string{"ap", "switch", "gateway", "router", "controller", "other"}

// kindModels are fallback device-type models for vendors without a table.
var kindModels = [nKinds]string{"AP", "Switch", "Gateway", "Router", "Controller", "Appliance"}

func parseKind(s string) kind {
	s = strings.ToLower(strings.TrimSpace(s))
	for k, n := range kindNames {
		if n == s {
			return kind(k)
		}
	}
	return kindOther
}

var roleDefs = [nKinds]struct{ name, color string }{
	{"Access Point", "2196f3"},
	{"Access Switch", "4caf50"},
	{"WAN Gateway", "ff9800"},
	{"Edge Router", "9c27b0"},
	{"Wireless Controller", "00bcd4"},
	{"Other", "9e9e9e"},
}

type statusDef struct {
	name, color, desc string
	cts               []string
	v1Only            bool // 1.x had Container as a prefix status; 2.x has a prefix type
}

var (
	ctDevLoc = []string{"dcim.device", "dcim.location"}
	ctAll    = []string{"dcim.device", "dcim.location", "ipam.ipaddress", "ipam.prefix"}
	ctIPAM   = []string{"ipam.ipaddress", "ipam.prefix"}
)

var statusDefs = []statusDef{
	{"Active", "4caf50", "Unit is active", ctAll, false},
	{"Container", "9e9e9e", "Network contains children", []string{"ipam.prefix"}, true},
	{"Decommissioning", "ffc107", "Unit is being decommissioned", ctDevLoc, false},
	{"Failed", "f44336", "Unit has failed", []string{"dcim.device"}, false},
	{"Inventory", "9e9e9e", "Device is in inventory", []string{"dcim.device"}, false},
	{"Offline", "ffc107", "Unit is offline", []string{"dcim.device"}, false},
	{"Planned", "00bcd4", "Unit has been planned", ctAll, false},
	{"Reserved", "00bcd4", "Unit is reserved", ctIPAM, false},
	{"Staged", "2196f3", "Unit has been staged", ctDevLoc, false},
}

// deviceStatusWeights: mostly Active, a few in every other device status.
var deviceStatusWeights = []struct {
	name string
	w    int
}{{"Active", 900}, {"Offline", 30}, {"Planned", 20}, {"Staged", 20}, {"Failed", 10}, {"Decommissioning", 10}, {"Inventory", 10}}

var tenantNames = []string{"Corporate IT", "Guest Services", "Research", "Retail"}

// vendorDef maps a vendor to its Nautobot manufacturer, platform and device
// types.
type vendorDef struct {
	match    []string // lower-case substrings of DeviceSeed.Vendor
	mfr      string
	platform string // "" = devices have no platform
	driver   string // network_driver
	napalm   string
	models   [nKinds]string
	serial   func(r *rand.Rand, k kind) string
}

func digits(r *rand.Rand, n int) string { return simkit.RandString(r, "0123456789", n) }

func alnum(r *rand.Rand, n int) string {
	return simkit.RandString(r, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", n)
}

var vendorDefs = []*vendorDef{
	{
		match: []string{"juniper", "mist"}, mfr: "Juniper", platform: "Juniper Junos", driver: "juniper_junos", napalm: "junos",
		models: [nKinds]string{"AP45", "EX4100-F-12P", "SRX320", "MX204", "Mist Edge ME-X5", "QFX5120-48Y"},
		serial: func(r *rand.Rand, k kind) string {
			switch k {
			case kindAP:
				return "A16" + digits(r, 8)
			case kindSwitch:
				return "FJ" + digits(r, 10)
			case kindGateway:
				return "CW" + digits(r, 10)
			}
			return "JN" + alnum(r, 10)
		},
	},
	{
		match: []string{"cisco", "meraki", "prime", "cx"}, mfr: "Cisco", platform: "Cisco IOS-XE", driver: "cisco_xe", napalm: "ios",
		models: [nKinds]string{"C9120AXI-B", "C9300-48P", "C8300-1N1S-6T", "ISR4451-X/K9", "C9800-40-K9", "C9500-24Y4C"},
		serial: func(r *rand.Rand, k kind) string {
			return []string{"FOC", "FDO", "FGL"}[r.IntN(3)] + digits(r, 4) + alnum(r, 4)
		},
	},
	{
		match: []string{"aruba", "hpe"}, mfr: "HPE Aruba Networking", platform: "ArubaOS-CX", driver: "aruba_aoscx",
		models: [nKinds]string{"AP-515", "6300M", "9004", "EC-S-P", "7210", "8360-12C"},
		serial: func(r *rand.Rand, k kind) string { return "CN" + alnum(r, 8) },
	},
	{
		match: []string{"arista"}, mfr: "Arista", platform: "Arista EOS", driver: "arista_eos", napalm: "eos",
		models: [nKinds]string{"C-230", "DCS-7050SX3-48YC8", "DCS-7280CR3-32P4", "DCS-7280CR3-32P4", "CV-CUE", "DCS-7010TX-48"},
		serial: func(r *rand.Rand, k kind) string { return "JPE" + digits(r, 8) },
	},
	{
		match: []string{"palo"}, mfr: "Palo Alto Networks", platform: "PAN-OS", driver: "paloalto_panos", napalm: "panos",
		models: [nKinds]string{"PA-440", "PA-440", "PA-440", "PA-3410", "Panorama M-200", "PA-440"},
		serial: func(r *rand.Rand, k kind) string { return "0" + digits(r, 11) },
	},
	{
		match: []string{"opengear"}, mfr: "Opengear", platform: "Opengear OS", driver: "",
		models: [nKinds]string{"OM2216-L", "OM2216-L", "OM2216-L", "OM2216-L", "Lighthouse", "OM2216-L"},
		serial: func(r *rand.Rand, k kind) string { return "OG" + digits(r, 8) },
	},
	{
		match: []string{"apc", "schneider"}, mfr: "APC",
		models: [nKinds]string{"AP8941", "AP8941", "AP8941", "AP8941", "AP8941", "AP8941"},
		serial: func(r *rand.Rand, k kind) string { return "ZA" + digits(r, 10) },
	},
}

// vendorFor finds the definition for a vendor name; unknown vendors get one
// of their own, with their name as manufacturer and platform.
func vendorFor(vendor string, cache map[string]*vendorDef) *vendorDef {
	low := strings.ToLower(vendor)
	for _, v := range vendorDefs {
		for _, m := range v.match {
			if strings.Contains(low, m) {
				return v
			}
		}
	}
	name := strings.TrimSpace(vendor)
	if name == "" {
		name = "Unknown"
	}
	if v := cache[name]; v != nil {
		return v
	}
	v := &vendorDef{mfr: name, platform: name, models: kindModels,
		serial: func(r *rand.Rand, k kind) string { return "SN" + alnum(r, 10) }}
	cache[name] = v
	return v
}

func vendorByMfr(name string) *vendorDef {
	for _, v := range vendorDefs {
		if v.mfr == name {
			return v
		}
	}
	panic("nautobotsim: no vendor " + name)
}

type city struct {
	code, region, tz, facility string
	lat, lon                   float64
}

var regionNames = []string{"Americas", "APAC", "EMEA"}

var cities = []city{
	{"AMS", "EMEA", "Europe/Amsterdam", "Equinix AM3", 52.3036, 4.9387},
	{"LON", "EMEA", "Europe/London", "Telehouse North", 51.5115, -0.0013},
	{"FRA", "EMEA", "Europe/Berlin", "Interxion FRA1", 50.1109, 8.6821},
	{"PAR", "EMEA", "Europe/Paris", "Equinix PA2", 48.9244, 2.3553},
	{"MAD", "EMEA", "Europe/Madrid", "Interxion MAD1", 40.4168, -3.7038},
	{"ZRH", "EMEA", "Europe/Zurich", "Equinix ZH4", 47.3769, 8.5417},
	{"DUB", "EMEA", "Europe/Dublin", "Digital Realty DUB1", 53.3498, -6.2603},
	{"BER", "EMEA", "Europe/Berlin", "", 52.5200, 13.4050},
	{"NYC", "Americas", "America/New_York", "Equinix NY5", 40.7128, -74.0060},
	{"CHI", "Americas", "America/Chicago", "Equinix CH1", 41.8781, -87.6298},
	{"DAL", "Americas", "America/Chicago", "Equinix DA3", 32.7767, -96.7970},
	{"SFO", "Americas", "America/Los_Angeles", "Equinix SV1", 37.7749, -122.4194},
	{"SEA", "Americas", "America/Los_Angeles", "Westin Building", 47.6062, -122.3321},
	{"TOR", "Americas", "America/Toronto", "", 43.6532, -79.3832},
	{"ATL", "Americas", "America/New_York", "", 33.7490, -84.3880},
	{"BOS", "Americas", "America/New_York", "", 42.3601, -71.0589},
	{"SIN", "APAC", "Asia/Singapore", "Equinix SG1", 1.3521, 103.8198},
	{"TOK", "APAC", "Asia/Tokyo", "Equinix TY2", 35.6762, 139.6503},
	{"SYD", "APAC", "Australia/Sydney", "Equinix SY1", -33.8688, 151.2093},
	{"HKG", "APAC", "Asia/Hong_Kong", "", 22.3193, 114.1694},
	{"BOM", "APAC", "Asia/Kolkata", "", 19.0760, 72.8777},
}

func cityFor(code string) *city {
	for i := range cities {
		if cities[i].code == code {
			return &cities[i]
		}
	}
	return nil
}

type sizeSpec struct{ sites, devices int }

var sizeSpecs = map[string]sizeSpec{
	"small":  {4, 50},
	"medium": {40, 2000},
	"large":  {400, 20000},
}

// uuid is stored as 16 bytes; the string form is built when rendering.
type uuid [16]byte

func newUUID(r *rand.Rand) uuid { return simkit.NewUUID(r) }

func (u uuid) appendTo(b []byte) []byte { return simkit.AppendUUID(b, u) }

func (u uuid) String() string { return string(u.appendTo(make([]byte, 0, 36))) }

// parseUUID accepts what Django's UUIDField does: 32 hex digits, with or
// without the dashes, in either case.
func parseUUID(s string) (uuid, bool) {
	var u uuid
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 {
		return u, false
	}
	if _, err := hex.Decode(u[:], []byte(s)); err != nil {
		return u, false
	}
	return u, true
}

// meta is what every object has. Times are unix microseconds.
type meta struct {
	id               uuid
	created, updated int64
}

type named struct {
	meta
	name string
}

type status struct {
	named
	color, desc string
	cts         []string
}

type role struct {
	named
	color string
}

type manufacturer struct {
	named
	v *vendorDef
}

type platform struct {
	named
	mfr    int16
	driver string
	napalm string
}

type devType struct {
	named // name is the model
	mfr   int16
	part  string
	u     int8
}

type location struct {
	meta
	name     string
	level    uint8
	parent   int32
	city     *city // nil: unknown place
	facility string
}

type prefix struct {
	meta
	network uint32
	plen    uint8
	loc     int32 // -1: none
	parent  int32 // -1: none
	desc    string
}

type ipAddr struct {
	meta
	addr   uint32
	plen   uint8
	prefix int32
	dev    int32 // -1: the prefix's gateway
}

type device struct {
	meta
	name     string // "" is null
	serial   string
	loc      int32
	dtype    int16
	role     uint8
	status   uint8
	tenant   int8 // -1: none
	platform int16
	ip       int32 // -1: no primary IPv4
	mirror   int32 // index into Options.Mirror; -1 for devices no vendor manages
}

type ref struct {
	t tbl
	i int32
}

type world struct {
	seed int64
	v1   bool

	locTypes  [3]named // Region, Site, Building
	locs      []location
	levels    [3][]int32 // location indices by level, in tree order
	statuses  []status
	roles     []role
	kindRole  [nKinds]uint8
	tenants   []named
	mfrs      []manufacturer
	platforms []platform
	dtypes    []devType
	namespace named
	prefixes  []prefix
	ips       []ipAddr
	devs      []device
	byID      map[uuid]ref

	// Counts the API annotates; Step keeps locDevs current.
	locDevs, locPfx                       []int32
	roleDevs, platDevs, typeDevs, tenDevs []int32
	mfrTypes, mfrPlats                    []int32

	// Mirror bookkeeping: the seeds, where each went (-1: left out) and the
	// site each belongs to.
	seeds     []DeviceSeed
	seedDev   []int32
	seedSite  []int32
	missing   []string
	stActive  uint8
	devStatus []uint8 // statuses a device may have, for Step

	tick uint64
}

const (
	streamWorld  = 0x6e617574_6f626f01
	streamIDs    = 0x6e617574_6f626f02
	streamSecret = 0x6e617574_6f626f03
	streamFault  = 0x6e617574_6f626f04
	streamStep   = 0x6e617574_6f626f05
)

// pending is a device before the catalogs it refers to are numbered.
type pending struct {
	name, serial string
	loc          int32
	v            *vendorDef
	k            kind
	status       string
	tenant       int8
	mirror       int32
}

type builder struct {
	w       *world
	r       *rand.Rand // data choices
	ids     *rand.Rand // ids and times, so choices do not shift them
	baseUs  int64      // New's clock, µs
	serials map[string]bool
	unknown map[string]*vendorDef
}

// stamp returns created and last-updated times some days before the base.
func (b *builder) stamp() meta {
	age := 30*86400e6 + b.ids.Int64N(900*86400e6)
	created := b.baseUs - age
	return meta{id: newUUID(b.ids), created: created, updated: created + b.ids.Int64N(age)}
}

func buildWorld(seed int64, spec sizeSpec, mirror []DeviceSeed, v1 bool, baseUs int64) *world {
	w := &world{seed: seed, v1: v1, byID: map[uuid]ref{}}
	b := &builder{w: w, r: simkit.NewRand(seed, streamWorld), ids: simkit.NewRand(seed, streamIDs), baseUs: baseUs,
		serials: map[string]bool{}, unknown: map[string]*vendorDef{}}

	for i, n := range [3]string{"Region", "Site", "Building"} {
		w.locTypes[i] = named{meta: b.stamp(), name: n}
	}
	w.namespace = named{meta: b.stamp(), name: "Global"}
	for _, d := range statusDefs {
		if d.v1Only && !v1 {
			continue
		}
		w.statuses = append(w.statuses, status{named: named{meta: b.stamp(), name: d.name}, color: d.color, desc: d.desc, cts: d.cts})
	}
	w.stActive = w.statusIdx("Active")
	for _, sw := range deviceStatusWeights {
		w.devStatus = append(w.devStatus, w.statusIdx(sw.name))
	}
	order := make([]int, nKinds)
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, c int) int { return cmp.Compare(roleDefs[a].name, roleDefs[c].name) })
	for ri, k := range order {
		w.roles = append(w.roles, role{named: named{meta: b.stamp(), name: roleDefs[k].name}, color: roleDefs[k].color})
		w.kindRole[k] = uint8(ri)
	}
	for _, n := range tenantNames {
		w.tenants = append(w.tenants, named{meta: b.stamp(), name: n})
	}

	var pend []pending
	if len(mirror) > 0 {
		pend = b.mirrorDevices(mirror)
	} else {
		pend = b.generate(spec)
	}
	b.finish(pend)
	return w
}

func (w *world) statusIdx(name string) uint8 {
	for i := range w.statuses {
		if w.statuses[i].name == name {
			return uint8(i)
		}
	}
	panic("nautobotsim: no status " + name)
}

func (b *builder) pickStatus() string {
	total := 0
	for _, s := range deviceStatusWeights {
		total += s.w
	}
	n := b.r.IntN(total)
	for _, s := range deviceStatusWeights {
		if n -= s.w; n < 0 {
			return s.name
		}
	}
	return "Active"
}

// pickTenant leaves about one device in ten without a tenant.
func (b *builder) pickTenant() int8 {
	if b.r.IntN(10) == 0 {
		return -1
	}
	return int8(b.r.IntN(len(tenantNames)))
}

func (b *builder) serial(v *vendorDef, k kind) string {
	for {
		s := v.serial(b.r, k)
		if !b.serials[s] {
			b.serials[s] = true
			return s
		}
	}
}

// siteSpec is a site before the tree is laid out.
type siteSpec struct {
	name      string
	city      *city
	region    string
	buildings int
}

// layout creates the location tree: regions, their sites and the sites'
// buildings, each level sorted by name as Nautobot's tree views list them.
// It returns the location index of each site spec.
func (b *builder) layout(sites []siteSpec) []int32 {
	w := b.w
	idx := make([]int32, len(sites))
	order := make([]int, len(sites))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, c int) int { return natCompare(sites[a].name, sites[c].name) })
	for _, rn := range regionNames {
		var members []int
		for _, si := range order {
			if sites[si].region == rn {
				members = append(members, si)
			}
		}
		if len(members) == 0 {
			continue
		}
		ri := w.addLoc(location{meta: b.stamp(), name: rn, level: lvRegion, parent: -1})
		for _, si := range members {
			s := &sites[si]
			fac := ""
			if s.city != nil {
				fac = s.city.facility
			}
			li := w.addLoc(location{meta: b.stamp(), name: s.name, level: lvSite, parent: ri, city: s.city, facility: fac})
			idx[si] = li
			for k := 1; k <= s.buildings; k++ {
				w.addLoc(location{meta: b.stamp(), name: fmt.Sprintf("%s-B%d", s.name, k), level: lvBuilding, parent: li, city: s.city})
			}
		}
	}
	return idx
}

func (w *world) addLoc(l location) int32 {
	i := int32(len(w.locs))
	w.locs = append(w.locs, l)
	w.levels[l.level] = append(w.levels[l.level], i)
	return i
}

// generate lays out regions, sites and buildings and spreads the devices
// over the buildings.
func (b *builder) generate(spec sizeSpec) []pending {
	r := b.r
	perCode := map[string]int{}
	sites := make([]siteSpec, spec.sites)
	for i := range sites {
		c := &cities[r.IntN(len(cities))]
		perCode[c.code]++
		sites[i] = siteSpec{name: fmt.Sprintf("%s%02d", c.code, perCode[c.code]), city: c, region: c.region, buildings: 1 + r.IntN(3)}
	}
	siteIdx := b.layout(sites)
	w := b.w

	// Each site runs one wireless and switching vendor.
	primary := []*vendorDef{vendorByMfr("Juniper"), vendorByMfr("Cisco"), vendorByMfr("HPE Aruba Networking")}
	siteVendor := map[int32]*vendorDef{}
	for _, li := range siteIdx {
		siteVendor[li] = primary[r.IntN(len(primary))]
	}
	buildings := w.levels[lvBuilding]
	weights := make([]float64, len(buildings))
	for i := range weights {
		weights[i] = 0.3 + r.Float64()
	}
	per := simkit.Split(spec.devices, weights, 1)
	kindWeights := [nKinds]int{55, 30, 5, 5, 2, 3}
	var out []pending
	for bi, n := range per {
		li := buildings[bi]
		site := w.locs[li].parent
		pv := siteVendor[site]
		seq := [nKinds]int{}
		for j := 0; j < n; j++ {
			k := kind(simkit.PickIndex(r, kindWeights[:]))
			v := pv
			switch k {
			case kindRouter:
				v = []*vendorDef{vendorByMfr("Cisco"), vendorByMfr("Juniper")}[r.IntN(2)]
			case kindController:
				if pv.mfr == "Juniper" {
					k = kindSwitch
				}
			case kindOther:
				v = []*vendorDef{vendorByMfr("APC"), vendorByMfr("Opengear")}[r.IntN(2)]
			}
			if k == kindSwitch && r.IntN(10) == 0 {
				v = vendorByMfr("Arista")
			}
			seq[k]++
			name := fmt.Sprintf("%s-%s%02d", strings.ToLower(w.locs[li].name), shortKind[k], seq[k])
			out = append(out, pending{name: name, serial: b.serial(v, k), loc: li, v: v, k: k,
				status: b.pickStatus(), tenant: b.pickTenant(), mirror: -1})
		}
	}
	return out
}

var shortKind = [nKinds]string{"ap", "sw", "gw", "rtr", "wlc", "aux"}

// Drift proportions: the share of mirrored devices left out, renamed and
// moved, and of extra devices added.
const (
	shareMissing = 0.03
	shareRenamed = 0.02
	shareMoved   = 0.02
	shareExtra   = 0.03
)

// depotName is the site moved devices go to when the mirror has one site.
const depotName = "Depot"

func regionFor(site string) (*city, string) {
	code := ""
	for _, c := range site {
		if !unicode.IsLetter(c) || len(code) == 3 {
			break
		}
		code += string(unicode.ToUpper(c))
	}
	if c := cityFor(code); c != nil {
		return c, c.region
	}
	h := fnv.New32a()
	h.Write([]byte(site))
	return nil, regionNames[h.Sum32()%uint32(len(regionNames))]
}

// mirrorDevices turns the seeds into devices at their sites, with the
// deliberate drift Drift reports.
func (b *builder) mirrorDevices(seeds []DeviceSeed) []pending {
	w := b.w
	r := b.r
	w.seeds = slices.Clone(seeds)
	for _, s := range seeds {
		b.serials[s.Serial] = true
	}
	siteOf := func(s DeviceSeed) string {
		if s.Site == "" {
			return "Unassigned"
		}
		return s.Site
	}
	var specs []siteSpec
	specIdx := map[string]int{}
	for _, s := range seeds {
		n := siteOf(s)
		if _, ok := specIdx[n]; !ok {
			c, reg := regionFor(n)
			specIdx[n] = len(specs)
			specs = append(specs, siteSpec{name: n, city: c, region: reg})
		}
	}
	nSites := len(specs)
	if nSites < 2 {
		specs = append(specs, siteSpec{name: depotName, region: specs[0].region})
	}
	locOf := b.layout(specs)

	n := len(seeds)
	take := func(share float64, left int) int {
		return min(left, max(1, int(math.Round(share*float64(n)))))
	}
	perm := r.Perm(n)
	fate := make([]byte, n) // 'm'issing, 'r'enamed, 'v' moved
	k := 0
	for _, f := range []struct {
		c     byte
		share float64
	}{{'m', shareMissing}, {'r', shareRenamed}, {'v', shareMoved}} {
		for j := take(f.share, n-k); j > 0; j-- {
			fate[perm[k]] = f.c
			k++
		}
	}

	w.seedDev = make([]int32, n)
	w.seedSite = make([]int32, n)
	var out []pending
	for i, s := range seeds {
		si := specIdx[siteOf(s)]
		w.seedSite[i] = locOf[si]
		if fate[i] == 'm' {
			w.missing = append(w.missing, s.Serial)
			continue
		}
		k := parseKind(s.Type)
		p := pending{name: s.Name, serial: s.Serial, loc: locOf[si], v: vendorFor(s.Vendor, b.unknown), k: k,
			status: b.pickStatus(), tenant: b.pickTenant(), mirror: int32(i)}
		switch fate[i] {
		case 'r':
			p.name = renamed(s.Name, s.Serial)
		case 'v':
			// Another site, never the seed's own.
			alt := len(specs) - 1
			if alt > 0 {
				p.loc = locOf[(si+1+r.IntN(alt))%len(specs)]
			}
		}
		out = append(out, p)
	}

	extras := max(2, int(math.Round(shareExtra*float64(n))))
	extraVendors := []struct {
		v string
		k kind
		s string
	}{{"Palo Alto Networks", kindGateway, "fw"}, {"Opengear", kindOther, "con"}, {"APC", kindOther, "pdu"}, {"Arista", kindSwitch, "core"}}
	seq := map[string]int{}
	for j := 0; j < extras; j++ {
		ev := extraVendors[r.IntN(len(extraVendors))]
		li := locOf[r.IntN(nSites)]
		site := strings.ToLower(w.locs[li].name)
		seq[site+ev.s]++
		v := vendorFor(ev.v, b.unknown)
		out = append(out, pending{name: fmt.Sprintf("%s-%s%02d", site, ev.s, seq[site+ev.s]), serial: b.serial(v, ev.k),
			loc: li, v: v, k: ev.k, status: "Active", tenant: b.pickTenant(), mirror: -1})
	}
	return out
}

// renamed is the name a drifted record carries: the old naming scheme.
func renamed(name, serial string) string {
	if name == "" {
		tail := serial
		if len(tail) > 4 {
			tail = tail[len(tail)-4:]
		}
		return "unnamed-" + strings.ToLower(tail)
	}
	return strings.ToLower(name) + "-old"
}

// finish numbers the catalogs the devices refer to, creates the devices in
// API order (natural name order, unnamed last) and gives them addresses.
func (b *builder) finish(pend []pending) {
	w := b.w
	// Manufacturers, platforms and device types in name order.
	mfrSet := map[string]*vendorDef{}
	type dtKey struct{ mfr, model string }
	dtSet := map[dtKey]bool{}
	platSet := map[string]*vendorDef{}
	for _, p := range pend {
		mfrSet[p.v.mfr] = p.v
		dtSet[dtKey{p.v.mfr, p.v.models[p.k]}] = true
		if p.v.platform != "" {
			platSet[p.v.platform] = p.v
		}
	}
	mfrNames := sortedKeys(mfrSet)
	mfrIdx := map[string]int16{}
	for i, n := range mfrNames {
		w.mfrs = append(w.mfrs, manufacturer{named: named{meta: b.stamp(), name: n}, v: mfrSet[n]})
		mfrIdx[n] = int16(i)
	}
	platIdx := map[string]int16{}
	for i, n := range sortedKeys(platSet) {
		v := platSet[n]
		w.platforms = append(w.platforms, platform{named: named{meta: b.stamp(), name: n}, mfr: mfrIdx[v.mfr], driver: v.driver, napalm: v.napalm})
		platIdx[n] = int16(i)
	}
	dts := make([]dtKey, 0, len(dtSet))
	for k := range dtSet {
		dts = append(dts, k)
	}
	slices.SortFunc(dts, func(a, c dtKey) int { return cmp.Or(cmp.Compare(a.mfr, c.mfr), natCompare(a.model, c.model)) })
	dtIdx := map[dtKey]int16{}
	for i, k := range dts {
		u := int8(1)
		if strings.HasPrefix(k.model, "MX") || strings.HasPrefix(k.model, "ISR") {
			u = 2
		}
		w.dtypes = append(w.dtypes, devType{named: named{meta: b.stamp(), name: k.model}, mfr: mfrIdx[k.mfr], part: k.model, u: u})
		dtIdx[k] = int16(i)
	}

	slices.SortStableFunc(pend, func(a, c pending) int {
		switch {
		case a.name == "" && c.name == "":
			return 0
		case a.name == "":
			return 1
		case c.name == "":
			return -1
		}
		return natCompare(a.name, c.name)
	})
	w.devs = make([]device, len(pend))
	for i, p := range pend {
		plat := int16(-1)
		if p.v.platform != "" {
			plat = platIdx[p.v.platform]
		}
		w.devs[i] = device{meta: b.stamp(), name: p.name, serial: p.serial, loc: p.loc,
			dtype: dtIdx[dtKey{p.v.mfr, p.v.models[p.k]}], role: w.kindRole[p.k], status: w.statusIdx(p.status),
			tenant: p.tenant, platform: plat, ip: -1, mirror: p.mirror}
	}
	if w.seeds != nil {
		for i := range w.seedDev {
			w.seedDev[i] = -1
		}
		for i := range w.devs {
			if m := w.devs[i].mirror; m >= 0 {
				w.seedDev[m] = int32(i)
			}
		}
	}
	b.address()
	w.index()
	w.count()
}

// address gives each site a management prefix carved from 10.0.0.0/8 and
// each device that is in service an address in its site's prefix; .1 is the
// site's gateway.
func (b *builder) address() {
	w := b.w
	w.prefixes = append(w.prefixes, prefix{meta: b.stamp(), network: 10 << 24, plen: 8, loc: -1, parent: -1, desc: "Management supernet"})
	bySite := make(map[int32][]int32)
	planned, inventory := w.statusIdx("Planned"), w.statusIdx("Inventory")
	for i := range w.devs {
		d := &w.devs[i]
		if d.status == planned || d.status == inventory {
			continue
		}
		s := w.siteOf(d.loc)
		bySite[s] = append(bySite[s], int32(i))
	}
	cursor := uint32(10 << 24)
	for _, si := range w.levels[lvSite] {
		devs := bySite[si]
		size := uint32(256)
		for size < uint32(len(devs))+16 {
			size <<= 1
		}
		cursor = (cursor + size - 1) &^ (size - 1)
		plen := uint8(32 - bitsLen(size-1))
		pi := int32(len(w.prefixes))
		w.prefixes = append(w.prefixes, prefix{meta: b.stamp(), network: cursor, plen: plen, loc: si, parent: 0,
			desc: w.locs[si].name + " management"})
		w.ips = append(w.ips, ipAddr{meta: b.stamp(), addr: cursor + 1, plen: plen, prefix: pi, dev: -1})
		for j, di := range devs {
			w.devs[di].ip = int32(len(w.ips))
			w.ips = append(w.ips, ipAddr{meta: b.stamp(), addr: cursor + 10 + uint32(j), plen: plen, prefix: pi, dev: di})
		}
		cursor += size
	}
}

func bitsLen(x uint32) int {
	n := 0
	for ; x > 0; x >>= 1 {
		n++
	}
	return n
}

// rows is how many objects table t stores; the 1.x views (tRegion and
// after) store none of their own.
func (w *world) rows(t tbl) int {
	n := [...]int{tDevice: len(w.devs), tLocation: len(w.locs), tLocType: len(w.locTypes), tStatus: len(w.statuses),
		tRole: len(w.roles), tTenant: len(w.tenants), tManufacturer: len(w.mfrs), tPlatform: len(w.platforms),
		tDevType: len(w.dtypes), tNamespace: 1, tPrefix: len(w.prefixes), tIP: len(w.ips)}
	if int(t) < len(n) {
		return n[t]
	}
	return 0
}

func (w *world) index() {
	for t := range tRegion { // the stored tables: those before the 1.x views
		for i := range w.rows(t) {
			w.byID[w.metaOf(t, i).id] = ref{t, int32(i)}
		}
	}
}

func (w *world) count() {
	w.locDevs = make([]int32, len(w.locs))
	w.locPfx = make([]int32, len(w.locs))
	w.roleDevs = make([]int32, len(w.roles))
	w.platDevs = make([]int32, len(w.platforms))
	w.typeDevs = make([]int32, len(w.dtypes))
	w.tenDevs = make([]int32, len(w.tenants))
	w.mfrTypes = make([]int32, len(w.mfrs))
	w.mfrPlats = make([]int32, len(w.mfrs))
	for i := range w.devs {
		d := &w.devs[i]
		w.locDevs[d.loc]++
		w.roleDevs[d.role]++
		w.typeDevs[d.dtype]++
		if d.platform >= 0 {
			w.platDevs[d.platform]++
		}
		if d.tenant >= 0 {
			w.tenDevs[d.tenant]++
		}
	}
	for i := range w.prefixes {
		if l := w.prefixes[i].loc; l >= 0 {
			w.locPfx[l]++
		}
	}
	for i := range w.dtypes {
		w.mfrTypes[w.dtypes[i].mfr]++
	}
	for i := range w.platforms {
		w.mfrPlats[w.platforms[i].mfr]++
	}
}

// siteOf is the site-level location at or above l (-1 for a region).
func (w *world) siteOf(l int32) int32 {
	for l >= 0 && w.locs[l].level > lvSite {
		l = w.locs[l].parent
	}
	if l >= 0 && w.locs[l].level != lvSite {
		return -1
	}
	return l
}

func (w *world) regionOf(l int32) int32 {
	for l >= 0 && w.locs[l].level > lvRegion {
		l = w.locs[l].parent
	}
	return l
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// naturalize pads digit runs so names sort as Nautobot's natural ordering
// does ("ap2" before "ap10").
func naturalize(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] >= '0' && s[i] <= '9' {
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			for k := j - i; k < 8; k++ {
				b.WriteByte('0')
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func natCompare(a, b string) int {
	return cmp.Or(cmp.Compare(naturalize(a), naturalize(b)), cmp.Compare(a, b))
}

// slugify approximates Django's slugify as Nautobot uses it in slugs and
// natural_slug values.
func slugify(s string) string { return string(appendSlug(nil, s)) }

func appendSlug(b []byte, s string) []byte {
	start := len(b)
	dash := false
	for _, c := range s {
		c = unicode.ToLower(c)
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			b = append(b, byte(c))
			dash = false
		case c == '-' || c == ' ' || c == '.' || c == '/':
			if !dash && len(b) > start {
				b = append(b, '-')
				dash = true
			}
		}
	}
	for len(b) > start && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	return b
}
