package mistsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestNetSizes(t *testing.T) {
	tests := []struct {
		size           string
		minPorts, minV int
	}{
		{"small", 100, 0}, // a seed may put both gateways at the hub's site
		{"medium", 4000, 50},
		{"large", 30000, 500},
	}
	for _, tt := range tests {
		simtest.RunSize(t, tt.size, func(size string) (*Server, error) {
			return New(Options{Seed: 7, Size: size, Now: func() time.Time { return testStart }})
		}, func(t *testing.T, s *Server) {
			z := s.Sizes()
			if z.Ports < tt.minPorts || z.Ports > z.Switches*28+z.Gateways*8 {
				t.Errorf("Ports = %d for %d switches, %d gateways; want at least %d, at most 28 a switch and 8 a gateway", z.Ports, z.Switches, z.Gateways, tt.minPorts)
			}
			if z.VPNPeers < tt.minV || z.VPNPeers%2 != 0 {
				t.Errorf("VPNPeers = %d; want an even number (both ends) of at least %d", z.VPNPeers, tt.minV)
			}
			if z.WANTunnels == 0 || z.BGPPeers == 0 || z.MxEdges < 2 || z.WxTunnels == 0 {
				t.Errorf("Sizes() = %+v; want WAN tunnels, BGP peers, two Mist Edges or more and wxtunnels", z)
			}
		})
	}
}

// keysOf decodes a search answer's results as objects.
type rawSearch = searchBody[map[string]any]

func TestPortSearchShape(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	devs := map[string]DeviceInfo{}
	for _, d := range h.S.Devices() {
		devs[d.MAC] = d
	}
	var body rawSearch
	h.GetOK(h.org("/stats/ports/search?limit=1000"), &body)
	if body.Total != h.S.Sizes().Ports || len(body.Results) != body.Total || body.Next != nil {
		t.Fatalf("ports search total %d, %d results, next %v; want %d, all, none", body.Total, len(body.Results), body.Next, h.S.Sizes().Ports)
	}
	sawAP, sawUplink, sawWAN := false, false, false
	for _, p := range body.Results {
		for _, k := range []string{"mac", "neighbor_mac", "org_id", "port_id", "port_mac", "site_id"} {
			if _, ok := p[k].(string); !ok {
				t.Fatalf("port %v: %s = %v; want a string (required)", p["port_id"], k, p[k])
			}
		}
		for _, k := range []string{"speed", "rx_bytes", "tx_bytes", "rx_pkts", "tx_pkts", "rx_bps", "tx_bps", "last_flapped"} {
			if _, ok := p[k].(float64); !ok {
				t.Fatalf("port %v: %s = %v; want a number", p["port_id"], k, p[k])
			}
		}
		if _, ok := p["up"].(bool); !ok {
			t.Fatalf("port %v: up = %v; want a bool", p["port_id"], p["up"])
		}
		dev := devs[p["mac"].(string)]
		if p["type"] != dev.Type || p["site_id"] != dev.SiteID {
			t.Errorf("port %s/%s type, site = %v, %v; want its device's %s, %s", p["mac"], p["port_id"], p["type"], p["site_id"], dev.Type, dev.SiteID)
		}
		nbr := p["neighbor_mac"].(string)
		if nbr == "" {
			if p["type"] == "gateway" && p["port_usage"] == nil {
				sawWAN = true
				if p["up"] == true && p["latency"] == nil {
					t.Errorf("WAN port %s/%s up without latency", p["mac"], p["port_id"])
				}
			}
			continue
		}
		n, ok := devs[nbr]
		if !ok || n.SiteID != dev.SiteID || p["neighbor_system_name"] != n.Name {
			t.Errorf("port %s/%s neighbour %s (%v); want a device of its own site, named", p["mac"], p["port_id"], nbr, p["neighbor_system_name"])
		}
		switch {
		case n.Type == "ap":
			sawAP = true
			if p["poe_on"] == nil || p["neighbor_port_desc"] != "eth0" {
				t.Errorf("AP port %s/%s poe_on %v, neighbor_port_desc %v; want PoE and eth0", p["mac"], p["port_id"], p["poe_on"], p["neighbor_port_desc"])
			}
		case strings.HasPrefix(p["port_id"].(string), "xe-"):
			sawUplink = true
		}
	}
	if !sawAP || !sawUplink || !sawWAN {
		t.Errorf("saw AP ports %v, uplinks with neighbours %v, WAN ports %v; want all", sawAP, sawUplink, sawWAN)
	}
}

