package mistsim

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Wire shapes of E26-E35 and E21 (mist.md section 12). Inside a gateway's
// E10 document (fields=ports,...) the same objects lose org_id, site_id, mac
// and model, hence omitempty on those.

type portJSON struct {
	OrgID              string   `json:"org_id,omitempty"`
	SiteID             string   `json:"site_id,omitempty"`
	MAC                string   `json:"mac,omitempty"`
	PortID             string   `json:"port_id"`
	PortMAC            string   `json:"port_mac"`
	Type               string   `json:"type"`
	PortUsage          string   `json:"port_usage,omitempty"`
	Up                 bool     `json:"up"`
	Active             bool     `json:"active"`
	Disabled           bool     `json:"disabled"`
	FullDuplex         bool     `json:"full_duplex"`
	Speed              int64    `json:"speed"`
	RxBytes            int64    `json:"rx_bytes"`
	TxBytes            int64    `json:"tx_bytes"`
	RxPkts             int64    `json:"rx_pkts"`
	TxPkts             int64    `json:"tx_pkts"`
	RxErrors           int64    `json:"rx_errors"`
	TxErrors           int64    `json:"tx_errors"`
	RxBcastPkts        int64    `json:"rx_bcast_pkts"`
	TxBcastPkts        int64    `json:"tx_bcast_pkts"`
	RxMcastPkts        int64    `json:"rx_mcast_pkts"`
	TxMcastPkts        int64    `json:"tx_mcast_pkts"`
	RxBps              int64    `json:"rx_bps"`
	TxBps              int64    `json:"tx_bps"`
	MACCount           int      `json:"mac_count"`
	MACLimit           int      `json:"mac_limit"`
	PoeOn              *bool    `json:"poe_on,omitempty"`
	PoeDisabled        *bool    `json:"poe_disabled,omitempty"`
	PoeMode            string   `json:"poe_mode,omitempty"`
	PowerDraw          *float64 `json:"power_draw,omitempty"`
	StpState           string   `json:"stp_state,omitempty"`
	StpRole            string   `json:"stp_role,omitempty"`
	Latency            *float64 `json:"latency,omitempty"`
	Jitter             *float64 `json:"jitter,omitempty"`
	Loss               *float64 `json:"loss,omitempty"`
	NeighborMAC        string   `json:"neighbor_mac"`
	NeighborPortDesc   string   `json:"neighbor_port_desc,omitempty"`
	NeighborSystemName string   `json:"neighbor_system_name,omitempty"`
	XcvrModel          string   `json:"xcvr_model,omitempty"`
	XcvrPartNumber     string   `json:"xcvr_part_number,omitempty"`
	XcvrSerial         string   `json:"xcvr_serial,omitempty"`
	LastFlapped        float64  `json:"last_flapped"`
	ForSite            bool     `json:"for_site"`
}

type vpnPeerJSON struct {
	OrgID          string  `json:"org_id,omitempty"`
	SiteID         string  `json:"site_id,omitempty"`
	MAC            string  `json:"mac,omitempty"`
	RouterName     string  `json:"router_name"`
	PortID         string  `json:"port_id"`
	PeerMAC        string  `json:"peer_mac"`
	PeerRouterName string  `json:"peer_router_name"`
	PeerSiteID     string  `json:"peer_site_id"`
	PeerPortID     string  `json:"peer_port_id"`
	Type           string  `json:"type"`
	Up             bool    `json:"up"`
	IsActive       bool    `json:"is_active"`
	Latency        float64 `json:"latency"`
	Jitter         float64 `json:"jitter"`
	Loss           float64 `json:"loss"`
	MOS            float64 `json:"mos"`
	MTU            int     `json:"mtu"`
	Uptime         int64   `json:"uptime"`
	LastSeen       float64 `json:"last_seen"`
}

