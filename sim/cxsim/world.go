package cxsim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

const day = 86400

// noDate marks a date attribute that is null.
const noDate = int32(-1 << 31)

type sizeSpec struct{ devices, fieldNotices, advisories, collectors int }

var sizeSpecs = map[string]sizeSpec{
	"small":  {60, 20, 25, 2},
	"medium": {2000, 150, 200, 3},
	"large":  {20000, 300, 400, 4},
}

// Streams of the seeded generators; each has its own so that adding draws
// to one does not shift the others.
const (
	worldStream  = 0x6378_7369_6d01
	secretStream = 0x6378_7369_6d02
	faultStream  = 0x6378_7369_6d03
	stepStream   = 0x6378_7369_6d04
)

type site struct {
	city  uint8
	label string // "hq" or "br012"
}

type collector struct {
	applianceID, name, version string
	lastUpload                 int64 // Unix seconds
}

// device is kept small: the large world holds 20,000 of them. Names,
// addresses and timestamps are derived from these fields when rendered.
type device struct {
	id     int32 // deviceId, ascending
	asset0 int32 // index of its chassis in world.assets; its parts follow
	site   uint16
	num    uint16 // number among its site's devices of the same role, from 1
	seq    uint8  // position within its site
	prod   uint8
	sw     uint8 // index into swVersions
	status uint8 // index into world.statuses
	flags  uint8
	nAsset uint8
}

const (
	flagSeedFile = 1 << iota
	flagInventoryNA
	flagConfigFailed
)

type asset struct {
	id   int32 // physicalAssetId, ascending
	dev  int32
	part int8  // index into parts; -1 for the chassis
	slot uint8 // number among the device's parts of the same kind, from 1
}

type fnBulletin struct {
	id                 string
	typ                uint8
	prod               uint8
	caveat             uint8
	title, problem     string
	published, updated int64
}

// match is a bulletin matched to a device: a field notice (an index of
// fnb) or a security advisory (of sab).
type match struct {
	dev    int32
	b      uint16
	conf   uint8
	reason uint8 // of fnReasons or saReasons at conf
}

type saBulletin struct {
	coldID                               int32
	rating                               uint8
	caveat                               uint8
	typ                                  string
	id, title, summary, cves, bugs, bver string
	base, temporal                       string
	published, updated                   int64
}

// milestones are an end-of-life bulletin's current and next milestones as
// of the world's day: names joined by commas when several fall on a date.
type milestones struct {
	cur, next         string
	curDate, nextDate int32
}

type hwBulletin struct {
	id                      int32
	number, title, url, pid string
	replacement             string
	dates                   [nHWDates]int32
	ms                      milestones
}

type swBulletin struct {
	id    int32
	spec  int
	url   string
	dates [nSWDates]int32
	ms    milestones
}

// version is one endpoint's data version: n changes only when its data
// does; mod is when that change was processed.
type version struct {
	n   uint64
	mod int64
}

type world struct {
	seed  int64
	size  string
	today int32 // days since the epoch: the UTC day of New, the anchor of every date

	noInventoryReset bool // Options.InventoryWithoutResets

	sites    []site
	colls    []collector
	devs     []device
	assets   []asset
	statuses []string

	fnb     []fnBulletin
	fnByID  map[string]int
	fnByPrd [][]uint16 // field notice bulletins by product
	fns     []match

	sab     []saBulletin
	saByTyp map[string][]uint16
	sas     []match

	hwb     []hwBulletin
	hwByPID map[string]int
	hwItems []int32 // assets with a hardware end-of-life bulletin
	swb     []swBulletin
	swByEol []int   // swEolSpecs index -> swb index
	swItems []int32 // devices running software with an end-of-life bulletin

	resetDevs        []int32        // devices that report resets
	contracts        []int32        // assets under contract/serials
	contractBySerial map[string]int // contracts index by serial number

	vers     [nEndpoints]version
	lastProc int64 // Unix seconds of the last processed upload
	tick     uint64
	salt     uint64
}