// TestSearchWalks follows next to the end of every wired and WAN search.
func TestSearchWalks(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium"})
	z := h.S.Sizes()
	tests := []struct {
		path string
		want int
		key  []string
	}{
		{"/stats/ports/search", z.Ports, []string{"mac", "port_id"}},
		{"/stats/vpn_peers/search", z.VPNPeers, []string{"mac", "port_id", "peer_mac", "peer_port_id"}},
		{"/stats/tunnels/search", z.WxTunnels, []string{"mxtunnel_id"}},
		{"/stats/tunnels/search?type=wan", z.WANTunnels, []string{"mac", "node", "tunnel_name", "peer_ip"}},
		{"/stats/bgp_peers/search", z.BGPPeers, []string{"mac", "node", "vrf_name", "neighbor"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			sep := "?"
			if strings.Contains(tt.path, "?") {
				sep = "&"
			}
			pages := walk[map[string]any](h, h.org(tt.path+sep+"limit=37"))
			seen := map[string]bool{}
			prev := ""
			for i, p := range pages {
				if p.Total != tt.want || p.Limit != 37 {
					t.Fatalf("page %d total, limit = %d, %d; want %d, 37", i+1, p.Total, p.Limit, tt.want)
				}
				for _, r := range p.Results {
					var parts []string
					for _, k := range tt.key {
						parts = append(parts, fmt.Sprint(r[k]))
					}
					k := strings.Join(parts, "|")
					if seen[k] || k <= prev {
						t.Fatalf("key %s repeated or out of order after %s", k, prev)
					}
					seen[k], prev = true, k
				}
				if i < len(pages)-1 && !strings.Contains(*p.Next, "search_after=") {
					t.Errorf("next %s; want a search_after", *p.Next)
				}
			}
			if len(seen) != tt.want || len(pages) != (tt.want+36)/37 {
				t.Errorf("walk = %d records in %d pages; want %d in %d", len(seen), len(pages), tt.want, (tt.want+36)/37)
			}
		})
	}
}

func TestSearchLimits(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium", MaxLimit: 500})
	var p rawSearch
	h.GetOK(h.org("/stats/ports/search"), &p)
	if p.Limit != 100 || len(p.Results) != 100 {
		t.Errorf("default limit = %d with %d results; want 100", p.Limit, len(p.Results))
	}
	h.GetOK(h.org("/stats/ports/search?limit=2000"), &p)
	if p.Limit != 500 || len(p.Results) != 500 {
		t.Errorf("limit=2000 under MaxLimit 500 = %d with %d results; want clamped to 500", p.Limit, len(p.Results))
	}
	r := newHarness(t, Options{Seed: 8, RefuseLargeLimit: true})
	for _, path := range []string{"/stats/ports/search", "/stats/vpn_peers/search", "/stats/tunnels/search", "/stats/bgp_peers/search", "/stats/mxedges", "/insights/sites-sle?sle=wifi&"} {
		sep := "?"
		if strings.HasSuffix(path, "&") {
			sep = ""
		}
		if res := r.Get(r.org(path + sep + "limit=1001")); res.Status != http.StatusBadRequest || simtest.DetailOf(t, res.Body) == "" {
			t.Errorf("GET %s limit=1001 with RefuseLargeLimit = %d %s; want 400 with a detail", path, res.Status, res.Body)
		}
	}
}

