package mistsim

import (
	"fmt"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// streamDevStep is Step's stream for devices and alarms, beside the tick.
const streamDevStep = 0x73746570

// Alarm is an alarm to raise with RaiseAlarm. Group and Severity default to
// the alarm_defs entry for Type; SiteID defaults to the first known
// device's site; Hostnames default to the known devices' names.
type Alarm struct {
	SiteID, Type, Group, Severity string
	DeviceMACs                    []string
	Hostnames                     []string
	// NoHostnames leaves hostnames out, as Mist does for a rogue's
	// detecting AP (shared/vendor-apis/mist.md E17).
	NoHostnames bool
	Note        string // the alarm object's optional note
}

// Sizes counts the world as it is now.
func (s *Server) Sizes() Sizes {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	z := Sizes{Sites: len(w.sites), Devices: w.nAssigned, Unassigned: len(w.devs) - w.nAssigned}
	for i := range w.devs[:w.nAssigned] {
		d := &w.devs[i]
		switch d.typ {
		case typeAP:
			z.APs++
			if d.connected {
				z.Clients += int(d.bands[0] + d.bands[1] + d.bands[2])
			}
		case typeSwitch:
			z.Switches++
		case typeGateway:
			z.Gateways++
		}
	}
	for i := range w.clients {
		if w.clients[i].hist {
			z.Historical++
		}
	}
	for _, a := range w.alarms {
		if !a.resolved {
			z.OpenAlarms++
		}
	}
	n := &w.net
	z.Ports, z.VPNPeers, z.WANTunnels, z.WxTunnels, z.BGPPeers, z.MxEdges = len(n.ports), len(n.vpnRecs), len(n.wan), len(n.wx), len(n.bgp), len(n.edges)
	return z
}

// SetDeviceConnected forces an assigned device up or down. A device that
// comes up has just booted; its AP clients are connected again. No alarm is
// raised or cleared (use RaiseAlarm / ClearAlarm).
func (s *Server) SetDeviceConnected(mac string, connected bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	i, ok := w.devByMAC[normMAC(mac)]
	if !ok {
		return fmt.Errorf("mistsim: no device with mac %q", mac)
	}
	if w.devs[i].site < 0 {
		return fmt.Errorf("mistsim: device %s is not assigned to a site", mac)
	}
	was := w.devs[i].connected
	w.setConnected(i, connected, s.now().UnixMilli())
	w.devs[i].stepDown = false
	if was != connected {
		defer s.pushStream([]int32{int32(i)}) // takes no world lock
	}
	return nil
}

func (w *world) setConnected(i int, connected bool, nowMs int64) {
	d := &w.devs[i]
	if d.connected == connected {
		return
	}
	d.connected = connected
	if connected {
		d.bootMs = nowMs
	} else {
		d.downMs = nowMs
	}
}

// AddSite creates a site with no devices in the org, as a POST to
// /api/v1/orgs/{org_id}/sites does, and returns its id: the site lists
// and counts, the site-scoped endpoints and the stream's channels know it
// from then on. Its city is the org's first site's.
func (s *Server) AddSite(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	nowMs := s.now().UnixMilli()
	c := w.sites[0].city
	id := uuidFrom(w.mut)
	w.sites = append(w.sites, site{id: id, name: name, city: c, address: c.street + ", " + c.town,
		lat: c.lat, lng: c.lng, created: nowMs, modified: nowMs})
	w.siteByID[id] = len(w.sites) - 1
	w.net.sle = append(w.net.sle, siteSLE{})
	return id
}

// RaiseAlarm adds an open alarm timestamped now and returns its id.
func (s *Server) RaiseAlarm(a Alarm) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	nowMs := s.now().UnixMilli()
	al := w.newAlarm(w.mut, a.Type, nowMs)
	if a.Group != "" {
		al.group = a.Group
	}
	if a.Severity != "" {
		al.severity = a.Severity
	}
	if al.group == "" {
		al.group = "infrastructure"
	}
	if al.severity == "" {
		al.severity = "warn"
	}
	al.siteID = a.SiteID
	var names []string
	for _, m := range a.DeviceMACs {
		m = normMAC(m)
		i, ok := w.devByMAC[m]
		if !ok {
			al.aps = append(al.aps, m)
			continue
		}
		d := &w.devs[i]
		switch d.typ {
		case typeSwitch:
			al.switches = append(al.switches, m)
		case typeGateway:
			al.gateways = append(al.gateways, m)
		default:
			al.aps = append(al.aps, m)
		}
		if d.name != "" {
			names = append(names, d.name)
		}
		if al.siteID == "" {
			al.siteID = w.siteID(d.site)
		}
	}
	al.hostnames = names
	if len(a.Hostnames) > 0 {
		al.hostnames = append([]string(nil), a.Hostnames...)
	}
	if a.NoHostnames {
		al.hostnames = nil
	}
	al.note = a.Note
	w.addAlarm(al)
	return al.id
}

