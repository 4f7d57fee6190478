package primesim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// RogueApAlarms: the alarm base fields as Alarms sends them, plus a nested
// rogueApAlarmDetails (prime.md section 8: "alarm base fields plus nested
// rogueApAlarmDetails", the rest UNVERIFIED). The details' keys follow the
// only listing found, a third-party proxy's OpenAPI stub of the resource
// (classificationType, location, macAddress, rogueClients, rssi, ssid,
// state); where the key of the classification or of the location is in
// doubt an Option gives the other spelling or leaves it out.

// Streams of their own, so the other resources answer as before for a seed.
const (
	streamRogues    = 0x726f677565000001
	streamRogueMut  = 0x726f677565000002
	streamRogueStep = 0x726f677565100000 // + tick
)

// The keys Options.RogueClassificationKey and Options.RogueLocationKey
// take besides a field name: "-" leaves the field out.
const omitField = "-"

// Rogue classifications (RogueClassificationTypeEnum values as the stub
// names them) and detection states.
var (
	rogueClasses = [...]string{"UNCLASSIFIED", "MALICIOUS", "FRIENDLY", "CUSTOM"}
	rogueStates  = [...]string{"ALERT", "CONTAINED", "INTERNAL", "EXTERNAL"}
	rogueNets    = []string{"FreeWiFi", "Corp-Guest", "DIRECT-7F-HP-M479", "iPhone", "linksys", "xfinitywifi",
		"NETGEAR42", "AndroidAP", "Starbucks WiFi", ""}
)

const (
	classUnclassified uint8 = iota
	classMalicious
	classFriendly
	classCustom
)

// The category and condition of rogue alarms: the simulator's choice, as
// the other alarms' are; clients should match on value.
const (
	rogueCategory  = "Rogue AP"
	rogueCondition = "ROGUE_AP_DETECTED"
)

type rogue struct {
	id                 int64
	ap                 int32 // the detecting AP
	class, state, sev  uint8
	acked              bool
	rssi               int8
	clients            uint8
	ssid               uint8
	mac                uint64
	foundMs, updatedMs int64
}

// rogueWorld are the rogue AP alarms, apart from Alarms: Prime lists them
// there too, but keeping them apart leaves the Alarms of a seed as they
// were.
type rogueWorld struct {
	list []rogue // in @id order
	ids  idSeq
	cum  []float64 // per AP, the cumulative weight of its building's exposure to rogues
	mut  *rand.Rand
}

// buildRogues draws about 1.2 rogue alarms per AP (6,000 at size large),
// four in five active. Some buildings see far more than others (a street
// of shops next door): each building's exposure is drawn from a long
// tail, and a rogue's detecting AP is picked by it.
func (w *world) buildRogues() {
	r := simkit.NewRand(w.seed, streamRogues)
	rw := &w.rogues
	rw.mut = simkit.NewRand(w.seed, streamRogueMut)
	exposure := make([]float64, len(w.buildings))
	for b := range exposure {
		u := r.Float64()
		exposure[b] = 1 + 30*u*u*u*u*u*u
	}
	rw.cum = make([]float64, len(w.aps))
	sum := 0.0
	for i := range w.aps {
		sum += exposure[w.floors[w.aps[i].floor].building]
		rw.cum[i] = sum
	}
	n := len(w.aps) * 6 / 5
	list := make([]rogue, 0, n)
	for k := range n {
		g := w.drawRogue(r, w.pickRogueAP(r), w.nowMs-60_000-r.Int64N(7*86400_000))
		g.updatedMs = g.foundMs + r.Int64N(w.nowMs-g.foundMs+1)
		if k%5 == 4 {
			g.sev = sevCleared
		}
		list = append(list, g)
	}
	slices.SortStableFunc(list, func(a, b rogue) int { return cmp.Compare(a.foundMs, b.foundMs) })
	rw.ids = idSeq{last: int64(30_000_000 + r.IntN(10000)), gap: 20}
	for i := range list {
		list[i].id = rw.ids.next(r)
	}
	rw.list = list
}

func (w *world) pickRogueAP(r *rand.Rand) int {
	cum := w.rogues.cum
	return min(sort.SearchFloat64s(cum, r.Float64()*cum[len(cum)-1]), len(cum)-1)
}

