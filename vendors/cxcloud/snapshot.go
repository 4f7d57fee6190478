package cxcloud

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// The snapshot types are what the collector reads: one per collection,
// sorted, never changed once returned.

// Inventory is the inventory collection: the devices and the collectors
// that upload them.
type Inventory struct {
	Devices    []model.Device
	Collectors []Collector
	// LastModified is when CX Cloud last processed the data, in unix
	// seconds (the answers' Last-Modified; 0 when they carry none).
	LastModified int64
	// At is when the inventory was read, in unix seconds: the devices'
	// uptimes are as of then.
	At int64 `json:",omitempty"`
}

// Collector is one CX Cloud collector (a CX agent or appliance).
type Collector struct {
	ID, Name, Status, Version string
	// LastUpload is its last upload in unix seconds; 0 when it has none.
	LastUpload int64
	// UploadInterval is the seconds between its full uploads; 0 when not
	// reported.
	UploadInterval float64
}

// NoticeCount is the number of devices one field notice matches with one
// confidence.
type NoticeCount struct {
	FieldNotice, MatchConfidence string
	Devices                      int
}

// Notice describes one field notice.
type Notice struct{ ID, Title, Type, URL string }

// FieldNotices is the field_notices collection.
type FieldNotices struct {
	Counts       []NoticeCount
	Notices      []Notice
	Total        int   // matches
	LastModified int64 // as Inventory's
}

// AdvisoryCount is the number of devices one security advisory may affect.
type AdvisoryCount struct {
	Advisory, Impact string
	Devices          int
}

// Advisory describes one security advisory.
type Advisory struct {
	ID, Impact, Title, URL string
	// CVSS is its CVSS base score (0 to 10); nil when the bulletin has none.
	CVSS *float64 `json:",omitempty"`
	// CVEs are the CVE ids it covers.
	CVEs []string `json:",omitempty"`
}

// Advisories is the advisories collection.
type Advisories struct {
	Counts       []AdvisoryCount
	Advisories   []Advisory
	Total        int   // matches
	LastModified int64 // as Inventory's
}

// Milestone is one end-of-life date of a device or one of its parts.
type Milestone struct {
	Device, Serial, Milestone string
	At                        int64 // unix seconds
}

// EndOfLife is the eox collection.
type EndOfLife struct {
	Milestones   []Milestone
	LastModified int64 // as Inventory's
}

// assetIndex holds the serial numbers of the last inventory: per asset,
// and each device's chassis. It is kept as long as the inventory, and
// made as bulk/alerts is read: each list is sorted by its key and looked
// up by binary search, at half what maps of the large tenant's 66,000
// assets held.
type assetIndex struct {
	assetSerial   keyed[vendors.Text] // by physical asset id
	chassisSerial keyed[vendors.Text] // by device id
	// chassisDevice names the device of each chassis serial.
	chassisDevice keyed[string]
}

func newAssetIndex(devices []device, assets []asset) *assetIndex {
	idx := &assetIndex{}
	for _, a := range assets {
		idx.add(&a)
	}
	idx.finish(devices)
	return idx
}

// add indexes one asset's serial number, in the order the assets come:
// bulk/alerts is indexed as it is read, its assets never held. An asset
// listed twice has its last serial; a device, its first chassis'.
func (idx *assetIndex) add(a *asset) {
	idx.assetSerial = append(idx.assetSerial, entry[vendors.Text]{a.PhysicalAssetID, a.SerialNumber})
	if strings.EqualFold(a.PhysicalAssetType, "Chassis") && a.SerialNumber != "" {
		idx.chassisSerial = append(idx.chassisSerial, entry[vendors.Text]{a.DeviceID, a.SerialNumber})
	}
}

// finish sorts the serials once every asset is in, and names each chassis
// serial's device (the last device of a serial listed twice).
func (idx *assetIndex) finish(devices []device) {
	idx.assetSerial = idx.assetSerial.sorted(false)
	idx.chassisSerial = idx.chassisSerial.sorted(true)
	for _, d := range devices {
		if serial := idx.chassisSerial.get(d.DeviceID); serial != "" {
			idx.chassisDevice = append(idx.chassisDevice, entry[string]{serial, d.DeviceName})
		}
	}
	idx.chassisDevice = idx.chassisDevice.sorted(false)
}