type wanTunnelJSON struct {
	OrgID       string `json:"org_id,omitempty"`
	SiteID      string `json:"site_id,omitempty"`
	MAC         string `json:"mac,omitempty"`
	Node        string `json:"node"`
	TunnelName  string `json:"tunnel_name"`
	WANName     string `json:"wan_name"`
	PeerIP      string `json:"peer_ip"`
	PeerHost    string `json:"peer_host"`
	IP          string `json:"ip"`
	Protocol    string `json:"protocol"`
	Priority    string `json:"priority"`
	AuthAlgo    string `json:"auth_algo,omitempty"`
	EncryptAlgo string `json:"encrypt_algo,omitempty"`
	IKEVersion  string `json:"ike_version,omitempty"`
	Up          bool   `json:"up"`
	LastEvent   string `json:"last_event,omitempty"`
	Uptime      int64  `json:"uptime"`
	RxBytes     int64  `json:"rx_bytes"`
	TxBytes     int64  `json:"tx_bytes"`
	RxPkts      int64  `json:"rx_pkts"`
	TxPkts      int64  `json:"tx_pkts"`
}

type mxSessionJSON struct {
	LocalSID  int    `json:"local_sid"`
	RemoteSID int    `json:"remote_sid"`
	State     string `json:"state"`
}

type mxTunnelJSON struct {
	MxtunnelID    string          `json:"mxtunnel_id"`
	MxedgeID      string          `json:"mxedge_id"`
	MxclusterID   string          `json:"mxcluster_id"`
	AP            string          `json:"ap"`
	OrgID         string          `json:"org_id"`
	SiteID        string          `json:"site_id"`
	RemoteIP      string          `json:"remote_ip"`
	RemotePort    int             `json:"remote_port"`
	State         string          `json:"state"`
	Sessions      []mxSessionJSON `json:"sessions"`
	Uptime        int64           `json:"uptime"`
	LastSeen      float64         `json:"last_seen"`
	MTU           int             `json:"mtu"`
	RxControlPkts int64           `json:"rx_control_pkts"`
	TxControlPkts int64           `json:"tx_control_pkts"`
}

type bgpJSON struct {
	OrgID       string  `json:"org_id,omitempty"`
	SiteID      string  `json:"site_id,omitempty"`
	MAC         string  `json:"mac,omitempty"`
	Model       string  `json:"model,omitempty"`
	Node        string  `json:"node"`
	VRFName     string  `json:"vrf_name"`
	Neighbor    string  `json:"neighbor"`
	NeighborMAC string  `json:"neighbor_mac,omitempty"`
	NeighborAS  any     `json:"neighbor_as"`
	LocalAS     any     `json:"local_as"`
	EVPNOverlay bool    `json:"evpn_overlay"`
	ForOverlay  bool    `json:"for_overlay"`
	State       string  `json:"state"`
	Up          bool    `json:"up"`
	Uptime      int64   `json:"uptime"`
	RxRoutes    int     `json:"rx_routes"`
	TxRoutes    int     `json:"tx_routes"`
	RxPkts      int64   `json:"rx_pkts"`
	TxPkts      int64   `json:"tx_pkts"`
	Timestamp   float64 `json:"timestamp"`
}

type mxCPUJSON struct {
	Usage     int            `json:"usage"`
	Idle      int            `json:"idle"`
	User      int            `json:"user"`
	System    int            `json:"system"`
	Interrupt int            `json:"interrupt"`
	CPUs      map[string]int `json:"cpus"`
}

type mxMemJSON struct {
	Usage     int   `json:"usage"`
	Total     int64 `json:"total"`
	Free      int64 `json:"free"`
	Available int64 `json:"available"`
	Buffers   int64 `json:"buffers"`
	Cached    int64 `json:"cached"`
}

type mxPortJSON struct {
	Up         bool   `json:"up"`
	FullDuplex bool   `json:"full_duplex"`
	Speed      int    `json:"speed"`
	MAC        string `json:"mac"`
	State      string `json:"state"`
	RxBytes    int64  `json:"rx_bytes"`
	TxBytes    int64  `json:"tx_bytes"`
	RxPkts     int64  `json:"rx_pkts"`
	TxPkts     int64  `json:"tx_pkts"`
	RxErrors   int64  `json:"rx_errors"`
	TxErrors   int64  `json:"tx_errors"`
}

