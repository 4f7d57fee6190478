package primesim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Alarm is an alarm to raise with RaiseAlarm.
type Alarm struct {
	// DeviceName names the AP or device the alarm is about ("" = none: a
	// System alarm only ROOT-DOMAIN sees). For an AP the alarm's
	// deviceName becomes "<apName>,<radio MAC>", as Prime sends it.
	DeviceName string
	// Category defaults to AP for an AP, the device's productFamily
	// category for a device, else System. Names outside the simulator's
	// catalogue are kept and get the next free ordinal.
	Category string
	// Condition defaults to the category's first condition; unknown names
	// are kept like categories.
	Condition string
	// Severity is an AlarmSeverityEnum name; "" or an unknown name means
	// the condition's default (WARNING for unknown conditions).
	Severity        string
	Source, Message string // "" = derived from the target
	Acknowledged    bool
}

// Sizes counts the world as it is now.
func (s *Server) Sizes() Sizes {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	z := Sizes{Campuses: w.campuses, Buildings: len(w.buildings), MapLocations: len(w.floors),
		APs: len(w.aps), Devices: len(w.devs), ClientCountSamples: len(w.cc.colls), Alarms: len(w.alarms),
		PerDomain: map[string]DomainSizes{}}
	per := make([]DomainSizes, w.campuses+1) // [0] is ROOT-DOMAIN
	at := func(campus int8, f func(*DomainSizes)) {
		f(&per[0])
		if campus >= 0 {
			f(&per[campus+1])
		}
	}
	for i := range w.aps {
		a := &w.aps[i]
		n, _, _ := w.apClients(i)
		z.Clients += n
		if !a.up {
			z.UnreachableAPs++
		}
		at(a.campus, func(d *DomainSizes) { d.APs++; d.Clients += n })
	}
	for i := range w.devs {
		switch w.devs[i].kind {
		case kindController:
			z.Controllers++
		case kindSwitch:
			z.Switches++
		case kindRouter:
			z.Routers++
		}
		at(w.devs[i].campus, func(d *DomainSizes) { d.Devices++ })
		inv := &w.inv[i]
		if len(inv.chassis) > 1 {
			z.StackedSwitches++
		}
		z.Interfaces += len(inv.ports)
		for j := range inv.ports {
			if p := &inv.ports[j]; p.peer >= 0 || (p.ap >= 0 && w.linkUp(p)) {
				z.Neighbors++
			}
		}
	}
	for k := range w.alarms {
		a := &w.alarms[k]
		active := a.sev != sevCleared
		if active {
			z.ActiveAlarms++
		} else {
			z.ClearedAlarms++
		}
		if active && a.acked {
			z.AcknowledgedAlarms++
		}
		at(a.campus, func(d *DomainSizes) {
			d.Alarms++
			if active {
				d.ActiveAlarms++
			}
		})
	}
	z.ClientCountRows = len(w.cc.rows)
	for k := range w.cc.rows {
		at(w.cc.rows[k].campus, func(d *DomainSizes) { d.ClientCountRows++ })
	}
	for d := range w.cc.wired {
		for _, n := range w.cc.wired[d].c {
			z.WiredClients += int(n)
		}
	}
	for d, name := range s.Domains() {
		z.PerDomain[name] = per[d]
	}
	w.rogueSizes(&z)
	s.radioSizes(&z)
	return z
}

// APs lists the access points in @id order, with their state now.
func (s *Server) APs() []APInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	out := make([]APInfo, len(w.aps))
	for i := range w.aps {
		a := &w.aps[i]
		n, _, _ := w.apClients(i)
		fl := &w.floors[a.floor]
		out[i] = APInfo{ID: a.id, Name: a.name, Serial: a.serial, Model: apModels[a.model].name, IP: a.ip,
			EthernetMAC: macOctets(a.eth), RadioMAC: macOctets(a.radio), Domain: campusNames[a.campus],
			MapLocation: fl.loc, Site: fmt.Sprintf("%s > Building-%02d", campusNames[fl.campus], w.buildings[fl.building].num),
			Status: severityNames[a.status], Reachable: a.up, Clients: n}
	}
	return out
}

