package mist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// The stand-in below serves mist.md's own example bodies (sections 4.1,
// 12.6, 13 and 14), with the discrepancies those sections describe.

const standInOrg = "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7"

const standInSites = `[{"id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "name": "HQ-Amsterdam"}]`

// standInDevices is section 4.1's AP and switch, the AP with a disabled
// 6 GHz radio and an env_stat, and a gateway whose cpu_stat has no idle.
const standInDevices = `[
  {"type": "ap", "id": "00000000-0000-0000-1000-5c5b35d0077b", "mac": "5c5b35d0077b",
   "name": "hq-ap-01", "model": "AP45", "serial": "A0123456789", "status": "connected",
   "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "uptime": 864000, "num_clients": 17, "cpu_util": 5,
   "mem_used_kb": 202096, "mem_total_kb": 505468, "env_stat": {"cpu_temp": 51, "ambient_temp": "33"},
   "radio_stat": {
     "band_24": {"channel": 6, "bandwidth": 20, "power": 12, "num_clients": 3, "util_all": 41, "noise_floor": -92},
     "band_5": {"channel": 44, "bandwidth": 80, "power": 17, "num_clients": 14, "util_all": 12, "util_tx": 3, "noise_floor": -95},
     "band_6": {"channel": 37, "bandwidth": 0, "power": 0, "num_clients": 0}}},
  {"type": "ap", "mac": "5c5b35d00801", "name": "hq-ap-07", "status": "disconnected",
   "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mem_used_kb": 1000},
  {"type": "switch", "id": "00000000-0000-0000-1000-0912f561b653", "mac": "0912f561b653",
   "name": "hq-sw-01", "model": "EX4100-F-12P", "serial": "FJ0324AV0077", "status": "connected",
   "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "uptime": 1692720,
   "cpu_stat": {"idle": 74, "system": 13, "user": 13, "interrupt": 0}, "memory_stat": {"usage": 16},
   "module_stat": [{"fpc_idx": 0, "temperatures": [{"name": "CPU", "celsius": 48, "status": "ok"}],
     "fans": [{"name": "Fan 0", "status": "ok"}, {"name": "Fan 1", "status": "failed"}],
     "psus": [{"name": "PSU 0", "status": "ok"}, {"name": "PSU 1", "status": "absent"}]}]},
  {"type": "gateway", "mac": "4db14e107134", "name": "hq-gw", "model": "SRX300", "status": "connected",
   "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "cpu_stat": {"system": 10, "user": 20}}
]`

// standInPorts is section 12.6's E26 body over two pages: its switch port
// (speed 1000, Mbps) and gateway port, then a switch uplink to the gateway
// with its speed in bps, the first port again with grown counters, an
// unconfigured gateway port, and a switch port with no neighbour.
var standInPorts = []string{`{"start": 1720509466, "end": 1720595866, "limit": 2, "total": 6,
 "next": "/api/v1/orgs/` + standInOrg + `/stats/ports/search?end=1720595866&limit=2&search_after=%5B%220912f561b653%22%2C+%22ge-0%2F0%2F1%22%5D&start=1720509466",
 "results": [
  {"org_id": "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7", "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f",
   "mac": "0912f561b653", "port_id": "ge-0/0/1", "port_mac": "0912f561b654", "type": "switch", "up": true,
   "active": true, "disabled": false, "full_duplex": true, "speed": 1000, "rx_bytes": 98123456789,
   "tx_bytes": 123456789012, "rx_pkts": 91234567, "tx_pkts": 112345678, "rx_errors": 0, "tx_errors": 2,
   "rx_bps": 2450000, "tx_bps": 8120000, "poe_on": true, "poe_mode": "802.3at", "power_draw": 12.6,
   "stp_state": "forwarding", "neighbor_mac": "5c5b35d0077b", "neighbor_port_desc": "eth0",
   "neighbor_system_name": "hq-ap-01", "last_flapped": 1719990000.0},
  {"org_id": "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7", "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f",
   "mac": "4db14e107134", "port_id": "ge-0/0/0", "port_mac": "4db14e107135", "type": "gateway", "up": true,
   "full_duplex": true, "speed": 1000, "rx_bytes": 5512345678, "tx_bytes": 1234567890, "rx_pkts": 6123456,
   "tx_pkts": 3456789, "rx_errors": 0, "tx_errors": 0, "rx_bps": 1500000, "tx_bps": 420000,
   "latency": 12.5, "jitter": 1.2, "loss": 0, "neighbor_mac": ""}]}`,
	`{"start": 1720509466, "end": 1720595866, "limit": 2, "total": 6, "results": [
  {"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mac": "0912f561b653", "port_id": "ge-0/0/47",
   "type": "switch", "up": false, "speed": 10000000000, "neighbor_mac": "4db14e107134", "neighbor_port_desc": "ge-0/0/1"},
  {"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mac": "0912f561b653", "port_id": "ge-0/0/1",
   "type": "switch", "up": true, "speed": 1000, "rx_bytes": 98123999999, "tx_bytes": 123456789999,
   "neighbor_mac": "5c5b35d0077b", "neighbor_system_name": "hq-ap-01"},
  {"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mac": "4db14e107134", "port_id": "ge-0/0/5",
   "type": "gateway", "up": false, "unconfigured": true, "neighbor_mac": ""},
  {"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mac": "0912f561b653", "port_id": "ge-0/0/2",
   "type": "switch", "up": false}]}`}