type mxServiceJSON struct {
	RunningState   string  `json:"running_state"`
	PackageState   string  `json:"package_state"`
	PackageVersion string  `json:"package_version"`
	Uptime         int64   `json:"uptime"`
	LastSeen       float64 `json:"last_seen"`
}

type mxEdgeJSON struct {
	ID                string                   `json:"id"`
	Name              string                   `json:"name"`
	Model             string                   `json:"model"`
	Serial            string                   `json:"serial"`
	MAC               string                   `json:"mac"`
	SiteID            string                   `json:"site_id"`
	OrgID             string                   `json:"org_id"`
	MxclusterID       string                   `json:"mxcluster_id"`
	ForSite           bool                     `json:"for_site"`
	Status            string                   `json:"status"`
	Uptime            int64                    `json:"uptime"`
	LastSeen          float64                  `json:"last_seen"`
	NumTunnels        int                      `json:"num_tunnels"`
	CPUStat           mxCPUJSON                `json:"cpu_stat"`
	MemoryStat        *mxMemJSON               `json:"memory_stat,omitempty"`
	MemoryStats       *mxMemJSON               `json:"memory_stats,omitempty"`
	PortStat          map[string]mxPortJSON    `json:"port_stat"`
	LagStat           map[string]any           `json:"lag_stat"`
	ServiceStat       map[string]mxServiceJSON `json:"service_stat"`
	TuntermRegistered bool                     `json:"tunterm_registered"`
	MxagentRegistered bool                     `json:"mxagent_registered"`
	TuntermStat       struct {
		MonitoringFailed bool `json:"monitoring_failed"`
	} `json:"tunterm_stat"`
	SensorStat any `json:"sensor_stat,omitempty"`
}

// portCounters are a port's counters and rates at nowMs: they grow with the
// time the port carried traffic since its device booted.
type portCounters struct {
	rxBytes, txBytes, rxPkts, txPkts int64
	rxBps, txBps                     int64
}

// rates returns a thing's receive and transmit rates (bytes/s), spread
// from lo to hi by its hash h.
func rates(h uint64, lo, hi int64) (int64, int64) {
	span := hi - lo
	return lo + int64(h%uint64(span)), lo + int64((h>>24)%uint64(span))/2
}

func counters(h uint64, upMs int64, rx, tx int64, live bool) portCounters {
	c := portCounters{rxBytes: rx * upMs / 1000, txBytes: tx * upMs / 1000}
	size := 400 + int64(h>>40%800)
	c.rxPkts, c.txPkts = c.rxBytes/size, c.txBytes/size
	if live {
		c.rxBps, c.txBps = rx*8, tx*8
	}
	return c
}

// portUp is a port's link as the device reports it: its device is up,
// something is plugged in, Step has not taken it down, and an LLDP
// neighbour, if any, is up.
func (w *world) portUp(p *port) bool {
	if !w.devs[p.dev].connected || !p.cabled || !p.up() {
		return false
	}
	return p.nbr < 0 || w.devs[p.nbr].connected
}