// SetAPReachable takes an AP down or brings it back. Down, it reports no
// clients, no uptime and no controller, and an AP_DISASSOCIATED alarm is
// raised; back up, it has just booted and that alarm is cleared. The
// latest ClientCounts collection is recomputed (its time and @ids kept),
// so it and Clients stay consistent with AccessPointDetails.
func (s *Server) SetAPReachable(name string, ok bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	i, found := w.apByName[name]
	if !found {
		return fmt.Errorf("primesim: no AP named %q", name)
	}
	w.setAPUp(w.mut, int(i), ok, s.now().UnixMilli())
	w.aps[i].stepDown = false
	setBit(w.cc.latest().up, int(i), ok)
	w.setLatest()
	w.updateStatus()
	return nil
}

func (w *world) setAPUp(r *rand.Rand, i int, up bool, nowMs int64) {
	a := &w.aps[i]
	if a.up == up {
		return
	}
	a.up = up
	if up {
		a.bootMs = nowMs
		w.clearAPDown(i, nowMs)
	} else {
		w.addAlarm(r, w.apAlarm(r, condAPDisassociated, i, nowMs))
	}
}

// RaiseAlarm adds an alarm timestamped now and returns its @id (also its
// alarmId).
func (s *Server) RaiseAlarm(a Alarm) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	r := w.mut
	nowMs := s.now().UnixMilli()
	al := alarm{campus: -1, ap: -1, dev: -1, deviceName: a.DeviceName, foundMs: nowMs, updatedMs: nowMs}
	cat, target := catSystem, "Prime Infrastructure"
	al.source = target
	if i, ok := w.apByName[a.DeviceName]; ok {
		p := &w.aps[i]
		cat, target = catAP, p.name
		al.campus, al.ap, al.ip, al.source = p.campus, i, p.ip, p.name
		al.deviceName = p.name + "," + p.radioKey
	} else if i, ok := w.devByName[a.DeviceName]; ok {
		d := &w.devs[i]
		cat, target = deviceCat(d.kind), d.name
		al.campus, al.dev, al.ip, al.source = d.campus, i, d.ip, d.ip
	} else if a.DeviceName != "" {
		target = a.DeviceName
	}
	if a.Category != "" {
		cat = w.intern(&w.cats, a.Category)
	}
	var cond int
	if a.Condition != "" {
		cond = w.intern(&w.conds, a.Condition)
	} else if cat < len(categories) {
		cond = condsFor(cat, true)[0]
	} else {
		cond = w.intern(&w.conds, "CUSTOM_ALARM")
	}
	al.cat, al.cond = uint16(cat), uint16(cond)
	al.sev = sevWarning
	if cond < len(condDefs) {
		al.sev = condDefs[cond].sev
	}
	if v, ok := severityOf(a.Severity); ok {
		al.sev = v
	}
	al.acked = a.Acknowledged
	al.message = fmt.Sprintf("%s on '%s'.", w.conds[cond], target)
	if a.Message != "" {
		al.message = a.Message
	}
	if a.Source != "" {
		al.source = a.Source
	}
	id := w.addAlarm(r, al)
	w.updateStatus()
	return id
}

// intern returns name's index in list, appending it when new.
func (w *world) intern(list *[]string, name string) int {
	if i := slices.Index(*list, name); i >= 0 {
		return i
	}
	*list = append(*list, name)
	return len(*list) - 1
}

// AcknowledgeAlarm sets an alarm's acknowledgementStatus. The Alarms DTO
// has no field for who acknowledged it, or when: Prime's API does not
// tell. With Options.AckUpdatesAlarm its lastUpdatedAt moves to now.
func (s *Server) AcknowledgeAlarm(id int64, acked bool) error {
	return s.changeAlarm(id, func(w *world, k int) {
		a := &w.alarms[k]
		if a.acked != acked && s.opts.AckUpdatesAlarm {
			a.updatedMs = max(a.updatedMs, s.now().UnixMilli())
		}
		a.acked = acked
	})
}