// keyed is a list of values by key, sorted by key once made.
type keyed[K ~string] []entry[K]

type entry[K ~string] struct {
	key K
	val string
}

// sorted sorts the list by key, keeps of each key its first entry or its
// last, in the order they came, and returns it at its exact size.
func (l keyed[K]) sorted(first bool) keyed[K] {
	slices.SortStableFunc(l, func(a, b entry[K]) int { return cmp.Compare(a.key, b.key) })
	out := l[:0]
	for i := 0; i < len(l); {
		j := i + 1
		for j < len(l) && l[j].key == l[i].key {
			j++
		}
		if first {
			out = append(out, l[i])
		} else {
			out = append(out, l[j-1])
		}
		i = j
	}
	return slices.Clone(out)
}

// lookup returns the value of k, and whether the list has it.
func (l keyed[K]) lookup(k K) (string, bool) {
	i, ok := slices.BinarySearchFunc(l, k, func(e entry[K], k K) int { return cmp.Compare(e.key, k) })
	if !ok {
		return "", false
	}
	return l[i].val, true
}

// get returns the value of k, "" if the list has none.
func (l keyed[K]) get(k K) string {
	v, _ := l.lookup(k)
	return v
}

// deviceType maps CX Cloud's product family and type onto the exporter's
// types.
func deviceType(family, productType string) string {
	return vendors.DeviceType(family+" "+productType, "access point")
}