func (w *world) portJSON(pi int32, nowMs int64, o *Options, embedded bool) portJSON {
	p := &w.net.ports[pi]
	d := &w.devs[p.dev]
	up := w.portUp(p)
	h := simkit.Mix(p.mac)
	var rx, tx int64
	switch p.kind {
	case portUplink:
		rx, tx = rates(h, 1_000_000, 60_000_000)
	case portWAN:
		rx, tx = rates(h, 100_000, 12_000_000)
	default:
		rx, tx = rates(h, 2_000, 2_000_000)
	}
	if !p.cabled {
		rx, tx = 0, 0
	}
	c := counters(h, p.upMs(d.bootMs, d.asOf(nowMs)), rx, tx, up)
	speed := int64(p.speed)
	if o.PortSpeedBps {
		speed *= 1_000_000
	}
	out := portJSON{
		PortID: p.id, PortMAC: macString(p.mac), Type: d.typ.String(), Up: up, Active: up,
		FullDuplex: up, Speed: speed, RxBytes: c.rxBytes, TxBytes: c.txBytes, RxPkts: c.rxPkts, TxPkts: c.txPkts,
		RxErrors: c.rxPkts / 2_000_000, TxErrors: c.txPkts / 5_000_000,
		RxBcastPkts: c.rxPkts / 300, TxBcastPkts: c.txPkts / 500, RxMcastPkts: c.rxPkts / 150, TxMcastPkts: c.txPkts / 200,
		RxBps: c.rxBps, TxBps: c.txBps, LastFlapped: secsNum(p.since(d.bootMs)), NeighborMAC: "",
	}
	if !embedded {
		out.OrgID, out.SiteID, out.MAC = w.orgID, w.siteID(d.site), d.mac
	}
	if !up {
		out.Speed = 0
		if p.cabled && d.connected {
			out.Speed = speed // negotiated before the link went
		}
	}
	if p.nbr >= 0 {
		n := &w.devs[p.nbr]
		out.NeighborMAC, out.NeighborPortDesc, out.NeighborSystemName = n.mac, p.nbrPort, n.name
	}
	if up {
		out.MACCount = 1
		if p.kind == portUplink || p.kind == portLAN && p.nbr >= 0 {
			out.MACCount = 2 + int(h%40)
		}
	}
	if d.typ == typeSwitch {
		if up {
			out.StpState, out.StpRole = "forwarding", "designated"
			if p.kind == portUplink && p.nbr >= 0 && w.devs[p.nbr].typ == typeGateway || p.kind == portUplink && p.id[len(p.id)-1] == '0' {
				out.StpRole = "root"
			}
		}
		if p.kind == portAccess && portLayouts[d.model.name].poe {
			on := p.poeW > 0 && up
			off := false
			draw := 0.0
			if on {
				draw = math.Round((p.poeW+float64(h>>8%10)/10)*10) / 10
			}
			out.PoeOn, out.PoeDisabled, out.PowerDraw = &on, &off, &draw
			out.PoeMode = "802.3at"
		}
		if p.kind == portUplink && p.cabled {
			out.XcvrModel, out.XcvrPartNumber = "SFP+-10G-SR", "740-021308"
			out.XcvrSerial = "N" + macString(h)[:9]
		}
	}
	if p.kind == portWAN {
		if o.WANPortUsage != "" {
			out.PortUsage = o.WANPortUsage
		}
		if up {
			lat := math.Round((4+float64(h%300)/10+float64(simkit.Mix(h^w.tick<<32)%30)/10)*10) / 10
			jit := math.Round(lat/10*10) / 10
			loss := 0.0
			out.Latency, out.Jitter, out.Loss = &lat, &jit, &loss
		}
	} else if d.typ == typeGateway {
		out.PortUsage = "lan"
	}
	return out
}

func (w *world) vpnJSON(v vpnRec, nowMs int64, o *Options, embedded bool) vpnPeerJSON {
	p := &w.net.vpn[v.path]
	a, b, ap, bp := p.a, p.b, p.aPort, p.bPort
	if v.rev {
		a, b, ap, bp = b, a, bp, ap
	}
	da, db := &w.devs[a], &w.devs[b]
	up := p.up() && da.connected && db.connected
	typ := "ipsec"
	if da.model.name == "SSR120" {
		typ = "svr"
	}
	h := simkit.Mix(da.macNum ^ db.macNum ^ uint64(len(ap)))
	drift := float64(simkit.Mix(h^w.tick<<32)%40) / 10
	out := vpnPeerJSON{
		RouterName: da.name, PortID: ap, PeerMAC: db.mac, PeerRouterName: db.name, PeerSiteID: w.siteID(db.site),
		PeerPortID: bp, Type: typ, Up: up, MTU: 1400, LastSeen: secsNum(nowMs - int64(h%20_000)),
	}
	if !embedded {
		out.OrgID, out.SiteID, out.MAC = w.orgID, w.siteID(da.site), da.mac
	}
	if up {
		out.Latency = math.Round((p.latency+drift)*10) / 10
		out.Jitter = math.Round(out.Latency/20*10) / 10
		out.Loss = float64(h>>16%3) / 10
		out.MOS = math.Round((4.4-out.Latency/200)*100) / 100
		since := p.since(max(da.bootMs, db.bootMs))
		out.Uptime = (nowMs - since) / 1000
		if o.VPNUptimeEpoch {
			out.Uptime = since / 1000
		}
		// The path over the first WAN carries traffic; the second stands by
		// unless the first is down.
		out.IsActive = ap == w.net.ports[w.net.devPorts[a][0]].id || !w.vpnPrimaryUp(v)
	} else {
		out.LastSeen = secsNum(max(p.downAt, da.downMs, db.downMs))
	}
	return out
}