// The E28, E30 and E32 items of section 12.6, and a BGP session whose AS
// numbers are strings, in the search envelope; E32's without next or total.
const (
	standInVPN = `{"start": 1720509466, "end": 1720595866, "limit": 1000, "total": 2, "results": [
{"org_id": "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7", "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f",
 "mac": "4db14e107134", "router_name": "hq-gw", "port_id": "ge-0/0/0", "peer_mac": "020001367edd",
 "peer_router_name": "dc-hub-1", "peer_site_id": "725a8d34-a126-4f2c-b990-d1219421cb75",
 "peer_port_id": "ge-0/0/1", "type": "ipsec", "up": true, "is_active": true, "latency": 18.0,
 "jitter": 0.8, "loss": 0.0, "mos": 4.4, "mtu": 1400, "uptime": 86400, "last_seen": 1720595800.5},
{"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mac": "4db14e107134", "port_id": "ge-0/0/2",
 "peer_mac": "020001367edd", "peer_router_name": "dc-hub-1", "peer_port_id": "ge-0/0/1"}]}`
	standInTunnels = `{"start": 1720595566, "end": 1720595866, "limit": 1000, "total": 1, "results": [
{"org_id": "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7", "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f",
 "mac": "4db14e107134", "node": "node0", "tunnel_name": "hq-zscaler-1", "wan_name": "wan",
 "peer_ip": "203.0.113.10", "peer_host": "ams1-vpn.example.net", "ip": "198.51.100.7",
 "protocol": "ipsec", "priority": "primary", "ike_version": "2", "up": false, "uptime": 7200,
 "rx_bytes": 912345678, "tx_bytes": 123456789, "rx_pkts": 812345, "tx_pkts": 412345}]}`
	standInBGP = `{"start": 1720509466, "end": 1720595866, "limit": 1000, "results": [
{"org_id": "6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7", "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f",
 "mac": "4db14e107134", "model": "SRX300", "node": "node0", "vrf_name": "default",
 "neighbor": "10.255.0.1", "neighbor_as": 65001, "local_as": "65000", "state": "established", "up": true,
 "uptime": 31355, "rx_routes": 60, "tx_routes": 12, "rx_pkts": 63366, "tx_pkts": 1735,
 "timestamp": 1720595801.2},
{"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "mac": "4db14e107134", "node": "node0", "vrf_name": "guest",
 "neighbor": "10.255.0.9", "neighbor_as": "4200000001", "local_as": 65000, "state": "idle"}]}`
	// standInEdges spells memory_stats as the spec's example does, and
	// carries [MLX]'s sensor_stat.
	standInEdges = `[{"id": "00000000-0000-0000-1000-020000aabbcc", "name": "dc-mxedge-1", "model": "ME-X1",
 "serial_no": "MX1234", "mac": "020000aabbcc", "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f",
 "status": "connected", "uptime": 3600, "num_tunnels": 42, "cpu_stat": {"usage": 7, "idle": 93},
 "memory_stats": {"usage": 35, "total": 8365957120},
 "sensor_stat": {"temperatures": {"CPU1": {"degree": 45}}, "redundancies": {"PS": {"state": "fullyredundant"}}}}]`
)

