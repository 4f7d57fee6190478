package primesim

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// categories are the EventAlarmCategoryEnum values the simulator raises.
// The ordinal sent is the index here: the simulator's own numbering, so
// clients should match on value.
var categories = []string{"AP", "Controller", "Switches and Hubs", "Routers", "Security", "System"}

const (
	catAP = iota
	catController
	catSwitch
	catRouter
	catSecurity
	catSystem
)

var catWeights = []int{40, 5, 25, 10, 15, 5}

type condDef struct {
	name string
	cat  int // -1: any device category
	sev  uint8
}

// condDefs are the alarm conditions; the ordinal sent is the index here.
var condDefs = []condDef{
	{"AP_DISASSOCIATED", catAP, sevMajor},
	{"AP_RADIO_DOWN", catAP, sevMinor},
	{"AP_COVERAGE_HOLE", catAP, sevWarning},
	{"DEVICE_UNREACHABLE", -1, sevCritical},
	{"LINK_DOWN", -1, sevMajor},
	{"COLD_START", catController, sevInformation},
	{"FAN_FAILURE", catSwitch, sevMinor},
	{"POWER_SUPPLY_FAILURE", catSwitch, sevMajor},
	{"BGP_PEER_DOWN", catRouter, sevMajor},
	{"ROGUE_AP_DETECTED", catSecurity, sevMinor},
	{"ADHOC_ROGUE_DETECTED", catSecurity, sevWarning},
	{"LICENSE_EXPIRING", catSystem, sevWarning},
	{"BACKUP_FAILED", catSystem, sevMinor},
}

// Conditions that mirror state (an AP or device down) are raised and
// cleared with that state, never at random while active.
const (
	condAPDisassociated   = 0
	condDeviceUnreachable = 3
)

func stateful(cond int) bool { return cond == condAPDisassociated || cond == condDeviceUnreachable }

func deviceCat(k devKind) int { return catController + int(k) }

func condsFor(cat int, withState bool) []int {
	var out []int
	for i, c := range condDefs {
		device := cat == catController || cat == catSwitch || cat == catRouter
		if (c.cat == cat || (c.cat == -1 && device)) && (withState || !stateful(i)) {
			out = append(out, i)
		}
	}
	return out
}

type alarm struct {
	id                              int64
	cat, cond                       uint16 // indices into world.cats and world.conds
	sev                             uint8
	acked                           bool
	campus                          int8  // -1: ROOT-DOMAIN only
	ap, dev                         int32 // -1 when not about one
	deviceName, source, message, ip string
	foundMs, updatedMs              int64
}

var rogueSSIDs = []string{"FreeWiFi", "Corp-Guest", "DIRECT-7F-HP-M479", "iPhone", "linksys"}

func (w *world) apAlarm(r *rand.Rand, cond int, i int, atMs int64) alarm {
	a := &w.aps[i]
	al := alarm{cat: catAP, cond: uint16(cond), sev: condDefs[cond].sev, campus: a.campus, ap: int32(i), dev: -1,
		deviceName: a.name + "," + a.radioKey, source: a.name, ip: a.ip, foundMs: atMs, updatedMs: atMs}
	switch cond {
	case condAPDisassociated:
		al.message = fmt.Sprintf("AP '%s' disassociated from Controller '%s'.", a.name, w.devs[a.wlc].name)
	case 1:
		band := []string{"802.11a/n/ac", "802.11b/g/n"}[r.IntN(2)]
		al.message = fmt.Sprintf("Radio %s of AP '%s' is down.", band, a.name)
	default:
		al.message = fmt.Sprintf("Coverage hole pre-alarm on AP '%s': %d clients below the RSSI threshold.", a.name, 2+r.IntN(9))
	}
	return al
}

func (w *world) devAlarm(r *rand.Rand, cond int, i int, atMs int64) alarm {
	d := &w.devs[i]
	al := alarm{cat: uint16(deviceCat(d.kind)), cond: uint16(cond), sev: condDefs[cond].sev, campus: d.campus, ap: -1, dev: int32(i),
		deviceName: d.name, source: d.ip, ip: d.ip, foundMs: atMs, updatedMs: atMs}
	switch condDefs[cond].name {
	case "DEVICE_UNREACHABLE":
		al.message = fmt.Sprintf("Device '%s' is unreachable.", d.name)
	case "LINK_DOWN":
		port := fmt.Sprintf("GigabitEthernet1/0/%d", 1+r.IntN(48))
		switch d.kind {
		case kindController:
			port = fmt.Sprintf("TenGigabitEthernet0/1/%d", r.IntN(4))
		case kindRouter:
			port = fmt.Sprintf("GigabitEthernet0/0/%d", r.IntN(4))
		}
		al.source = d.ip + ":" + port
		al.message = fmt.Sprintf("Port '%s' is down on device '%s'.", port, d.name)
	case "COLD_START":
		al.message = fmt.Sprintf("Device '%s' was cold started.", d.name)
	case "FAN_FAILURE":
		al.message = fmt.Sprintf("Fan tray 1 failed on device '%s'.", d.name)
	case "POWER_SUPPLY_FAILURE":
		al.message = fmt.Sprintf("Power supply 2 failed on device '%s'.", d.name)
	default:
		al.message = fmt.Sprintf("BGP neighbor 192.0.2.%d is down on device '%s'.", 1+r.IntN(254), d.name)
	}
	return al
}