func TestNetFilters(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	count := func(path string) int {
		var p rawSearch
		h.GetOK(h.org(path), &p)
		return p.Total
	}
	all := count("/stats/ports/search")
	sw, gw := count("/stats/ports/search?type=switch"), count("/stats/ports/search?device_type=gateway")
	if sw+gw != all || sw == 0 || gw == 0 {
		t.Errorf("switch %d + gateway %d ports; want both > 0 and summing to %d", sw, gw, all)
	}
	if got := count("/stats/ports/search?type=all&poe_priority=low&xcvr_part_number=x&bogus=1"); got != all {
		t.Errorf("ports with unknown parameters = %d; want %d (ignored)", got, all)
	}
	if got := count("/stats/ports/search?device_type=ap"); got != 0 {
		t.Errorf("ap ports = %d; want 0", got)
	}
	up, down := count("/stats/ports/search?up=true"), count("/stats/ports/search?up=false")
	if up+down != all || up == 0 {
		t.Errorf("up %d + down %d ports; want > 0 and %d", up, down, all)
	}
	for _, bad := range []string{"/stats/ports/search?type=router", "/stats/tunnels/search?type=gre", "/stats/vpn_peers/search?type=gre", "/stats/mxedges?for_site=maybe", "/insights/sites-sle?sle=lan"} {
		if r := h.Get(h.org(bad)); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s = %d; want 400", bad, r.Status)
		}
	}
	var c struct {
		Distinct string           `json:"distinct"`
		Total    int              `json:"total"`
		Results  []map[string]any `json:"results"`
	}
	h.GetOK(h.org("/stats/ports/count"), &c)
	n := 0
	for _, r := range c.Results {
		n += int(r["count"].(float64))
		if _, ok := r["mac"].(string); !ok {
			t.Errorf("ports count result %v; want a mac key", r)
		}
	}
	if c.Distinct != "mac" || n != all {
		t.Errorf("ports count distinct %q, counts sum %d; want mac, %d", c.Distinct, n, all)
	}
}

func TestTunnelSearch(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	var wx, wan rawSearch
	h.GetOK(h.org("/stats/tunnels/search"), &wx)
	if wx.End-wx.Start != 300 || len(wx.Results) == 0 {
		t.Fatalf("tunnels window %v..%v with %d results; want 5 minutes (the default) and results", wx.Start, wx.End, len(wx.Results))
	}
	for _, k := range []string{"mxtunnel_id", "mxedge_id", "ap", "remote_ip", "state"} {
		if _, ok := wx.Results[0][k].(string); !ok {
			t.Errorf("wxtunnel %s = %v; want a string", k, wx.Results[0][k])
		}
	}
	h.GetOK(h.org("/stats/tunnels/search?type=wan&duration=1h"), &wan)
	if wan.End-wan.Start != 3600 || len(wan.Results) == 0 {
		t.Fatalf("wan tunnels window %v with %d results; want 1h and results", wan.End-wan.Start, len(wan.Results))
	}
	for _, k := range []string{"peer_ip", "tunnel_name", "mac", "protocol", "priority"} {
		if _, ok := wan.Results[0][k].(string); !ok {
			t.Errorf("wan tunnel %s = %v; want a string", k, wan.Results[0][k])
		}
	}
	if _, ok := wan.Results[0]["mxtunnel_id"]; ok {
		t.Errorf("wan tunnel has mxtunnel_id; want the stats_wan_tunnel shape")
	}
}

