package mistsource_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
)

// networkAPI stands in for Mist with one site, an AP, a switch and a
// gateway, and the wired, WAN and SLE answers of mist.md's examples.
func networkAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path[strings.LastIndex(r.URL.Path, "/org1/")+len("/org1/"):]
	list := func(body string) {
		w.Header().Set("X-Page-Total", fmt.Sprint(strings.Count(body, `"mac"`)+strings.Count(body, `"name": "HQ"`)))
		fmt.Fprint(w, body)
	}
	search := func(results string) {
		fmt.Fprintf(w, `{"start": 1, "end": 2, "limit": 1000, "total": %d, "results": [%s]}`, strings.Count(results, `"mac"`), results)
	}
	switch {
	case r.URL.Path == "/api/v1/self/usage":
		fmt.Fprint(w, `{"requests": 10, "request_limit": 5000}`)
	case path == "stats/sites":
		list(`[{"id": "s1", "name": "HQ"}]`)
	case path == "stats/devices":
		list(`[{"type": "ap", "mac": "aa01", "name": "ap-1", "site_id": "s1", "status": "connected", "cpu_util": 5,
  "radio_stat": {"band_5": {"channel": 44, "bandwidth": 80, "util_all": 12}, "band_6": {"bandwidth": 0}}},
 {"type": "switch", "mac": "bb01", "name": "sw-1", "site_id": "s1", "status": "connected", "memory_stat": {"usage": 16}},
 {"type": "gateway", "mac": "cc01", "name": "gw-1", "site_id": "s1", "status": "connected"}]`)
	case path == "stats/mxedges":
		list(`[]`)
	case path == "stats/ports/search":
		search(`{"site_id": "s1", "mac": "bb01", "port_id": "ge-0/0/47", "up": true, "speed": 1000, "rx_bytes": 100, "tx_errors": 2, "neighbor_mac": "cc01", "neighbor_port_desc": "ge-0/0/1"},
 {"site_id": "s1", "mac": "bb01", "port_id": "ge-0/0/1", "up": true, "neighbor_mac": "aa01"}`)
	case path == "stats/bgp_peers/search":
		search(`{"site_id": "s1", "mac": "cc01", "vrf_name": "default", "neighbor": "10.0.0.1", "neighbor_as": "65001", "local_as": 65000, "up": true, "rx_routes": 60}`)
	case path == "stats/vpn_peers/search", path == "stats/tunnels/search", path == "clients/search", path == "alarms/search":
		search("")
	case path == "insights/sites-sle":
		if r.URL.Query().Get("sle") == "wan" {
			fmt.Fprint(w, `{"limit": 100, "page": 1, "total": 1, "results": [{"site_id": "s1", "num_gateways": 1, "gateway-health": 0.99}]}`)
			return
		}
		fmt.Fprint(w, `{"limit": 100, "page": 1, "total": 0, "results": []}`)
	default:
		http.NotFound(w, r)
	}
}

func TestNetworkFamilies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(networkAPI))
	t.Cleanup(srv.Close)
	s := registrytest.Parse(t, "mist:\n  - name: m\n    base_url: "+srv.URL+"\n    token: t\n    org_id: org1\n"+
		"    collections: {ports: {}, bgp_peers: {}, vpn_peers: {}, tunnels: {}, mxedges: {}, sle: {}}\n", "m.yml")
	registrytest.RefreshAll(t, s)
	g := collectortest.Scraped(t, s)
	want := `
# HELP nms_ap_radio_bandwidth_hertz The radio's channel width, in hertz.
# TYPE nms_ap_radio_bandwidth_hertz gauge
nms_ap_radio_bandwidth_hertz{band="5",device="ap-1"} 8e+07
# HELP nms_ap_radio_utilization_ratio Airtime used on the radio's channel, 0..1, by kind: all, tx, rx_in_bss, rx_other_bss, non_wifi.
# TYPE nms_ap_radio_utilization_ratio gauge
nms_ap_radio_utilization_ratio{band="5",device="ap-1",kind="all"} 0.12
# HELP nms_bgp_peer_received_prefixes Prefixes received from the BGP peer.
# TYPE nms_bgp_peer_received_prefixes gauge
nms_bgp_peer_received_prefixes{device="gw-1",peer="10.0.0.1"} 60
# HELP nms_bgp_peer_up 1 when the BGP session is established, else 0.
# TYPE nms_bgp_peer_up gauge
nms_bgp_peer_up{device="gw-1",peer="10.0.0.1",site="HQ"} 1
# HELP nms_device_cpu_utilization_ratio CPU busy, 0..1.
# TYPE nms_device_cpu_utilization_ratio gauge
nms_device_cpu_utilization_ratio{device="ap-1"} 0.05
# HELP nms_device_memory_utilization_ratio Memory in use, 0..1.
# TYPE nms_device_memory_utilization_ratio gauge
nms_device_memory_utilization_ratio{device="sw-1"} 0.16
# HELP nms_interface_neighbor_info The interface's LLDP neighbour (CDP on Prime), value 1.
# TYPE nms_interface_neighbor_info gauge
nms_interface_neighbor_info{device="sw-1",interface="ge-0/0/47",neighbor="gw-1",neighbor_interface="ge-0/0/1"} 1
# HELP nms_interface_receive_bytes_total Bytes received on the interface, as the vendor counts them.
# TYPE nms_interface_receive_bytes_total counter
nms_interface_receive_bytes_total{device="sw-1",interface="ge-0/0/47"} 100
# HELP nms_interface_speed_bytes Negotiated interface speed, in bytes per second.
# TYPE nms_interface_speed_bytes gauge
nms_interface_speed_bytes{device="sw-1",interface="ge-0/0/47"} 1.25e+08
# HELP nms_interface_transmit_errors_total Transmit errors on the interface, as the vendor counts them.
# TYPE nms_interface_transmit_errors_total counter
nms_interface_transmit_errors_total{device="sw-1",interface="ge-0/0/47"} 2
# HELP nms_interface_up 1 when the interface's link is up, else 0, for the interfaces the source's filter keeps.
# TYPE nms_interface_up gauge
nms_interface_up{device="sw-1",interface="ge-0/0/47",site="HQ"} 1
# HELP nms_mist_bgp_peer_info The autonomous systems of a BGP session, value 1.
# TYPE nms_mist_bgp_peer_info gauge
nms_mist_bgp_peer_info{device="gw-1",local_as="65000",neighbor_as="65001",peer="10.0.0.1"} 1
# HELP nms_sle_ratio Share of user-minutes meeting the service-level metric over the vendor's window, 0..1.
# TYPE nms_sle_ratio gauge
nms_sle_ratio{metric="gateway-health",site="HQ",sle="wan"} 0.99
`
	// Only the uplink port (to the gateway) is kept by default; the 6 GHz
	// radio is disabled; nothing is emitted for what was not reported
	// (the switch's CPU, the interface PoE, the AP's memory).
	names := []string{"nms_ap_radio_bandwidth_hertz", "nms_ap_radio_utilization_ratio", "nms_bgp_peer_received_prefixes",
		"nms_bgp_peer_up", "nms_device_cpu_utilization_ratio", "nms_device_memory_utilization_ratio", "nms_interface_neighbor_info",
		"nms_interface_receive_bytes_total", "nms_interface_speed_bytes", "nms_interface_transmit_errors_total", "nms_interface_up",
		"nms_mist_bgp_peer_info", "nms_sle_ratio", "nms_interface_poe_power_watts", "nms_interface_transmit_bytes_total"}
	if err := testutil.GatherAndCompare(g, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	collectortest.Lint(t, g)
}
