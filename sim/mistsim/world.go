package mistsim

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

type devType uint8

const (
	typeAP devType = iota + 1
	typeSwitch
	typeGateway
)

func (t devType) String() string {
	switch t {
	case typeAP:
		return "ap"
	case typeSwitch:
		return "switch"
	case typeGateway:
		return "gateway"
	}
	return ""
}

// Band indexes into per-band arrays; the string form is the search API's.
const (
	band24 = iota
	band5
	band6
)

var bandNames = [3]string{"24", "5", "6"}

var ssidNames = [3]string{"Corp", "Guest", "IoT"}

const (
	ssidCorp = iota
	ssidGuest
	ssidIoT
)

// quantum is the step of the client timeline (see doc.go).
const quantumMs = 60_000

type sizeSpec struct{ sites, devices, unassigned, clients int }

var sizeSpecs = map[string]sizeSpec{
	"small":  {3, 40, 3, 300},
	"medium": {100, 1500, 20, 15000},
	"large":  {1000, 10000, 50, 100000},
}

type city struct {
	code, country, tz string
	tzoffset          int
	lat, lng          float64
	street, town      string
}

var cities = []city{
	{"AMS", "NL", "Europe/Amsterdam", 60, 52.3791, 4.9003, "Stationsplein", "Amsterdam"},
	{"NYC", "US", "America/New_York", -300, 40.7128, -74.0060, "5th Ave", "New York, NY"},
	{"LON", "GB", "Europe/London", 0, 51.5072, -0.1276, "Canada Square", "London"},
	{"SFO", "US", "America/Los_Angeles", -480, 37.7749, -122.4194, "Market St", "San Francisco, CA"},
	{"BER", "DE", "Europe/Berlin", 60, 52.5200, 13.4050, "Friedrichstrasse", "Berlin"},
	{"PAR", "FR", "Europe/Paris", 60, 48.8566, 2.3522, "Rue de Rivoli", "Paris"},
	{"TOK", "JP", "Asia/Tokyo", 540, 35.6762, 139.6503, "Marunouchi", "Tokyo"},
	{"SYD", "AU", "Australia/Sydney", 600, -33.8688, 151.2093, "George St", "Sydney NSW"},
	{"CHI", "US", "America/Chicago", -360, 41.8781, -87.6298, "Wacker Dr", "Chicago, IL"},
	{"DAL", "US", "America/Chicago", -360, 32.7767, -96.7970, "Main St", "Dallas, TX"},
	{"MAD", "ES", "Europe/Madrid", 60, 40.4168, -3.7038, "Gran Via", "Madrid"},
	{"SIN", "SG", "Asia/Singapore", 480, 1.3521, 103.8198, "Raffles Pl", "Singapore"},
	{"TOR", "CA", "America/Toronto", -300, 43.6532, -79.3832, "Bay St", "Toronto, ON"},
	{"ZRH", "CH", "Europe/Zurich", 60, 47.3769, 8.5417, "Bahnhofstrasse", "Zurich"},
	{"DUB", "IE", "Europe/Dublin", 0, 53.3498, -6.2603, "Grafton St", "Dublin"},
	{"SEA", "US", "America/Los_Angeles", -480, 47.6062, -122.3321, "Pike St", "Seattle, WA"},
	{"BOS", "US", "America/New_York", -300, 42.3601, -71.0589, "Boylston St", "Boston, MA"},
	{"MUC", "DE", "Europe/Berlin", 60, 48.1351, 11.5820, "Leopoldstrasse", "Munich"},
	{"MIL", "IT", "Europe/Rome", 60, 45.4642, 9.1900, "Via Torino", "Milan"},
	{"ATL", "US", "America/New_York", -300, 33.7490, -84.3880, "Peachtree St", "Atlanta, GA"},
}