func TestBGPOptions(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium", BGPNoNext: true, BGPASForm: "string"})
	var p rawSearch
	h.GetOK(h.org("/stats/bgp_peers/search?limit=5"), &p)
	if p.Next != nil || len(p.Results) != 5 || p.Total <= 5 {
		t.Errorf("BGPNoNext: next %v, %d results of %d; want no next, 5 of more", p.Next, len(p.Results), p.Total)
	}
	if _, ok := p.Results[0]["neighbor_as"].(string); !ok {
		t.Errorf("BGPASForm string: neighbor_as = %v; want a string", p.Results[0]["neighbor_as"])
	}
	d := newHarness(t, Options{Seed: 8, Size: "medium"})
	d.GetOK(d.org("/stats/bgp_peers/search?limit=5"), &p)
	if p.Next == nil {
		t.Errorf("BGP search without BGPNoNext has no next; want one")
	}
	if _, ok := p.Results[0]["neighbor_as"].(float64); !ok {
		t.Errorf("neighbor_as = %v; want a number, as the example", p.Results[0]["neighbor_as"])
	}
	if _, ok := p.Results[0]["local_as"].(string); !ok {
		t.Errorf("local_as = %v; want a string, as the example", p.Results[0]["local_as"])
	}
}

func TestMxEdges(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "large", MxEdgeMemoryStats: true, MxEdgeSensorStat: true})
	n := h.S.Sizes().MxEdges
	var all []map[string]any
	for page := 1; ; page++ {
		var items []map[string]any
		r := h.GetOK(h.org(fmt.Sprintf("/stats/mxedges?limit=5&page=%d", page)), &items)
		if r.Header.Get("X-Page-Total") != fmt.Sprint(n) || r.Header.Get("X-Page-Limit") != "5" {
			t.Fatalf("page %d X-Page-Total, Limit = %s, %s; want %d, 5", page, r.Header.Get("X-Page-Total"), r.Header.Get("X-Page-Limit"), n)
		}
		all = append(all, items...)
		if 5*page >= n {
			break
		}
	}
	if len(all) != n {
		t.Fatalf("walked %d Mist Edges; want %d", len(all), n)
	}
	e := all[0]
	if e["memory_stats"] == nil || e["memory_stat"] != nil || e["sensor_stat"] == nil {
		t.Errorf("Mist Edge memory_stats %v, memory_stat %v, sensor_stat %v; want the example's spelling and sensors", e["memory_stats"], e["memory_stat"], e["sensor_stat"])
	}
	var forSite, org []map[string]any
	h.GetOK(h.org("/stats/mxedges?for_site=true&limit=1000"), &forSite)
	h.GetOK(h.org("/stats/mxedges?for_site=false&limit=1000"), &org)
	if len(forSite)+len(org) != n || len(org) != 2 {
		t.Errorf("for_site true %d + false %d; want %d with the 2-node org cluster", len(forSite), len(org), n)
	}
	var one map[string]any
	h.GetOK(h.org("/stats/mxedges/"+e["id"].(string)), &one)
	if one["id"] != e["id"] {
		t.Errorf("GET mxedges/%s id = %v", e["id"], one["id"])
	}
	if r := h.Get(h.org("/stats/mxedges/00000000-0000-0000-0000-000000000000")); r.Status != http.StatusNotFound {
		t.Errorf("unknown Mist Edge = %d; want 404", r.Status)
	}
}