// drawRogue is a rogue heard by AP i: mostly unclassified and minor, some
// malicious (major or critical), friendly (information) or of a custom
// class (warning).
func (w *world) drawRogue(r *rand.Rand, i int, atMs int64) rogue {
	g := rogue{ap: int32(i), foundMs: atMs, updatedMs: atMs, sev: sevMinor,
		rssi: int8(-90 + r.IntN(46)), ssid: uint8(r.IntN(len(rogueNets))),
		mac: 0x020000000000 | r.Uint64()&0xffffffffff, acked: r.IntN(10) == 0}
	switch x := r.IntN(100); {
	case x < 80:
		g.class = classUnclassified
	case x < 88:
		g.class, g.sev = classMalicious, sevMajor
		if r.IntN(10) < 3 {
			g.sev = sevCritical
		}
		if r.IntN(10) < 3 {
			g.state = 1 // CONTAINED
		}
	case x < 96:
		g.class, g.sev, g.state = classFriendly, sevInformation, uint8(2+r.IntN(2))
	default:
		g.class, g.sev = classCustom, sevWarning
	}
	if r.IntN(4) == 0 {
		g.clients = uint8(1 + r.IntN(5))
	}
	return g
}

func (w *world) addRogue(r *rand.Rand, g rogue) {
	g.id = w.rogues.ids.next(r)
	w.rogues.list = append(w.rogues.list, g)
}

// stepRogues clears about 1% of the active rogue alarms and raises as
// many new ones.
func (w *world) stepRogues(nowMs int64) {
	r := simkit.NewRand(w.seed, streamRogueStep+w.tick)
	var open []int
	for k := range w.rogues.list {
		if w.rogues.list[k].sev != sevCleared {
			open = append(open, k)
		}
	}
	n := max(1, len(open)/100)
	for k := 0; k < n && len(open) > 0; k++ {
		j := r.IntN(len(open))
		g := &w.rogues.list[open[j]]
		g.sev, g.updatedMs = sevCleared, max(g.updatedMs, nowMs)
		open = slices.Delete(open, j, j+1)
	}
	for range n {
		w.addRogue(r, w.drawRogue(r, w.pickRogueAP(r), nowMs))
	}
}