var orgNames = []string{"Acme Corp", "Globex Corporation", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Retail"}

type model struct {
	name, sku, serialPrefix, hwRev string
	has6                           bool
	weight                         int
	versions                       []string
	memTotalKB                     int64
}

var apModels = []model{
	{"AP45", "AP45-WW", "A16", "C02", true, 40, []string{"0.14.29313", "0.14.29633"}, 1011000},
	{"AP34", "AP34-WW", "A18", "B01", true, 25, []string{"0.14.29313", "0.12.27452"}, 505468},
	{"AP43", "AP43-WW", "A07", "C02", false, 35, []string{"0.14.29313", "0.12.27452", "0.10.24626"}, 505468},
}

var switchModels = []model{
	{"EX4100-F-12P", "EX4100-F-12P", "FJ", "A", false, 40, []string{"22.4R3-S2.11", "23.4R2-S4.11"}, 0},
	{"EX2300-24P", "EX2300-24P", "JW", "B", false, 60, []string{"22.4R3-S2.11", "21.4R3-S5.4"}, 0},
}

var gatewayModels = []model{
	{"SRX320", "SRX320-POE-AC", "CW", "A", false, 60, []string{"22.4R3-S2.11", "23.4R2-S3.9"}, 0},
	{"SSR120", "SSR120-AE", "TD", "A", false, 40, []string{"6.2.5-5.r2", "6.3.0-107.r1"}, 0},
}

func modelsFor(t devType) []model {
	switch t {
	case typeSwitch:
		return switchModels
	case typeGateway:
		return gatewayModels
	}
	return apModels
}

// Device OUIs: Mist APs, Juniper EX and SRX/SSR.
var devOUIs = map[devType][]uint64{
	typeAP:      {0x5c5b35, 0xd420b0, 0x003e73},
	typeSwitch:  {0x0c8126, 0xe4fc82, 0x4c9614},
	typeGateway: {0xf01c2d, 0x3c6104},
}

type clientKind struct {
	device, os, model, mfg, family string
	host                           int
	iot, wifi6e                    bool
	weight                         int
	ouis                           []uint64
}

const (
	hostIPhone = iota
	hostMac
	hostLaptop
	hostAndroid
	hostChromebook
	hostAxis
	hostPrinter
	hostZebra
)

var clientKinds = []clientKind{
	{"iPhone", "iOS 17.5", "iPhone 15", "Apple", "iPhone", hostIPhone, false, true, 24, []uint64{0xa4c337, 0xf0989d}},
	{"Mac", "macOS 14.5", `MBP 14" M3 2023`, "Apple", "Mac", hostMac, false, true, 14, []uint64{0x3c0630, 0xbcd074}},
	{"Windows", "Windows 11", "Latitude 7440", "Dell", "Windows", hostLaptop, false, true, 16, []uint64{0x84144d, 0x9c2976}},
	{"Windows", "Windows 10", "ThinkPad T14", "Lenovo", "Windows", hostLaptop, false, false, 9, []uint64{0x70cd0d, 0xd0abd5}},
	{"Android", "Android 14", "Galaxy S23", "Samsung", "Android", hostAndroid, false, true, 14, []uint64{0x5c497d, 0xa8346a}},
	{"Chromebook", "ChromeOS 124", "Chromebook 314", "HP", "Chrome OS", hostChromebook, false, false, 5, []uint64{0x3822e2}},
	{"Camera", "", "AXIS M3106-L", "Axis", "", hostAxis, true, false, 7, []uint64{0xaccc8e}},
	{"Printer", "", "LaserJet M480", "HP", "", hostPrinter, true, false, 5, []uint64{0x3024a9}},
	{"Scanner", "Android 11", "Zebra TC52", "Zebra", "Android", hostZebra, true, false, 6, []uint64{0x00a0f8}},
}

type site struct {
	id, name  string
	city      *city
	address   string
	lat, lng  float64
	created   int64
	modified  int64
	devs      []int32 // APs, then switches, then gateways
	nAP, nSW  int
	nGW       int
	clients   []int32 // all clients of the site, in global sorted order
	wiredBase int
}

type device struct {
	id, mac, name, serial, version, ip string
	macNum                             uint64
	model                              *model
	typ                                devType
	site                               int32 // -1: unassigned (inventory only)
	connected                          bool
	stepDown                           bool  // taken down by Step, so Step may bring it back
	bootMs                             int64 // when it last came up
	downMs                             int64 // when it went down
	created, modified                  int64
	bands                              [3]int32 // connected clients per band (APs)
	channels                           [3]int
	wired                              int32
	cpu                                int
	mem                                int
	bps                                int64
	radioOff                           uint8 // bit per band: the radio is disabled (bandwidth 0)
}

// client is kept small: large sizes hold 110,000 of them.
type client struct {
	mac    uint64
	off    int32 // timestamp offset in ms from the timeline base (<= 0)
	ip     uint32
	ap     int32
	site   int32
	uptime int32
	kind   uint8
	ssid   uint8
	band   uint8
	proto  uint8
	rssi   int8
	hist   bool // historical: seen hours ago, not connected now
}

type alarm struct {
	id, siteID, typ, group, severity string
	note                             string
	tsMs, lastSeenMs                 int64
	count                            int
	acked                            bool
	ackedMs                          int64
	ackAdmin                         string // ack_admin_name
	resolved                         bool
	resolvedMs                       int64
	aps, switches, gateways          []string
	hostnames, ssids, bssids         []string
}

// admins are who acknowledges the initial alarms. The alarm object's
// ack_admin_name is "Name & Email ID of the admin" with the example
// "Joe" (mist.md E17): what its value looks like is not settled, so both
// forms appear.
var admins = []string{"Joe", "Priya Nair", "ops@example.com", "Lars Berg (lars.berg@example.com)"}

// stableUUID is a uuid drawn from key: the same for the same key, such
// as an admin's name.
func stableUUID(key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return uuidFrom(rand.New(rand.NewPCG(h.Sum64(), 0x61646d696e)))
}

type alarmDef struct {
	key, display, group, severity string
	fields                        []string
}

var alarmDefs = []alarmDef{
	{"device_down", "Device offline", "infrastructure", "warn", []string{"aps", "hostnames"}},
	{"switch_down", "Switch offline", "infrastructure", "critical", []string{"switches", "hostnames"}},
	{"gw_down", "Gateway offline", "infrastructure", "critical", []string{"gateways", "hostnames"}},
	{"high_cpu", "High CPU utilization", "infrastructure", "warn", []string{"aps", "switches", "gateways", "hostnames"}},
	{"sw_bad_optics", "Bad optics", "infrastructure", "major", []string{"switches", "hostnames"}},
	{"dhcp_failure", "DHCP failure", "infrastructure", "major", []string{"ssids"}},
	{"dns_failure", "DNS failure", "infrastructure", "major", []string{"ssids"}},
	{"rogue_ap", "Rogue AP detected", "security", "warn", []string{"aps", "bssids"}},
	{"rogue_client", "Rogue client detected", "security", "critical", []string{"aps", "ssids"}},
	{"honeypot_ssid", "Honeypot SSID detected", "security", "critical", []string{"aps", "bssids", "ssids"}},
	{"adhoc_network", "Ad-hoc network detected", "security", "info", []string{"aps", "bssids"}},
}

func findDef(key string) *alarmDef {
	for i := range alarmDefs {
		if alarmDefs[i].key == key {
			return &alarmDefs[i]
		}
	}
	return nil
}

func downAlarmType(t devType) string {
	switch t {
	case typeSwitch:
		return "switch_down"
	case typeGateway:
		return "gw_down"
	}
	return "device_down"
}

type world struct {
	seed int64
	b0   int64 // ms: Now() at New, the anchor of the client timeline

	orgID, orgName, mspID string
	orgCreated            int64
	foreignOrgID          string
	foreignSites          map[string]bool
	wlanIDs               [3]string

	sites     []site
	siteByID  map[string]int
	devs      []device // assigned devices in site order, then unassigned ones
	nAssigned int
	devByMAC  map[string]int
	byType    [4][]int32 // [0] all assigned, then by devType

	clients   []client  // sorted by off desc, then mac asc
	apClients [][]int32 // by device index: all clients seen on the AP
	apLive    [][]int32 // by device index: its connected (non-historical) clients

	alarms    []*alarm
	alarmByID map[string]*alarm
	tick      uint64
	mut       *rand.Rand // ids for RaiseAlarm

	net network // ports, peers, tunnels, BGP, Mist Edges, SLEs (world_net.go)
}

func uuidFrom(r *rand.Rand) string { return string(simkit.AppendUUID(nil, simkit.NewUUID(r))) }

func macString(m uint64) string {
	const digits = "0123456789abcdef"
	var b [12]byte
	for i := 11; i >= 0; i-- {
		b[i] = digits[m&0xf]
		m >>= 4
	}
	return string(b[:])
}

// spread maps index i to a distinct 24-bit value: odd multipliers are
// bijective modulo 2^24, so MACs built from it never collide.
func spread(i int, salt uint64) uint64 {
	return (uint64(i)*0x9E3779B1 + salt) & 0xffffff
}

func ipString(ip uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&0xff, ip>>8&0xff, ip&0xff)
}