func TestSitesSLE(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium"})
	req := map[string][]string{
		"wifi":  {"site_id", "ap-availability"},
		"wired": {"site_id", "switch-health"},
		"wan":   {"site_id", "gateway-health"},
	}
	allowed := map[string]string{
		"wifi":  "ap-health capacity coverage roaming successful-connect throughput time-to-connect num_aps num_clients",
		"wired": "switch-throughput switch-bandwidth num_switches num_clients",
		"wan":   "wan-link-health application_health num_gateways num_clients",
	}
	for sle, keys := range req {
		t.Run(sle, func(t *testing.T) {
			var sites int
			for page := 1; ; page++ {
				var b struct {
					Start, End      float64
					Interval, Limit int
					Page, Total     int
					Results         []map[string]any
				}
				h.GetOK(h.org(fmt.Sprintf("/insights/sites-sle?sle=%s&limit=7&page=%d", sle, page)), &b)
				if b.Page != page || b.Limit != 7 || b.Interval != 3600 || b.End-b.Start != 86400 {
					t.Fatalf("page %d: page, limit, interval, window = %d, %d, %d, %v", page, b.Page, b.Limit, b.Interval, b.End-b.Start)
				}
				for _, r := range b.Results {
					for _, k := range keys {
						if _, ok := r[k]; !ok {
							t.Fatalf("%s result lacks required %s: %v", sle, k, r)
						}
					}
					for k, v := range r {
						if k == "site_id" {
							continue
						}
						if !strings.Contains(" "+allowed[sle]+" "+keys[1]+" ", " "+k+" ") {
							t.Errorf("%s result has key %q; want only the spec's", sle, k)
						}
						if f, ok := v.(float64); !ok || (!strings.HasPrefix(k, "num_") && (f < 0 || f > 1)) {
							t.Errorf("%s %s = %v; want a ratio 0..1", sle, k, v)
						}
					}
				}
				sites += len(b.Results)
				if page*b.Limit >= b.Total {
					if sites != b.Total || sites == 0 {
						t.Errorf("walked %d sites; want total %d", sites, b.Total)
					}
					break
				}
			}
		})
	}
	// Sites without gateways are left out, or listed bare with SLEEmptySites.
	var a, b struct{ Total int }
	h.GetOK(h.org("/insights/sites-sle?sle=wan"), &a)
	e := newHarness(t, Options{Seed: 8, Size: "medium", SLEEmptySites: true, SLERequired: true})
	e.GetOK(e.org("/insights/sites-sle?sle=wan"), &b)
	if a.Total >= b.Total || b.Total != 100 {
		t.Errorf("wan totals %d without, %d with SLEEmptySites; want fewer than 100, 100", a.Total, b.Total)
	}
	if r := e.Get(e.org("/insights/sites-sle")); r.Status != http.StatusBadRequest {
		t.Errorf("SLERequired without sle = %d; want 400", r.Status)
	}
	if r := h.Get(h.org("/insights/sites-sle")); r.Status != http.StatusOK {
		t.Errorf("no sle = %d; want 200 (wifi)", r.Status)
	}
}