// AckAlarm acknowledges an open alarm as admin (its ack_admin_name), now;
// acknowledging it again records the later admin and time. With
// Options.AckUpdatesLastSeen the alarm's last_seen moves to now too.
func (s *Server) AckAlarm(id, admin string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.w.alarmByID[id]
	switch {
	case !ok:
		return fmt.Errorf("mistsim: no alarm with id %q", id)
	case a.resolved:
		return fmt.Errorf("mistsim: alarm %q is resolved", id)
	}
	nowMs := s.now().UnixMilli()
	a.acked, a.ackedMs, a.ackAdmin = true, nowMs, admin
	if s.opts.AckUpdatesLastSeen {
		a.lastSeenMs = max(a.lastSeenMs, nowMs)
	}
	return nil
}

// ClearAlarm resolves an alarm; clearing a resolved alarm is a no-op.
func (s *Server) ClearAlarm(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.w.alarmByID[id]
	if !ok {
		return fmt.Errorf("mistsim: no alarm with id %q", id)
	}
	if !a.resolved {
		nowMs := s.now().UnixMilli()
		a.resolved, a.resolvedMs, a.lastSeenMs = true, nowMs, max(a.lastSeenMs, nowMs)
	}
	return nil
}

// Step advances the world one tick, deterministically from the seed and the
// tick count (and the state earlier steps and calls left): about half of the
// devices earlier steps took down come back, their down alarms resolved; a
// few other devices go down with a down alarm; a few other alarms are raised
// and a few resolved.
func (s *Server) Step() {
	s.pushStream(s.step())
}

// step is Step under the lock; it returns the devices that went up or
// down, for the stream.
func (s *Server) step() []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	before := make([]bool, w.nAssigned)
	for i := range before {
		before[i] = w.devs[i].connected
	}
	w.tick++
	r := simkit.NewRand(w.seed, streamDevStep<<32|w.tick)
	nowMs := s.now().UnixMilli()

	for i := range w.devs[:w.nAssigned] {
		d := &w.devs[i]
		if d.stepDown && !d.connected && r.IntN(2) == 0 {
			w.setConnected(i, true, nowMs)
			d.stepDown = false
			w.resolveDown(i, nowMs)
		}
	}
	nFlap := max(1, w.nAssigned/500)
	for k := 0; k < nFlap; k++ {
		i := int(w.byType[0][r.IntN(w.nAssigned)])
		d := &w.devs[i]
		if !d.connected {
			continue
		}
		w.setConnected(i, false, nowMs)
		d.stepDown = true
		w.addAlarm(w.deviceAlarm(r, downAlarmType(d.typ), i, nowMs))
	}

	nMisc := max(1, len(w.sites)/100)
	misc := []string{"high_cpu", "rogue_ap", "rogue_client", "sw_bad_optics", "adhoc_network"}
	var open []*alarm
	for _, a := range w.alarms {
		if !a.resolved && !isDownType(a.typ) {
			open = append(open, a)
		}
	}
	for k := 0; k < nMisc && len(open) > 0; k++ {
		j := r.IntN(len(open))
		a := open[j]
		a.resolved, a.resolvedMs, a.lastSeenMs = true, nowMs, nowMs
		open = append(open[:j], open[j+1:]...)
	}
	for k := 0; k < nMisc; k++ {
		if r.IntN(4) == 0 {
			w.addAlarm(w.siteAlarm(r, nowMs))
		} else {
			a := w.miscAlarm(r, misc, nowMs)
			a.lastSeenMs = nowMs
			w.addAlarm(a)
		}
	}
	w.stepNet(nowMs)
	var changed []int32
	for i, up := range before {
		if w.devs[i].connected != up {
			changed = append(changed, int32(i))
		}
	}
	return changed
}

func isDownType(t string) bool {
	return t == "device_down" || t == "switch_down" || t == "gw_down"
}

// resolveDown resolves the open down alarms that name device i.
func (w *world) resolveDown(i int, nowMs int64) {
	d := &w.devs[i]
	for _, a := range w.alarms {
		if a.resolved || a.typ != downAlarmType(d.typ) {
			continue
		}
		for _, lists := range [][]string{a.aps, a.switches, a.gateways} {
			for _, m := range lists {
				if m == d.mac {
					a.resolved, a.resolvedMs, a.lastSeenMs = true, nowMs, nowMs
				}
			}
		}
	}
}