func buildWorld(seed int64, spec sizeSpec, nowMs int64) *world {
	r := simkit.NewRand(seed, 0x6d69737473696d01)
	w := &world{
		seed:         seed,
		b0:           nowMs,
		siteByID:     make(map[string]int, spec.sites),
		devByMAC:     make(map[string]int, spec.devices+spec.unassigned),
		foreignSites: map[string]bool{},
		alarmByID:    map[string]*alarm{},
		mut:          simkit.NewRand(seed, 0x6d69737473696d02),
	}
	w.orgID = uuidFrom(r)
	w.orgName = orgNames[r.IntN(len(orgNames))]
	w.mspID = uuidFrom(r)
	w.orgCreated = 1_500_000_000 + r.Int64N(100_000_000)
	w.foreignOrgID = uuidFrom(r)
	for i := 0; i < 2; i++ {
		w.foreignSites[uuidFrom(r)] = true
	}
	for i := range w.wlanIDs {
		w.wlanIDs[i] = uuidFrom(r)
	}

	// Sites.
	weights := make([]float64, spec.sites)
	w.sites = make([]site, spec.sites)
	for i := range w.sites {
		s := &w.sites[i]
		s.id = uuidFrom(r)
		s.city = &cities[r.IntN(len(cities))]
		if i == 0 {
			s.name = s.city.code + "-HQ"
		} else {
			s.name = fmt.Sprintf("%s-Branch-%03d", s.city.code, i)
		}
		s.address = fmt.Sprintf("%d %s, %s", 1+r.IntN(400), s.city.street, s.city.town)
		s.lat = math.Round((s.city.lat+(r.Float64()-0.5)*0.2)*1e6) / 1e6
		s.lng = math.Round((s.city.lng+(r.Float64()-0.5)*0.2)*1e6) / 1e6
		s.created = w.orgCreated + r.Int64N(50_000_000)
		s.modified = s.created + r.Int64N(20_000_000)
		s.wiredBase = 4 + r.IntN(40)
		weights[i] = 0.5 + r.Float64()
		if i == 0 {
			weights[i] *= 3
		}
		w.siteByID[s.id] = i
	}

	// Devices per site: roughly 80% APs, 15% switches, 5% gateways.
	perSite := simkit.Split(spec.devices, weights, 1)
	w.devs = make([]device, 0, spec.devices+spec.unassigned)
	for si, n := range perSite {
		gw := int(float64(n)*0.05 + r.Float64())
		sw := int(float64(n)*0.15 + r.Float64())
		for gw+sw >= n && (gw > 0 || sw > 0) {
			if sw > 0 {
				sw--
			} else {
				gw--
			}
		}
		s := &w.sites[si]
		s.nAP, s.nSW, s.nGW = n-gw-sw, sw, gw
		seq := 0
		for _, g := range []struct {
			t devType
			n int
		}{{typeAP, s.nAP}, {typeSwitch, s.nSW}, {typeGateway, s.nGW}} {
			for k := 0; k < g.n; k++ {
				w.addDevice(r, g.t, int32(si), k+1, seq)
				seq++
			}
		}
	}
	w.nAssigned = len(w.devs)
	for k := 0; k < spec.unassigned; k++ {
		t := typeAP
		if k%4 == 3 {
			t = typeSwitch
		}
		w.addDevice(r, t, -1, 0, 0)
	}
	for i := range w.devs[:w.nAssigned] {
		d := &w.devs[i]
		w.byType[0] = append(w.byType[0], int32(i))
		w.byType[d.typ] = append(w.byType[d.typ], int32(i))
		w.sites[d.site].devs = append(w.sites[d.site].devs, int32(i))
	}

	// About 2% of the assigned devices are down at start.
	nDown := max(1, int(math.Round(float64(w.nAssigned)*0.02)))
	for _, i := range r.Perm(w.nAssigned)[:nDown] {
		d := &w.devs[i]
		d.connected = false
		d.downMs = nowMs - 300_000 - r.Int64N(6*3600_000)
		d.bootMs = d.downMs - 3600_000 - r.Int64N(30*86400_000)
	}

	w.buildClients(r, spec, nowMs)
	w.buildAlarms(r, spec, nowMs)
	w.buildNet(nowMs)
	return w
}

