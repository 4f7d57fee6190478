package mistsim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// The wired, WAN and Mist Edge world (E26-E35, E21) is drawn from streams of
// its own after everything else, so the devices, clients and alarms of a
// seed are what they were before it existed.
const (
	streamNet  = 0x6d69737473696d10 // ports, peers, tunnels, BGP, Mist Edges
	streamSLE  = 0x6d69737473696d11 // per-site SLE bases
	streamStep = 0x6e6574           // Step's draws for the network, beside the tick
)

// portLayout is a model's ports: access (or LAN) ports, then uplinks (or,
// for gateways, the first wan ports are WAN).
type portLayout struct {
	n, uplinks, wan  int
	name, upName     string // fmt patterns with the port number
	speed, upSpeed   int32  // Mbps
	poe              bool
	poeMaxW, psus, f int // PoE budget (W), power supplies, fans
}

var portLayouts = map[string]portLayout{
	"EX4100-F-12P": {n: 12, uplinks: 4, name: "ge-0/0/%d", upName: "xe-0/2/%d", speed: 1000, upSpeed: 10000, poe: true, poeMaxW: 180, psus: 1, f: 2},
	"EX2300-24P":   {n: 24, uplinks: 4, name: "ge-0/0/%d", upName: "xe-0/1/%d", speed: 1000, upSpeed: 10000, poe: true, poeMaxW: 370, psus: 1, f: 1},
	"SRX320":       {n: 8, wan: 2, name: "ge-0/0/%d", speed: 1000, psus: 1},
	"SSR120":       {n: 6, wan: 2, name: "ge-0/0/%d", speed: 1000, psus: 1, f: 1},
}

const (
	portAccess uint8 = iota // switch access port
	portUplink              // switch uplink
	portWAN                 // gateway WAN port
	portLAN                 // gateway LAN port
)

// link is the state of something that Step takes down and brings back: a
// port, a VPN path, a tunnel, a BGP session. Counters grow only while it is
// up and restart with its device (lostBoot records which boot lostMs is of).
type link struct {
	downAt   int64 // ms; 0 = up
	lostMs   int64 // down time since the device's boot, closed spans only
	lostBoot int64
	flapMs   int64 // last change, ms (0: never changed since the world began)
	stepDown bool
}

func (l *link) up() bool { return l.downAt == 0 }

func (l *link) setDown(bootMs, nowMs int64) {
	if !l.up() {
		return
	}
	if l.lostBoot != bootMs {
		l.lostMs, l.lostBoot = 0, bootMs
	}
	l.downAt, l.flapMs, l.stepDown = nowMs, nowMs, true
}

func (l *link) setUp(bootMs, nowMs int64) {
	if l.up() {
		return
	}
	if l.lostBoot == bootMs {
		l.lostMs += nowMs - max(l.downAt, bootMs)
	}
	l.downAt, l.flapMs, l.stepDown = 0, nowMs, false
}

// upMs is how long the link carried traffic since bootMs: what its counters
// count.
func (l *link) upMs(bootMs, nowMs int64) int64 {
	lost := int64(0)
	if l.lostBoot == bootMs {
		lost = l.lostMs
	}
	if !l.up() && nowMs > l.downAt {
		lost += nowMs - max(l.downAt, bootMs)
	}
	return max(0, nowMs-bootMs-lost)
}

// since is when the link last came up, at the latest its device's boot.
func (l *link) since(bootMs int64) int64 { return max(l.flapMs, bootMs) }

type port struct {
	dev     int32
	id      string
	mac     uint64
	speed   int32
	kind    uint8
	nbr     int32  // device at the other end (-1: none seen by LLDP)
	nbrPort string // its port
	cabled  bool   // something is plugged in
	poeW    float64
	link
}

type vpnPath struct {
	a, b         int32 // gateway device indexes: spoke, hub
	aPort, bPort string
	latency      float64
	link
}

