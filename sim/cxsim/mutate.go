package cxsim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Sizes counts the world as it is now.
func (s *Server) Sizes() Sizes {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	return Sizes{
		Devices:              len(w.devs),
		Assets:               len(w.assets),
		Collectors:           len(w.colls),
		FieldNoticeBulletins: len(w.fnb),
		AdvisoryBulletins:    len(w.sab),
		FieldNoticeMatches:   len(w.fns),
		AdvisoryMatches:      len(w.sas),
		HardwareEoL:          len(w.hwItems),
		SoftwareEoL:          len(w.swItems),
		HardwareEoLBulletins: len(w.hwb),
		SoftwareEoLBulletins: len(w.swb),
	}
}

// DeviceIDs lists every deviceId in API order.
func (s *Server) DeviceIDs() []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]int, len(s.w.devs))
	for i := range s.w.devs {
		out[i] = int(s.w.devs[i].id)
	}
	return out
}

// FieldNoticeIDs lists the field notice bulletins' ids in API order.
func (s *Server) FieldNoticeIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, len(s.w.fnb))
	for i := range s.w.fnb {
		out[i] = s.w.fnb[i].id
	}
	return out
}

// changeDevice runs change on the world, under the lock, with the index of
// the device deviceID.
func (s *Server) changeDevice(deviceID int, change func(w *world, i int) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := findDevice(s.w, strconv.Itoa(deviceID))
	if i < 0 {
		return fmt.Errorf("cxsim: no device with deviceId %d", deviceID)
	}
	return change(s.w, i)
}

// SetDeviceStatus sets a device's deviceStatus (any non-empty text, e.g.
// "ACTIVE" or "INACTIVE") as a processed upload would, bumping the
// devices endpoint's version when the status changes.
func (s *Server) SetDeviceStatus(deviceID int, status string) error {
	if status == "" || !utf8.ValidString(status) {
		return fmt.Errorf("cxsim: invalid device status %q", status)
	}
	return s.changeDevice(deviceID, func(w *world, i int) error {
		k := slices.Index(w.statuses, status)
		if k < 0 {
			if len(w.statuses) == 256 {
				return fmt.Errorf("cxsim: too many distinct device statuses")
			}
			k = len(w.statuses)
			w.statuses = append(w.statuses, status)
		}
		if int(w.devs[i].status) == k {
			return nil
		}
		w.devs[i].status = uint8(k)
		w.bump(w.processTime(s.now()), epDevices)
		return nil
	})
}

// AddFieldNoticeMatch reports a device as matching a field notice bulletin
// with confidence "Vulnerable", "Potentially Vulnerable" or "Not
// Vulnerable", on its chassis. An existing match of that device and
// bulletin gets the new confidence. The fieldNotices endpoint's version is
// bumped when anything changed.
func (s *Server) AddFieldNoticeMatch(deviceID int, fieldNoticeID string, confidence string) error {
	c := slices.Index(confidences[:], confidence)
	if c < 0 {
		return fmt.Errorf("cxsim: unknown match confidence %q", confidence)
	}
	return s.changeDevice(deviceID, func(w *world, i int) error {
		fn, ok := w.fnByID[fieldNoticeID]
		if !ok {
			return fmt.Errorf("cxsim: no field notice bulletin %q", fieldNoticeID)
		}
		if j := w.fnMatchIndex(int32(i), uint16(fn)); j >= 0 {
			if w.fns[j].conf == uint8(c) {
				return nil
			}
			w.fns[j].conf, w.fns[j].reason = uint8(c), 0
		} else {
			w.fns = append(w.fns, match{dev: int32(i), b: uint16(fn), conf: uint8(c)})
		}
		w.bump(w.processTime(s.now()), epFieldNotices)
		return nil
	})
}