// newInventory builds the inventory as of now: a device's uptime is the
// time since its lastResetTimestamp, where it has one.
func newInventory(devices []device, idx *assetIndex, colls []collector, now time.Time) *Inventory {
	out := &Inventory{Devices: make([]model.Device, 0, len(devices)), At: now.Unix()}
	for _, d := range devices {
		name := d.DeviceName
		if name == "" {
			name = d.DeviceID.String()
		}
		dev := model.Device{
			Name: name, Serial: idx.chassisSerial.get(d.DeviceID), Model: d.ProductID, Version: d.SoftwareVersion,
			Type: deviceType(d.ProductFamily, d.ProductType), Site: d.SNMPSysLocation, SiteID: d.SNMPSysLocation,
			Up: strings.EqualFold(d.DeviceStatus, "ACTIVE"), Clients: -1,
		}
		if !d.LastResetTimestamp.IsZero() && d.LastResetTimestamp.Before(now) {
			dev.Uptime = now.Sub(d.LastResetTimestamp.Time).Seconds()
		}
		out.Devices = append(out.Devices, dev)
	}
	model.SortDevices(out.Devices)
	for _, c := range colls {
		col := Collector{ID: c.ApplianceID, Name: c.CollectorName, Status: c.CollectorStatus, Version: c.CollectorVersion}
		if !c.LastUploadTimestamp.IsZero() {
			col.LastUpload = c.LastUploadTimestamp.Unix()
		}
		if c.ExpectedUploadInterval != nil && *c.ExpectedUploadInterval > 0 {
			col.UploadInterval = *c.ExpectedUploadInterval * 86400
		}
		out.Collectors = append(out.Collectors, col)
	}
	slices.SortFunc(out.Collectors, func(a, b Collector) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// confidence turns "Potentially Vulnerable" into potentially_vulnerable.
func confidence(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
}

func newFieldNotices(matches []fieldNotice, bulletins []fieldNoticeBulletin) *FieldNotices {
	type key struct{ fn, conf string }
	devices := map[key]map[vendors.Text]bool{}
	for _, m := range matches {
		k := key{m.FieldNoticeID.String(), confidence(m.MatchConfidence)}
		if devices[k] == nil {
			devices[k] = map[vendors.Text]bool{}
		}
		devices[k][m.DeviceID] = true
	}
	out := &FieldNotices{Total: len(matches)}
	for k, ds := range devices {
		out.Counts = append(out.Counts, NoticeCount{FieldNotice: k.fn, MatchConfidence: k.conf, Devices: len(ds)})
	}
	slices.SortFunc(out.Counts, func(a, b NoticeCount) int {
		return cmp.Or(cmp.Compare(a.FieldNotice, b.FieldNotice), cmp.Compare(a.MatchConfidence, b.MatchConfidence))
	})
	for _, b := range bulletins {
		out.Notices = append(out.Notices, Notice{ID: b.FieldNoticeID.String(), Title: b.BulletinTitle, Type: b.FieldNoticeType, URL: b.BulletinURL})
	}
	slices.SortFunc(out.Notices, func(a, b Notice) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func newAdvisories(matches []advisory, bulletins []advisoryBulletin) *Advisories {
	byCold := map[vendors.Text]advisoryBulletin{}
	for _, b := range bulletins {
		byCold[b.SecurityAdvisoryColdID] = b
	}
	devices := map[vendors.Text]map[vendors.Text]bool{}
	for _, m := range matches {
		if confidence(m.MatchConfidence) == "not_vulnerable" {
			continue
		}
		if devices[m.SecurityAdvisoryColdID] == nil {
			devices[m.SecurityAdvisoryColdID] = map[vendors.Text]bool{}
		}
		devices[m.SecurityAdvisoryColdID][m.DeviceID] = true
	}
	out := &Advisories{Total: len(matches)}
	for cold, ds := range devices {
		b, ok := byCold[cold]
		id := b.SecurityAdvisoryID
		if !ok || id == "" {
			id = cold.String()
		}
		out.Counts = append(out.Counts, AdvisoryCount{Advisory: id, Impact: strings.ToLower(b.SecurityImpactRating), Devices: len(ds)})
	}
	slices.SortFunc(out.Counts, func(a, b AdvisoryCount) int { return cmp.Compare(a.Advisory, b.Advisory) })
	for _, b := range bulletins {
		a := Advisory{ID: b.SecurityAdvisoryID, Impact: strings.ToLower(b.SecurityImpactRating), Title: b.BulletinTitle, URL: b.BulletinURL,
			CVEs: cveIDs(b.CVEIDs)}
		if score, err := strconv.ParseFloat(strings.TrimSpace(b.CVSSBaseScore.String()), 64); err == nil && score >= 0 && score <= 10 {
			a.CVSS = &score
		}
		out.Advisories = append(out.Advisories, a)
	}
	slices.SortFunc(out.Advisories, func(a, b Advisory) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// parseDate reads a YYYY-MM-DD date as midnight UTC.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}

func newEndOfLife(hw []hardwareEoL, hwb []eolBulletin, sw []softwareEoL, swb []eolBulletin, idx *assetIndex) *EndOfLife {
	hwBulletins := map[vendors.Text]eolBulletin{}
	for _, b := range hwb {
		hwBulletins[b.HardwareEndOfLifeID] = b
	}
	swBulletins := map[vendors.Text]eolBulletin{}
	for _, b := range swb {
		swBulletins[b.SoftwareEndOfLifeID] = b
	}
	seen := map[Milestone]bool{}
	out := &EndOfLife{}
	add := func(device, serial string, names *[numMilestones]string, b eolBulletin) {
		for i, date := range b.milestones() {
			at, ok := parseDate(date)
			if !ok {
				continue
			}
			m := Milestone{Device: device, Serial: serial, Milestone: names[i]}
			if seen[m] {
				continue // one part listed twice
			}
			seen[m] = true
			m.At = at
			out.Milestones = append(out.Milestones, m)
		}
	}
	for _, h := range hw {
		if b, ok := hwBulletins[h.HardwareEndOfLifeID]; ok {
			add(h.DeviceName, idx.assetSerial.get(h.PhysicalAssetID), &milestoneNames, b)
		}
	}
	for _, s := range sw {
		if b, ok := swBulletins[s.SoftwareEndOfLifeID]; ok {
			add(s.DeviceName, idx.chassisSerial.get(s.DeviceID), &softwareMilestoneNames, b)
		}
	}
	// The list grew by doubling; kept as long as the data, it is worth its
	// exact size.
	if cap(out.Milestones) > len(out.Milestones) {
		out.Milestones = slices.Clone(out.Milestones)
	}
	slices.SortFunc(out.Milestones, func(a, b Milestone) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Serial, b.Serial), cmp.Compare(a.Milestone, b.Milestone))
	})
	return out
}

// Coverage is a device's service contract and warranty, from its chassis
// serial number.
type Coverage struct {
	Device, Serial string
	// Covered is whether a service contract covers the device; nil when
	// the API did not say.
	Covered *bool `json:",omitempty"`
	// ContractEnd and WarrantyEnd are in unix seconds; 0 when there is none.
	ContractEnd, WarrantyEnd  int64
	ServiceLine, WarrantyType string
}

// Contracts is the contracts collection.
type Contracts struct {
	Coverage     []Coverage
	LastModified int64 // as Inventory's
}

// newContracts keeps the contracts of the inventory's chassis serials: a
// device's coverage is its chassis', and the serials of its parts (line
// cards, power supplies) would multiply the series without telling more.
func newContracts(serials []contractSerial, idx *assetIndex) *Contracts {
	out := &Contracts{}
	seen := map[string]bool{}
	for _, c := range serials {
		device, ok := idx.chassisDevice.lookup(c.SerialNumber)
		if !ok || c.ParentSerialNumber != "" || seen[c.SerialNumber] {
			continue
		}
		seen[c.SerialNumber] = true
		cov := Coverage{Device: device, Serial: c.SerialNumber, Covered: c.IsCovered,
			ServiceLine: c.ServiceLineDescription, WarrantyType: c.WarrantyType}
		cov.ContractEnd, _ = parseDate(c.CoveredProductLineEndDate)
		cov.WarrantyEnd, _ = parseDate(c.WarrantyEndDate)
		out.Coverage = append(out.Coverage, cov)
	}
	slices.SortFunc(out.Coverage, func(a, b Coverage) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Serial, b.Serial))
	})
	return out
}