type wanTunnel struct {
	gw                         int32
	name, wan, peerIP, peerHst string
	ip, protocol, priority     string
	link
}

type mxEdge struct {
	id, name, model, serial, mac, clusterID string
	macNum                                  uint64
	site                                    int32
	forSite                                 bool
	bootMs                                  int64
	cpu, mem                                int
	memTotal                                int64
	tunnels                                 int
}

type wxTunnel struct {
	id         string
	edge, ap   int32
	remotePort int
	link
}

type bgpPeer struct {
	gw                  int32
	neighbor, vrf       string
	neighborMAC         string
	localAS, neighborAS int
	rxRoutes, txRoutes  int
	overlay             bool
	link
}

// siteSLE holds a site's SLE bases, ratios before the per-tick drift.
type siteSLE struct {
	wifi  [8]float64 // ap-availability, ap-health, capacity, coverage, roaming, successful-connect, throughput, time-to-connect
	wired [3]float64 // switch-health, switch-throughput, switch-bandwidth
	wan   [3]float64 // gateway-health, wan-link-health, application_health
}

var (
	wifiSLEKeys  = [8]string{"ap-availability", "ap-health", "capacity", "coverage", "roaming", "successful-connect", "throughput", "time-to-connect"}
	wiredSLEKeys = [3]string{"switch-health", "switch-throughput", "switch-bandwidth"}
	wanSLEKeys   = [3]string{"gateway-health", "wan-link-health", "application_health"}
)

// network is the wired and WAN part of the world. Every list is sorted by
// its search's natural key, the order its search pages in.
type network struct {
	ports    []port
	devPorts [][]int32 // by device index: its ports, in port order
	apPort   []int32   // by device index: the switch port an AP hangs off (-1)
	vpn      []vpnPath
	vpnRecs  []vpnRec // both ends of every path, sorted
	wan      []wanTunnel
	edges    []mxEdge
	wx       []wxTunnel
	bgp      []bgpPeer
	sle      []siteSLE
}

// vpnRec is one end of a VPN path: rev is the hub's view.
type vpnRec struct {
	path int32
	rev  bool
}

func (w *world) buildNet(nowMs int64) {
	r := simkit.NewRand(w.seed, streamNet)
	n := &w.net
	n.devPorts = make([][]int32, len(w.devs))
	n.apPort = make([]int32, len(w.devs))
	for i := range n.apPort {
		n.apPort[i] = -1
	}
	for si := range w.sites {
		w.buildSitePorts(r, int32(si))
	}
	// Sort ports by (mac, port_id), keeping devPorts pointing right.
	order := make([]int32, len(n.ports))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		pa, pb := &n.ports[a], &n.ports[b]
		return cmp.Or(cmp.Compare(w.devs[pa.dev].mac, w.devs[pb.dev].mac), cmp.Compare(pa.id, pb.id))
	})
	where := make([]int32, len(order))
	sorted := make([]port, len(order))
	for k, i := range order {
		sorted[k] = n.ports[i]
		where[i] = int32(k)
	}
	n.ports = sorted
	for di := range n.devPorts {
		for k, pi := range n.devPorts[di] {
			n.devPorts[di][k] = where[pi]
		}
		slices.SortFunc(n.devPorts[di], func(a, b int32) int { return cmp.Compare(n.ports[a].id, n.ports[b].id) })
	}
	for di, pi := range n.apPort {
		if pi >= 0 {
			n.apPort[di] = where[pi]
		}
	}

	w.buildVPN(r)
	w.buildWANTunnels(r)
	w.buildBGP(r)
	w.buildEdges(r, nowMs)
	w.buildSLE()
	// Some 6 GHz radios are switched off, only where no client uses them.
	for _, di := range w.byType[typeAP] {
		d := &w.devs[di]
		if d.model.has6 && d.bands[band6] == 0 && r.IntN(2) == 0 {
			d.radioOff |= 1 << band6
		}
	}
}