func TestDeviceStatsNetFields(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium"})
	optIn := []string{"ports", "bgp_peers", "tunnels", "vpn_peers"}
	get := func(q string) []map[string]any {
		var out []map[string]any
		h.GetOK(h.org("/stats/devices?type=gateway&limit=1000"+q), &out)
		return out
	}
	for _, g := range get("") {
		for _, k := range optIn {
			if _, ok := g[k]; ok {
				t.Fatalf("gateway %s has %s without fields; want it opt-in", g["mac"], k)
			}
		}
		if g["module_stat"] == nil || g["cpu_stat"] == nil || g["memory_stat"] == nil {
			t.Fatalf("gateway %s lacks module_stat, cpu_stat or memory_stat", g["mac"])
		}
	}
	for _, g := range get("&fields=ports") {
		if _, ok := g["ports"].([]any); !ok {
			t.Fatalf("gateway %s ports = %v with fields=ports; want a list", g["mac"], g["ports"])
		}
		if _, ok := g["tunnels"]; ok {
			t.Fatalf("gateway %s has tunnels with fields=ports", g["mac"])
		}
	}
	full := 0
	for _, g := range get("&fields=*") {
		for _, k := range optIn {
			list, ok := g[k].([]any)
			if !ok {
				t.Fatalf("gateway %s %s = %v with fields=*; want a list", g["mac"], k, g[k])
			}
			for _, item := range list {
				for _, gone := range []string{"org_id", "site_id", "mac", "model"} {
					if _, ok := item.(map[string]any)[gone]; ok {
						t.Fatalf("gateway %s %s item has %s; want it removed", g["mac"], k, gone)
					}
				}
			}
			if len(list) > 0 {
				full++
			}
		}
	}
	if full == 0 {
		t.Errorf("no gateway has any opt-in item")
	}

	var aps []map[string]any
	h.GetOK(h.org("/stats/devices?type=ap&limit=1000"), &aps)
	off := 0
	for _, a := range aps {
		for _, k := range []string{"cpu_util", "mem_used_kb", "mem_total_kb", "env_stat", "radio_stat"} {
			if a[k] == nil {
				t.Fatalf("AP %s lacks %s", a["mac"], k)
			}
		}
		for band, r := range a["radio_stat"].(map[string]any) {
			r := r.(map[string]any)
			for _, k := range []string{"channel", "bandwidth", "power", "noise_floor", "num_clients", "util_all", "util_tx", "util_rx_in_bss", "util_rx_other_bss", "util_unknown_wifi", "util_non_wifi", "util_undecodable_wifi"} {
				if _, ok := r[k].(float64); !ok {
					t.Fatalf("AP %s %s %s = %v; want a number", a["mac"], band, k, r[k])
				}
			}
			if r["bandwidth"].(float64) == 0 {
				off++
				if r["num_clients"].(float64) != 0 {
					t.Errorf("AP %s disabled %s has clients", a["mac"], band)
				}
			}
		}
	}
	if off == 0 {
		t.Errorf("no disabled radio (bandwidth 0) among %d APs; want some", len(aps))
	}
	var sws []map[string]any
	h.GetOK(h.org("/stats/devices?type=switch&limit=5"), &sws)
	m := sws[0]["module_stat"].([]any)[0].(map[string]any)
	for _, k := range []string{"temperatures", "fans", "psus", "poe"} {
		if m[k] == nil {
			t.Errorf("switch module_stat lacks %s: %v", k, m)
		}
	}

	o := newHarness(t, Options{Seed: 8, OmitExampleOnly: true})
	aps = nil
	o.GetOK(o.org("/stats/devices?type=ap&fields=*"), &aps)
	if aps[0]["mem_total_kb"] != nil || aps[0]["cpu_user"] != nil || aps[0]["mem_used_kb"] == nil {
		t.Errorf("OmitExampleOnly: mem_total_kb %v, cpu_user %v, mem_used_kb %v; want only mem_used_kb", aps[0]["mem_total_kb"], aps[0]["cpu_user"], aps[0]["mem_used_kb"])
	}
}

// TestNetStep checks that steps flap ports and sessions while counters only
// grow, and that SLE values move.
func TestNetStep(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium", HourlyLimit: 1 << 20})
	type rec struct {
		up    bool
		bytes float64
	}
	snap := func(path string, key ...string) map[string]rec {
		out := map[string]rec{}
		for _, p := range walk[map[string]any](h, h.org(path)) {
			for _, r := range p.Results {
				var parts []string
				for _, k := range key {
					parts = append(parts, fmt.Sprint(r[k]))
				}
				b, _ := r["rx_bytes"].(float64)
				out[strings.Join(parts, "|")] = rec{r["up"] == true, b}
			}
		}
		return out
	}
	sle := func() string { return string(h.GetOK(h.org("/insights/sites-sle?sle=wifi&limit=1000"), nil).Body) }
	uptimes := func() map[string]float64 {
		out := map[string]float64{}
		for _, typ := range []string{"switch", "gateway"} {
			var ds []deviceItem
			h.GetOK(h.org("/stats/devices?limit=1000&fields=*&type="+typ), &ds)
			for _, d := range ds {
				out[d.MAC] = d.Uptime
			}
		}
		return out
	}
	ports := func() map[string]rec { return snap("/stats/ports/search?limit=1000", "mac", "port_id") }
	wans := func() map[string]rec { return snap("/stats/tunnels/search?type=wan&limit=1000", "mac", "tunnel_name") }
	p0, t0, s0, u0 := ports(), wans(), sle(), uptimes()
	changed, tchanged := 0, 0
	for step := 0; step < 6; step++ {
		h.Clock.Add(time.Minute)
		h.S.Step()
		p1, t1, u1 := ports(), wans(), uptimes()
		for k, a := range p0 {
			b := p1[k]
			if a.up != b.up {
				changed++
			}
			mac, _, _ := strings.Cut(k, "|")
			if b.bytes < a.bytes && u1[mac] >= u0[mac] && u1[mac] > 0 {
				t.Errorf("port %s rx_bytes %v -> %v without a reboot; want it to grow", k, a.bytes, b.bytes)
			}
		}
		for k, a := range t0 {
			if a.up != t1[k].up {
				tchanged++
			}
		}
		p0, t0, u0 = p1, t1, u1
	}
	if changed == 0 || tchanged == 0 {
		t.Errorf("6 steps changed %d ports' and %d tunnels' up; want some of each", changed, tchanged)
	}
	if sle() == s0 {
		t.Errorf("SLE results unchanged after 6 steps; want them to move")
	}
}

