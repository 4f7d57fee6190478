package primesim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Client count types, in ClientCountTypeEnum order.
const (
	ccDevice uint8 = iota
	ccAccessPoint
	ccMapLocation
	ccSSID
	ccVirtualDomain
	ccGuest
)

var ccTypeNames = [...]string{"DEVICE", "ACCESSPOINT", "MAPLOCATION", "SSID", "VIRTUALDOMAIN", "GUEST"}

// Subkey slots of the ACCESSPOINT, MAPLOCATION, DEVICE and SSID rows: the
// aggregate first, then one per SSID.
const (
	subAll = 0
	nSub   = nSSID + 1
)

const (
	allSubkey = "All"
	allSSIDs  = "All SSIDs"
	guestKey  = "All Guest"
	guestSub  = "GUEST"
	guestSSID = 1 // index of Guest in ssidNames
)

// vdQualifiers follow the domain name in VIRTUALDOMAIN keys:
// "ROOT-DOMAIN All Wireless".
var vdQualifiers = [...]string{"All Autonomous APs", "All SSIDs", "All wired", "All Wireless"}

const nVD = len(vdQualifiers)

// ID bases keep the resources' ids apart.
const (
	ccIDBase       = 100_000_000
	clientIDBase   = 1_000_000_000
	wiredIDBase    = 1_600_000_000
	clientsPerCell = 4096 // id room per AP, SSID and protocol (or switch and speed)
)

// ccOptions are the Options that shape ClientCounts.
type ccOptions struct {
	interval, window time.Duration
	locNames         bool // MAPLOCATION keys are the bare group names
	floorsOnly       bool // MAPLOCATION rows for floors only
	guest            bool // a GUEST row per collection
	zeroSub          bool // sub-domain SSID and VIRTUALDOMAIN rows count zero
}

// apCell holds one AP's wireless clients by SSID and protocol column,
// index s*nWireless+col.
type apCell struct{ c, a [nSSID * nWireless]uint16 }

// wiredCell holds one switch's wired clients by speed (10M, 100M, 1G, 10G).
type wiredCell struct{ c, a [4]uint16 }

// mapLoc is a map group: a campus, a building or a floor.
type mapLoc struct {
	campus int8
	parent int32 // -1 for the top level
	key    string
}

// ccEntry is one ClientCounts row.
type ccEntry struct {
	id          int64
	typ         uint8
	campus      int8 // -1: visible in ROOT-DOMAIN only
	key, subkey string
	t           tally
}

// tally is one row's counts and authenticated counts by column.
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

// collection is one ClientCounts collection. Its rows are a function of
// the templates, its seq and which APs were up, so only the latest is
// kept built; older ones are built again when asked for.
type collection struct {
	seq   int64
	atMs  int64
	exact bool     // the collection current at New: every AP has its base clients
	up    []uint64 // APs up at collection time (shared between collections until one changes)
	n     atomic.Int64
}

// rows is the memoized number of rows, if known.
func (c *collection) rows() (int, bool) {
	n := c.n.Load()
	return int(n - 1), n > 0
}

type cachedRows struct {
	seq  int64
	rows []ccEntry
}

type ccWorld struct {
	opts     ccOptions
	tmpl     []apCell    // per AP: its clients at New
	wtmpl    []wiredCell // per device: a switch's wired clients at New
	locs     []mapLoc    // parents before children
	floorLoc []int32     // per floor, its map location
	vdKeys   [][nVD]string
	slots    int64 // @id slots per collection

	colls []*collection // oldest first; the last is the latest
	cells []apCell      // the latest collection's
	wired []wiredCell   // the latest collection's
	rows  []ccEntry     // the latest collection's
	idx   clientIndex   // the Clients of the latest collection

	cacheMu sync.Mutex
	cache   []cachedRows               // recently built older collections, last used last
	memo    map[string]map[int64]int32 // matching rows by query signature and collection seq
}

const (
	cacheSize = 6
	memoSize  = 64
)

func bit(b []uint64, i int) bool { return b[i/64]>>(i%64)&1 == 1 }