// buildSitePorts cables a site: switch 0's first uplink to gateway 0's
// first LAN port, every other switch to an uplink of the switch above it in
// a tree of three, each AP to an access port of a switch in turn.
func (w *world) buildSitePorts(r *rand.Rand, si int32) {
	s := &w.sites[si]
	var sws, gws, aps []int32
	for _, di := range s.devs {
		switch w.devs[di].typ {
		case typeSwitch:
			sws = append(sws, di)
		case typeGateway:
			gws = append(gws, di)
		case typeAP:
			aps = append(aps, di)
		}
	}
	n := &w.net
	add := func(di int32, idx int, kind uint8) int32 {
		d := &w.devs[di]
		l := portLayouts[d.model.name]
		p := port{dev: di, mac: d.macNum + uint64(idx) + 1, kind: kind, nbr: -1, speed: l.speed}
		if kind == portUplink {
			p.id = fmt.Sprintf(l.upName, idx-l.n)
			p.speed = l.upSpeed
		} else {
			p.id = fmt.Sprintf(l.name, idx)
		}
		n.ports = append(n.ports, p)
		pi := int32(len(n.ports) - 1)
		n.devPorts[di] = append(n.devPorts[di], pi)
		return pi
	}
	for _, di := range sws {
		l := portLayouts[w.devs[di].model.name]
		for k := 0; k < l.n; k++ {
			add(di, k, portAccess)
		}
		for k := 0; k < l.uplinks; k++ {
			add(di, l.n+k, portUplink)
		}
	}
	for _, di := range gws {
		l := portLayouts[w.devs[di].model.name]
		for k := 0; k < l.n; k++ {
			kind := portLAN
			if k < l.wan {
				kind = portWAN
			}
			pi := add(di, k, kind)
			if kind == portWAN {
				n.ports[pi].cabled = k == 0 || r.IntN(3) > 0
			}
		}
	}
	portOf := func(di int32, k int) *port { return &n.ports[n.devPorts[di][k]] }
	cable := func(a *port, b *port) {
		a.cabled, b.cabled = true, true
		a.nbr, b.nbr = b.dev, a.dev
		a.nbrPort, b.nbrPort = b.id, a.id
	}
	for k, di := range sws {
		l := portLayouts[w.devs[di].model.name]
		up := portOf(di, l.n)
		switch {
		case k == 0 && len(gws) > 0:
			cable(up, portOf(gws[0], portLayouts[w.devs[gws[0]].model.name].wan))
		case k > 0:
			parent := sws[(k-1)/3]
			pl := portLayouts[w.devs[parent].model.name]
			cable(up, portOf(parent, pl.n+1+(k-1)%3))
		}
	}
	for k := 1; k < len(gws); k++ {
		a, b := portLayouts[w.devs[gws[0]].model.name], portLayouts[w.devs[gws[k]].model.name]
		if a.wan+k < a.n {
			cable(portOf(gws[k], b.wan), portOf(gws[0], a.wan+k))
		}
	}
	// APs take access ports round the switches, from the top.
	if len(sws) > 0 {
		for j, ai := range aps {
			sw := sws[j%len(sws)]
			slot := j / len(sws)
			if slot >= portLayouts[w.devs[sw].model.name].n {
				continue
			}
			p := portOf(sw, slot)
			p.cabled, p.nbr, p.nbrPort = true, ai, "eth0"
			p.poeW = float64(90+r.IntN(160)) / 10
			n.apPort[ai] = n.devPorts[sw][slot]
		}
	}
	// The other access and LAN ports: about six in ten carry a wired client.
	for _, di := range append(slices.Clone(sws), gws...) {
		for _, pi := range n.devPorts[di] {
			p := &n.ports[pi]
			if p.cabled || (p.kind != portAccess && p.kind != portLAN) {
				continue
			}
			if r.IntN(10) < 6 {
				p.cabled = true
				if p.kind == portAccess && r.IntN(4) == 0 {
					p.poeW = float64(30+r.IntN(90)) / 10 // a phone or a camera
				}
			}
		}
	}
}

