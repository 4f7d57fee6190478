package mistsim

import (
	"fmt"
	"math"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// The E10 fields of mist.md section 14 beyond the first ones served: radio
// utilisation, AP environment and uplink, switch and gateway modules, and a
// gateway's opt-in lists.

func loadAvg(cpu int) []float64 {
	l := float64(cpu) / 25
	return []float64{math.Round(l*100) / 100, math.Round(l*90) / 100, math.Round(l*80) / 100}
}

// split shares a radio's util_all out among its parts.
func split(r *radioJSON, h uint64) {
	t := r.UtilAll
	r.UtilTx = t * (25 + int(h%10)) / 100
	r.UtilRxInBSS = t * (20 + int(h>>4%10)) / 100
	r.UtilRxOtherBSS = t * (15 + int(h>>8%10)) / 100
	r.UtilUnknownWifi = t * 8 / 100
	r.UtilNonWifi = t * (5 + int(h>>12%5)) / 100
	r.UtilUndecodableWifi = max(0, t-r.UtilTx-r.UtilRxInBSS-r.UtilRxOtherBSS-r.UtilUnknownWifi-r.UtilNonWifi)
}

// lastTrouble is set for about one device in eight: why it last rebooted.
func lastTrouble(d *device, o *Options) *lastTroubleJSON {
	h := simkit.Mix(d.macNum ^ 0x7a0b1e)
	if h%8 != 0 {
		return nil
	}
	ts := d.bootMs / 1000
	if o.LastTroubleMs {
		ts = d.bootMs
	}
	return &lastTroubleJSON{Code: []string{"0x1F", "0x05", "0x0B"}[h>>8%3], Timestamp: ts}
}

func (w *world) apExtras(a *apStatJSON, d *device, up int64, nowMs int64, o *Options) {
	h := simkit.Mix(d.macNum ^ 0xe7a7)
	if o.OmitExampleOnly {
		a.MemTotalKB = 0
	} else {
		// Cumulative jiffies, as the example's values look.
		u, s := up*int64(a.CPUUtil)*7, up*int64(a.CPUUtil)*3
		a.CPUUser, a.CPUSystem = &u, &s
	}
	a.PowerBudget = 2000 + int(h%6000)
	a.PowerOpmode = "Default"
	a.EnvStat = envStatJSON{CPUTemp: 48 + int(h>>8%18), AmbientTemp: 26 + int(h>>16%10), Humidity: 30 + int(h>>24%25), VcoreVoltage: 980 + int(h>>32%60)}
	speed := 1000
	if d.model.name == "AP45" {
		speed = 2500
	}
	eth0 := apPortJSON{Up: d.connected, FullDuplex: d.connected, TxBytes: a.TxBytes, RxBytes: a.RxBytes,
		TxPkts: a.TxBytes / 700, RxPkts: a.RxBytes / 600, RxErrors: a.RxBytes / 4_000_000_000}
	if d.connected {
		eth0.Speed = speed
		eth0.TxPeakBps, eth0.RxPeakBps = a.TxBps*3, a.RxBps*3
	}
	a.PortStat = map[string]apPortJSON{"eth0": eth0}
	a.LastTrouble = lastTrouble(d, o)
	pi := w.net.apPort[w.devByMAC[d.mac]]
	if pi < 0 {
		return
	}
	p := &w.net.ports[pi]
	sw := &w.devs[p.dev]
	draw := int(p.poeW * 1000)
	a.LLDPStat = &lldpJSON{
		SystemName: sw.name, SystemDesc: fmt.Sprintf("Juniper Networks, Inc. %s Ethernet Switch, kernel JUNOS %s", strings.ToLower(sw.model.name), sw.version),
		PortID: p.id, PortDesc: p.id, ChassisID: sw.mac, MgmtAddr: sw.ip, LLDPMedSupported: true,
		PowerRequested: 25500, PowerAllocated: 25500, PowerDraw: draw, PowerAvail: 25500 - draw,
	}
}

// moduleStat is a switch's or gateway's one member: its sensors, fans,
// power supplies and, for a PoE switch, what its ports draw.
func (w *world) moduleStat(di int, up int64, cpu int, nowMs int64) []moduleJSON {
	d := &w.devs[di]
	l := portLayouts[d.model.name]
	h := simkit.Mix(d.macNum ^ 0x30d)
	drift := int(simkit.Mix(h^w.tick<<32) % 3)
	m := moduleJSON{FPCIdx: 0, MAC: d.mac, Serial: d.serial, Model: d.model.name, Version: d.version,
		VCRole: "master", VCState: "present", Status: "connected", Uptime: up,
		CPUStat:      cpuStatJSON{Idle: 100 - cpu, System: cpu / 2, User: cpu - cpu/2, LoadAvg: loadAvg(cpu)},
		Temperatures: []tempJSON{{"CPU", 45 + int(h%15) + drift, "ok"}, {"Chassis", 30 + int(h>>8%8) + drift, "ok"}},
		Fans:         []fanJSON{}, Psus: []psuJSON{}, VCLinks: []struct{}{}, Errors: []struct{}{},
	}
	if !d.connected {
		m.Status = "disconnected"
	}
	for k := range l.f {
		m.Fans = append(m.Fans, fanJSON{fmt.Sprintf("Fan %d", k), "ok", "out"})
	}
	for k := range max(1, l.psus) {
		m.Psus = append(m.Psus, psuJSON{fmt.Sprintf("Power Supply %d", k), "ok"})
	}
	if l.poe {
		draw := 0.0
		for _, pi := range w.net.devPorts[di] {
			if p := w.portJSON(pi, nowMs, &Options{}, true); p.PowerDraw != nil {
				draw += *p.PowerDraw
			}
		}
		m.Poe = &poeJSON{MaxPower: float64(l.poeMaxW), PowerDraw: math.Round(draw*10) / 10}
	}
	if d.typ == typeGateway {
		m.NetworkResources = []netResJSON{{"FIB", 800 + int(h%3000), 262144}, {"FLOW", int(h >> 16 % 8000), 65536}}
	}
	return []moduleJSON{m}
}

// gatewayOptIn adds the lists a gateway reports only when fields asks for
// them, each item as its search result without org_id, site_id, mac and
// model.
func (w *world) gatewayOptIn(g *gatewayStatJSON, gi int32, nowMs int64, o *Options, optIn func(string) bool) {
	n := &w.net
	if optIn("ports") {
		ports := n.devPorts[gi]
		g.Ports = optInList(len(ports), func(int) bool { return true },
			func(i int) portJSON { return w.portJSON(ports[i], nowMs, o, true) })
	}
	if optIn("bgp_peers") {
		g.BGPPeers = optInList(len(n.bgp), func(i int) bool { return n.bgp[i].gw == gi },
			func(i int) bgpJSON { return w.bgpJSON(i, nowMs, o, true) })
	}
	if optIn("tunnels") {
		g.Tunnels = optInList(len(n.wan), func(i int) bool { return n.wan[i].gw == gi },
			func(i int) wanTunnelJSON { return w.wanTunnelJSON(i, nowMs, true) })
	}
	if optIn("vpn_peers") {
		g.VPNPeers = optInList(len(n.vpnRecs), func(i int) bool {
			v := n.vpnRecs[i]
			p := &n.vpn[v.path]
			return (!v.rev && p.a == gi) || (v.rev && p.b == gi)
		}, func(i int) vpnPeerJSON { return w.vpnJSON(n.vpnRecs[i], nowMs, o, true) })
	}
}

// optInList renders, in order, the items i < n that match: an opt-in list,
// [] rather than absent when none do.
func optInList[T any](n int, match func(i int) bool, render func(i int) T) *[]T {
	out := []T{}
	for i := range n {
		if match(i) {
			out = append(out, render(i))
		}
	}
	return &out
}
