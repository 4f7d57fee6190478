package primesim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// RootDomain is the virtual domain that sees everything.
const RootDomain = "ROOT-DOMAIN"

// sampleEvery is the ClientCounts collection interval; keptSamples how many
// samples the server holds (the latest and the two before it).
const (
	sampleEvery = 5 * time.Minute
	keptSamples = 3
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
	base       int32 // clients in the initial latest sample
}

type device struct {
	id          int64
	name, ip    string
	loc         string
	campus      int8
	kind        devKind
	model       uint8
	reach       uint8
	wiredBase   int32
	collectedMs int64
	createdMs   int64
}

// tally is one ClientCounts row's counts and authenticated counts.
type tally struct{ c, a [nCols]int32 }

func (t *tally) add(o *tally) {
	for i := range t.c {
		t.c[i] += o.c[i]
		t.a[i] += o.a[i]
	}
}

func (t *tally) count() (n, auth int) {
	for i := range t.c {
		n += int(t.c[i])
		auth += int(t.a[i])
	}
	return n, auth
}

// Client count types (ClientCountTypeEnum subset).
const (
	ccAccessPoint uint8 = iota
	ccMapLocation
	ccSSID
	ccDevice
)

var ccTypeNames = [...]string{"ACCESSPOINT", "MAPLOCATION", "SSID", "DEVICE"}

type ccEntry struct {
	id          int64
	typ         uint8
	campus      int8 // -1: visible in ROOT-DOMAIN only
	key, subkey string
	t           tally
}

// apCell holds one AP's clients in a sample by SSID and wireless column.
type apCell struct{ c, a [nSSID][nWireless]uint16 }

type sample struct {
	seq     int64
	atMs    int64
	cells   []apCell       // per AP, including unreachable ones; nil once superseded
	wired   [][2][4]uint16 // per device (switches only); nil once superseded
	entries []ccEntry      // in @id order
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

	alarms      []alarm // in @id order
	cats, conds []string
	lastAlarmID int64

	samples []*sample // oldest first
	slots   int64     // ClientCounts @id slots per sample
	tick    uint64
	mut     *rand.Rand // ids and picks for RaiseAlarm
}

const (
	streamWorld  = 0x7072696d65736901
	streamSecret = 0x7072696d65736902
	streamMut    = 0x7072696d65736903
	streamFault  = 0x7072696d65736904
	streamSample = 0x7072696d65000000 // + sample sequence
	streamStep   = 0x7374657000000000 // + tick
)

// ccIDBase keeps ClientCounts ids apart from the other resources' ids.
const ccIDBase = 100_000_000

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

func pickWeighted[T any](r *rand.Rand, items []T, weight func(*T) int) int {
	total := 0
	for i := range items {
		total += weight(&items[i])
	}
	n := r.IntN(total)
	for i := range items {
		n -= weight(&items[i])
		if n < 0 {
			return i
		}
	}
	return len(items) - 1
}

// split divides n into len(w) parts proportional to w, each at least min.
func split(n int, w []float64, min int) []int {
	out := make([]int, len(w))
	rest := max(0, n-min*len(w))
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	used := 0
	for i, x := range w {
		out[i] = min + int(float64(rest)*x/sum)
		used += out[i]
	}
	for i := 0; used < n && len(out) > 0; i = (i + 1) % len(out) {
		out[i]++
		used++
	}
	return out
}

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

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
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

func buildWorld(seed int64, spec sizeSpec, nowMs int64) *world {
	r := newRand(seed, streamWorld)
	w := &world{
		seed:      seed,
		nowMs:     nowMs,
		campuses:  spec.campuses,
		apByName:  make(map[string]int32, spec.aps),
		devByName: map[string]int32{},
		mut:       newRand(seed, streamMut),
	}
	w.cats = slices.Clone(categories)
	for _, c := range condDefs {
		w.conds = append(w.conds, c.name)
	}

	perCampus := split(spec.buildings, weights(r, spec.campuses), 1)
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

	latest := nowMs / sampleEvery.Milliseconds() * sampleEvery.Milliseconds()
	for k := 0; k < keptSamples; k++ {
		at := latest - int64(keptSamples-1-k)*sampleEvery.Milliseconds()
		w.samples = append(w.samples, w.newSample(int64(k), at, k == keptSamples-1))
	}
	for _, smp := range w.samples[:keptSamples-1] {
		smp.cells, smp.wired = nil, nil
	}

	w.buildAlarms(r, spec)
	w.updateStatus()
	return w
}

