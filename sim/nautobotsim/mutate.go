package nautobotsim

import "github.com/nmsexporter/nms_exporter/sim/simkit"

// Sizes counts the data as the list endpoints do now.
func (s *Server) Sizes() Sizes {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	locs, _ := w.domain(tLocation)
	if w.v1 {
		locs = len(w.levels[lvBuilding])
	}
	return Sizes{
		Devices: len(w.devs), Locations: locs, Sites: len(w.levels[lvSite]), Roles: len(w.roles),
		Platforms: len(w.platforms), Tenants: len(w.tenants), Statuses: len(w.statuses),
		Prefixes: len(w.prefixes), IPAddresses: len(w.ips),
	}
}

// Drift reports how the data differs from Options.Mirror now: the serials
// left out, renamed, at another site (Step may add to these) and added.
// It is empty without a mirror.
func (s *Server) Drift() Drift {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	var d Drift
	d.Missing = append(d.Missing, w.missing...)
	for k, seed := range w.seeds {
		di := w.seedDev[k]
		if di < 0 {
			continue
		}
		dev := &w.devs[di]
		if dev.name != seed.Name {
			d.Renamed = append(d.Renamed, seed.Serial)
		}
		if w.siteOf(dev.loc) != w.seedSite[k] {
			d.Moved = append(d.Moved, seed.Serial)
		}
	}
	if w.seeds != nil {
		for i := range w.devs {
			if w.devs[i].mirror < 0 {
				d.Extra = append(d.Extra, w.devs[i].serial)
			}
		}
	}
	return d
}

// Devices lists the devices in API order, as they are now.
func (s *Server) Devices() []DeviceInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	out := make([]DeviceInfo, len(w.devs))
	for i := range w.devs {
		d := &w.devs[i]
		info := DeviceInfo{ID: d.id.String(), Name: d.name, Serial: d.serial, Location: w.locs[d.loc].name,
			Role: w.roles[d.role].name, Status: w.statuses[d.status].name,
			Manufacturer: w.mfrs[w.dtypes[d.dtype].mfr].name, DeviceType: w.dtypes[d.dtype].name}
		if si := w.siteOf(d.loc); si >= 0 {
			info.Site = w.locs[si].name
		}
		if d.tenant >= 0 {
			info.Tenant = w.tenants[d.tenant].name
		}
		if d.platform >= 0 {
			info.Platform = w.platforms[d.platform].name
		}
		if d.ip >= 0 {
			info.PrimaryIP4 = w.ips[d.ip].cidr()
		}
		out[i] = info
	}
	return out
}

// Step advances the data one tick, deterministically from the seed and the
// tick count: a few devices (one in 200, at least one) change; about two in
// three change status (Active to another device status, anything else back
// to Active), the others move to another location of the same level (a
// building in generated data, a site in mirrored data). Changed devices
// get last_updated = now.
func (s *Server) Step() {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	w.tick++
	r := simkit.NewRand(w.seed, streamStep^w.tick<<20)
	nowUs := s.now().UnixMicro()
	if len(w.devs) == 0 {
		return
	}
	n := max(1, len(w.devs)/200)
	for k := 0; k < n; k++ {
		i := r.IntN(len(w.devs))
		d := &w.devs[i]
		level := w.locs[d.loc].level
		peers := w.levels[level]
		if r.IntN(3) == 0 && len(peers) > 1 {
			to := peers[r.IntN(len(peers))]
			for to == d.loc {
				to = peers[r.IntN(len(peers))]
			}
			w.locDevs[d.loc]--
			w.locDevs[to]++
			d.loc = to
		} else if d.status == w.stActive {
			d.status = w.devStatus[1+r.IntN(len(w.devStatus)-1)]
		} else {
			d.status = w.stActive
		}
		d.updated = nowUs
	}
}