// hub is the gateway the other sites' gateways peer with: the first one of
// the first site that has one.
func (w *world) hubs() []int32 {
	for si := range w.sites {
		var out []int32
		for _, di := range w.sites[si].devs {
			if w.devs[di].typ == typeGateway {
				out = append(out, di)
			}
		}
		if len(out) > 0 {
			return out[:1]
		}
	}
	return nil
}

// buildVPN joins every gateway of another site to the hub, one path per
// WAN port that both ends have cabled.
func (w *world) buildVPN(r *rand.Rand) {
	hubs := w.hubs()
	if len(hubs) == 0 {
		return
	}
	hub := hubs[0]
	n := &w.net
	hubSite := w.devs[hub].site
	for _, di := range w.byType[typeGateway] {
		if w.devs[di].site == hubSite {
			continue
		}
		for k := 0; k < 2; k++ {
			a, b := w.wanPort(di, k), w.wanPort(hub, k)
			if a == nil || b == nil || !a.cabled || !b.cabled {
				continue
			}
			n.vpn = append(n.vpn, vpnPath{a: di, b: hub, aPort: a.id, bPort: b.id, latency: float64(8+r.IntN(60)) + float64(r.IntN(10))/10})
		}
	}
	for i := range n.vpn {
		n.vpnRecs = append(n.vpnRecs, vpnRec{int32(i), false}, vpnRec{int32(i), true})
	}
	slices.SortFunc(n.vpnRecs, func(a, b vpnRec) int { return cmpKeys(w.vpnKey(a), w.vpnKey(b)) })
}

func (w *world) wanPort(di int32, k int) *port {
	ps := w.net.devPorts[di]
	if k >= len(ps) {
		return nil
	}
	if p := &w.net.ports[ps[k]]; p.kind == portWAN {
		return p
	}
	return nil
}

// vpnKey is (mac, port_id, peer_mac, peer_port_id).
func (w *world) vpnKey(v vpnRec) []string {
	p := &w.net.vpn[v.path]
	if v.rev {
		return []string{w.devs[p.b].mac, p.bPort, w.devs[p.a].mac, p.aPort}
	}
	return []string{w.devs[p.a].mac, p.aPort, w.devs[p.b].mac, p.bPort}
}

var tunnelServices = []struct{ host, name string }{
	{"zscaler", "zs"}, {"prisma", "pa"}, {"netskope", "ns"},
}

// buildWANTunnels gives about six in ten gateways a primary and a secondary
// tunnel to a cloud security service, over their first WAN.
func (w *world) buildWANTunnels(r *rand.Rand) {
	n := &w.net
	for _, di := range w.byType[typeGateway] {
		if r.IntN(10) >= 6 {
			continue
		}
		d := &w.devs[di]
		svc := tunnelServices[r.IntN(len(tunnelServices))]
		city := strings.ToLower(w.sites[d.site].city.code)
		proto := "ipsec"
		if r.IntN(4) == 0 {
			proto = "gre"
		}
		for k, prio := range []string{"primary", "secondary"} {
			n.wan = append(n.wan, wanTunnel{
				gw: di, name: fmt.Sprintf("%s-%s-%d", strings.ToLower(w.sites[d.site].name), svc.name, k+1), wan: "wan",
				peerIP: ipString(0xcb007100 | uint32(r.IntN(254)+1)), peerHst: fmt.Sprintf("%s%d-vpn.%s.example.net", city, k+1, svc.host),
				ip: w.extIP(di), protocol: proto, priority: prio,
			})
		}
	}
	slices.SortFunc(n.wan, func(a, b wanTunnel) int { return cmpKeys(w.wanKey(&a), w.wanKey(&b)) })
}