// cveIDs splits a bulletin's cveIds: the models say only "string", so
// commas, semicolons and spaces all separate, and each id is kept once.
func cveIDs(s string) []string {
	var out []string
	for _, id := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Reset is a device's last reset and the resets CX Cloud keeps of it, by
// type.
type Reset struct {
	Device, Type, Reason string
	At                   int64 // unix seconds; 0 when not given
	// Counts are the resets of the device's history, by type.
	Counts map[string]int `json:",omitempty"`
}

// Resets is the resets collection.
type Resets struct {
	Resets       []Reset
	LastModified int64 // as Inventory's
}

// newResets joins each device's last reset with its history, by device id.
// Types are lower-cased; a history entry without one counts as "unknown".
func newResets(last []lastReset, history []resetHistory) *Resets {
	counts := map[vendors.Text]map[string]int{}
	for _, h := range history {
		for _, r := range h.ResetDetails {
			if counts[h.DeviceID] == nil {
				counts[h.DeviceID] = map[string]int{}
			}
			counts[h.DeviceID][cmp.Or(strings.ToLower(r.ResetType), "unknown")]++
		}
	}
	out := &Resets{}
	seen := map[vendors.Text]bool{}
	shared := resetCounts{}
	for _, l := range last {
		if seen[l.DeviceID] || l.DeviceName == "" {
			continue
		}
		seen[l.DeviceID] = true
		r := Reset{Device: l.DeviceName, Type: cmp.Or(strings.ToLower(l.ResetType), "unknown"), Reason: l.ResetReason,
			Counts: shared.counts(counts[l.DeviceID])}
		if !l.LastResetTimestamp.IsZero() {
			r.At = l.LastResetTimestamp.Unix()
		}
		out.Resets = append(out.Resets, r)
	}
	slices.SortFunc(out.Resets, func(a, b Reset) int { return cmp.Compare(a.Device, b.Device) })
	return out
}

// resetCounts hands out one map for each distinct count of resets by
// type: the devices of a tenant mostly share a few, and a small map costs
// a few hundred bytes, twenty thousand times over. The snapshot is never
// changed, so the devices can share them.
type resetCounts map[string]map[string]int

func (rc resetCounts) counts(m map[string]int) map[string]int {
	if len(m) == 0 {
		return m
	}
	types := slices.Sorted(maps.Keys(m))
	var key strings.Builder
	for _, t := range types {
		key.WriteString(t)
		key.WriteByte(0)
		key.WriteString(strconv.Itoa(m[t]))
		key.WriteByte(0)
	}
	if c, ok := rc[key.String()]; ok {
		return c
	}
	rc[key.String()] = m
	return m
}