func setBit(b []uint64, i int, on bool) {
	if on {
		b[i/64] |= 1 << (i % 64)
	} else {
		b[i/64] &^= 1 << (i % 64)
	}
}

func (w *world) upBits() []uint64 {
	b := make([]uint64, (len(w.aps)+63)/64)
	for i := range w.aps {
		setBit(b, i, w.aps[i].up)
	}
	return b
}

func (w *world) domainName(d int) string {
	if d == 0 {
		return RootDomain
	}
	return campusNames[d-1]
}

// buildCounts draws each AP's and switch's clients, lays out the map
// locations and takes the history of collections up to the clock.
func (w *world) buildCounts(o ccOptions) {
	cc := &w.cc
	cc.opts = o
	r := simkit.NewRand(w.seed, streamCells)
	cc.tmpl = make([]apCell, len(w.aps))
	for i := range w.aps {
		ax := apModels[w.aps[i].model].ax
		cell := &cc.tmpl[i]
		for k := 0; k < int(w.aps[i].base); k++ {
			s, col, auth := drawClient(r, ax)
			cell.c[s*nWireless+col]++
			if auth {
				cell.a[s*nWireless+col]++
			}
		}
	}
	cc.wtmpl = make([]wiredCell, len(w.devs))
	for i := range w.devs {
		d := &w.devs[i]
		if d.kind != kindSwitch {
			continue
		}
		for k := 0; k < int(d.wiredBase); k++ {
			sp := 2 // 1G
			switch x := r.IntN(100); {
			case x < 5:
				sp = 0
			case x < 25:
				sp = 1
			case x < 30:
				sp = 3
			}
			cc.wtmpl[i].c[sp]++
			if r.IntN(10) > 0 {
				cc.wtmpl[i].a[sp]++
			}
		}
	}

	cc.floorLoc = make([]int32, len(w.floors))
	for c := 0; c < w.campuses; c++ {
		campusLoc := int32(-1)
		if !o.floorsOnly {
			campusLoc = int32(len(cc.locs))
			cc.locs = append(cc.locs, mapLoc{campus: int8(c), parent: -1, key: campusNames[c]})
		}
		for bi := range w.buildings {
			b := &w.buildings[bi]
			if int(b.campus) != c {
				continue
			}
			bLoc := campusLoc
			if !o.floorsOnly {
				key := buildingLoc(c, b.num)
				if o.locNames {
					key = buildingName(b.num)
				}
				bLoc = int32(len(cc.locs))
				cc.locs = append(cc.locs, mapLoc{campus: int8(c), parent: campusLoc, key: key})
			}
			for _, fi := range b.floors {
				key := w.floors[fi].loc
				if o.locNames {
					key = floorName(w.floors[fi].num)
				}
				cc.floorLoc[fi] = int32(len(cc.locs))
				cc.locs = append(cc.locs, mapLoc{campus: int8(c), parent: bLoc, key: key})
			}
		}
	}
	nDom := w.campuses + 1
	cc.vdKeys = make([][nVD]string, nDom)
	for d := range cc.vdKeys {
		for q, s := range vdQualifiers {
			cc.vdKeys[d][q] = w.domainName(d) + " " + s
		}
	}
	cc.slots = int64((len(w.aps)+len(cc.locs)+len(w.devs)+nDom)*nSub + nDom*nVD + 1)

	step := o.interval.Milliseconds()
	latest := w.nowMs / step * step
	kept := max(1, int(o.window/o.interval))
	up := w.upBits()
	for k := 0; k < kept; k++ {
		c := &collection{seq: int64(k), atMs: latest - int64(kept-1-k)*step, up: up}
		cc.colls = append(cc.colls, c)
	}
	last := cc.colls[kept-1]
	last.exact, last.up = true, w.upBits()
	w.setLatest()
}

func buildingName(n int) string        { return fmt.Sprintf("Building-%02d", n) }
func floorName(n int) string           { return fmt.Sprintf("Floor-%d", n) }
func buildingLoc(campus, n int) string { return campusNames[campus] + " > " + buildingName(n) }

func (cc *ccWorld) latest() *collection { return cc.colls[len(cc.colls)-1] }