// wanKey is (mac, node, tunnel_name, peer_ip).
func (w *world) wanKey(t *wanTunnel) []string {
	return []string{w.devs[t.gw].mac, "node0", t.name, t.peerIP}
}

func (w *world) extIP(di int32) string {
	h := simkit.Mix(w.devs[di].macNum ^ 0x5eed)
	return ipString(uint32(0xc6336400) | uint32(h%250) + 1)
}

// buildBGP gives about six in ten gateways an eBGP session to their ISP and
// the hub an overlay session with every spoke that has VPN paths.
func (w *world) buildBGP(r *rand.Rand) {
	n := &w.net
	for _, di := range w.byType[typeGateway] {
		if r.IntN(10) >= 6 {
			continue
		}
		n.bgp = append(n.bgp, bgpPeer{gw: di, neighbor: ipString(0x64400000 | uint32(r.IntN(1<<16))<<2 | 1), vrf: "default",
			localAS: 65000 + int(di%500), neighborAS: []int{7018, 3356, 1299, 6939}[r.IntN(4)],
			rxRoutes: 1 + r.IntN(900), txRoutes: 1 + r.IntN(20)})
	}
	if hubs := w.hubs(); len(hubs) > 0 {
		hub := hubs[0]
		seen := map[int32]bool{}
		for _, p := range n.vpn {
			if seen[p.a] {
				continue
			}
			seen[p.a] = true
			n.bgp = append(n.bgp, bgpPeer{gw: hub, neighbor: fmt.Sprintf("10.255.%d.%d", p.a>>8&0xff, p.a&0xff), vrf: "corp",
				neighborMAC: w.devs[p.a].mac, localAS: 65000, neighborAS: 65000, overlay: true,
				rxRoutes: 2 + r.IntN(30), txRoutes: 40 + r.IntN(200)})
		}
	}
	slices.SortFunc(n.bgp, func(a, b bgpPeer) int { return cmpKeys(w.bgpKey(&a), w.bgpKey(&b)) })
}

// bgpKey is (mac, node, vrf_name, neighbor).
func (w *world) bgpKey(b *bgpPeer) []string {
	return []string{w.devs[b.gw].mac, "node0", b.vrf, b.neighbor}
}

// buildEdges puts a two-node Mist Edge cluster at the first site, serving
// the org, and a single one at about one site in forty, serving its site;
// every AP of a site with an edge tunnels to it.
func (w *world) buildEdges(r *rand.Rand, nowMs int64) {
	n := &w.net
	var sites []int32
	for si := range w.sites {
		if si == 0 || r.IntN(40) == 0 {
			sites = append(sites, int32(si))
		}
	}
	for _, si := range sites {
		cluster := uuidFrom(r)
		count := 1
		if si == 0 {
			count = 2
		}
		for k := 0; k < count; k++ {
			macNum := uint64(0x020001)<<24 | spread(len(n.edges), simkit.Mix(uint64(w.seed)^0xed6e))
			n.edges = append(n.edges, mxEdge{
				id: uuidFrom(r), name: fmt.Sprintf("%s-mxedge-%02d", w.sites[si].name, k+1),
				model: []string{"ME-X5", "ME-X6", "ME-X10"}[r.IntN(3)], serial: fmt.Sprintf("ME%010d", r.IntN(1_000_000_000)),
				mac: macString(macNum), macNum: macNum, clusterID: cluster, site: si, forSite: si != 0,
				bootMs: nowMs - 86_400_000 - r.Int64N(90*86_400_000), cpu: 3 + r.IntN(30), mem: 20 + r.IntN(40),
				memTotal: []int64{16, 32, 64}[r.IntN(3)] << 30,
			})
		}
	}
	slices.SortFunc(n.edges, func(a, b mxEdge) int { return cmp.Compare(a.id, b.id) })
	for _, si := range sites {
		var es []int32
		for i := range n.edges {
			if n.edges[i].site == si {
				es = append(es, int32(i))
			}
		}
		for j, di := range w.sites[si].devs {
			if w.devs[di].typ != typeAP {
				continue
			}
			e := es[j%len(es)]
			n.wx = append(n.wx, wxTunnel{id: "", edge: e, ap: di, remotePort: 30000 + r.IntN(30000)})
			n.edges[e].tunnels++
		}
	}
	for i := range n.wx {
		n.wx[i].id = uuidFrom(r)
	}
	slices.SortFunc(n.wx, func(a, b wxTunnel) int { return cmp.Compare(a.id, b.id) })
}