func (w *world) buildDevices(r *rand.Rand, spec sizeSpec) {
	nextID := int64(3_100_000 + r.IntN(1000))
	add := func(d device) {
		nextID += 1 + int64(r.IntN(30))
		d.id = nextID
		ms := devModels[d.kind]
		d.model = uint8(pickWeighted(r, ms, func(m *devModel) int { return m.weight }))
		d.collectedMs = w.nowMs - 60_000 - r.Int64N(24*3600_000)
		d.createdMs = w.nowMs - 30*86400_000 - r.Int64N(900*86400_000)
		if d.kind == kindSwitch {
			d.wiredBase = int32(6 + r.IntN(40))
		}
		w.devByName[d.name] = int32(len(w.devs))
		w.devs = append(w.devs, d)
	}
	ctrls := split(spec.controllers, weights(r, spec.campuses), 1)
	routers := split(spec.routers, weights(r, spec.campuses), 1)
	bw := make([]float64, len(w.buildings))
	for i, b := range w.buildings {
		bw[i] = float64(len(b.floors))
	}
	switches := split(spec.switches, bw, 1)
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
				add(device{kind: kindSwitch, campus: int8(c), loc: fmt.Sprintf("%s > Building-%02d", campusNames[c], b.num),
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
	perFloor := split(spec.aps, fw, 1)
	ctrlsOf := make([][]int32, spec.campuses)
	for i := range w.devs {
		if d := &w.devs[i]; d.kind == kindController {
			ctrlsOf[d.campus] = append(ctrlsOf[d.campus], int32(i))
		}
	}
	campusSeq := make([]int, spec.campuses)
	salt := mix(uint64(w.seed))
	nextID := int64(5_200_000 + r.IntN(10000))
	w.aps = make([]ap, 0, spec.aps)
	for fi, n := range perFloor {
		fl := &w.floors[fi]
		b := &w.buildings[fl.building]
		for k := 1; k <= n; k++ {
			i := len(w.aps)
			c := int(fl.campus)
			seq := campusSeq[c]
			campusSeq[c]++
			nextID += 1 + int64(r.IntN(25))
			m := pickWeighted(r, apModels, func(m *apModel) int { return m.weight })
			a := ap{
				id:     nextID,
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
	parts := split(spec.clients, live, 0)
	k := 0
	for i := range w.aps {
		if w.aps[i].up {
			w.aps[i].base = int32(parts[k])
			k++
		} else {
			w.aps[i].base = int32(math.Round(float64(spec.clients) * cw[i] / sum))
		}
	}
	w.slots = int64(len(w.aps)*nSSID + len(w.floors)*nSSID + (w.campuses+1)*(nSSID+1) + len(w.devs))
}

// newSample draws a ClientCounts sample. With exact, each AP has exactly
// its base clients (the initial latest sample); otherwise within ±15%.
func (w *world) newSample(seq, atMs int64, exact bool) *sample {
	r := newRand(w.seed, streamSample+uint64(seq))
	smp := &sample{seq: seq, atMs: atMs, cells: make([]apCell, len(w.aps)), wired: make([][2][4]uint16, len(w.devs))}
	for i := range w.aps {
		a := &w.aps[i]
		n := int(a.base)
		if !exact {
			n = int(math.Round(float64(a.base) * (0.85 + 0.3*r.Float64())))
		}
		ax := apModels[a.model].ax
		cell := &smp.cells[i]
		for k := 0; k < n; k++ {
			s, col, auth := drawClient(r, ax)
			cell.c[s][col]++
			if auth {
				cell.a[s][col]++
			}
		}
	}
	for i := range w.devs {
		d := &w.devs[i]
		if d.kind != kindSwitch {
			continue
		}
		n := int(math.Round(float64(d.wiredBase) * (0.85 + 0.3*r.Float64())))
		for k := 0; k < n; k++ {
			sp := 2 // 1G
			switch x := r.IntN(100); {
			case x < 5:
				sp = 0
			case x < 25:
				sp = 1
			case x < 30:
				sp = 3
			}
			smp.wired[i][0][sp]++
			if r.IntN(10) > 0 {
				smp.wired[i][1][sp]++
			}
		}
	}
	w.buildEntries(smp)
	return smp
}

// drawClient picks one wireless client's SSID and protocol column: IoT
// devices are mostly on 2.4 GHz, ax only on ax-capable APs.
func drawClient(r *rand.Rand, ax bool) (ssid, col int, auth bool) {
	switch x := r.IntN(100); {
	case x < 60:
		ssid = 0
	case x < 85:
		ssid = 1
	default:
		ssid = 2
	}
	on24 := r.IntN(100) < 20
	if ssid == 2 {
		on24 = r.IntN(100) < 80
	}
	x := r.IntN(100)
	switch {
	case !on24 && ax:
		col = pickCol(x, []int{55, 35, 8}, []int{colAX5, colAC, colN5, colA})
	case !on24:
		col = pickCol(x, []int{80, 15}, []int{colAC, colN5, colA})
	case ax:
		col = pickCol(x, []int{40, 45, 10}, []int{colAX24, colN24, colG, colB})
	default:
		col = pickCol(x, []int{75, 18}, []int{colN24, colG, colB})
	}
	authPct := 97
	if ssid == 1 {
		authPct = 85
	}
	return ssid, col, r.IntN(100) < authPct
}

func pickCol(x int, pcts []int, cols []int) int {
	for i, p := range pcts {
		if x < p {
			return cols[i]
		}
		x -= p
	}
	return cols[len(cols)-1]
}

// buildEntries derives a sample's rows from its cells and the current
// reachability. An entry's @id is its slot in a fixed layout (APs × SSIDs,
// floors × SSIDs, domains × SSIDs, devices), so ids stay put when an AP's
// rows come and go.
func (w *world) buildEntries(smp *sample) {
	nAP, nFl, nDom := len(w.aps), len(w.floors), w.campuses+1
	base := ccIDBase + smp.seq*w.slots
	flOff := int64(nAP * nSSID)
	ssidOff := flOff + int64(nFl*nSSID)
	devOff := ssidOff + int64(nDom*(nSSID+1))
	floors := make([][nSSID]tally, nFl)
	doms := make([][nSSID + 1]tally, nDom)
	devs := make([]tally, len(w.devs))
	entries := make([]ccEntry, 0, nAP*2+nFl*nSSID+nDom*(nSSID+1)+len(w.devs))
	for i := range w.aps {
		a := &w.aps[i]
		if !a.up {
			continue
		}
		cell := &smp.cells[i]
		for s := 0; s < nSSID; s++ {
			var t tally
			for col := 0; col < nWireless; col++ {
				t.c[col], t.a[col] = int32(cell.c[s][col]), int32(cell.a[s][col])
			}
			if n, _ := t.count(); n == 0 {
				continue
			}
			entries = append(entries, ccEntry{id: base + int64(i*nSSID+s), typ: ccAccessPoint, campus: a.campus,
				key: a.radioKey, subkey: ssidNames[s], t: t})
			floors[a.floor][s].add(&t)
			devs[a.wlc].add(&t)
			for _, d := range []int{0, int(a.campus) + 1} {
				doms[d][s].add(&t)
				doms[d][nSSID].add(&t)
			}
		}
	}
	for fi := range floors {
		for s := 0; s < nSSID; s++ {
			t := &floors[fi][s]
			if n, _ := t.count(); n > 0 {
				entries = append(entries, ccEntry{id: base + flOff + int64(fi*nSSID+s), typ: ccMapLocation,
					campus: w.floors[fi].campus, key: w.floors[fi].loc, subkey: ssidNames[s], t: *t})
			}
		}
	}
	for d := 0; d < nDom; d++ {
		sub, campus := RootDomain, int8(-1)
		if d > 0 {
			sub, campus = campusNames[d-1], int8(d-1)
		}
		for s := 0; s <= nSSID; s++ {
			key := "All SSIDs"
			if s < nSSID {
				key = ssidNames[s]
			}
			entries = append(entries, ccEntry{id: base + ssidOff + int64(d*(nSSID+1)+s), typ: ccSSID,
				campus: campus, key: key, subkey: sub, t: doms[d][s]})
		}
	}
	for i := range w.devs {
		d := &w.devs[i]
		switch d.kind {
		case kindRouter:
			continue
		case kindSwitch:
			if d.reach != unreachable {
				for sp := 0; sp < 4; sp++ {
					devs[i].c[colW10M+sp] = int32(smp.wired[i][0][sp])
					devs[i].a[colW10M+sp] = int32(smp.wired[i][1][sp])
				}
			}
		}
		entries = append(entries, ccEntry{id: base + devOff + int64(i), typ: ccDevice, campus: d.campus,
			key: d.ip, subkey: "All", t: devs[i]})
	}
	smp.entries = entries
}

func (w *world) latest() *sample { return w.samples[len(w.samples)-1] }

// apClients returns an AP's wireless clients in the latest sample: total,
// 2.4 GHz and 5 GHz. Unreachable APs have none.
func (w *world) apClients(i int) (total, on24, on5 int) {
	a := &w.aps[i]
	if !a.up {
		return 0, 0, 0
	}
	cell := &w.latest().cells[i]
	for s := 0; s < nSSID; s++ {
		for col := 0; col < nWireless; col++ {
			n := int(cell.c[s][col])
			if col < n5GHz {
				on5 += n
			} else {
				on24 += n
			}
		}
	}
	return on24 + on5, on24, on5
}

// ccCount is the number of ClientCounts rows over the kept samples.
func (w *world) ccCount() int {
	n := 0
	for _, smp := range w.samples {
		n += len(smp.entries)
	}
	return n
}

// ccRow resolves a row number over the kept samples, oldest first.
func (w *world) ccRow(i int) (*ccEntry, int64) {
	for _, smp := range w.samples {
		if i < len(smp.entries) {
			return &smp.entries[i], smp.atMs
		}
		i -= len(smp.entries)
	}
	panic("primesim: ClientCounts row out of range")
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