// target is a collection's deterministic ±15% variation of one AP's or
// switch's base clients.
func (w *world) target(seq int64, i int, salt uint64, base int) int {
	h := simkit.Mix(uint64(w.seed) ^ uint64(seq)*0x9E3779B97F4A7C15 ^ uint64(i+1)*0xC2B2AE3D27D4EB4F ^ salt)
	u := float64(h>>11) / (1 << 53)
	return int(math.Round(float64(base) * (0.85 + 0.3*u)))
}

// cellAt is AP i's clients in collection c.
func (w *world) cellAt(c *collection, i int) apCell {
	if !bit(c.up, i) {
		return apCell{}
	}
	t := &w.cc.tmpl[i]
	if c.exact {
		return *t
	}
	base := int(w.aps[i].base)
	var out apCell
	scale(t.c[:], t.a[:], base, w.target(c.seq, i, 0, base), out.c[:], out.a[:])
	return out
}

// wiredAt is device d's wired clients in collection c: a reachable
// switch's, else none.
func (w *world) wiredAt(c *collection, d int) wiredCell {
	dev := &w.devs[d]
	if dev.kind != kindSwitch || dev.reach == unreachable {
		return wiredCell{}
	}
	t := &w.cc.wtmpl[d]
	if c.exact {
		return *t
	}
	base := int(dev.wiredBase)
	var out wiredCell
	scale(t.c[:], t.a[:], base, w.target(c.seq, d, 0x5717c4, base), out.c[:], out.a[:])
	return out
}