// securityAlarm is a rogue seen by AP i: the deviceName names the
// detecting AP, the source the rogue.
func (w *world) securityAlarm(r *rand.Rand, cond int, i int, atMs int64) alarm {
	a := &w.aps[i]
	rogue := macColon(0x020000000000 | r.Uint64()&0xffffffffff)
	al := alarm{cat: catSecurity, cond: uint16(cond), sev: condDefs[cond].sev, campus: a.campus, ap: int32(i), dev: -1,
		deviceName: a.name + "," + a.radioKey, source: rogue, foundMs: atMs, updatedMs: atMs}
	if condDefs[cond].name == "ROGUE_AP_DETECTED" {
		al.message = fmt.Sprintf("Rogue AP '%s' with SSID '%s' is detected by AP '%s'.", rogue, rogueSSIDs[r.IntN(len(rogueSSIDs))], a.name)
	} else {
		al.message = fmt.Sprintf("Ad hoc rogue '%s' is detected by AP '%s'.", rogue, a.name)
	}
	return al
}

// systemAlarm concerns the Prime server itself: no device, so no
// deviceName, and only ROOT-DOMAIN sees it.
func (w *world) systemAlarm(r *rand.Rand, cond int, atMs int64) alarm {
	al := alarm{cat: catSystem, cond: uint16(cond), sev: condDefs[cond].sev, campus: -1, ap: -1, dev: -1,
		source: "Prime Infrastructure", foundMs: atMs, updatedMs: atMs}
	if condDefs[cond].name == "LICENSE_EXPIRING" {
		al.message = fmt.Sprintf("Evaluation license for 'Assurance' expires in %d days.", 1+r.IntN(60))
	} else {
		al.message = "Scheduled backup of the Prime Infrastructure server failed."
	}
	return al
}

// randomAlarm draws a category, one of its conditions and a target.
func (w *world) randomAlarm(r *rand.Rand, atMs int64, withState bool) alarm {
	cat := simkit.PickWeighted(r, catWeights, func(x *int) int { return *x })
	conds := condsFor(cat, withState)
	cond := conds[r.IntN(len(conds))]
	switch cat {
	case catAP:
		return w.apAlarm(r, cond, r.IntN(len(w.aps)), atMs)
	case catSecurity:
		return w.securityAlarm(r, cond, r.IntN(len(w.aps)), atMs)
	case catSystem:
		return w.systemAlarm(r, cond, atMs)
	}
	var pool []int
	for i := range w.devs {
		if deviceCat(w.devs[i].kind) == cat {
			pool = append(pool, i)
		}
	}
	return w.devAlarm(r, cond, pool[r.IntN(len(pool))], atMs)
}

// buildAlarms makes about three quarters of the alarms active: first one
// per AP or device that is down, then random ones; the rest are history.
// A fifth are acknowledged. Ids ascend with alarmFoundAt.
func (w *world) buildAlarms(r *rand.Rand, spec sizeSpec) {
	now := w.nowMs
	nActive := int(math.Round(float64(spec.alarms) * 0.75))
	list := make([]alarm, 0, spec.alarms)
	for i := range w.aps {
		if !w.aps[i].up {
			list = append(list, w.apAlarm(r, condAPDisassociated, i, now-300_000-r.Int64N(6*3600_000)))
		}
	}
	for i := range w.devs {
		if w.devs[i].reach == unreachable {
			list = append(list, w.devAlarm(r, condDeviceUnreachable, i, now-300_000-r.Int64N(6*3600_000)))
		}
	}
	for len(list) < nActive {
		a := w.randomAlarm(r, now-60_000-r.Int64N(7*86400_000), false)
		a.updatedMs = a.foundMs + r.Int64N(now-a.foundMs+1)
		list = append(list, a)
	}
	for len(list) < spec.alarms {
		a := w.randomAlarm(r, now-3600_000-r.Int64N(30*86400_000), true)
		a.sev = sevCleared
		a.updatedMs = min(now, a.foundMs+300_000+r.Int64N(6*3600_000))
		list = append(list, a)
	}
	for i := range list {
		list[i].acked = r.IntN(5) == 0
	}
	slices.SortStableFunc(list, func(a, b alarm) int { return cmp.Compare(a.foundMs, b.foundMs) })
	w.alarmIDs = idSeq{last: int64(9_400_000 + r.IntN(10000)), gap: 40}
	for i := range list {
		list[i].id = w.alarmIDs.next(r)
	}
	w.alarms = list
}

// addAlarm gives a new alarm the next id.
func (w *world) addAlarm(r *rand.Rand, a alarm) int64 {
	a.id = w.alarmIDs.next(r)
	w.alarms = append(w.alarms, a)
	return a.id
}

func (w *world) clearAlarm(k int, nowMs int64) {
	a := &w.alarms[k]
	if a.sev != sevCleared {
		a.sev, a.updatedMs = sevCleared, max(a.updatedMs, nowMs)
	}
}

// clearAPDown clears AP i's active disassociation alarms.
func (w *world) clearAPDown(i int, nowMs int64) {
	for k := range w.alarms {
		a := &w.alarms[k]
		if a.ap == int32(i) && a.cond == condAPDisassociated && a.sev != sevCleared {
			w.clearAlarm(k, nowMs)
		}
	}
}