func buildWorld(seed int64, size string, spec sizeSpec, today int32) *world {
	r := simkit.NewRand(seed, worldStream)
	w := &world{
		seed:     seed,
		size:     size,
		today:    today,
		statuses: []string{"ACTIVE", "INACTIVE"},
		fnByID:   map[string]int{},
		saByTyp:  map[string][]uint16{},
		hwByPID:  map[string]int{},
		salt:     r.Uint64(),
	}
	anchor := int64(today) * day

	// Collectors upload some hours before the day starts; processing ends
	// half an hour after the last upload.
	base := anchor - int64(2+r.IntN(5))*3600 - int64(r.IntN(3600))
	for i := 0; i < spec.collectors; i++ {
		up := base - int64(i)*int64(600+r.IntN(1800))
		w.colls = append(w.colls, collector{
			applianceID: fmt.Sprintf("CSP%010d", 9_000_000+r.IntN(90_000_000)),
			name:        fmt.Sprintf("cx-agent-%02d", i+1),
			version:     []string{"2.8.1.8", "2.9.0.11", "2.10.1.3"}[r.IntN(3)],
			lastUpload:  up,
		})
	}
	w.lastProc = base + int64(20+r.IntN(20))*60 + int64(r.IntN(60))
	for i := range w.vers {
		w.vers[i] = version{n: 1, mod: w.lastProc}
	}

	w.buildDevices(r, spec)
	w.resetDevs = w.resetDevices()
	w.contracts = w.contractAssets()
	w.contractBySerial = make(map[string]int, len(w.contracts))
	for k, ai := range w.contracts {
		w.contractBySerial[w.serial(int(ai))] = k
	}
	w.buildEoL(r)
	w.buildFieldNotices(r, spec)
	w.buildAdvisories(r, spec)
	w.rebuildSwItems()
	return w
}

func (w *world) buildDevices(r *rand.Rand, spec sizeSpec) {
	nSites := max(3, spec.devices/20)
	w.sites = make([]site, nSites)
	for i := range w.sites {
		label := "hq"
		if i > 0 {
			label = fmt.Sprintf("br%03d", i)
		}
		w.sites[i] = site{city: uint8(r.IntN(len(cities))), label: label}
	}
	byRole := [4][]int{}
	for i, p := range products {
		byRole[p.role] = append(byRole[p.role], i)
	}
	w.devs = make([]device, spec.devices)
	w.assets = make([]asset, 0, spec.devices*3)
	counters := make([][4]uint16, nSites)
	id := int32(15_400_000 + r.IntN(100_000))
	assetID := int32(174_000_000 + r.IntN(1_000_000))
	prevSite := -1
	seq := 0
	for i := range w.devs {
		// Devices come in contiguous blocks per site, as a collector
		// discovers them site by site.
		st := i * nSites / spec.devices
		if st != prevSite {
			prevSite, seq = st, 0
		}
		// Every site has a router first; the rest follows the mix.
		ro := roleRouter
		if seq > 0 {
			ro = role(simkit.PickIndex(r, roleWeights[:]))
		}
		cands := byRole[ro]
		ws := make([]int, len(cands))
		for k, pi := range cands {
			ws[k] = products[pi].weight
		}
		pi := cands[simkit.PickIndex(r, ws)]
		p := &products[pi]
		counters[st][ro]++
		d := &w.devs[i]
		*d = device{
			id:   id,
			site: uint16(st),
			num:  counters[st][ro],
			seq:  uint8(seq),
			prod: uint8(pi),
			sw:   p.versions[r.IntN(len(p.versions))],
		}
		if r.IntN(100) < 4 {
			d.status = 1
		}
		if r.IntN(100) < 95 {
			d.flags |= flagSeedFile
		}
		if r.IntN(100) < 3 {
			d.flags |= flagInventoryNA
		}
		if r.IntN(100) < 2 {
			d.flags |= flagConfigFailed
		}
		id += int32(1 + r.IntN(3))
		seq++

		d.asset0 = int32(len(w.assets))
		w.assets = append(w.assets, asset{id: assetID, dev: int32(i), part: -1})
		assetID += int32(1 + r.IntN(5))
		for _, pu := range p.parts {
			n := int(pu.min) + r.IntN(int(pu.max-pu.min)+1)
			for k := 0; k < n; k++ {
				w.assets = append(w.assets, asset{id: assetID, dev: int32(i), part: int8(pu.part), slot: uint8(k + 1)})
				assetID += int32(1 + r.IntN(5))
			}
		}
		d.nAsset = uint8(int32(len(w.assets)) - d.asset0)
	}
}