func (w *world) buildSLE() {
	r := simkit.NewRand(w.seed, streamSLE)
	w.net.sle = make([]siteSLE, len(w.sites))
	// Most sites meet their goals most of the time; one metric in ten of
	// a site is poor, down to lo.
	ratio := func(lo float64) float64 {
		if r.IntN(10) > 0 {
			return 0.95 + 0.05*r.Float64()
		}
		return lo + (0.95-lo)*r.Float64()
	}
	for i := range w.net.sle {
		s := &w.net.sle[i]
		for k := range s.wifi {
			s.wifi[k] = ratio(0.6)
		}
		for k := range s.wired {
			s.wired[k] = ratio(0.7)
		}
		for k := range s.wan {
			s.wan[k] = ratio(0.5)
		}
	}
}

// cmpKeys orders natural keys field by field.
func cmpKeys(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// stepNet is Step's share for the network, drawn from a stream of its own
// so that the devices and alarms step as they did before it: about half of
// the ports, paths, tunnels and sessions that earlier steps took down come
// back, and a few others go down. SLE values move with the tick itself.
func (w *world) stepNet(nowMs int64) {
	r := simkit.NewRand(w.seed, streamStep<<32|w.tick)
	n := &w.net
	// Links of devices that are down keep their state until the devices
	// come back: their counters stand still meanwhile.
	flap := func(count int, l func(i int) *link, boot func(i int) int64, eligible func(i int) bool) {
		if count == 0 {
			return
		}
		for i := range count {
			if x := l(i); x.stepDown && r.IntN(2) == 0 && eligible(i) {
				x.setUp(boot(i), nowMs)
			}
		}
		for range max(1, count/200) {
			i := r.IntN(count)
			if eligible(i) {
				l(i).setDown(boot(i), nowMs)
			}
		}
	}
	devBoot := func(di int32) int64 { return w.devs[di].bootMs }
	on := func(di ...int32) bool {
		for _, d := range di {
			if !w.devs[d].connected {
				return false
			}
		}
		return true
	}
	flap(len(n.ports), func(i int) *link { return &n.ports[i].link },
		func(i int) int64 { return devBoot(n.ports[i].dev) }, func(i int) bool { return n.ports[i].cabled && on(n.ports[i].dev) })
	flap(len(n.vpn), func(i int) *link { return &n.vpn[i].link },
		func(i int) int64 { return max(devBoot(n.vpn[i].a), devBoot(n.vpn[i].b)) }, func(i int) bool { return on(n.vpn[i].a, n.vpn[i].b) })
	flap(len(n.wan), func(i int) *link { return &n.wan[i].link },
		func(i int) int64 { return devBoot(n.wan[i].gw) }, func(i int) bool { return on(n.wan[i].gw) })
	flap(len(n.bgp), func(i int) *link { return &n.bgp[i].link },
		func(i int) int64 { return devBoot(n.bgp[i].gw) }, func(i int) bool { return on(n.bgp[i].gw) })
	flap(len(n.wx), func(i int) *link { return &n.wx[i].link },
		func(i int) int64 { return max(devBoot(n.wx[i].ap), n.edges[n.wx[i].edge].bootMs) }, func(i int) bool { return on(n.wx[i].ap) })
}