// vpnPrimaryUp reports whether the path over the first WAN between the
// same two gateways is up.
func (w *world) vpnPrimaryUp(v vpnRec) bool {
	p := &w.net.vpn[v.path]
	for i := range w.net.vpn {
		q := &w.net.vpn[i]
		if q.a == p.a && q.b == p.b && q.aPort == w.net.ports[w.net.devPorts[p.a][0]].id {
			return q.up() && w.devs[q.a].connected && w.devs[q.b].connected
		}
	}
	return false
}

func (w *world) wanTunnelJSON(i int, nowMs int64, embedded bool) wanTunnelJSON {
	t := &w.net.wan[i]
	d := &w.devs[t.gw]
	up := t.up() && d.connected
	out := wanTunnelJSON{Node: "node0", TunnelName: t.name, WANName: t.wan, PeerIP: t.peerIP, PeerHost: t.peerHst,
		IP: t.ip, Protocol: t.protocol, Priority: t.priority, Up: up}
	if !embedded {
		out.OrgID, out.SiteID, out.MAC = w.orgID, w.siteID(d.site), d.mac
	}
	if t.protocol == "ipsec" {
		out.AuthAlgo, out.EncryptAlgo, out.IKEVersion = "hmac-sha-256-128", "aes-256-gcm", "2"
	}
	h := simkit.Mix(d.macNum ^ simkit.Mix(uint64(len(t.name))+uint64(t.priority[0])))
	rx, tx := rates(h, 10_000, 3_000_000)
	if t.priority == "secondary" {
		rx, tx = rx/50, tx/50
	}
	c := counters(h, t.upMs(d.bootMs, d.asOf(nowMs)), rx, tx, up)
	out.RxBytes, out.TxBytes, out.RxPkts, out.TxPkts = c.rxBytes, c.txBytes, c.rxPkts, c.txPkts
	if up {
		out.Uptime = (nowMs - t.since(d.bootMs)) / 1000
	} else {
		out.LastEvent = "peer not responding"
	}
	return out
}

func (w *world) mxTunnelJSON(i int, nowMs int64) mxTunnelJSON {
	t := &w.net.wx[i]
	e := &w.net.edges[t.edge]
	ap := &w.devs[t.ap]
	up := t.up() && ap.connected
	out := mxTunnelJSON{MxtunnelID: t.id, MxedgeID: e.id, MxclusterID: e.clusterID, AP: ap.mac, OrgID: w.orgID,
		SiteID: w.siteID(ap.site), RemoteIP: ap.ip, RemotePort: t.remotePort, State: "idle",
		Sessions: []mxSessionJSON{}, MTU: 1500, LastSeen: secsNum(nowMs - int64(simkit.Mix(ap.macNum)%15_000))}
	if up {
		since := max(t.since(ap.bootMs), e.bootMs)
		out.Uptime = (nowMs - since) / 1000
		out.State = "established"
		if n := len(w.apLive[t.ap]); n > 0 {
			out.State = "established_with_sessions"
			out.Sessions = []mxSessionJSON{{LocalSID: 1 + int(simkit.Mix(ap.macNum)%60000), RemoteSID: 1 + int(simkit.Mix(ap.macNum^1)%60000), State: "established"}}
		}
		upMs := t.upMs(max(ap.bootMs, e.bootMs), nowMs)
		out.RxControlPkts, out.TxControlPkts = upMs/30_000, upMs/30_000+1
	} else {
		out.LastSeen = secsNum(max(t.downAt, ap.downMs))
	}
	return out
}