func (w *world) buildEoL(r *rand.Rand) {
	id := int32(415_000 + r.IntN(1000))
	for _, sp := range hwEolSpecs {
		b := hwBulletin{id: id, number: sp.number, title: sp.title, pid: sp.pid, replacement: sp.replacement,
			url: "https://www.cisco.com/c/en/us/products/collateral/eos-eol-notice-" + strings.ToLower(sp.number) + ".html"}
		id += int32(1 + r.IntN(400))
		eos := w.today + sp.eosDays + int32(r.IntN(11)-5)
		for k, m := range hwMilestones {
			b.dates[k] = eos + m.offset
			if m.sw && !sp.sw {
				b.dates[k] = noDate
			}
		}
		b.dates[hwAnn] = eos - sp.annBefore
		var names [nHWDates]string
		for k, m := range hwMilestones {
			names[k] = m.name
		}
		b.ms = currentMilestones(names[:], b.dates[:], w.today)
		w.hwByPID[sp.pid] = len(w.hwb)
		w.hwb = append(w.hwb, b)
	}
	for i := range w.assets {
		if _, ok := w.hwByPID[w.assetPID(i)]; ok {
			w.hwItems = append(w.hwItems, int32(i))
		}
	}

	id = int32(200 + r.IntN(100))
	w.swByEol = make([]int, len(swEolSpecs))
	for k, sp := range swEolSpecs {
		b := swBulletin{id: id, spec: k,
			url: "https://www.cisco.com/c/en/us/products/collateral/ios-nx-os-software/eos-eol-notice-" + strings.ToLower(sp.number) + ".html"}
		id += int32(1 + r.IntN(300))
		eos := w.today + sp.eosDays + int32(r.IntN(11)-5)
		var names [nSWDates]string
		for j, m := range swMilestones {
			b.dates[j] = eos + m.offset
			names[j] = m.name
		}
		b.dates[swAnn] = eos - sp.annBefore
		b.ms = currentMilestones(names[:], b.dates[:], w.today)
		w.swByEol[k] = len(w.swb)
		w.swb = append(w.swb, b)
	}
}

// currentMilestones finds the latest milestone reached by today and the
// first one after it; milestones sharing a date are reported together.
func currentMilestones(names []string, dates []int32, today int32) milestones {
	ms := milestones{curDate: noDate, nextDate: noDate}
	for k, d := range dates {
		if d == noDate || names[k] == "" {
			continue
		}
		if d <= today && (ms.curDate == noDate || d >= ms.curDate) {
			ms.curDate = d
		}
		if d > today && (ms.nextDate == noDate || d < ms.nextDate) {
			ms.nextDate = d
		}
	}
	var cur, next []string
	for k, d := range dates {
		if names[k] == "" || d == noDate {
			continue
		}
		if d == ms.curDate {
			cur = append(cur, names[k])
		}
		if d == ms.nextDate {
			next = append(next, names[k])
		}
	}
	ms.cur, ms.next = strings.Join(cur, ","), strings.Join(next, ",")
	return ms
}

