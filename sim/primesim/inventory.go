package primesim

import (
	"fmt"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// InventoryDetails: per device its chassis, Ethernet and IP interfaces
// and CDP neighbours. The sections and their fields are those of the one
// v3 response the DTO catalogue has (prime-v4-dto-fields.json,
// InventoryDetails, from PI3Q); port names, stacks and the topology are
// the simulator's own, shaped on Catalyst, ISR/ASR and 9800 conventions.
// The inventory is built once from the seed on its own random stream, so
// the other resources are the same with or without it.

// inventoryIDOffset sets InventoryDetails' @ids apart from the devices'
// deviceId, which the entity carries in summary.deviceId: the DTO gives no
// reason to expect the two to agree, so a client must join on deviceId.
const inventoryIDOffset = 700_000_000

// portRole is what a port is for.
type portRole uint8

const (
	roleAccess portRole = iota // a switch's access ports, for APs and wired clients
	roleLink                   // a switch's uplinks; a router's or controller's ports
	roleMgmt                   // the out-of-band management port
)

// Speeds, in bits per second.
const (
	speed10M  = 10_000_000
	speed100M = 100_000_000
	speed1G   = 1_000_000_000
	speed10G  = 10_000_000_000
)

// portGroup is a run of ports: Sprintf(format, member, port) when member
// (a switch's ports, numbered per stack member), else Sprintf(format,
// port); a format without a verb is one port.
type portGroup struct {
	format   string
	first, n int
	speed    int64
	role     portRole
	member   bool
}

// invModel is what the inventory says of a device model.
type invModel struct {
	pid, desc, plant string
	groups           []portGroup
	// extra is the group a router or controller grows when the topology
	// needs more ports than its fixed ones (a network module's).
	extra string
	caps  string // CDP capabilities
}

// invModels parallel devModels.
var invModels = [...][]invModel{
	kindController: {
		{"C9800-40-K9", "Cisco Catalyst 9800-40 Wireless Controller", "TTM", []portGroup{
			{"TenGigabitEthernet0/0/%d", 0, 4, speed10G, roleLink, false}, {"GigabitEthernet0", 0, 1, speed1G, roleMgmt, false},
		}, "", "Router Switch"},
		{"C9800-80-K9", "Cisco Catalyst 9800-80 Wireless Controller", "TTM", []portGroup{
			{"TenGigabitEthernet0/0/%d", 0, 8, speed10G, roleLink, false}, {"GigabitEthernet0", 0, 1, speed1G, roleMgmt, false},
		}, "", "Router Switch"},
		{"AIR-CT5520-K9", "Cisco 5520 Wireless LAN Controller", "FCH", []portGroup{
			{"TenGigabitEthernet0/0/%d", 1, 2, speed10G, roleLink, false}, {"ServicePort", 0, 1, speed1G, roleMgmt, false},
		}, "", "Router Switch"},
	},
	kindSwitch: {
		{"C9300-48P", "Cisco Catalyst 9300 Series 48-Port PoE+ Switch", "FDO", []portGroup{
			{"GigabitEthernet%d/0/%d", 1, 48, speed1G, roleAccess, true}, {"TenGigabitEthernet%d/1/%d", 1, 4, speed10G, roleLink, true},
			{"GigabitEthernet0/0", 0, 1, speed1G, roleMgmt, false},
		}, "", "Switch IGMP"},
		{"C9200L-24P-4G", "Cisco Catalyst 9200L 24-Port PoE+ 4x1G Uplink Switch", "JAE", []portGroup{
			{"GigabitEthernet%d/0/%d", 1, 24, speed1G, roleAccess, true}, {"GigabitEthernet%d/1/%d", 1, 4, speed1G, roleLink, true},
		}, "", "Switch IGMP"},
		{"WS-C3850-48P-E", "Cisco Catalyst 3850 48-Port PoE IP Services Switch", "FCL", []portGroup{
			{"GigabitEthernet%d/0/%d", 1, 48, speed1G, roleAccess, true}, {"GigabitEthernet%d/1/%d", 1, 4, speed1G, roleLink, true},
			{"GigabitEthernet0/0", 0, 1, speed1G, roleMgmt, false},
		}, "", "Switch IGMP"},
	},
	kindRouter: {
		{"ISR4451-X/K9", "Cisco ISR 4451 Integrated Services Router", "FLM", []portGroup{
			{"GigabitEthernet0/0/%d", 0, 4, speed1G, roleLink, false}, {"GigabitEthernet0", 0, 1, speed1G, roleMgmt, false},
		}, "GigabitEthernet0/1/%d", "Router Switch IGMP"},
		{"ASR1001-X", "Cisco ASR 1001-X Router", "FXS", []portGroup{
			{"TenGigabitEthernet0/1/%d", 0, 2, speed10G, roleLink, false}, {"GigabitEthernet0/0/%d", 0, 6, speed1G, roleLink, false},
			{"GigabitEthernet0", 0, 1, speed1G, roleMgmt, false},
		}, "GigabitEthernet0/2/%d", "Router IGMP"},
		{"C8300-1N1S-6T", "Cisco Catalyst 8300-1N1S-6T Edge Platform", "FDX", []portGroup{
			{"GigabitEthernet0/0/%d", 0, 6, speed1G, roleLink, false}, {"GigabitEthernet0", 0, 1, speed1G, roleMgmt, false},
		}, "GigabitEthernet0/1/%d", "Router Switch IGMP"},
	},
}

// Interface MAC prefixes of the devices, apart from the APs'.
var devOUIs = []uint64{0x00a3d1, 0x2c3124, 0x70b317, 0xf4cfe2}

type port struct {
	name, desc string
	speed      int64 // bits per second while the link is up
	mtu        int32
	role       portRole
	adminDown  bool
	up         bool  // the link, for ports without an AP
	ap         int32 // the AP on the port (its reachability is the link's), or -1
	peer       int32 // the neighbour device, or -1
	peerPort   int32
}

type ipIf struct{ name, ip string }

type chassis struct {
	serial string
	index  int32 // entPhysicalIndex
}

// inventory is what InventoryDetails says of one device.
type inventory struct {
	id      int64
	chassis []chassis // a stack's members, the stack's own chassis first
	ports   []port
	ips     []ipIf
	macBase uint64
	bootMs  int64
}

// invBuilder hands out each device's free ports while the topology is
// laid.
type invBuilder struct {
	w    *world
	lo   []int // next access port from the front, by device
	hi   []int // next access port from the back
	link []int // next link port
}

func (w *world) buildInventory() {
	r := simkit.NewRand(w.seed, streamInv)
	salt := simkit.Mix(uint64(w.seed) ^ streamInv)
	w.inv = make([]inventory, len(w.devs))
	b := &invBuilder{w: w, lo: make([]int, len(w.devs)), hi: make([]int, len(w.devs)), link: make([]int, len(w.devs))}
	nChassis := 0
	// A controller's chassis serial is the one WlanControllerDetails gives.
	ctrlSerial := map[int]string{}
	for _, c := range w.ctrls {
		ctrlSerial[int(c.dev)] = c.serial
	}
	for i := range w.devs {
		d := &w.devs[i]
		m := &invModels[d.kind][d.model]
		members := 1
		// About one switch in ten is a stack of two or three.
		if d.kind == kindSwitch && r.IntN(10) == 0 {
			members = 2 + r.IntN(2)
		}
		inv := &w.inv[i]
		inv.id = d.id + inventoryIDOffset
		inv.bootMs = d.collectedMs - 3600_000 - r.Int64N(400*86400_000)
		inv.macBase = devOUIs[i%len(devOUIs)]<<24 | spread(i, salt, 12)<<12
		for k := 1; k <= members; k++ {
			idx := int32(1)
			if members > 1 {
				idx = int32(1000 * k) // Catalyst stacks number their chassis 1000, 2000, ...
			}
			ch := chassis{serial: serialFor(r, m.plant, nChassis, salt), index: idx}
			if sn, ok := ctrlSerial[i]; ok {
				ch.serial = sn
			}
			inv.chassis = append(inv.chassis, ch)
			nChassis++
		}
		for _, g := range m.groups {
			for k := 1; k <= members; k++ {
				if !g.member && k > 1 {
					break
				}
				for p := g.first; p < g.first+g.n; p++ {
					name := g.format
					switch {
					case g.member:
						name = fmt.Sprintf(g.format, k, p)
					case strings.Contains(g.format, "%"):
						name = fmt.Sprintf(g.format, p)
					}
					mtu := int32(1500)
					if g.role == roleLink {
						mtu = 9198
					}
					inv.ports = append(inv.ports, port{name: name, speed: g.speed, mtu: mtu, role: g.role, ap: -1, peer: -1, peerPort: -1})
				}
			}
		}
		b.hi[i] = len(inv.ports) - 1
		for j := range inv.ports {
			if inv.ports[j].role == roleMgmt {
				inv.ports[j].up = true
			}
		}
		switch d.kind {
		case kindSwitch:
			inv.ips = []ipIf{{"Vlan10", d.ip}}
		case kindController:
			inv.ips = []ipIf{{"Vlan10", d.ip}}
		case kindRouter:
			inv.ips = []ipIf{{"Loopback0", d.ip}, {"GigabitEthernet0", fmt.Sprintf("192.168.%d.%d", 100+d.campus, 1+i%250)}}
		}
	}
	b.topology()
	// The ports left: wired clients on some access ports, the rest not
	// connected, a few shut down.
	for i := range w.devs {
		inv := &w.inv[i]
		wired := int(w.devs[i].wiredBase)
		for j := range inv.ports {
			p := &inv.ports[j]
			if p.role != roleAccess || p.ap >= 0 || p.peer >= 0 {
				continue
			}
			switch {
			case wired > 0:
				wired--
				p.up = true
				p.speed = []int64{speed100M, speed1G, speed1G, speed1G}[r.IntN(4)]
			case r.IntN(20) == 0:
				p.adminDown = true
			}
		}
	}
}

// topology cables the devices of each campus: every controller to two of
// the campus's routers, each building's first switch to two routers and
// its other switches to the first, and every AP to a switch of its
// building.
func (b *invBuilder) topology() {
	w := b.w
	routers := make([][]int, w.campuses)
	ctrls := make([][]int, w.campuses)
	switches := make([][]int, len(w.buildings))
	for i := range w.devs {
		d := &w.devs[i]
		switch d.kind {
		case kindRouter:
			routers[d.campus] = append(routers[d.campus], i)
		case kindController:
			ctrls[d.campus] = append(ctrls[d.campus], i)
		case kindSwitch:
			switches[d.building] = append(switches[d.building], i)
		}
	}
	// Every model has the link ports this needs: a switch or controller
	// uses two at most, and a router grows its module's.
	toRouters := func(i int, k int) {
		rs := routers[w.devs[i].campus]
		for j := range min(2, len(rs)) {
			b.cable(i, b.linkPort(i), rs[(k+j)%len(rs)], b.linkPort(rs[(k+j)%len(rs)]))
		}
	}
	for c := range ctrls {
		for k, i := range ctrls[c] {
			toRouters(i, k)
		}
	}
	for bi, ss := range switches {
		if len(ss) == 0 {
			continue
		}
		toRouters(ss[0], bi)
		for _, i := range ss[1:] {
			if down := b.accessPort(ss[0], true); down >= 0 {
				b.cable(i, b.linkPort(i), ss[0], down)
			}
		}
	}
	next := make([]int, len(w.buildings))
	for a := range w.aps {
		ss := switches[w.floors[w.aps[a].floor].building]
		bi := w.floors[w.aps[a].floor].building
		for range ss {
			i := ss[next[bi]%len(ss)]
			next[bi]++
			if j := b.accessPort(i, false); j >= 0 {
				p := &w.inv[i].ports[j]
				p.ap, p.desc = int32(a), w.aps[a].name
				break
			}
		}
	}
}

// linkPort returns a free link port of device i, adding one to a router's
// module when its own are taken.
func (b *invBuilder) linkPort(i int) int {
	inv := &b.w.inv[i]
	for ; b.link[i] < len(inv.ports); b.link[i]++ {
		if p := &inv.ports[b.link[i]]; p.role == roleLink && p.peer < 0 {
			return b.link[i]
		}
	}
	d := &b.w.devs[i]
	m := &invModels[d.kind][d.model]
	n := 0
	for j := range inv.ports {
		if strings.HasPrefix(inv.ports[j].name, strings.TrimSuffix(m.extra, "%d")) {
			n++
		}
	}
	inv.ports = append(inv.ports, port{name: fmt.Sprintf(m.extra, n), speed: speed1G, mtu: 9198, role: roleLink, ap: -1, peer: -1, peerPort: -1})
	b.link[i] = len(inv.ports) - 1
	return b.link[i]
}

// accessPort returns a free access port of switch i, from the back
// (downlinks to the building's other switches) or the front (APs), or -1.
func (b *invBuilder) accessPort(i int, back bool) int {
	ports := b.w.inv[i].ports
	for b.lo[i] <= b.hi[i] {
		j := b.lo[i]
		if back {
			j = b.hi[i]
			b.hi[i]--
		} else {
			b.lo[i]++
		}
		if ports[j].role == roleAccess {
			return j
		}
	}
	return -1
}

// cable connects port pa of device a and port pb of device b.
func (b *invBuilder) cable(a, pa, c, pc int) {
	w := b.w
	x, y := &w.inv[a].ports[pa], &w.inv[c].ports[pc]
	speed := min(x.speed, y.speed)
	x.peer, x.peerPort, x.up, x.speed, x.desc = int32(c), int32(pc), true, speed, "to "+w.devs[c].name
	y.peer, y.peerPort, y.up, y.speed, y.desc = int32(a), int32(pa), true, speed, "to "+w.devs[a].name
}

// linkUp is a port's link now: an AP's port follows the AP.
func (w *world) linkUp(p *port) bool {
	if p.adminDown {
		return false
	}
	if p.ap >= 0 {
		return w.aps[p.ap].up
	}
	return p.up
}

func inventoryResource() *resource {
	return &resource{
		name: "InventoryDetails", dtoKey: "inventoryDetailsDTO",
		// The filters the DTO catalogue cites from Cisco's examples.
		fields: map[string]field{
			"summary.deviceName":   strField(func(v *view, i int) string { return v.w.devs[i].name }),
			"summary.reachability": strField(func(v *view, i int) string { return reachNames[v.w.devs[i].reach] }),
		},
		rows:   func(v *view) int { return len(v.w.inv) },
		id:     func(v *view, i int) int64 { return v.w.inv[i].id },
		campus: func(v *view, i int) int8 { return v.w.devs[i].campus },
		entity: func(v *view, i int, h entityHead) any { return inventoryEntity{h, v.inventoryDTO(i)} },
	}
}

// Wire shapes of InventoryDetails, in the catalogue's order (@id,
// @displayName, then the sections alphabetically). Each section is an
// object holding one list, as in the v3 response: chassis.chassis[],
// ethernetInterfaces.ethernetInterface[], ipInterfaces.ipInterface[],
// cdpNeighbors.cdpNeighbor[]. A section with nothing in it is left out,
// as Prime omits nulls.

type inventoryEntity struct {
	entityHead
	DTO inventoryDTO `json:"inventoryDetailsDTO"`
}

type inventoryDTO struct {
	ID                 jnum                 `json:"@id"`
	DisplayName        string               `json:"@displayName"`
	CdpNeighbors       *cdpNeighborsJSON    `json:"cdpNeighbors,omitempty"`
	Chassis            chassisListJSON      `json:"chassis"`
	EthernetInterfaces *ethernetListJSON    `json:"ethernetInterfaces,omitempty"`
	IPInterfaces       *ipInterfaceListJSON `json:"ipInterfaces,omitempty"`
	Summary            inventorySummaryJSON `json:"summary"`
}

type cdpNeighborsJSON struct {
	CdpNeighbor any `json:"cdpNeighbor"`
}

type chassisListJSON struct {
	Chassis any `json:"chassis"`
}

type ethernetListJSON struct {
	EthernetInterface any `json:"ethernetInterface"`
}

type ipInterfaceListJSON struct {
	IPInterface any `json:"ipInterface"`
}

type cdpNeighborJSON struct {
	DuplexMode                 string `json:"duplexMode"`
	FarEndInterface            string `json:"farEndInterface"`
	InterfaceIndex             int    `json:"interfaceIndex"`
	NearEndInterface           string `json:"nearEndInterface"`
	NeighborCapabilities       string `json:"neighborCapabilities"`
	NeighborDeviceName         string `json:"neighborDeviceName"`
	NeighborDevicePlatformType string `json:"neighborDevicePlatformType"`
}

type chassisJSON struct {
	Description      string `json:"description"`
	EntPhysicalIndex int32  `json:"entPhysicalIndex"`
	ModelNr          string `json:"modelNr"`
	Name             string `json:"name"`
	ProductID        string `json:"productId"`
	SerialNr         string `json:"serialNr"`
}

type ethernetJSON struct {
	AdminStatus       string `json:"adminStatus"`
	Description       string `json:"description,omitempty"`
	DuplexMode        string `json:"duplexMode"`
	MacAddress        any    `json:"macAddress"`
	MTU               int32  `json:"mtu"`
	Name              string `json:"name"`
	OperationalStatus string `json:"operationalStatus"`
	Speed             int64  `json:"speed"`
}

type ipInterfaceJSON struct {
	AdminStatus       string `json:"adminStatus"`
	IPAddress         any    `json:"ipAddress"`
	Name              string `json:"name"`
	OperationalStatus string `json:"operationalStatus"`
}

type inventorySummaryJSON struct {
	DeviceID        int64  `json:"deviceId"`
	DeviceName      string `json:"deviceName"`
	DeviceType      string `json:"deviceType"`
	IPAddress       string `json:"ipAddress"`
	ProductFamily   string `json:"productFamily"`
	Reachability    string `json:"reachability"`
	SoftwareVersion string `json:"softwareVersion"`
	SystemTime      string `json:"systemTime"`
	UpTime          int64  `json:"upTime"`
}

// list is a list inside an entity: a bare object when it holds one
// element at a version of Options.BareListsAt.
func list[T any](v *view, items []T) any {
	if len(items) == 1 && v.s.bareLists[v.ver] {
		return items[0]
	}
	return items
}

// status spells an interface's state, as Options.InventoryStatusLowerCase
// asks.
func (v *view) status(up bool) string {
	s := "DOWN"
	if up {
		s = "UP"
	}
	if v.s.opts.InventoryStatusLowerCase {
		return strings.ToLower(s)
	}
	return s
}

// speed is a port's speed in the unit Options.InventorySpeedMbps asks for.
func (v *view) speed(bps int64) int64 {
	if v.s.opts.InventorySpeedMbps {
		return bps / 1_000_000
	}
	return bps
}

func (v *view) inventoryDTO(i int) inventoryDTO {
	w := v.w
	d := &w.devs[i]
	inv := &w.inv[i]
	m := &invModels[d.kind][d.model]
	up := (d.collectedMs - inv.bootMs) / 10 // sysUpTime's hundredths
	if v.s.opts.InventoryUpTimeSeconds {
		up = (d.collectedMs - inv.bootMs) / 1000
	}
	out := inventoryDTO{
		ID: v.num(inv.id), DisplayName: idString(inv.id),
		Summary: inventorySummaryJSON{
			DeviceID: d.id, DeviceName: d.name, DeviceType: devModels[d.kind][d.model].typ, IPAddress: d.ip,
			ProductFamily: productFamilies[d.kind], Reachability: reachNames[d.reach],
			SoftwareVersion: devModels[d.kind][d.model].version, SystemTime: isoDate(d.collectedMs), UpTime: up,
		},
	}
	chs := make([]chassisJSON, len(inv.chassis))
	for k, c := range inv.chassis {
		name := "Chassis"
		if len(inv.chassis) > 1 {
			name = fmt.Sprintf("Switch %d", k+1)
		}
		chs[k] = chassisJSON{Description: m.desc, EntPhysicalIndex: c.index, ModelNr: m.pid, Name: name, ProductID: m.pid, SerialNr: c.serial}
	}
	out.Chassis = chassisListJSON{list(v, chs)}
	eths := make([]ethernetJSON, len(inv.ports))
	var cdp []cdpNeighborJSON
	for j := range inv.ports {
		p := &inv.ports[j]
		link := w.linkUp(p)
		speed, duplex := int64(speed10M), "UNKNOWN" // what Catalyst reports of a port without a link
		if link {
			speed, duplex = p.speed, "FULL"
		}
		eths[j] = ethernetJSON{AdminStatus: v.status(!p.adminDown), Description: p.desc, DuplexMode: duplex,
			MacAddress: v.mac(inv.macBase + uint64(j)), MTU: p.mtu, Name: p.name, OperationalStatus: v.status(link), Speed: v.speed(speed)}
		switch {
		case p.peer >= 0:
			pd := &w.devs[p.peer]
			pm := &invModels[pd.kind][pd.model]
			cdp = append(cdp, cdpNeighborJSON{DuplexMode: "FULL", FarEndInterface: w.inv[p.peer].ports[p.peerPort].name,
				InterfaceIndex: j + 1, NearEndInterface: p.name, NeighborCapabilities: pm.caps,
				NeighborDeviceName: pd.name, NeighborDevicePlatformType: "cisco " + pm.pid})
		case p.ap >= 0 && link:
			// CDP forgets an AP that is gone.
			a := &w.aps[p.ap]
			cdp = append(cdp, cdpNeighborJSON{DuplexMode: "FULL", FarEndInterface: "GigabitEthernet0",
				InterfaceIndex: j + 1, NearEndInterface: p.name, NeighborCapabilities: "Router Trans-Bridge Source-Route-Bridge IGMP",
				NeighborDeviceName: a.name, NeighborDevicePlatformType: "cisco " + apModels[a.model].name})
		}
	}
	if len(eths) > 0 {
		out.EthernetInterfaces = &ethernetListJSON{list(v, eths)}
	}
	if len(cdp) > 0 {
		out.CdpNeighbors = &cdpNeighborsJSON{list(v, cdp)}
	}
	if len(inv.ips) > 0 {
		ips := make([]ipInterfaceJSON, len(inv.ips))
		for k, ip := range inv.ips {
			ips[k] = ipInterfaceJSON{AdminStatus: v.status(true), IPAddress: v.inet(ip.ip), Name: ip.name, OperationalStatus: v.status(true)}
		}
		out.IPInterfaces = &ipInterfaceListJSON{list(v, ips)}
	}
	return out
}

// DeviceInfo describes one simulated device (a controller, switch or
// router) as Devices and InventoryDetails give it.
type DeviceInfo struct {
	ID               int64  // deviceId, in Devices and in InventoryDetails' summary
	InventoryID      int64  // the InventoryDetails entity's @id
	Name, IP, Model  string // Model: the product id of its chassis
	Type             string // controller, switch or router, as the exporter names them
	Site             string // its location, "NA-Campus > Building-03"
	Reachability     string
	Serial           string   // its chassis's serial; a stack's first member's
	Members          []string // every chassis's serial, in entPhysicalIndex order
	Interfaces       int      // Ethernet interfaces
	UpInterfaces     int      // of which the link is up now
	Neighbors        int      // CDP neighbours now
	UptimeHundredths int64    // summary.upTime at its last inventory collection, in hundredths of a second
	// Links are its ports with a CDP neighbour now, by port name.
	Links map[string]Link
}

// Link is a CDP neighbour: the device (or AP) and its port.
type Link struct{ Neighbor, Port string }

// deviceTypes names the kinds as the exporter does.
var deviceTypes = [...]string{kindController: "controller", kindSwitch: "switch", kindRouter: "router"}

// Devices lists the controllers, switches and routers in @id order, with
// their state now.
func (s *Server) Devices() []DeviceInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	out := make([]DeviceInfo, len(w.devs))
	for i := range w.devs {
		d := &w.devs[i]
		inv := &w.inv[i]
		info := DeviceInfo{ID: d.id, InventoryID: inv.id, Name: d.name, IP: d.ip, Model: invModels[d.kind][d.model].pid,
			Type: deviceTypes[d.kind], Site: d.loc, Reachability: reachNames[d.reach], Serial: inv.chassis[0].serial,
			Interfaces: len(inv.ports), UptimeHundredths: (d.collectedMs - inv.bootMs) / 10, Links: map[string]Link{}}
		for _, c := range inv.chassis {
			info.Members = append(info.Members, c.serial)
		}
		for j := range inv.ports {
			p := &inv.ports[j]
			link := w.linkUp(p)
			if link {
				info.UpInterfaces++
			}
			switch {
			case p.peer >= 0:
				info.Links[p.name] = Link{w.devs[p.peer].name, w.inv[p.peer].ports[p.peerPort].name}
			case p.ap >= 0 && link:
				info.Links[p.name] = Link{w.aps[p.ap].name, "GigabitEthernet0"}
			}
		}
		info.Neighbors = len(info.Links)
		out[i] = info
	}
	return out
}

// DeviceSeeds lists the APs, controllers, switches and routers as the
// exporter names them, with their serials and sites, for a source of truth
// to mirror.
func (s *Server) DeviceSeeds() []simkit.DeviceSeed {
	var out []simkit.DeviceSeed
	for _, ap := range s.APs() {
		out = append(out, simkit.DeviceSeed{Serial: ap.Serial, Name: ap.Name, Site: ap.Site, Vendor: "Cisco", Type: "ap"})
	}
	for _, d := range s.Devices() {
		out = append(out, simkit.DeviceSeed{Serial: d.Serial, Name: d.Name, Site: d.Site, Vendor: "Cisco", Type: d.Type})
	}
	return out
}