// TestNetFaults checks the paging faults on the new searches.
func TestNetFaults(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	path := h.org("/stats/ports/search?limit=50")
	h.S.SetFaults(Faults{NextLoop: true})
	var p rawSearch
	h.GetOK(path, &p)
	if p.Next == nil || *p.Next != path {
		t.Errorf("next_loop: next = %v; want %s", p.Next, path)
	}
	h.S.SetFaults(Faults{EndlessPaging: true})
	h.GetOK(h.org("/stats/ports/search?limit=1000"), &p)
	if p.Next == nil {
		t.Fatalf("endless_paging: last page has no next")
	}
	var q rawSearch
	h.GetOK(*p.Next, &q)
	if len(q.Results) != 0 || q.Next == nil || *q.Next == *p.Next {
		t.Errorf("endless_paging past the end: %d results, next %v; want none and a new next", len(q.Results), q.Next)
	}
	h.S.SetFaults(Faults{ShrinkTotal: true})
	h.GetOK(path, &p)
	h.GetOK(*p.Next, &q)
	if q.Total != p.Total-p.Total/3 {
		t.Errorf("shrink_total: totals %d then %d; want a third fewer", p.Total, q.Total)
	}
	h.S.SetFaults(Faults{RateLimit: true, PathPrefix: "/api/v1/orgs/" + h.C.OrgID + "/insights"})
	if r := h.Get(h.org("/insights/sites-sle?sle=wifi")); r.Status != http.StatusTooManyRequests {
		t.Errorf("throttle on E21 = %d; want 429", r.Status)
	}
	if r := h.Get(h.org("/stats/vpn_peers/search")); r.Status != http.StatusOK {
		t.Errorf("throttle outside its prefix = %d; want 200", r.Status)
	}
	h.S.SetFaults(Faults{})
	bad := h.org("/stats/ports/search?search_after=" + url.QueryEscape("[1,2"))
	if r := h.Get(bad); r.Status != http.StatusBadRequest {
		t.Errorf("bad search_after = %d; want 400", r.Status)
	}
}

func TestKeyedNextForm(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	var p rawSearch
	h.GetOK(h.org("/stats/ports/search?limit=1&duration=2h"), &p)
	u, err := url.Parse(*p.Next)
	if err != nil || !strings.HasPrefix(*p.Next, "/api/v1/orgs/") {
		t.Fatalf("next %q; want a relative /api/v1 URI", *p.Next)
	}
	q := u.Query()
	var key []string
	if err := json.Unmarshal([]byte(q.Get("search_after")), &key); err != nil || len(key) != 2 || key[0] != p.Results[0]["mac"] || key[1] != p.Results[0]["port_id"] {
		t.Errorf("search_after %q; want [mac, port_id] of the last result", q.Get("search_after"))
	}
	if q.Get("duration") != "" || q.Get("start") == "" || q.Get("end") == "" {
		t.Errorf("next %s; want the window frozen as start and end", *p.Next)
	}
}