// standInSLE is section 13's bodies; wifi comes in two pages of one (the
// paging of the spec's examples), its second site with no data.
var standInSLE = map[string][]string{
	"wifi": {
		`{"start": 1720509466, "end": 1720595866, "interval": 3600, "limit": 1, "page": 1, "total": 2,
 "results": [{"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "num_aps": 24, "num_clients": 311,
   "coverage": 0.97, "capacity": 0.95, "time-to-connect": 0.98, "successful-connect": 0.99,
   "roaming": 1, "throughput": 0.93, "ap-health": 0.99, "ap-availability": 1}]}`,
		`{"start": 1720509466, "end": 1720595866, "interval": 3600, "limit": 1, "page": 2, "total": 2,
 "results": [{"site_id": "725a8d34-a126-4f2c-b990-d1219421cb75", "num_aps": 0, "coverage": "n/a"}]}`,
	},
	"wired": {`{"start": 1720509466, "end": 1720595866, "interval": 3600, "limit": 100, "page": 1, "total": 1,
 "results": [{"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "num_switches": 4, "num_clients": 57,
   "switch-health": 1, "switch-throughput": 0.982, "switch-bandwidth": 0.967}]}`},
	"wan": {`{"start": 1720509466, "end": 1720595866, "interval": 3600, "limit": 100, "page": 1, "total": 1,
 "results": [{"site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "num_gateways": 1, "num_clients": 65,
   "gateway-health": 1, "wan-link-health": 0.9988, "application_health": 0.825}]}`},
}

// standIn serves the bodies above, and records each query it was asked.
type standIn struct {
	mu      sync.Mutex
	queries map[string][]string // by path
	// refuse answers 400 to a page of these limits on every path.
	refuse []string
}