func (w *world) bgpJSON(i int, nowMs int64, o *Options, embedded bool) bgpJSON {
	b := &w.net.bgp[i]
	d := &w.devs[b.gw]
	up := b.up() && d.connected && (b.neighborMAC == "" || w.devs[w.devByMAC[b.neighborMAC]].connected)
	out := bgpJSON{Node: "node0", VRFName: b.vrf, Neighbor: b.neighbor, NeighborMAC: b.neighborMAC,
		ForOverlay: b.overlay, State: "active", Up: up, Timestamp: secsNum(nowMs - int64(simkit.Mix(d.macNum)%30_000))}
	switch o.BGPASForm {
	case "int":
		out.LocalAS, out.NeighborAS = b.localAS, b.neighborAS
	case "string":
		out.LocalAS, out.NeighborAS = strconv.Itoa(b.localAS), strconv.Itoa(b.neighborAS)
	default: // as the spec's example: local_as a string, neighbor_as a number
		out.LocalAS, out.NeighborAS = strconv.Itoa(b.localAS), b.neighborAS
	}
	if !embedded {
		out.OrgID, out.SiteID, out.MAC, out.Model = w.orgID, w.siteID(d.site), d.mac, d.model.name
	}
	upMs := b.upMs(d.bootMs, d.asOf(nowMs))
	// Keepalives every 30 s and an update now and then.
	out.RxPkts, out.TxPkts = upMs/30_000+int64(b.rxRoutes), upMs/30_000+int64(b.txRoutes)
	if up {
		out.State = "established"
		out.Uptime = (nowMs - b.since(d.bootMs)) / 1000
		out.RxRoutes, out.TxRoutes = b.rxRoutes, b.txRoutes
	}
	return out
}

func (w *world) mxEdgeJSON(i int, nowMs int64, o *Options) mxEdgeJSON {
	e := &w.net.edges[i]
	h := simkit.Mix(e.macNum)
	cpu := e.cpu + int(simkit.Mix(h^w.tick<<32)%6)
	upS := (nowMs - e.bootMs) / 1000
	mem := &mxMemJSON{Usage: e.mem, Total: e.memTotal}
	mem.Free = e.memTotal * int64(100-e.mem) / 100
	mem.Available, mem.Buffers, mem.Cached = mem.Free+e.memTotal/20, e.memTotal/100, e.memTotal/10
	if o.MxEdgeMemoryKB {
		for _, p := range []*int64{&mem.Total, &mem.Free, &mem.Available, &mem.Buffers, &mem.Cached} {
			*p /= 1024
		}
	}
	out := mxEdgeJSON{
		ID: e.id, Name: e.name, Model: e.model, Serial: e.serial, MAC: e.mac, SiteID: w.siteID(e.site), OrgID: w.orgID,
		MxclusterID: e.clusterID, ForSite: e.forSite, Status: "connected", Uptime: upS,
		LastSeen: secsNum(nowMs - int64(h%10_000)), NumTunnels: e.tunnels,
		CPUStat: mxCPUJSON{Usage: cpu, Idle: 100 - cpu, User: cpu - cpu/3, System: cpu / 3,
			CPUs: map[string]int{"cpu0": cpu, "cpu1": max(0, cpu-2)}},
		PortStat: map[string]mxPortJSON{}, LagStat: map[string]any{"lacp0": map[string][]string{"active_ports": {"port0", "port1"}}},
		ServiceStat: map[string]mxServiceJSON{}, TuntermRegistered: true, MxagentRegistered: true,
	}
	if o.MxEdgeMemoryStats {
		out.MemoryStats = mem
	} else {
		out.MemoryStat = mem
	}
	for k, name := range []string{"port0", "port1", "port2", "port3"} {
		rx, tx := rates(simkit.Mix(h+uint64(k)), 100_000, 40_000_000)
		upMs := nowMs - e.bootMs
		if k >= 2 {
			upMs = 0 // not cabled
		}
		c := counters(h, upMs, rx, tx, k < 2)
		out.PortStat[name] = mxPortJSON{Up: k < 2, FullDuplex: k < 2, Speed: 10000 * (1 - k/2), MAC: macString(e.macNum + uint64(k) + 1),
			State: []string{"up", "up", "down", "down"}[k], RxBytes: c.rxBytes, TxBytes: c.txBytes, RxPkts: c.rxPkts, TxPkts: c.txPkts}
	}
	for _, svc := range []string{"tunterm", "mxagent", "mxocproxy", "radsecproxy"} {
		out.ServiceStat[svc] = mxServiceJSON{RunningState: "running", PackageState: "installed", PackageVersion: "0.5.2418",
			Uptime: upS, LastSeen: out.LastSeen}
	}
	if o.MxEdgeSensorStat {
		t := 38 + int(h%15)
		out.SensorStat = map[string]any{
			"temperatures": map[string]any{"CPU1": map[string]int{"degree": t}, "CPU2": map[string]int{"degree": t + 2},
				"Exhaust": map[string]int{"degree": t - 8}, "Inlet": map[string]int{"degree": 22 + int(h>>8%6)}},
			"redundancies": map[string]any{"PS": map[string]string{"state": "fullyredundant"}, "Fan": map[string]string{"state": "fullyredundant"}},
		}
	}
	return out
}