// RaiseRogues raises n active rogue alarms, unclassified and MINOR, heard
// by the APs of site ("NA-Campus > Building-03", as APInfo.Site names it)
// in turn: a burst, such as a site next to a trade fair sees.
func (s *Server) RaiseRogues(site string, n int) error {
	if n < 1 {
		return fmt.Errorf("primesim: RaiseRogues: n = %d; want at least 1", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	var aps []int
	for i := range w.aps {
		if w.apSite(i) == site {
			aps = append(aps, i)
		}
	}
	if len(aps) == 0 {
		return fmt.Errorf("primesim: RaiseRogues: no AP at site %q", site)
	}
	nowMs := s.now().UnixMilli()
	r := w.rogues.mut
	for k := range n {
		g := w.drawRogue(r, aps[k%len(aps)], nowMs)
		g.class, g.sev, g.state, g.acked = classUnclassified, sevMinor, 0, false
		w.addRogue(r, g)
	}
	return nil
}

// apSite is the building AP i's floor is in, as APInfo.Site names it.
func (w *world) apSite(i int) string {
	fl := &w.floors[w.aps[i].floor]
	return buildingLoc(int(fl.campus), w.buildings[fl.building].num)
}

// RogueInfo describes one simulated rogue AP alarm.
type RogueInfo struct {
	ID int64
	// AP is the detecting access point; Site its building
	// ("NA-Campus > Building-03") and MapLocation its floor.
	AP, Site, MapLocation string
	// Classification is a RogueClassificationTypeEnum value, Severity an
	// AlarmSeverityEnum one (CLEARED for a cleared alarm).
	Classification, Severity string
	Acknowledged             bool
}

// Rogues lists the rogue AP alarms in @id order, cleared ones included.
func (s *Server) Rogues() []RogueInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	out := make([]RogueInfo, len(w.rogues.list))
	for k := range w.rogues.list {
		g := &w.rogues.list[k]
		a := &w.aps[g.ap]
		out[k] = RogueInfo{ID: g.id, AP: a.name, Site: w.apSite(int(g.ap)), MapLocation: w.floors[a.floor].loc,
			Classification: rogueClasses[g.class], Severity: severityNames[g.sev], Acknowledged: g.acked}
	}
	return out
}

// rogueSizes counts the rogue alarms for Sizes.
func (w *world) rogueSizes(z *Sizes) {
	z.RogueAlarms = len(w.rogues.list)
	for k := range w.rogues.list {
		if w.rogues.list[k].sev != sevCleared {
			z.ActiveRogueAlarms++
		}
	}
}

func rogueAlarmsResource() *resource {
	g := func(v *view, i int) *rogue { return &v.w.rogues.list[i] }
	return &resource{
		name: "RogueApAlarms", dtoKey: "rogueApAlarmsDTO",
		fields: map[string]field{
			"severity": strField(func(v *view, i int) string { return severityNames[g(v, i).sev] }),
			"acknowledgementStatus": {kind: kindBool, num: func(v *view, i int) int64 {
				if g(v, i).acked {
					return 1
				}
				return 0
			}},
			"deviceName":      strField(func(v *view, i int) string { return v.rogueDeviceName(g(v, i)) }),
			"alarmFoundAt":    strField(func(v *view, i int) string { return isoDate(g(v, i).foundMs) }),
			"lastUpdatedAt":   strField(func(v *view, i int) string { return isoDate(g(v, i).updatedMs) }),
			"category.value":  strField(func(*view, int) string { return rogueCategory }),
			"condition.value": strField(func(*view, int) string { return rogueCondition }),
		},
		rows:   func(v *view) int { return len(v.w.rogues.list) },
		id:     func(v *view, i int) int64 { return v.w.rogues.list[i].id },
		campus: func(v *view, i int) int8 { return v.w.aps[g(v, i).ap].campus },
		entity: func(v *view, i int, h entityHead) any { return rogueEntity{h, v.rogueDTO(i)} },
	}
}

type rogueDTO struct {
	ID                    jnum     `json:"@id"`
	DisplayName           string   `json:"@displayName"`
	AcknowledgementStatus bool     `json:"acknowledgementStatus"`
	AlarmFoundAt          string   `json:"alarmFoundAt"`
	AlarmID               int64    `json:"alarmId"`
	Category              enumJSON `json:"category"`
	Condition             enumJSON `json:"condition"`
	DeviceName            string   `json:"deviceName"`
	LastUpdatedAt         string   `json:"lastUpdatedAt"`
	Message               string   `json:"message"`
	// The details' keys depend on the options, so they go as a map (in
	// key order, as the other DTOs' fields are).
	RogueApAlarmDetails map[string]any `json:"rogueApAlarmDetails"`
	Severity            string         `json:"severity"`
	Source              string         `json:"source"`
	TimeStamp           string         `json:"timeStamp"`
	WirelessAlarmID     string         `json:"wirelessSpecificAlarmId"`
}

type rogueEntity struct {
	entityHead
	DTO rogueDTO `json:"rogueApAlarmsDTO"`
}

// rogueDeviceName names the detecting AP as AP alarms do.
func (v *view) rogueDeviceName(g *rogue) string {
	a := &v.w.aps[g.ap]
	return a.name + "," + a.radioKey
}

func (v *view) rogueDTO(k int) rogueDTO {
	w := v.w
	g := &w.rogues.list[k]
	a := &w.aps[g.ap]
	mac := macColon(g.mac)
	ssid := rogueNets[g.ssid]
	details := map[string]any{
		"macAddress": v.mac(g.mac), "rogueClients": int(g.clients), "rssi": int(g.rssi),
		"ssid": ssid, "state": rogueStates[g.state],
	}
	o := &v.s.opts
	if key := cmp.Or(o.RogueClassificationKey, "classificationType"); key != omitField {
		details[key] = rogueClasses[g.class]
	}
	if key := cmp.Or(o.RogueLocationKey, "location"); key != omitField {
		details[key] = w.floors[a.floor].loc
	}
	if ssid == "" {
		ssid = "(hidden)"
	}
	return rogueDTO{
		ID: v.num(g.id), DisplayName: idString(g.id), AcknowledgementStatus: g.acked,
		AlarmFoundAt: isoDate(g.foundMs), AlarmID: g.id,
		Category:   enumJSON{len(categories), rogueCategory},
		Condition:  enumJSON{len(condDefs), rogueCondition},
		DeviceName: v.rogueDeviceName(g), LastUpdatedAt: isoDate(g.updatedMs),
		Message: fmt.Sprintf("Rogue AP '%s' with SSID '%s' and RSSI %d dBm is detected by AP '%s'.",
			mac, ssid, g.rssi, a.name),
		RogueApAlarmDetails: details,
		Severity:            severityNames[g.sev], Source: mac, TimeStamp: isoDate(g.updatedMs),
		WirelessAlarmID: fmt.Sprintf("%x", simkit.Mix(uint64(g.id))&0xffffffff),
	}
}
