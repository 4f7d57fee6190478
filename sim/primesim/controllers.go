package primesim

import (
	"slices"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// The wireless controllers: the Devices of kind kindController, served
// again as WlanControllers (the fields of Checkmk's live v4 sample in
// prime-v4-dto-fields.json) and WlanControllerDetails (the fields public
// scripts read: name, ipAddress, type, modelNumber, productDescription,
// serialNumber, apGroups.apGroup[].apGroupName; prime.md section 8).

// streamCtrl draws the controllers' own values, apart from the world's
// stream so that adding them shifted nothing else.
const streamCtrl = 0x7072696d65736906

// ctrlModels are the part numbers, serial plants and product
// descriptions of devModels[kindController], in its order.
var ctrlModels = [...]struct{ pid, plant, desc string }{
	{"C9800-40-K9", "FOX", "Cisco Catalyst 9800-40 Wireless Controller"},
	{"C9800-80-K9", "FOX", "Cisco Catalyst 9800-80 Wireless Controller"},
	{"AIR-CT5520-K9", "FCH", "Cisco 5520 Wireless LAN Controller"},
}

// ctrl is what a controller has beyond its device record.
type ctrl struct {
	dev              int32 // index in world.devs
	serial           string
	mobility, rf     string
	contact          string
	audit            string
	backupMs         int64    // 0: never backed up
	apGroups         []string // the AP groups of the APs it manages, sorted
	cpuBase, memBase int      // utilization percents before the per-step jitter
	hot              bool     // runs its CPU above 90%
}

// ControllerInfo describes one simulated wireless controller.
type ControllerInfo struct {
	ID                     int64
	Name, IP, Serial       string
	Model                  string // the type, as Devices' deviceType
	ModelNumber            string
	Version                string
	Domain, Location       string
	MobilityGroup, RFGroup string
	APs                    int // APs joined to it (reachable ones)
	Clients                int // its APs' clients in the latest ClientCounts collection
	CPU, Memory            int // percents; 0 without Options.ControllerUtilization
	Hot                    bool
	APGroups               []string
	Reachable              bool
	LastBackupUnixMilli    int64 // 0 when never backed up
}

// buildControllers gives each controller its serial, groups and load, from
// its own stream.
func (w *world) buildControllers() {
	r := simkit.NewRand(w.seed, streamCtrl)
	salt := simkit.Mix(uint64(w.seed) ^ streamCtrl)
	groups := map[int32]map[string]bool{}
	for i := range w.aps {
		a := &w.aps[i]
		if groups[a.wlc] == nil {
			groups[a.wlc] = map[string]bool{}
		}
		groups[a.wlc][apGroupName(w, a)] = true
	}
	w.ctrls = w.ctrls[:0]
	for d := range w.devs {
		dev := &w.devs[d]
		if dev.kind != kindController {
			continue
		}
		k := len(w.ctrls)
		code := campusCodes[dev.campus]
		c := ctrl{
			dev:      int32(d),
			serial:   serialFor(r, ctrlModels[dev.model].plant, k, salt),
			mobility: code + "-MOBILITY",
			rf:       code + "-RF",
			contact:  code + " Wireless NOC",
			audit:    "IDENTICAL",
			cpuBase:  12 + r.IntN(45),
			memBase:  35 + r.IntN(35),
		}
		if r.IntN(3) == 0 {
			c.audit = "MISMATCH" // the value of Checkmk's sample
		}
		if r.IntN(6) > 0 {
			c.backupMs = w.nowMs - 3600_000 - r.Int64N(7*86400_000)
		}
		for g := range groups[int32(d)] {
			c.apGroups = append(c.apGroups, g)
		}
		slices.Sort(c.apGroups)
		w.ctrls = append(w.ctrls, c)
	}
	// One controller in ten runs hot, at least one, so that a CPU alert
	// has something to fire on.
	for _, k := range r.Perm(len(w.ctrls))[:min(len(w.ctrls), max(1, len(w.ctrls)/10))] {
		w.ctrls[k].hot = true
		w.ctrls[k].cpuBase = 94 + r.IntN(3)
	}
}

// apGroupName is the AP group of an AP: one per building.
func apGroupName(w *world, a *ap) string {
	return campusCodes[a.campus] + "-" + buildingTag(w, &w.floors[a.floor]) + "-APG"
}

// ctrlUtil is controller k's CPU and memory utilization at the current
// step: its base moved by a few points each Step, within 0..100; a hot
// controller stays above 90.
func (w *world) ctrlUtil(k int) (cpu, mem int) {
	c := &w.ctrls[k]
	h := simkit.Mix(uint64(w.seed) ^ w.tick*0x9E3779B97F4A7C15 ^ uint64(k+1)*0xC2B2AE3D27D4EB4F ^ streamCtrl)
	cpu = min(100, max(0, c.cpuBase+int(h%7)-3))
	mem = min(100, max(0, c.memBase+int(h>>8%5)-2))
	if c.hot {
		cpu = max(cpu, 91)
	}
	return cpu, mem
}

// ctrlTally is a controller's joined APs and their clients.
type ctrlTally struct{ aps, clients int }

// controllerTallies counts each controller's joined APs and their clients
// in the latest collection: an unreachable AP has joined no controller
// (AccessPointDetails shows none) and has no clients.
func (w *world) controllerTallies() []ctrlTally {
	byDev := make(map[int32]int, len(w.ctrls))
	for k := range w.ctrls {
		byDev[w.ctrls[k].dev] = k
	}
	out := make([]ctrlTally, len(w.ctrls))
	for i := range w.aps {
		a := &w.aps[i]
		if !a.up {
			continue
		}
		n, _, _ := w.apClients(i)
		t := &out[byDev[a.wlc]]
		t.aps++
		t.clients += n
	}
	return out
}

// ctrlTallies is the request's count of each controller's APs and clients.
func (v *view) ctrlTallies() []ctrlTally {
	if v.ctrlTally == nil {
		v.ctrlTally = v.w.controllerTallies()
	}
	return v.ctrlTally
}

// Controllers lists the wireless controllers in @id order, with their
// state now.
func (s *Server) Controllers() []ControllerInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	t := w.controllerTallies()
	out := make([]ControllerInfo, len(w.ctrls))
	for k := range w.ctrls {
		c := &w.ctrls[k]
		d := &w.devs[c.dev]
		info := ControllerInfo{ID: d.id, Name: d.name, IP: d.ip, Serial: c.serial,
			Model: devModels[kindController][d.model].typ, ModelNumber: ctrlModels[d.model].pid,
			Version: devModels[kindController][d.model].version,
			Domain:  campusNames[d.campus], Location: d.loc, MobilityGroup: c.mobility, RFGroup: c.rf,
			APs: t[k].aps, Clients: t[k].clients, Hot: c.hot, APGroups: slices.Clone(c.apGroups),
			Reachable: d.reach != unreachable, LastBackupUnixMilli: c.backupMs}
		if s.opts.ControllerUtilization {
			info.CPU, info.Memory = w.ctrlUtil(k)
		}
		out[k] = info
	}
	return out
}