// scale spreads target clients over the columns in proportion to c (whose
// sum is total) by largest remainders, and the authenticated ones in
// proportion to a, never above the column's count.
func scale(c, a []uint16, total, target int, outC, outA []uint16) {
	if total == 0 {
		return
	}
	var rem [nSSID * nWireless]int
	sum := 0
	for k := range c {
		q := int(c[k]) * target
		outC[k] = uint16(q / total)
		rem[k] = q % total
		sum += int(outC[k])
	}
	for left := target - sum; left > 0; left-- {
		best := -1
		for k := range c {
			if rem[k] > 0 && (best < 0 || rem[k] > rem[best]) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		outC[best]++
		rem[best] = 0
	}
	for k := range c {
		if c[k] > 0 {
			outA[k] = uint16(min(int(outC[k]), (int(a[k])*int(outC[k])+int(c[k])/2)/int(c[k])))
		}
	}
}

// setLatest rebuilds what is kept of the latest collection: its cells,
// rows and Clients, and forgets what was memoized about it.
func (w *world) setLatest() {
	cc := &w.cc
	c := cc.latest()
	if cc.cells == nil {
		cc.cells = make([]apCell, len(w.aps))
		cc.wired = make([]wiredCell, len(w.devs))
	}
	for i := range w.aps {
		cc.cells[i] = w.cellAt(c, i)
	}
	for d := range w.devs {
		cc.wired[d] = w.wiredAt(c, d)
	}
	cc.rows = w.rowsOf(c, cc.cells, cc.wired)
	c.n.Store(int64(len(cc.rows)) + 1)
	w.indexClients()
	cc.cacheMu.Lock()
	for _, m := range cc.memo {
		delete(m, c.seq)
	}
	cc.cacheMu.Unlock()
}

// takeCollection appends a collection at atMs with the APs as they are,
// and drops what falls out of the history.
func (w *world) takeCollection(atMs int64) {
	cc := &w.cc
	prev := cc.latest()
	cc.cacheMu.Lock()
	cc.put(prev.seq, cc.rows)
	cc.cacheMu.Unlock()
	cc.rows = nil
	next := &collection{seq: prev.seq + 1, atMs: atMs, up: w.upBits()}
	cc.colls = append(cc.colls, next)
	kept := max(1, int(cc.opts.window/cc.opts.interval))
	drop := 0
	for drop < len(cc.colls)-1 && (len(cc.colls)-drop > kept || cc.colls[drop].atMs <= atMs-cc.opts.window.Milliseconds()) {
		drop++
	}
	cc.colls = append(cc.colls[:0:0], cc.colls[drop:]...)
	w.setLatest()
}

// put caches an older collection's rows; cacheMu held.
func (cc *ccWorld) put(seq int64, rows []ccEntry) {
	for k := range cc.cache {
		if cc.cache[k].seq == seq {
			cc.cache = append(cc.cache[:k], cc.cache[k+1:]...)
			break
		}
	}
	if len(cc.cache) >= cacheSize {
		cc.cache = append(cc.cache[:0], cc.cache[1:]...)
	}
	cc.cache = append(cc.cache, cachedRows{seq, rows})
}

// collRows returns collection c's rows, building an older one again when
// it is not cached. The world's read lock is held; the cache has its own.
func (w *world) collRows(c *collection) []ccEntry {
	cc := &w.cc
	if c == cc.latest() {
		return cc.rows
	}
	cc.cacheMu.Lock()
	for k := range cc.cache {
		if e := cc.cache[k]; e.seq == c.seq {
			cc.put(e.seq, e.rows)
			cc.cacheMu.Unlock()
			return e.rows
		}
	}
	cc.cacheMu.Unlock()
	cells := make([]apCell, len(w.aps))
	for i := range cells {
		cells[i] = w.cellAt(c, i)
	}
	wired := make([]wiredCell, len(w.devs))
	for d := range wired {
		wired[d] = w.wiredAt(c, d)
	}
	rows := w.rowsOf(c, cells, wired)
	c.n.Store(int64(len(rows)) + 1)
	cc.cacheMu.Lock()
	cc.put(c.seq, rows)
	cc.cacheMu.Unlock()
	return rows
}

// collCount is the number of rows of collection c.
func (w *world) collCount(c *collection) int {
	if n, ok := c.rows(); ok {
		return n
	}
	return len(w.collRows(c))
}

// memoGet and memoPut keep, per query signature, how many rows of an
// older collection a query matched, so that paging through the history
// does not rebuild every collection for every page.
func (w *world) memoGet(sig string, seq int64) (int, bool) {
	cc := &w.cc
	cc.cacheMu.Lock()
	defer cc.cacheMu.Unlock()
	n, ok := cc.memo[sig][seq]
	return int(n), ok
}

func (w *world) memoPut(sig string, seq int64, n int) {
	cc := &w.cc
	cc.cacheMu.Lock()
	defer cc.cacheMu.Unlock()
	if cc.memo == nil || (cc.memo[sig] == nil && len(cc.memo) >= memoSize) {
		cc.memo = map[string]map[int64]int32{}
	}
	if cc.memo[sig] == nil {
		cc.memo[sig] = map[int64]int32{}
	}
	cc.memo[sig][seq] = int32(n)
}

// rowsOf derives a collection's rows from its cells. An entry's @id is
// its slot in a fixed layout (APs, map locations, devices and domains,
// each by subkey, then the VIRTUALDOMAIN rows and the GUEST row) after
// the collection's base, so ids are new for each collection and rows are
// in @id order.
func (w *world) rowsOf(c *collection, cells []apCell, wired []wiredCell) []ccEntry {
	cc := &w.cc
	nAP, nLoc, nDev, nDom := len(w.aps), len(cc.locs), len(w.devs), w.campuses+1
	base := ccIDBase + c.seq*cc.slots
	locOff := int64(nAP * nSub)
	devOff := locOff + int64(nLoc*nSub)
	ssidOff := devOff + int64(nDev*nSub)
	vdOff := ssidOff + int64(nDom*nSub)
	guestOff := vdOff + int64(nDom*nVD)
	locT := make([][nSub]tally, nLoc)
	devT := make([][nSub]tally, nDev)
	domT := make([][nSub]tally, nDom)
	domW := make([]tally, nDom)
	out := make([]ccEntry, 0, nAP*3+nLoc*3+nDev*2+nDom*(nSub+nVD)+1)
	emit := func(slot int64, typ uint8, campus int8, key, subkey string, t *tally) {
		out = append(out, ccEntry{id: base + slot, typ: typ, campus: campus, key: key, subkey: subkey, t: *t})
	}
	subkeyOf := func(sub int) string {
		if sub == subAll {
			return allSubkey
		}
		return ssidNames[sub-1]
	}
	for i := range w.aps {
		if !bit(c.up, i) {
			continue
		}
		a := &w.aps[i]
		var t [nSub]tally
		cell := &cells[i]
		for s := 0; s < nSSID; s++ {
			for col := 0; col < nWireless; col++ {
				t[s+1].c[col], t[s+1].a[col] = int32(cell.c[s*nWireless+col]), int32(cell.a[s*nWireless+col])
			}
			t[subAll].add(&t[s+1])
		}
		l := cc.floorLoc[a.floor]
		for sub := range t {
			if n, _ := t[sub].count(); sub == subAll || n > 0 {
				emit(int64(i*nSub+sub), ccAccessPoint, a.campus, a.radioKey, subkeyOf(sub), &t[sub])
			}
			locT[l][sub].add(&t[sub])
			devT[a.wlc][sub].add(&t[sub])
			domT[0][sub].add(&t[sub])
			domT[a.campus+1][sub].add(&t[sub])
		}
	}
	for l := nLoc - 1; l >= 0; l-- { // children come after their parents
		if p := cc.locs[l].parent; p >= 0 {
			for sub := range locT[l] {
				locT[p][sub].add(&locT[l][sub])
			}
		}
	}
	for l := range cc.locs {
		for sub := range locT[l] {
			if n, _ := locT[l][sub].count(); sub == subAll || n > 0 {
				emit(locOff+int64(l*nSub+sub), ccMapLocation, cc.locs[l].campus, cc.locs[l].key, subkeyOf(sub), &locT[l][sub])
			}
		}
	}
	for d := range w.devs {
		dev := &w.devs[d]
		switch dev.kind {
		case kindController:
			for sub := range devT[d] {
				if n, _ := devT[d][sub].count(); sub == subAll || n > 0 {
					emit(devOff+int64(d*nSub+sub), ccDevice, dev.campus, dev.ip, subkeyOf(sub), &devT[d][sub])
				}
			}
		case kindSwitch:
			var t tally
			for sp := 0; sp < 4; sp++ {
				t.c[colW10M+sp], t.a[colW10M+sp] = int32(wired[d].c[sp]), int32(wired[d].a[sp])
			}
			domW[0].add(&t)
			domW[dev.campus+1].add(&t)
			emit(devOff+int64(d*nSub), ccDevice, dev.campus, dev.ip, allSubkey, &t)
		}
	}
	var zero tally
	for d := 0; d < nDom; d++ {
		campus, zeroed := int8(d-1), cc.opts.zeroSub && d > 0
		for sub := 0; sub < nSub; sub++ {
			key := allSSIDs
			if sub != subAll {
				key = ssidNames[sub-1]
			}
			t := &domT[d][sub]
			if zeroed {
				t = &zero
			}
			emit(ssidOff+int64(d*nSub+sub), ccSSID, campus, key, w.domainName(d), t)
		}
	}
	for d := 0; d < nDom; d++ {
		campus, zeroed := int8(d-1), cc.opts.zeroSub && d > 0
		for q := 0; q < nVD; q++ {
			t := &zero
			switch {
			case zeroed:
			case q == 1 || q == 3: // All SSIDs, All Wireless
				t = &domT[d][subAll]
			case q == 2: // All wired
				t = &domW[d]
			}
			emit(vdOff+int64(d*nVD+q), ccVirtualDomain, campus, cc.vdKeys[d][q], allSubkey, t)
		}
	}
	if cc.opts.guest {
		emit(guestOff, ccGuest, -1, guestKey, guestSub, &domT[0][guestSSID+1])
	}
	return out
}

// apClients returns an AP's wireless clients in the latest collection:
// total, 2.4 GHz and 5 GHz. Unreachable APs have none.
func (w *world) apClients(i int) (total, on24, on5 int) {
	cell := &w.cc.cells[i]
	for s := 0; s < nSSID; s++ {
		for col := 0; col < nWireless; col++ {
			n := int(cell.c[s*nWireless+col])
			if col < n5GHz {
				on5 += n
			} else {
				on24 += n
			}
		}
	}
	return on24 + on5, on24, on5
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