// Step simulates one processed upload, deterministically from the seed and
// the number of earlier steps (and the state earlier mutations left): one
// collector uploads; a few devices change status and, on about every other
// step, a few are upgraded; some field notice and security advisory
// matches appear, disappear or change confidence. Only the endpoints whose
// data changed get a new version and Last-Modified: the bulletins and
// hardware end-of-life never change, assets and software end-of-life only
// with an upgrade.
func (s *Server) Step() {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	w.tick++
	r := simkit.NewRand(w.seed, stepStream<<16^w.tick)
	proc := w.processTime(s.now())

	c := &w.colls[int(w.tick-1)%len(w.colls)]
	c.lastUpload = max(c.lastUpload+1, proc-int64(10+r.IntN(30))*60)
	proc = max(proc, c.lastUpload)
	// The collector's devices carry its upload time as their inventory
	// timestamp, so devices change with every upload.
	changed := []int{epCollectors, epDevices}

	for k := 0; k < max(1, len(w.devs)/200); k++ {
		d := &w.devs[r.IntN(len(w.devs))]
		if w.statuses[d.status] == "ACTIVE" {
			d.status = 1 // INACTIVE
		} else {
			d.status = 0
		}
	}

	if r.IntN(2) == 0 {
		swChanged := false
		for k := 0; k < max(1, len(w.devs)/500); k++ {
			d := &w.devs[r.IntN(len(w.devs))]
			vers := products[d.prod].versions
			pos := slices.Index(vers, d.sw)
			if pos+1 >= len(vers) {
				continue
			}
			old := d.sw
			d.sw = vers[pos+1]
			changed = append(changed, epAssets) // the chassis reports the device's software
			if swVersions[old].eol >= 0 || swVersions[d.sw].eol >= 0 {
				swChanged = true
			}
		}
		if swChanged {
			w.rebuildSwItems()
			changed = append(changed, epSoftwareEoL)
		}
	}
	if w.stepFieldNotices(r) {
		changed = append(changed, epFieldNotices)
	}
	if w.stepAdvisories(r) {
		changed = append(changed, epAdvisories)
	}
	w.bump(proc, changed...)
}

func (w *world) stepFieldNotices(r *rand.Rand) bool {
	var changed bool
	w.fns, changed = stepMatches(r, len(w.devs), w.fns, &fnReasons,
		func(i int) []uint16 { return w.fnByPrd[w.devs[i].prod] })
	return changed
}

func (w *world) stepAdvisories(r *rand.Rand) bool {
	var changed bool
	w.sas, changed = stepMatches(r, len(w.devs), w.sas, &saReasons,
		func(i int) []uint16 { return w.saByTyp[swVersions[w.devs[i].sw].typ] })
	return changed
}

// stepMatches changes the matches of bulletins to devices as a processing
// run does: new matches for a few random devices (one in 300, at least
// one) to a bulletin of theirs (cands) they lack, half as many dropped,
// and one regraded, with a new reason of reasons.
func stepMatches(r *rand.Rand, devs int, ms []match, reasons *[3][]string, cands func(dev int) []uint16) ([]match, bool) {
	changed := false
	n := max(1, devs/300)
	for k := 0; k < n; k++ {
		i := r.IntN(devs)
		cs := cands(i)
		if len(cs) == 0 {
			continue
		}
		b := cs[r.IntN(len(cs))]
		if slices.ContainsFunc(ms, func(m match) bool { return m.dev == int32(i) && m.b == b }) {
			continue
		}
		ms = append(ms, newMatch(r, int32(i), b, reasons))
		changed = true
	}
	for k := 0; k < (n+1)/2 && len(ms) > 1; k++ {
		j := r.IntN(len(ms))
		ms = slices.Delete(ms, j, j+1)
		changed = true
	}
	if len(ms) > 0 {
		m := &ms[r.IntN(len(ms))]
		m.conf = uint8((int(m.conf) + 1 + r.IntN(2)) % len(confidences))
		m.reason = uint8(r.IntN(len(reasons[m.conf])))
		changed = true
	}
	return ms, changed
}

func (w *world) fnMatchIndex(dev int32, fn uint16) int {
	return slices.IndexFunc(w.fns, func(m match) bool { return m.dev == dev && m.b == fn })
}

// processTime is when a change is processed: now, to the second, but never
// before the previous processing, so Last-Modified does not go back.
func (w *world) processTime(now time.Time) int64 {
	return max(now.Unix(), w.lastProc)
}

// bump gives each endpoint a new data version processed at proc (each
// once, however often it is listed), and so the endpoints derived from
// them.
func (w *world) bump(proc int64, eps ...int) {
	var done [nEndpoints]bool
	for _, ep := range eps {
		done[ep] = true
	}
	for i := range endpoints {
		for _, d := range endpoints[i].deps {
			done[i] = done[i] || done[d]
		}
	}
	for ep, ok := range done {
		if ok {
			w.vers[ep].n++
			w.vers[ep].mod = proc
		}
	}
	w.lastProc = proc
}