type wlanControllerDTO struct {
	ID                 jnum   `json:"@id"`
	DisplayName        string `json:"@displayName"`
	AlarmStatus        string `json:"alarmStatus"`
	APCount            int    `json:"apCount"`
	AuditStatus        string `json:"auditStatus"`
	AutoRefresh        bool   `json:"autoRefresh"`
	ClientCount        int    `json:"clientCount"`
	Contact            string `json:"contact"`
	IPAddress          string `json:"ipAddress"` // a string in the v4 sample, unlike other resources' IPs
	LastBackup         string `json:"lastBackup,omitempty"`
	Location           string `json:"location"`
	MobilityGroupName  string `json:"mobilityGroupName"`
	Name               string `json:"name"`
	ReachabilityStatus any    `json:"reachabilityStatus"` // a boolean in the v4 sample
	RFGroupName        string `json:"rfGroupName"`
	SoftwareVersion    string `json:"softwareVersion"`
	Type               string `json:"type"`
}

type wlanControllerEntity struct {
	entityHead
	DTO wlanControllerDTO `json:"wlanControllersDTO"`
}

type apGroupJSON struct {
	APGroupName string `json:"apGroupName"`
}

type apGroupsJSON struct {
	APGroup []apGroupJSON `json:"apGroup"`
}

type wlanControllerDetailsDTO struct {
	ID          jnum         `json:"@id"`
	DisplayName string       `json:"@displayName"`
	APGroups    apGroupsJSON `json:"apGroups"`
	// CPUUtilization and MemoryUtilization are no source's names: sent
	// only with Options.ControllerUtilization.
	CPUUtilization     *int   `json:"cpuUtilization,omitempty"`
	IPAddress          any    `json:"ipAddress"`
	MemoryUtilization  *int   `json:"memoryUtilization,omitempty"`
	ModelNumber        string `json:"modelNumber"`
	Name               string `json:"name"`
	ProductDescription string `json:"productDescription"`
	SerialNumber       string `json:"serialNumber"`
	Type               string `json:"type"`
}

type wlanControllerDetailsEntity struct {
	entityHead
	DTO wlanControllerDetailsDTO `json:"wlanControllerDetailsDTO"`
}

