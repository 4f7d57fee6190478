package primesim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// RootDomain is the virtual domain that sees everything.
const RootDomain = "ROOT-DOMAIN"

// Defaults of the ClientCounts collection interval and of the history
// HistoricalClientCounts keeps.
const (
	DefaultCollectionInterval = 5 * time.Minute
	DefaultHistoryWindow      = 24 * time.Hour
)

type sizeSpec struct {
	campuses, buildings, aps, controllers, switches, routers, clients, alarms int
}

var sizeSpecs = map[string]sizeSpec{
	"small":  {2, 6, 50, 2, 10, 4, 500, 40},
	"medium": {3, 30, 1000, 6, 78, 16, 12000, 4000},
	"large":  {4, 120, 5000, 20, 400, 80, 60000, 20000},
}

var campusNames = [...]string{"NA-Campus", "EU-Campus", "APAC-Campus", "LATAM-Campus"}
var campusCodes = [...]string{"NA", "EU", "APAC", "LATAM"}

// Severities in AlarmSeverityEnum order, so a smaller value is worse.
const (
	sevCritical uint8 = iota
	sevMajor
	sevMinor
	sevWarning
	sevInformation
	sevCleared
)

var severityNames = [...]string{"CRITICAL", "MAJOR", "MINOR", "WARNING", "INFORMATION", "CLEARED"}

func severityOf(name string) (uint8, bool) {
	for i, n := range severityNames {
		if n == name {
			return uint8(i), true
		}
	}
	return 0, false
}

// Reachability values of devices (ReachabilityStateEnum subset).
const (
	reachable uint8 = iota
	unreachable
	pingReachable
)

var reachNames = [...]string{"REACHABLE", "UNREACHABLE", "PING_REACHABLE"}

var ssidNames = [...]string{"Corp", "Guest", "IoT"}

const nSSID = len(ssidNames)

// ClientCounts columns: the eight wireless protocols (5 GHz first, then
// 2.4 GHz), work-group bridges and the four wired speeds.
const (
	colA = iota
	colAC
	colAX5
	colN5
	colB
	colG
	colN24
	colAX24
	colWGB
	colW10M
	colW100M
	colW1G
	colW10G
	nCols
	nWireless = colWGB
	n5GHz     = colB // columns below this are 5 GHz
)

type apModel struct {
	name, plant string
	ax          bool // 802.11ax capable
	weight      int
}

var apModels = []apModel{
	{"AIR-AP2802I-E-K9", "FGL", false, 20},
	{"AIR-AP3802I-E-K9", "FCW", false, 15},
	{"C9115AXI-E", "FJC", true, 20},
	{"C9120AXI-E", "FOC", true, 30},
	{"C9130AXI-E", "KWC", true, 15},
}

type devKind uint8

const (
	kindController devKind = iota
	kindSwitch
	kindRouter
)

var productFamilies = [...]string{"Wireless Controller", "Switches and Hubs", "Routers"}

type devModel struct {
	typ, swType, version, apVersion string
	weight                          int
}

var devModels = [...][]devModel{
	kindController: {
		{"Cisco 9800-40 Wireless Controller", "IOS-XE", "17.9.4a", "17.9.4.27", 50},
		{"Cisco 9800-80 Wireless Controller", "IOS-XE", "17.9.5", "17.9.5.47", 30},
		{"Cisco 5520 Wireless LAN Controller", "Cisco Controller", "8.10.185.0", "8.10.185.0", 20},
	},
	kindSwitch: {
		{"Cisco Catalyst 9300-48P Switch", "IOS-XE", "17.9.4", "", 50},
		{"Cisco Catalyst 9200L-24P-4G Switch", "IOS-XE", "17.6.5", "", 30},
		{"Cisco Catalyst 3850-48P-E Switch", "IOS-XE", "16.12.10a", "", 20},
	},
	kindRouter: {
		{"Cisco 4451 Integrated Services Router", "IOS-XE", "17.6.6a", "", 50},
		{"Cisco ASR 1001-X Router", "IOS-XE", "17.9.4a", "", 30},
		{"Cisco Catalyst 8300-1N1S-6T Router", "IOS-XE", "17.12.2", "", 20},
	},
}