// addDevice appends device number num of its type at site si; seq is its
// position among the site's devices.
func (w *world) addDevice(r *rand.Rand, t devType, si int32, num, seq int) {
	i := len(w.devs)
	models := modelsFor(t)
	m := &models[simkit.PickWeighted(r, models, func(m *model) int { return m.weight })]
	ouis := devOUIs[t]
	macNum := ouis[i%len(ouis)]<<24 | spread(i, simkit.Mix(uint64(w.seed)))
	d := device{
		macNum:    macNum,
		mac:       macString(macNum),
		model:     m,
		typ:       t,
		site:      si,
		connected: si >= 0,
		version:   m.versions[r.IntN(len(m.versions))],
	}
	d.id = "00000000-0000-0000-1000-" + d.mac
	week := 100*(18+r.IntN(7)) + 1 + r.IntN(52)
	switch t {
	case typeAP:
		// A serial's digits are a bijection of the device index, so unique.
		d.serial = fmt.Sprintf("%s%08d", m.serialPrefix, (uint64(i)*7919+simkit.Mix(uint64(w.seed)^0x5e1a1))%100_000_000)
	default:
		d.serial = fmt.Sprintf("%s%04d%c%c%04d", m.serialPrefix, week, 'A'+byte(i/10000%26), 'A'+byte(r.IntN(26)), i%10000)
	}
	if si >= 0 {
		s := &w.sites[si]
		tag := "ap"
		switch t {
		case typeSwitch:
			tag = "sw"
		case typeGateway:
			tag = "gw"
		}
		d.name = fmt.Sprintf("%s-%s-%02d", s.name, tag, num)
		d.ip = ipString(10<<24 | uint32(si>>8)<<16 | uint32(si&0xff)<<8 | uint32(2+seq%250))
		d.created = s.created + r.Int64N(10_000_000)
	} else {
		d.created = w.orgCreated + r.Int64N(150_000_000)
	}
	d.modified = d.created + r.Int64N(5_000_000)
	d.bootMs = w.b0 - 3600_000 - r.Int64N(60*86400_000)
	d.channels = [3]int{
		[]int{1, 6, 11}[r.IntN(3)],
		[]int{36, 40, 44, 48, 52, 100, 149, 157}[r.IntN(8)],
		[]int{5, 21, 37, 53, 69, 85}[r.IntN(6)],
	}
	d.cpu = 2 + r.IntN(30)
	d.mem = 15 + r.IntN(50)
	d.bps = 2000 + r.Int64N(200_000)
	if t == typeSwitch && si >= 0 {
		d.wired = int32(w.sites[si].wiredBase + r.IntN(20))
	}
	w.devByMAC[d.mac] = i
	w.devs = append(w.devs, d)
}