func (w *world) buildFieldNotices(r *rand.Rand, spec sizeSpec) {
	w.fnByPrd = make([][]uint16, len(products))
	num := 70000 + r.IntN(200)
	for k := 0; k < spec.fieldNotices; k++ {
		pi := k % len(products)
		typ := simkit.PickIndex(r, fnTypeWeights)
		problem := fnProblems[typ][r.IntN(len(fnProblems[typ]))]
		pub := int64(w.today-int32(30+r.IntN(6*365)))*day + int64(r.IntN(day))
		upd := min(pub+int64(r.IntN(400))*day+int64(r.IntN(day)), w.lastProc-int64(3600+r.IntN(day)))
		id := strconv.Itoa(num)
		b := fnBulletin{
			id:        id,
			typ:       uint8(typ),
			prod:      uint8(pi),
			caveat:    uint8(r.IntN(len(fnCaveats))),
			title:     "FN# " + id + " " + products[pi].pid + ": " + problem + ".",
			problem:   products[pi].family + ": " + problem + ". Customers are advised to review the workaround and solution sections of the notice.",
			published: pub,
			updated:   max(upd, pub),
		}
		w.fnByID[id] = len(w.fnb)
		w.fnByPrd[pi] = append(w.fnByPrd[pi], uint16(len(w.fnb)))
		w.fnb = append(w.fnb, b)
		num += 1 + r.IntN(8)
	}
	for i := range w.devs {
		if r.IntN(100) >= 20 {
			continue
		}
		cands := w.fnByPrd[w.devs[i].prod]
		if len(cands) == 0 {
			continue
		}
		n := 1 + r.IntN(2)
		var picked [2]uint16
		for k := 0; k < n; k++ {
			fn := cands[r.IntN(len(cands))]
			if k == 1 && fn == picked[0] {
				break
			}
			picked[k] = fn
			w.fns = append(w.fns, newMatch(r, int32(i), fn, &fnReasons))
		}
	}
}

func newMatch(r *rand.Rand, dev int32, b uint16, reasons *[3][]string) match {
	c := simkit.PickIndex(r, confWeights)
	return match{dev: dev, b: b, conf: uint8(c), reason: uint8(r.IntN(len(reasons[c])))}
}

func (w *world) buildAdvisories(r *rand.Rand, spec sizeSpec) {
	cold := int32(1000 + r.IntN(500))
	seen := map[string]bool{}
	for k := 0; k < spec.advisories; k++ {
		typ := swTypes[simkit.PickIndex(r, swTypeWeights)]
		if k < len(swTypes) {
			typ = swTypes[k] // every software type has at least one advisory
		}
		f := saFeatures[r.IntN(len(saFeatures))]
		kind := saKinds[r.IntN(len(saKinds))]
		var id string
		for id == "" || seen[id] {
			id = "cisco-sa-" + swTypeSlug[typ] + "-" + f.slug + "-" + kind.slug + "-" + randAlnum(r, 8)
		}
		seen[id] = true
		rating := simkit.PickIndex(r, ratingWeights)
		base, temporal := "", ""
		if sc := ratingScores[rating]; sc[1] > 0 {
			b := sc[0] + r.IntN(sc[1]-sc[0]+1)
			t := max(b-r.IntN(10), 0)
			base, temporal = tenths(b), tenths(t)
		}
		pubDay := w.today - int32(10+r.IntN(5*365))
		pub := int64(pubDay)*day + 16*3600
		upd := min(pub+int64(r.IntN(300))*day, int64(w.today-1)*day+16*3600)
		year := 1970 + int(pubDay)/365
		cves := fmt.Sprintf("CVE-%d-%d", year, 20000+r.IntN(500))
		bugs := "CSC" + bugID(r)
		if r.IntN(3) == 0 {
			cves += fmt.Sprintf(",CVE-%d-%d", year, 20000+r.IntN(500))
			bugs += ",CSC" + bugID(r)
		}
		title := swTypeTitle[typ] + " " + f.title + " " + kind.title + " Vulnerability"
		b := saBulletin{
			coldID:    cold,
			rating:    uint8(rating),
			caveat:    uint8(r.IntN(len(saCaveats))),
			typ:       typ,
			id:        id,
			title:     title,
			summary:   "A vulnerability in the " + f.title + " feature of " + swTypeTitle[typ] + " could allow an attacker to " + kind.effect + ". Cisco has released software updates that address this vulnerability.",
			cves:      cves,
			bugs:      bugs,
			bver:      []string{"1.0", "1.0", "1.0", "1.1", "1.2", "2.0"}[r.IntN(6)],
			base:      base,
			temporal:  temporal,
			published: pub,
			updated:   max(upd, pub),
		}
		w.saByTyp[typ] = append(w.saByTyp[typ], uint16(len(w.sab)))
		w.sab = append(w.sab, b)
		cold += int32(1 + r.IntN(20))
	}
	for i := range w.devs {
		if r.IntN(100) >= 25 {
			continue
		}
		cands := w.saByTyp[swVersions[w.devs[i].sw].typ]
		if len(cands) == 0 {
			continue
		}
		n := min(1+r.IntN(3), len(cands))
		start := r.IntN(len(cands))
		for k := 0; k < n; k++ {
			w.sas = append(w.sas, newMatch(r, int32(i), cands[(start+k)%len(cands)], &saReasons))
		}
	}
}