type building struct {
	campus int8
	num    int
	floors []int32
}

type floor struct {
	campus   int8
	building int32
	num      int
	loc      string // "NA-Campus > Building-03 > Floor-2"
}

type ap struct {
	id         int64
	name       string
	serial     string
	eth, radio uint64
	radioKey   string // colon form of the radio MAC: the ClientCounts key
	ip         string
	floor      int32
	wlc        int32 // device index of its controller
	campus     int8
	model      uint8
	up         bool
	stepDown   bool  // taken down by Step, so Step may bring it back
	status     uint8 // worst active AP alarm, sevCleared when none
	bootMs     int64
	base       int32 // clients in the collection current at New
}

type device struct {
	id          int64
	name, ip    string
	loc         string
	campus      int8
	kind        devKind
	model       uint8
	reach       uint8
	building    int32 // a switch's building; controllers and routers sit in the campus's Building-01
	wiredBase   int32
	collectedMs int64
	createdMs   int64
}

type world struct {
	seed     int64
	nowMs    int64 // the clock at New
	campuses int

	buildings []building
	floors    []floor
	aps       []ap
	apByName  map[string]int32
	devs      []device
	devByName map[string]int32
	ctrls     []ctrl      // the controllers, in devs order
	inv       []inventory // InventoryDetails, by device

	alarms      []alarm // in @id order
	cats, conds []string
	alarmIDs    idSeq

	cc ccWorld // ClientCounts, HistoricalClientCounts and Clients

	rogues rogueWorld // RogueApAlarms
	radios radioWorld // RadioDetails and RFLoadStats

	tick uint64
	mut  *rand.Rand // ids and picks for RaiseAlarm
}

const (
	streamWorld  = 0x7072696d65736901
	streamSecret = 0x7072696d65736902
	streamMut    = 0x7072696d65736903
	streamFault  = 0x7072696d65736904
	streamCells  = 0x7072696d65736905
	streamInv    = 0x7072696d65736906
	streamStep   = 0x7374657000000000 // + tick
)

func weights(r *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 + r.Float64()
	}
	return w
}

// spread maps i to a distinct value below 2^bits: odd multipliers are
// bijective modulo a power of two, so MACs built from it never collide.
func spread(i int, salt uint64, bits uint) uint64 {
	return (uint64(i)*0x9E3779B1 + salt) & (1<<bits - 1)
}

func macOctets(m uint64) string { return fmt.Sprintf("%012x", m) }

func macColon(m uint64) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m>>40&0xff, m>>32&0xff, m>>24&0xff, m>>16&0xff, m>>8&0xff, m&0xff)
}

func isoDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

const base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// serialFor builds a Cisco-style serial (plant, year code, week, four
// characters). The last four are a bijection of the AP index, so unique.
func serialFor(r *rand.Rand, plant string, i int, salt uint64) string {
	v := (uint64(i)*7919 + salt) % (36 * 36 * 36 * 36)
	var tail [4]byte
	for k := 3; k >= 0; k-- {
		tail[k] = base36[v%36]
		v /= 36
	}
	return fmt.Sprintf("%s%02d%02d%s", plant, 20+r.IntN(9), 1+r.IntN(52), tail[:])
}

var (
	apEthOUIs   = []uint64{0x00a289, 0x70ea1a, 0xf87b20}
	apRadioOUIs = []uint64{0x0c75bd, 0x2c3f0b, 0x70db98}
)