func (w *world) buildClients(r *rand.Rand, spec sizeSpec, nowMs int64) {
	var live, aps []int32
	for _, i := range w.byType[typeAP] {
		aps = append(aps, i)
		if w.devs[i].connected {
			live = append(live, i)
		}
	}
	weights := make([]float64, len(live))
	for i := range weights {
		weights[i] = 0.3 + 1.7*r.Float64()
	}
	perAP := simkit.Split(spec.clients, weights, 0)
	nHist := spec.clients / 10
	w.clients = make([]client, 0, spec.clients+nHist)
	siteSeq := make([]uint32, len(w.sites))
	mk := func(ap int32, hist bool) {
		i := len(w.clients)
		d := &w.devs[ap]
		k := uint8(simkit.PickWeighted(r, clientKinds, func(k *clientKind) int { return k.weight }))
		kind := &clientKinds[k]
		c := client{
			mac:  kind.ouis[i%len(kind.ouis)]<<24 | spread(i, simkit.Mix(uint64(w.seed)^0xc11e47)),
			ap:   ap,
			site: d.site,
			kind: k,
			hist: hist,
			rssi: int8(-35 - r.IntN(45)),
		}
		switch {
		case kind.iot:
			c.ssid = ssidIoT
		case r.IntN(4) == 0:
			c.ssid = ssidGuest
		default:
			c.ssid = ssidCorp
		}
		c.band = band5
		switch x := r.IntN(100); {
		case kind.wifi6e && d.model.has6 && x < 25:
			c.band = band6
		case x >= 85 || (kind.iot && x >= 30):
			c.band = band24
		}
		c.proto = uint8(r.IntN(2))
		if hist {
			c.off = -int32(2*3600_000 + r.IntN(18*3600_000))
		} else {
			c.off = -int32(r.IntN(240_000))
		}
		c.uptime = int32(60 + r.IntN(8*3600))
		seq := siteSeq[d.site] % 1022
		siteSeq[d.site]++
		c.ip = 10<<24 | 128<<16 + uint32(d.site)*1024 + 1 + seq
		w.clients = append(w.clients, c)
	}
	for k, ap := range live {
		for j := 0; j < perAP[k]; j++ {
			mk(ap, false)
		}
	}
	for j := 0; j < nHist; j++ {
		mk(aps[r.IntN(len(aps))], true)
	}
	slices.SortFunc(w.clients, func(a, b client) int {
		if c := cmp.Compare(b.off, a.off); c != 0 {
			return c
		}
		return cmp.Compare(a.mac, b.mac)
	})

	// Per-AP and per-site index lists share backing arrays to stay compact.
	nDev := len(w.devs)
	cntAll := make([]int, nDev)
	cntLive := make([]int, nDev)
	cntSite := make([]int, len(w.sites))
	for i := range w.clients {
		c := &w.clients[i]
		cntAll[c.ap]++
		cntSite[c.site]++
		if !c.hist {
			cntLive[c.ap]++
			w.devs[c.ap].bands[c.band]++
		}
	}
	w.apClients = carve(cntAll)
	w.apLive = carve(cntLive)
	siteLists := carve(cntSite)
	for i := range w.clients {
		c := &w.clients[i]
		w.apClients[c.ap] = append(w.apClients[c.ap], int32(i))
		siteLists[c.site] = append(siteLists[c.site], int32(i))
		if !c.hist {
			w.apLive[c.ap] = append(w.apLive[c.ap], int32(i))
		}
	}
	for i := range w.sites {
		w.sites[i].clients = siteLists[i]
	}
}