// ctrlDev is the device record of controller row i.
func (v *view) ctrlDev(i int) *device { return &v.w.devs[v.w.ctrls[i].dev] }

// alarmStatus is a device's worst active alarm severity, CLEARED when it
// has none.
func (v *view) alarmStatus(dev int32) string {
	n := v.deviceAlarms()[dev]
	for sev := sevCritical; sev < sevCleared; sev++ {
		if n[sev] > 0 {
			return severityNames[sev]
		}
	}
	return severityNames[sevCleared]
}

func (v *view) wlanControllerDTO(i int) wlanControllerDTO {
	c := &v.w.ctrls[i]
	d := v.ctrlDev(i)
	t := v.ctrlTallies()[i]
	m := &devModels[kindController][d.model]
	out := wlanControllerDTO{
		ID: v.num(d.id), DisplayName: idString(d.id), AlarmStatus: v.alarmStatus(c.dev), APCount: t.aps,
		AuditStatus: c.audit, ClientCount: t.clients, Contact: c.contact, IPAddress: d.ip, Location: d.loc,
		MobilityGroupName: c.mobility, Name: d.name, ReachabilityStatus: d.reach != unreachable, RFGroupName: c.rf,
		SoftwareVersion: m.version, Type: m.typ,
	}
	if v.s.opts.ControllerReachabilityString {
		out.ReachabilityStatus = reachNames[d.reach]
	}
	if c.backupMs != 0 {
		out.LastBackup = isoDate(c.backupMs)
	}
	return out
}

func (v *view) wlanControllerDetailsDTO(i int) wlanControllerDetailsDTO {
	c := &v.w.ctrls[i]
	d := v.ctrlDev(i)
	out := wlanControllerDetailsDTO{
		ID: v.num(d.id), DisplayName: idString(d.id), IPAddress: v.inet(d.ip),
		ModelNumber: ctrlModels[d.model].pid, Name: d.name, ProductDescription: ctrlModels[d.model].desc,
		SerialNumber: c.serial, Type: devModels[kindController][d.model].typ,
	}
	for _, g := range c.apGroups {
		out.APGroups.APGroup = append(out.APGroups.APGroup, apGroupJSON{g})
	}
	if v.s.opts.ControllerUtilization {
		cpu, mem := v.w.ctrlUtil(i)
		out.CPUUtilization, out.MemoryUtilization = &cpu, &mem
	}
	return out
}

// ctrlFields are the attributes a controller list filters and sorts on.
func ctrlFields(extra map[string]field) map[string]field {
	fields := map[string]field{
		"name":      strField(func(v *view, i int) string { return v.ctrlDev(i).name }),
		"ipAddress": strField(func(v *view, i int) string { return v.ctrlDev(i).ip }),
		"type":      strField(func(v *view, i int) string { return devModels[kindController][v.ctrlDev(i).model].typ }),
	}
	for k, f := range extra {
		fields[k] = f
	}
	return fields
}

// ctrlResource is a resource over the controllers, rows in @id order (the
// devices', in which they were added). Their @ids are their Devices @ids:
// the simulator's choice, no source shows both.
func ctrlResource(name, dtoKey string, extra map[string]field, entity func(v *view, i int, h entityHead) any) *resource {
	return &resource{
		name: name, dtoKey: dtoKey,
		fields: ctrlFields(extra),
		rows:   func(v *view) int { return len(v.w.ctrls) },
		id:     func(v *view, i int) int64 { return v.ctrlDev(i).id },
		campus: func(v *view, i int) int8 { return v.ctrlDev(i).campus },
		entity: entity,
	}
}

func wlanControllersResource() *resource {
	return ctrlResource("WlanControllers", "wlanControllersDTO", map[string]field{
		"softwareVersion":   strField(func(v *view, i int) string { return devModels[kindController][v.ctrlDev(i).model].version }),
		"mobilityGroupName": strField(func(v *view, i int) string { return v.w.ctrls[i].mobility }),
		"rfGroupName":       strField(func(v *view, i int) string { return v.w.ctrls[i].rf }),
	}, func(v *view, i int, h entityHead) any { return wlanControllerEntity{h, v.wlanControllerDTO(i)} })
}

func wlanControllerDetailsResource() *resource {
	return ctrlResource("WlanControllerDetails", "wlanControllerDetailsDTO", map[string]field{
		"modelNumber":  strField(func(v *view, i int) string { return ctrlModels[v.ctrlDev(i).model].pid }),
		"serialNumber": strField(func(v *view, i int) string { return v.w.ctrls[i].serial }),
	}, func(v *view, i int, h entityHead) any {
		return wlanControllerDetailsEntity{h, v.wlanControllerDetailsDTO(i)}
	})
}