func buildWorld(seed int64, spec sizeSpec, nowMs int64, o ccOptions) *world {
	r := simkit.NewRand(seed, streamWorld)
	w := &world{
		seed:      seed,
		nowMs:     nowMs,
		campuses:  spec.campuses,
		apByName:  make(map[string]int32, spec.aps),
		devByName: map[string]int32{},
		mut:       simkit.NewRand(seed, streamMut),
	}
	w.cats = slices.Clone(categories)
	for _, c := range condDefs {
		w.conds = append(w.conds, c.name)
	}

	perCampus := simkit.Split(spec.buildings, weights(r, spec.campuses), 1)
	for c, n := range perCampus {
		for b := 1; b <= n; b++ {
			bi := int32(len(w.buildings))
			bl := building{campus: int8(c), num: b}
			nf := 2 + r.IntN(4)
			for f := 1; f <= nf; f++ {
				bl.floors = append(bl.floors, int32(len(w.floors)))
				w.floors = append(w.floors, floor{campus: int8(c), building: bi, num: f,
					loc: fmt.Sprintf("%s > Building-%02d > Floor-%d", campusNames[c], b, f)})
			}
			w.buildings = append(w.buildings, bl)
		}
	}

	w.buildDevices(r, spec)
	w.buildAPs(r, spec)
	w.buildControllers()
	w.buildInventory()

	w.buildCounts(o)
	w.buildAlarms(r, spec)
	w.updateStatus()
	w.buildRogues()
	w.buildRadios()
	return w
}

func (w *world) buildDevices(r *rand.Rand, spec sizeSpec) {
	ids := idSeq{last: int64(3_100_000 + r.IntN(1000)), gap: 30}
	add := func(d device) {
		d.id = ids.next(r)
		ms := devModels[d.kind]
		d.model = uint8(simkit.PickWeighted(r, ms, func(m *devModel) int { return m.weight }))
		d.collectedMs = w.nowMs - 60_000 - r.Int64N(24*3600_000)
		d.createdMs = w.nowMs - 30*86400_000 - r.Int64N(900*86400_000)
		if d.kind == kindSwitch {
			d.wiredBase = int32(6 + r.IntN(40))
		}
		w.devByName[d.name] = int32(len(w.devs))
		w.devs = append(w.devs, d)
	}
	ctrls := simkit.Split(spec.controllers, weights(r, spec.campuses), 1)
	routers := simkit.Split(spec.routers, weights(r, spec.campuses), 1)
	bw := make([]float64, len(w.buildings))
	for i, b := range w.buildings {
		bw[i] = float64(len(b.floors))
	}
	switches := simkit.Split(spec.switches, bw, 1)
	for c := 0; c < spec.campuses; c++ {
		code, octet := campusCodes[c], 10+c
		dc := campusNames[c] + " > Building-01"
		for k := 1; k <= ctrls[c]; k++ {
			add(device{kind: kindController, campus: int8(c), loc: dc,
				name: fmt.Sprintf("%s-WLC-%02d", code, k), ip: fmt.Sprintf("10.%d.0.%d", octet, 9+k)})
		}
		seq := 0
		for bi, b := range w.buildings {
			if int(b.campus) != c {
				continue
			}
			for k := 1; k <= switches[bi]; k++ {
				add(device{kind: kindSwitch, campus: int8(c), building: int32(bi), loc: fmt.Sprintf("%s > Building-%02d", campusNames[c], b.num),
					name: fmt.Sprintf("%s-B%02d-SW%02d", code, b.num, k), ip: fmt.Sprintf("10.%d.%d.%d", octet, 1+seq/250, 2+seq%250)})
				seq++
			}
		}
		for k := 1; k <= routers[c]; k++ {
			add(device{kind: kindRouter, campus: int8(c), loc: dc,
				name: fmt.Sprintf("%s-RTR-%02d", code, k), ip: fmt.Sprintf("10.%d.0.%d", octet, 99+k)})
		}
	}
	// About 2% of switches and routers are unreachable and 1% answer
	// ping only; controllers stay up so AP joins stay simple.
	var pool []int
	for i := range w.devs {
		if w.devs[i].kind != kindController {
			pool = append(pool, i)
		}
	}
	nDown := max(1, len(w.devs)*2/100)
	nPing := max(1, len(w.devs)/100)
	for k, p := range r.Perm(len(pool))[:nDown+nPing] {
		w.devs[pool[p]].reach = pingReachable
		if k < nDown {
			w.devs[pool[p]].reach = unreachable
		}
	}
}