// carve returns zero-length slices with the given capacities, cut from one
// array.
func carve(counts []int) [][]int32 {
	total := 0
	for _, n := range counts {
		total += n
	}
	backing := make([]int32, total)
	out := make([][]int32, len(counts))
	off := 0
	for i, n := range counts {
		out[i] = backing[off : off : off+n]
		off += n
	}
	return out
}

func (w *world) buildAlarms(r *rand.Rand, spec sizeSpec, nowMs int64) {
	// Every device that is down has its down alarm.
	for i := range w.devs[:w.nAssigned] {
		d := &w.devs[i]
		if !d.connected {
			a := w.deviceAlarm(r, downAlarmType(d.typ), i, d.downMs+60_000+r.Int64N(120_000))
			a.count = 1
			w.addAlarm(a)
		}
	}
	// A few other device alarms (about 0.5% of devices).
	misc := []string{"high_cpu", "rogue_ap", "rogue_client", "sw_bad_optics", "honeypot_ssid", "adhoc_network"}
	nExtra := max(2, w.nAssigned/200)
	for k := 0; k < nExtra; k++ {
		w.addAlarm(w.miscAlarm(r, misc, nowMs-60_000-r.Int64N(20*3600_000)))
	}
	// Site-wide alarms carry no device.
	for k := 0; k < max(1, len(w.sites)/40); k++ {
		w.addAlarm(w.siteAlarm(r, nowMs-60_000-r.Int64N(20*3600_000)))
	}
	// Acknowledge about a fifth of the open ones; who did is drawn from
	// the id, not from r, so that the rest of the world stays as it was.
	for _, a := range w.alarms {
		if r.IntN(5) == 0 {
			a.acked = true
			a.ackedMs = a.tsMs + r.Int64N(max(1, nowMs-a.tsMs))
			a.ackAdmin = admins[int(a.id[0])%len(admins)]
		}
	}
	// And a history of resolved alarms.
	nOpen := len(w.alarms)
	for k := 0; k < nOpen; k++ {
		ts := nowMs - 3600_000 - r.Int64N(19*3600_000)
		var a *alarm
		if r.IntN(3) == 0 {
			a = w.siteAlarm(r, ts)
		} else {
			i := int(w.byType[0][r.IntN(w.nAssigned)])
			a = w.deviceAlarm(r, downAlarmType(w.devs[i].typ), i, ts)
		}
		a.resolved = true
		a.resolvedMs = ts + 300_000 + r.Int64N(3600_000)
		a.lastSeenMs = a.resolvedMs
		w.addAlarm(a)
	}
}