// rebuildSwItems lists the devices whose software has an end-of-life
// bulletin, in device order.
func (w *world) rebuildSwItems() {
	w.swItems = w.swItems[:0]
	for i := range w.devs {
		if swVersions[w.devs[i].sw].eol >= 0 {
			w.swItems = append(w.swItems, int32(i))
		}
	}
}

func tenths(n int) string { return strconv.Itoa(n/10) + "." + strconv.Itoa(n%10) }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randAlnum(r *rand.Rand, n int) string { return simkit.RandString(r, alnum, n) }

// bugID is a Cisco defect id after the CSC prefix, e.g. "wh87343".
func bugID(r *rand.Rand) string {
	return "w" + string(rune('a'+r.IntN(26))) + strconv.Itoa(10000+r.IntN(90000))
}

// Derived attributes.

func (w *world) deviceName(i int) string {
	d := &w.devs[i]
	s := &w.sites[d.site]
	b := make([]byte, 0, 24)
	b = append(b, cities[s.city].code...)
	b = append(b, '-')
	b = append(b, s.label...)
	b = append(b, '-')
	b = append(b, rolePrefix[products[d.prod].role]...)
	if d.num < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, int64(d.num), 10)
	return string(b)
}

func (w *world) deviceIP(i int) string {
	d := &w.devs[i]
	b := make([]byte, 0, 15)
	b = append(b, "10."...)
	b = strconv.AppendInt(b, int64(d.site>>8)+1, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(d.site&0xff), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(d.seq)+1, 10)
	return string(b)
}

func (w *world) collectorOf(i int) *collector {
	return &w.colls[int(w.devs[i].site)%len(w.colls)]
}

// hash is a per-device value for attributes that need no storage.
func (w *world) hash(id int32) uint64 {
	return simkit.Mix(uint64(w.seed)*0x9E3779B97F4A7C15 ^ uint64(id))
}

func (w *world) assetPID(i int) string {
	a := &w.assets[i]
	if a.part < 0 {
		return products[w.devs[a.dev].prod].pid
	}
	return parts[a.part].pid
}

// serialBase is 36^4: the four-character suffix of a serial number is a
// bijection of the asset index modulo it, so serial numbers never repeat.
const serialBase = 36 * 36 * 36 * 36

// serial is a Cisco-style serial number, LLLYYWWSSSS: plant, year since
// 1996, week and a unique suffix (e.g. FOC2231X0AB); "" for parts without
// one.
func (w *world) serial(i int) string {
	a := &w.assets[i]
	plant := ""
	h := simkit.Mix(w.salt ^ uint64(a.id))
	if a.part < 0 {
		plant = products[w.devs[a.dev].prod].plants[h&1]
	} else {
		plant = parts[a.part].plant
	}
	if plant == "" {
		return ""
	}
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	yy := 16 + (h>>8)%13
	ww := 1 + (h>>16)%52
	x := (uint64(i)*7919 + w.salt%serialBase) % serialBase
	b := make([]byte, 0, 11)
	b = append(b, plant...)
	b = append(b, byte('0'+yy/10), byte('0'+yy%10), byte('0'+ww/10), byte('0'+ww%10))
	var suf [4]byte
	for k := 3; k >= 0; k-- {
		suf[k] = digits[x%36]
		x /= 36
	}
	return string(append(b, suf[:]...))
}