func (w *world) buildAPs(r *rand.Rand, spec sizeSpec) {
	fw := make([]float64, len(w.floors))
	for i := range fw {
		fw[i] = 0.6 + r.Float64()
	}
	perFloor := simkit.Split(spec.aps, fw, 1)
	ctrlsOf := make([][]int32, spec.campuses)
	for i := range w.devs {
		if d := &w.devs[i]; d.kind == kindController {
			ctrlsOf[d.campus] = append(ctrlsOf[d.campus], int32(i))
		}
	}
	campusSeq := make([]int, spec.campuses)
	salt := simkit.Mix(uint64(w.seed))
	ids := idSeq{last: int64(5_200_000 + r.IntN(10000)), gap: 25}
	w.aps = make([]ap, 0, spec.aps)
	for fi, n := range perFloor {
		fl := &w.floors[fi]
		b := &w.buildings[fl.building]
		for k := 1; k <= n; k++ {
			i := len(w.aps)
			c := int(fl.campus)
			seq := campusSeq[c]
			campusSeq[c]++
			id := ids.next(r)
			m := simkit.PickWeighted(r, apModels, func(m *apModel) int { return m.weight })
			a := ap{
				id:     id,
				name:   fmt.Sprintf("%s-B%02d-F%d-AP%02d", campusCodes[c], b.num, fl.num, k),
				eth:    apEthOUIs[i%len(apEthOUIs)]<<24 | spread(i, salt, 24),
				radio:  apRadioOUIs[i%len(apRadioOUIs)]<<24 | spread(i, salt>>24, 20)<<4,
				ip:     fmt.Sprintf("10.%d.%d.%d", 10+c, 64+seq/250, 2+seq%250),
				floor:  int32(fi),
				wlc:    ctrlsOf[c][seq%len(ctrlsOf[c])],
				campus: int8(c),
				model:  uint8(m),
				up:     true,
				status: sevCleared,
				bootMs: w.nowMs - 3600_000 - r.Int64N(60*86400_000),
			}
			a.serial = serialFor(r, apModels[m].plant, i, salt)
			a.radioKey = macColon(a.radio)
			w.apByName[a.name] = int32(i)
			w.aps = append(w.aps, a)
		}
	}
	nDown := max(1, int(math.Round(float64(len(w.aps))*0.02)))
	for _, i := range r.Perm(len(w.aps))[:nDown] {
		w.aps[i].up = false
	}
	// Clients split exactly over the reachable APs; a down AP keeps a base
	// of its weight's size for when it comes back.
	cw := make([]float64, len(w.aps))
	var live []float64
	sum := 0.0
	for i := range cw {
		cw[i] = 0.3 + 1.7*r.Float64()
		if w.aps[i].up {
			live = append(live, cw[i])
			sum += cw[i]
		}
	}
	parts := simkit.Split(spec.clients, live, 0)
	k := 0
	for i := range w.aps {
		if w.aps[i].up {
			w.aps[i].base = int32(parts[k])
			k++
		} else {
			w.aps[i].base = int32(math.Round(float64(spec.clients) * cw[i] / sum))
		}
	}
}

// updateStatus recomputes each AP's status from its active AP alarms.
func (w *world) updateStatus() {
	for i := range w.aps {
		w.aps[i].status = sevCleared
	}
	for k := range w.alarms {
		a := &w.alarms[k]
		if a.ap >= 0 && a.sev != sevCleared && w.cats[a.cat] == "AP" {
			p := &w.aps[a.ap]
			p.status = min(p.status, a.sev)
		}
	}
}

// idSeq hands out @ids as Prime's grow: each a random gap of 1..gap above
// the last.
type idSeq struct {
	last int64
	gap  int
}

// next returns the next @id.
func (q *idSeq) next(r *rand.Rand) int64 {
	q.last += 1 + int64(r.IntN(q.gap))
	return q.last
}

func (w *world) findAlarm(id int64) int {
	i, ok := slices.BinarySearchFunc(w.alarms, id, func(a alarm, id int64) int {
		switch {
		case a.id < id:
			return -1
		case a.id > id:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return i
}