// changeAlarm runs change on the alarm with @id id under the world's lock,
// or says there is no such alarm.
func (s *Server) changeAlarm(id int64, change func(w *world, k int)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.w.findAlarm(id)
	if k < 0 {
		return fmt.Errorf("primesim: no alarm with id %d", id)
	}
	change(s.w, k)
	return nil
}

// AlarmInfo is one alarm as the simulator holds it: what its alarmsDTO
// carries.
type AlarmInfo struct {
	ID                            int64
	DeviceName, Source            string
	Category, Condition, Severity string
	Message                       string
	FoundAt, UpdatedAt            time.Time
	Acknowledged                  bool
}

// ActiveAlarms returns the alarms that are not cleared, as ROOT-DOMAIN
// sees them, in @id order.
func (s *Server) ActiveAlarms() []AlarmInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	var out []AlarmInfo
	for k := range w.alarms {
		a := &w.alarms[k]
		if a.sev == sevCleared {
			continue
		}
		out = append(out, AlarmInfo{
			ID: a.id, DeviceName: a.deviceName, Source: a.source, Category: w.cats[a.cat], Condition: w.conds[a.cond],
			Severity: severityNames[a.sev], Message: a.message, FoundAt: time.UnixMilli(a.foundMs),
			UpdatedAt: time.UnixMilli(a.updatedMs), Acknowledged: a.acked,
		})
	}
	return out
}

// ClearAlarm sets an alarm's severity to CLEARED; clearing a cleared
// alarm is a no-op.
func (s *Server) ClearAlarm(id int64) error {
	return s.changeAlarm(id, func(w *world, k int) {
		w.clearAlarm(k, s.now().UnixMilli())
		w.updateStatus()
	})
}

// Step advances the world one tick, deterministically from the seed and
// the tick count (and the state earlier steps and calls left): about half
// of the APs earlier steps took down come back (their AP_DISASSOCIATED
// alarms cleared); about 1% of the APs go down with such an alarm; about
// 0.5% of the alarms are raised and as many active ones cleared; and a new
// ClientCounts collection is taken at the clock (at least a second after
// the latest), with new @ids; HistoricalClientCounts drops what is older
// than Options.HistoryWindow, keeping at most HistoryWindow /
// CollectionInterval collections. About 1% of the active rogue alarms
// are cleared and as many raised; RFLoadStats takes a sample at the clock
// (at least a second after the latest) and about 1% of the radios change
// channel, as many their power level.
func (s *Server) Step() {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	w.tick++
	r := simkit.NewRand(w.seed, streamStep+w.tick)
	nowMs := s.now().UnixMilli()

	for i := range w.aps {
		if a := &w.aps[i]; a.stepDown && !a.up && r.IntN(2) == 0 {
			w.setAPUp(r, i, true, nowMs)
			a.stepDown = false
		}
	}
	for k := 0; k < max(1, len(w.aps)/100); k++ {
		i := r.IntN(len(w.aps))
		if a := &w.aps[i]; a.up {
			w.setAPUp(r, i, false, nowMs)
			a.stepDown = true
		}
	}

	nMisc := max(1, len(w.alarms)/200)
	var open []int
	for k := range w.alarms {
		if a := &w.alarms[k]; a.sev != sevCleared && !stateful(int(a.cond)) {
			open = append(open, k)
		}
	}
	for k := 0; k < nMisc && len(open) > 0; k++ {
		j := r.IntN(len(open))
		w.clearAlarm(open[j], nowMs)
		open = slices.Delete(open, j, j+1)
	}
	for k := 0; k < nMisc; k++ {
		w.addAlarm(r, w.randomAlarm(r, nowMs, false))
	}

	// The new collection is taken now, as Prime takes them, but always after
	// the last one: Step may run faster than the collection interval.
	w.takeCollection(max(nowMs, w.cc.latest().atMs+1000))
	w.updateStatus()
	w.stepRogues(nowMs)
	w.stepRadios(nowMs)
}