func (s *standIn) asked(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries[path])
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rel := strings.TrimPrefix(r.URL.Path, "/api/v1/orgs/"+standInOrg+"/")
	s.mu.Lock()
	if s.queries == nil {
		s.queries = map[string][]string{}
	}
	s.queries[rel] = append(s.queries[rel], r.URL.RawQuery)
	refuse := s.refuse
	s.mu.Unlock()
	if slices.Contains(refuse, q.Get("limit")) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"detail": "limit too large"}`)
		return
	}
	array := func(body string, total int) {
		w.Header().Set("X-Page-Limit", "1000")
		w.Header().Set("X-Page-Page", "1")
		w.Header().Set("X-Page-Total", fmt.Sprint(total))
		fmt.Fprint(w, body)
	}
	switch rel {
	case "stats/sites":
		array(standInSites, 1)
	case "stats/devices":
		array(standInDevices, 4)
	case "stats/mxedges":
		array(standInEdges, 1)
	case "stats/ports/search":
		if q.Get("search_after") != "" {
			fmt.Fprint(w, standInPorts[1])
		} else {
			fmt.Fprint(w, standInPorts[0])
		}
	case "stats/vpn_peers/search":
		fmt.Fprint(w, standInVPN)
	case "stats/tunnels/search":
		if q.Get("type") != "wan" {
			fmt.Fprint(w, `{"start": 0, "end": 0, "limit": 1000, "total": 0, "results": []}`)
			return
		}
		fmt.Fprint(w, standInTunnels)
	case "stats/bgp_peers/search":
		fmt.Fprint(w, standInBGP)
	case "clients/search", "alarms/search":
		fmt.Fprint(w, `{"start": 0, "end": 0, "limit": 1000, "total": 0, "results": []}`)
	case "insights/sites-sle":
		pages := standInSLE[q.Get("sle")]
		page := 1 // the API's default
		if q.Has("page") {
			_, _ = fmt.Sscan(q.Get("page"), &page)
		}
		if page < 1 || page > len(pages) {
			fmt.Fprint(w, `{"limit": 100, "page": 9, "total": 0, "results": []}`)
			return
		}
		fmt.Fprint(w, pages[page-1])
	default:
		http.NotFound(w, r)
	}
}

func standInClient(t *testing.T, s *standIn, extra string) *Client {
	t.Helper()
	base := vendortest.ServeHandler(t, s)
	c, _ := newClient(t, mistSection(t, base, "    token: t0ken\n    org_id: "+standInOrg+"\n"+extra))
	return c
}

func ptr(v float64) *float64 { return &v }

func TestDevicesRadiosAndHealth(t *testing.T) {
	s := &standIn{}
	c := standInClient(t, s, "")
	d := vendortest.Get(t, "Devices()", c.Devices)
	// The fields the renders need are asked for by name (section 14).
	if q := s.asked("stats/devices"); len(q) != 1 || !strings.Contains(q[0], "radio_stat") || !strings.Contains(q[0], "module_stat") {
		t.Errorf("stats/devices queries = %q; want one naming radio_stat and module_stat in fields", q)
	}
	wantRadios := []model.Radio{
		{Device: "hq-ap-01", Band: "2.4", Channel: ptr(6), BandwidthHertz: ptr(20e6), TransmitPowerDBm: ptr(12), NoiseFloorDBm: ptr(-92),
			Clients: ptr(3), Utilization: model.Utilization{}.With(model.UtilizationAll, 0.41)},
		{Device: "hq-ap-01", Band: "5", Channel: ptr(44), BandwidthHertz: ptr(80e6), TransmitPowerDBm: ptr(17), NoiseFloorDBm: ptr(-95),
			Clients: ptr(14), Utilization: model.Utilization{}.With(model.UtilizationAll, 0.12).With(model.UtilizationTx, 0.03)},
	}
	if got := fmt.Sprint(deref(d.Radios)); got != fmt.Sprint(deref(wantRadios)) {
		t.Errorf("Radios = %s; want %s (the 6 GHz radio has bandwidth 0: disabled)", got, fmt.Sprint(deref(wantRadios)))
	}
	health := map[string]model.DeviceHealth{}
	for _, h := range d.Health {
		health[h.Device] = h
	}
	for _, tc := range []struct {
		device      string
		cpu, memory *float64
		temps       []model.Temperature
		components  []model.Component
	}{
		{"hq-ap-01", ptr(0.05), ptr(202096.0 / 505468), []model.Temperature{{Sensor: "cpu", Celsius: 51}, {Sensor: "ambient", Celsius: 33}}, nil},
		// No mem_total_kb: no memory ratio, rather than a wrong one.
		{"hq-ap-07", nil, nil, nil, nil},
		// 100 - idle; fans and PSUs, the absent one left out.
		{"hq-sw-01", ptr(0.26), ptr(0.16), []model.Temperature{{Sensor: "fpc0/CPU", Celsius: 48}},
			[]model.Component{{Member: "fpc0", Kind: "fan", Name: "Fan 0", OK: true},
				{Member: "fpc0", Kind: "fan", Name: "Fan 1"}, {Member: "fpc0", Kind: "psu", Name: "PSU 0", OK: true}}},
		// No idle: user + system + interrupt.
		{"hq-gw", ptr(0.3), nil, nil, nil},
	} {
		h := health[tc.device]
		if got, want := fmt.Sprint(val(h.CPU), val(h.Memory), h.Temperatures, h.Components),
			fmt.Sprint(val(tc.cpu), val(tc.memory), tc.temps, tc.components); got != want {
			t.Errorf("health of %s = %s; want %s", tc.device, got, want)
		}
	}
}

// deref shows a radio's readings rather than their addresses.
func deref(rs []model.Radio) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprint(r.Device, r.Band, val(r.Channel), val(r.BandwidthHertz), val(r.TransmitPowerDBm),
			val(r.NoiseFloorDBm), val(r.Clients), r.Utilization))
	}
	return out
}

func val(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%.6g", *v)
}

func TestDevicesBadNumberNamesTheField(t *testing.T) {
	base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Page-Total", "1")
		if strings.HasSuffix(r.URL.Path, "stats/sites") {
			fmt.Fprint(w, standInSites)
			return
		}
		fmt.Fprint(w, `[{"type": "ap", "mac": "5c5b35d0077b", "name": "hq-ap-01", "cpu_util": "busy"}]`)
	}))
	c, _ := newClient(t, mistSection(t, base, "    token: t0ken\n    org_id: "+standInOrg+"\n"))
	_, err := c.Devices(context.Background())
	vendortest.CheckError(t, "Devices()", err, 0, "cpu_util", "t0ken")
}

func TestPortsFollowNextDeduplicateAndFilter(t *testing.T) {
	s := &standIn{}
	c := standInClient(t, s, "")
	devices := vendortest.Get(t, "Devices()", c.Devices)
	ports := vendortest.Get(t, "Ports()", c.Ports)
	// Only the limit is sent: E26's filters and window differ by spec
	// version (section 12.0).
	if q := s.asked("stats/ports/search"); len(q) != 2 || q[0] != "limit=1000" {
		t.Errorf("ports queries = %q; want limit=1000, then the next cursor", q)
	}
	if len(ports.Ports) != 4 {
		t.Fatalf("len(Ports) = %d; want 4 (six results, one port twice, a switch port with no neighbour never an uplink)", len(ports.Ports))
	}
	show := func(ifs []model.Interface) []string {
		var out []string
		for _, i := range ifs {
			up := "none"
			if i.Up != nil {
				up = fmt.Sprint(*i.Up)
			}
			out = append(out, fmt.Sprintf("%s %s up=%s speed=%s rx=%s poe=%s neighbor=%q/%q", i.Device, i.Interface, up,
				val(i.SpeedBytes), val(i.ReceiveBytes), val(i.PoEWatts), i.Neighbor, i.NeighborInterface))
		}
		return out
	}
	for _, tc := range []struct {
		name, filter string
		held         int // of the four
		want         []string
	}{
		{"default keeps uplinks", "", 4, []string{
			// Speed 1000 is Mbps; 10^10 is bps. The unconfigured gateway
			// port and the switch's port to an AP are left out.
			`hq-sw-01 ge-0/0/47 up=false speed=1.25e+09 rx=none poe=none neighbor="hq-gw"/"ge-0/0/1"`,
			`hq-gw ge-0/0/0 up=true speed=1.25e+08 rx=5.51235e+09 poe=none neighbor=""/""`,
		}},
		{"all, switches", "keep: all\n      device_types: [switch]", 5, []string{
			// The later record of a port wins.
			`hq-sw-01 ge-0/0/1 up=true speed=1.25e+08 rx=9.8124e+10 poe=none neighbor="hq-ap-01"/""`,
			`hq-sw-01 ge-0/0/2 up=false speed=none rx=none poe=none neighbor=""/""`,
			`hq-sw-01 ge-0/0/47 up=false speed=1.25e+09 rx=none poe=none neighbor="hq-gw"/"ge-0/0/1"`,
		}},
		{"neighbors, up only, by name", "keep: neighbors\n      up_only: true\n      name: '^ge-0/0/[0-9]$'", 1, []string{
			`hq-sw-01 ge-0/0/1 up=true speed=1.25e+08 rx=9.8124e+10 poe=none neighbor="hq-ap-01"/""`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Fetched as the filter's source fetches them: the ports it can
			// never keep are not held.
			c := standInClient(t, &standIn{}, "    ports:\n      "+cmpOr(tc.filter, "keep: uplinks")+"\n")
			ports := vendortest.Get(t, "Ports()", c.Ports)
			if got := show(ports.Interfaces(&c.cfg.Ports, devices.Index())); !slices.Equal(got, tc.want) {
				t.Errorf("Interfaces(%s) =\n%s\nwant\n%s", tc.filter, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(ports.Ports) != tc.held {
				t.Errorf("%d ports held; want %d", len(ports.Ports), tc.held)
			}
		})
	}
	// Without the devices collection, ports are named by MAC and typed by
	// their own type.
	var def config.MistPorts
	def.DeviceTypes, def.Keep = []string{"switch", "gateway"}, config.KeepUplinks
	if got := ports.Interfaces(&def, nil); len(got) != 2 || got[0].Device != "0912f561b653" || got[1].Device != "4db14e107134" {
		t.Errorf("Interfaces(no devices) = %s; want the two uplinks named by MAC", show(got))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestSearchRetriesAtTheDefaultOnBadRequest: a refused page size is asked
// again without a limit, at the server's default page.
func TestSearchRetriesAtTheDefaultOnBadRequest(t *testing.T) {
	s := &standIn{refuse: []string{"1000"}}
	c := standInClient(t, s, "")
	if _, err := c.VPNPeers(context.Background()); err != nil {
		t.Fatalf("VPNPeers() = %v", err)
	}
	if q := s.asked("stats/vpn_peers/search"); !slices.Equal(q, []string{"limit=1000", ""}) {
		t.Errorf("vpn_peers queries = %q; want limit=1000, refused, then no limit", q)
	}
	s.mu.Lock()
	s.refuse = []string{"1000", ""}
	s.mu.Unlock()
	_, err := c.BGPPeers(context.Background())
	vendortest.CheckError(t, "BGPPeers() refused at 1000 and at the default", err, http.StatusBadRequest, "bgp_peers/search", "t0ken")
}

func TestPeersTunnelsAndBGP(t *testing.T) {
	s := &standIn{}
	c := standInClient(t, s, "")
	ctx := context.Background()
	devices := vendortest.Get(t, "Devices()", c.Devices)
	show := func(p *Peers, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, pr := range p.Named(devices.Index()) {
			out = append(out, fmt.Sprintf("%s|%s|%s|%v|%s|%s/%s", pr.Device, pr.Peer, pr.Site, pr.Up, val(pr.ReceivedPrefixes),
				p.Peers[i].LocalAS, p.Peers[i].NeighborAS))
		}
		return strings.Join(out, "\n")
	}
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		// The second path has no up: left out, not read as down.
		{"vpn", show(c.VPNPeers(ctx)), "hq-gw|ge-0/0/0 dc-hub-1 ge-0/0/1|HQ-Amsterdam|true|none|/"},
		{"tunnels", show(c.Tunnels(ctx)), "hq-gw|node0 hq-zscaler-1 203.0.113.10|HQ-Amsterdam|false|none|/"},
		// AS numbers as integers or strings alike; no up: the state says.
		{"bgp", show(c.BGPPeers(ctx)), "hq-gw|node0 10.255.0.1|HQ-Amsterdam|true|60|65000/65001\n" +
			"hq-gw|node0 guest 10.255.0.9|HQ-Amsterdam|false|none|65000/4200000001"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s =\n%s\nwant\n%s", tc.name, tc.got, tc.want)
		}
	}
	// Gateway tunnels need type=wan; the window stays the endpoint's.
	if q := s.asked("stats/tunnels/search"); len(q) != 1 || q[0] != "limit=1000&type=wan" {
		t.Errorf("tunnels queries = %q; want limit=1000&type=wan", q)
	}
}

func TestMistEdges(t *testing.T) {
	s := &standIn{}
	c := standInClient(t, s, "")
	e := vendortest.Get(t, "MistEdges()", c.MistEdges)
	if len(e.Edges) != 1 {
		t.Fatalf("len(Edges) = %d; want 1", len(e.Edges))
	}
	got := e.Edges[0]
	if got.Device.Name != "dc-mxedge-1" || got.Device.Serial != "MX1234" || !got.Device.Up || got.Device.Site != "HQ-Amsterdam" ||
		val(got.NumTunnels) != "42" || val(got.Health.CPU) != "0.07" || val(got.Health.Memory) != "0.35" ||
		fmt.Sprint(got.Health.Temperatures) != "[{CPU1 45}]" {
		t.Errorf("Edge = %+v, tunnels %s, cpu %s, memory %s; want dc-mxedge-1 MX1234 up, 42 tunnels, cpu 0.07 (usage), memory 0.35 (memory_stats), CPU1 45",
			got.Device, val(got.NumTunnels), val(got.Health.CPU), val(got.Health.Memory))
	}
	if q := s.asked("stats/mxedges"); len(q) != 1 || !strings.Contains(q[0], "for_site=any") || !strings.Contains(q[0], "page=1") {
		t.Errorf("mxedges queries = %q; want one page with for_site=any", q)
	}
}

func TestSLEsPageInTheBody(t *testing.T) {
	s := &standIn{}
	c := standInClient(t, s, "")
	sles := vendortest.Get(t, "SLEs()", c.SLEs)
	var got []string
	for _, l := range sles.SLEs {
		got = append(got, fmt.Sprintf("%s %s %s %g", l.Site, l.SLE, l.Metric, l.Ratio))
	}
	want := []string{
		"HQ-Amsterdam wan application_health 0.825", "HQ-Amsterdam wan gateway-health 1", "HQ-Amsterdam wan wan-link-health 0.9988",
		"HQ-Amsterdam wifi ap-availability 1", "HQ-Amsterdam wifi ap-health 0.99", "HQ-Amsterdam wifi capacity 0.95",
		"HQ-Amsterdam wifi coverage 0.97", "HQ-Amsterdam wifi roaming 1", "HQ-Amsterdam wifi successful-connect 0.99",
		"HQ-Amsterdam wifi throughput 0.93", "HQ-Amsterdam wifi time-to-connect 0.98",
		"HQ-Amsterdam wired switch-bandwidth 0.967", "HQ-Amsterdam wired switch-health 1", "HQ-Amsterdam wired switch-throughput 0.982",
	}
	if !slices.Equal(got, want) {
		t.Errorf("SLEs =\n%s\nwant\n%s\n(no num_*, nothing for a site without data)", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// No interval, no window: the endpoint's defaults; page 2 while
	// page*limit < total.
	if q := s.asked("insights/sites-sle"); !slices.Equal(q, []string{
		"limit=1000&page=1&sle=wifi", "limit=1000&page=2&sle=wifi", "limit=1000&page=1&sle=wired", "limit=1000&page=1&sle=wan",
	}) {
		t.Errorf("sites-sle queries = %q", q)
	}
}

func TestPageMinimumCountsEveryCollection(t *testing.T) {
	s := &standIn{}
	base := vendortest.ServeHandler(t, s)
	for _, tc := range []struct {
		extra string
		want  int
	}{
		// usage, sites, devices, clients, alarms, and ports 3 (5 at 2 a
		// page), VPN, tunnels, BGP (no total: one page), Mist Edges 1 each,
		// SLE wifi 2 (2 at 1 a page), wired, wan.
		{"", 16},
		// usage, sites, devices, clients, alarms alone.
		{"    collections: {ports: {enabled: false}, vpn_peers: {enabled: false}, tunnels: {enabled: false}, bgp_peers: {enabled: false}, mxedges: {enabled: false}, sle: {enabled: false}}\n", 5},
	} {
		c, _ := newClient(t, mistSection(t, base, "    token: t0ken\n    org_id: "+standInOrg+"\n"+tc.extra))
		n := vendortest.Get(t, "PageMinimum()", c.PageMinimum)
		if n != tc.want {
			t.Errorf("PageMinimum(%q) = %d; want %d", tc.extra, n, tc.want)
		}
	}
}

// TestNumReadsAsTheDecoderWould: a reading read without a decoder of its
// own reads as the decoder read it, number or numeric string; what is no
// number still fails naming what came.
func TestNumReadsAsTheDecoderWould(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`42`, "42"}, {`-1.5e3`, "-1500"}, {`0.000001`, "1e-06"}, {`"65001"`, "65001"}, {`" 12.5 "`, "12.5"},
		{`"1\u0032"`, "12"}, {`null`, "none"}, {`1e400`, "error"}, {`"busy"`, "error"}, {"\"1\xff\"", "error"}, {`""`, "error"},
	} {
		var v struct{ N *num }
		err := json.Unmarshal([]byte(`{"N":`+tc.in+`}`), &v)
		got := "none"
		switch {
		case err != nil:
			got = "error"
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) || te.Field != "N" {
				t.Errorf("%s: %v; want a type error naming the field", tc.in, err)
			}
		case v.N != nil:
			got = strconv.FormatFloat(float64(*v.N), 'g', -1, 64)
		}
		if got != tc.want {
			t.Errorf("%s read as %s; want %s", tc.in, got, tc.want)
		}
	}
}