func (w *world) newAlarm(r *rand.Rand, typ string, tsMs int64) *alarm {
	def := findDef(typ)
	a := &alarm{id: uuidFrom(r), typ: typ, tsMs: tsMs, lastSeenMs: tsMs, count: 1}
	if def != nil {
		a.group, a.severity = def.group, def.severity
	}
	return a
}

func (w *world) deviceAlarm(r *rand.Rand, typ string, di int, tsMs int64) *alarm {
	d := &w.devs[di]
	a := w.newAlarm(r, typ, tsMs)
	a.siteID = w.siteID(d.site)
	switch d.typ {
	case typeAP:
		a.aps = []string{d.mac}
	case typeSwitch:
		a.switches = []string{d.mac}
	case typeGateway:
		a.gateways = []string{d.mac}
	}
	if d.name != "" {
		a.hostnames = []string{d.name}
	}
	return a
}

func (w *world) miscAlarm(r *rand.Rand, types []string, tsMs int64) *alarm {
	typ := types[r.IntN(len(types))]
	var pool []int32
	switch typ {
	case "sw_bad_optics":
		pool = w.byType[typeSwitch]
	case "high_cpu":
		pool = w.byType[0]
	default:
		pool = w.byType[typeAP]
	}
	if len(pool) == 0 {
		pool, typ = w.byType[typeAP], "high_cpu"
	}
	di := int(pool[r.IntN(len(pool))])
	a := w.deviceAlarm(r, typ, di, tsMs)
	a.count = 1 + r.IntN(12)
	a.lastSeenMs = tsMs + r.Int64N(600_000)
	switch typ {
	case "rogue_ap", "honeypot_ssid", "adhoc_network":
		a.bssids = []string{macString(0x020000000000 | r.Uint64()&0xffffffffff)}
		a.hostnames = nil
	case "rogue_client":
		a.ssids = []string{ssidNames[r.IntN(2)]}
		a.hostnames = nil
	}
	if typ == "honeypot_ssid" {
		a.ssids = []string{"Corp-Free"}
	}
	return a
}

func (w *world) siteAlarm(r *rand.Rand, tsMs int64) *alarm {
	typ := []string{"dhcp_failure", "dns_failure"}[r.IntN(2)]
	a := w.newAlarm(r, typ, tsMs)
	a.siteID = w.sites[r.IntN(len(w.sites))].id
	a.ssids = []string{ssidNames[r.IntN(3)]}
	a.count = 1 + r.IntN(40)
	a.lastSeenMs = tsMs + r.Int64N(900_000)
	return a
}

func (w *world) addAlarm(a *alarm) {
	w.alarms = append(w.alarms, a)
	w.alarmByID[a.id] = a
}

func (w *world) siteID(si int32) string {
	if si < 0 {
		return ""
	}
	return w.sites[si].id
}

// base is the client timeline's origin for a window ending at endMs: the
// anchor moved forward in whole quanta, never past endMs.
func (w *world) base(endMs int64) int64 {
	d := endMs - w.b0
	q := d / quantumMs
	if d < 0 && d%quantumMs != 0 {
		q--
	}
	return w.b0 + q*quantumMs
}

// clientLive reports whether a client is connected now: not historical
// and on an AP that is up.
func (w *world) clientLive(c *client) bool {
	return !c.hist && w.devs[c.ap].connected
}

var macSeparators = strings.NewReplacer(":", "", "-", "", ".", "")

func normMAC(s string) string { return macSeparators.Replace(strings.ToLower(s)) }