// kv is a JSON object that keeps its keys' order, as the spec's examples
// show them.
type kv []struct {
	k string
	v any
}

func (o kv) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(simkit.AppendJSONString(nil, e.k))
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (o *kv) add(k string, v any) {
	*o = append(*o, struct {
		k string
		v any
	}{k, v})
}

// sleValue is a site's ratio for one metric now: its base less a drift
// that moves at every Step, times the share of devices up where the metric
// is about them.
func (w *world) sleValue(si int, family, k int, base, upShare float64) float64 {
	drift := float64(simkit.Mix(uint64(w.seed)^uint64(si)<<20^uint64(family)<<16^uint64(k)<<8^w.tick)%400) / 10_000
	v := max(0, min(1, base-drift)) * upShare
	return math.Round(v*10_000) / 10_000
}

// sleResult is a site's E21 result for sle (wifi, wired, wan), or nil when
// the site has no devices of that family.
func (w *world) sleResult(si int, sle string) kv {
	c := w.countSite(si)
	s := &w.net.sle[si]
	var out kv
	// metrics adds a family's metrics but skip; the first is about the
	// family's n devices, so it falls with the share of them up.
	metrics := func(family int, keys []string, bases []float64, up, n int, skip string) {
		for k, key := range keys {
			if key == skip {
				continue
			}
			upShare := 1.0
			if k == 0 && n > 0 {
				upShare = float64(up) / float64(n)
			}
			out.add(key, w.sleValue(si, family, k, bases[k], upShare))
		}
	}
	out.add("site_id", w.sites[si].id)
	switch sle {
	case "wifi":
		if c.ap == 0 {
			return nil
		}
		out.add("num_aps", c.ap)
		out.add("num_clients", c.clients)
		skip := ""
		if c.ap < 2 {
			skip = "roaming" // no roaming between APs with one AP: no data
		}
		metrics(0, wifiSLEKeys[:], s.wifi[:], c.apUp, c.ap, skip)
	case "wired":
		if c.sw == 0 {
			return nil
		}
		wired := 0
		for _, di := range w.sites[si].devs {
			if d := &w.devs[di]; d.typ == typeSwitch && d.connected {
				wired += int(d.wired)
			}
		}
		out.add("num_switches", c.sw)
		out.add("num_clients", wired)
		metrics(1, wiredSLEKeys[:], s.wired[:], c.swUp, c.sw, "")
	case "wan":
		if c.gw == 0 {
			return nil
		}
		out.add("num_gateways", c.gw)
		out.add("num_clients", c.clients)
		metrics(2, wanSLEKeys[:], s.wan[:], c.gwUp, c.gw, "")
	}
	return out
}

// asOf is when a device last reported: now, or when it went down, so that
// the counters of a device that is down stand at their last values.
func (d *device) asOf(nowMs int64) int64 {
	if d.connected {
		return nowMs
	}
	return min(nowMs, max(d.downMs, d.bootMs))
}
