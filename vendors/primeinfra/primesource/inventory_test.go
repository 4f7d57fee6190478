package primesource_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// inventoryAPI stands in for Prime with four devices in Devices and the
// inventories of three: sw-1 under another name (found by its deviceId),
// rtr-1 without a deviceId and wlc-1 under a deviceId Devices does not
// know (both found by name); sw-2 has none. failing makes InventoryDetails
// answer 500.
type inventoryAPI struct{ failing atomic.Bool }

const inventoryDevices = `[
 {"devicesDTO": {"deviceId": 11, "deviceName": "sw-1", "deviceType": "Cisco Catalyst 9300-48P Switch", "productFamily": "Switches and Hubs", "location": "HQ > B1", "reachability": "REACHABLE", "ipAddress": "10.0.0.11"}},
 {"devicesDTO": {"deviceId": 12, "deviceName": "rtr-1", "deviceType": "Cisco ASR 1001-X Router", "productFamily": "Routers", "location": "HQ > B1", "reachability": "REACHABLE", "ipAddress": "10.0.0.12"}},
 {"devicesDTO": {"deviceId": 13, "deviceName": "wlc-1", "deviceType": "Cisco 9800-40", "productFamily": "Wireless Controller", "location": "HQ > B1", "reachability": "REACHABLE", "ipAddress": "10.0.0.13"}},
 {"devicesDTO": {"deviceId": 14, "deviceName": "sw-2", "deviceType": "Cisco Catalyst 9300-48P Switch", "productFamily": "Switches and Hubs", "location": "HQ > B2", "reachability": "UNREACHABLE", "ipAddress": "10.0.0.14"}}]`

const inventoryDetails = `[
 {"inventoryDetailsDTO": {"@id": 1011,
  "summary": {"deviceId": 11, "deviceName": "sw-1.example.com", "productFamily": "Switches and Hubs", "reachability": "REACHABLE", "upTime": 360000},
  "chassis": {"chassis": [{"entPhysicalIndex": 2000, "serialNr": "FOC22"}, {"entPhysicalIndex": 1000, "serialNr": "FOC11", "productId": "C9300-48P"}]},
  "ethernetInterfaces": {"ethernetInterface": [
    {"name": "GigabitEthernet1/0/1", "adminStatus": "UP", "operationalStatus": "UP", "speed": 1000000000, "macAddress": {"octets": "00a3d1000001"}},
    {"name": "GigabitEthernet1/0/2", "adminStatus": "UP", "operationalStatus": "UP", "speed": 100000000},
    {"name": "GigabitEthernet1/0/3", "adminStatus": "UP", "operationalStatus": "DOWN", "speed": 10000000},
    {"name": "GigabitEthernet1/0/4", "adminStatus": "DOWN", "operationalStatus": "DOWN", "speed": 10000000},
    {"name": "TenGigabitEthernet1/1/1", "adminStatus": "UP", "operationalStatus": "UP", "speed": 10000000000}]},
  "cdpNeighbors": {"cdpNeighbor": [
    {"nearEndInterface": "GigabitEthernet1/0/1", "neighborDeviceName": "rtr-1", "farEndInterface": "GigabitEthernet0/0/1"},
    {"nearEndInterface": "TenGigabitEthernet1/1/1", "neighborDeviceName": "hub-a", "farEndInterface": "Gi0/1"},
    {"nearEndInterface": "TenGigabitEthernet1/1/1", "neighborDeviceName": "hub-b", "farEndInterface": "Gi0/2"},
    {"nearEndInterface": "Port-channel1", "neighborDeviceName": "core-1", "farEndInterface": "Port-channel7"}]}}},
 {"inventoryDetailsDTO": {"@id": 1012,
  "summary": {"deviceName": "rtr-1", "productFamily": "Routers", "reachability": "REACHABLE"},
  "chassis": {"chassis": {"entPhysicalIndex": 1, "serialNr": "FXS12"}},
  "ethernetInterfaces": {"ethernetInterface": {"name": "GigabitEthernet0/0/1", "adminStatus": "UP", "operationalStatus": "UP", "speed": 1000}},
  "cdpNeighbors": {"cdpNeighbor": {"nearEndInterface": "GigabitEthernet0/0/1", "neighborDeviceName": "sw-1", "farEndInterface": "GigabitEthernet1/0/1"}}}},
 {"inventoryDetailsDTO": {"@id": 1013,
  "summary": {"deviceId": 99, "deviceName": "wlc-1", "productFamily": "Wireless Controller", "reachability": "REACHABLE"},
  "chassis": {"chassis": [{"entPhysicalIndex": 1, "serialNr": "TTM13"}]},
  "ethernetInterfaces": {"ethernetInterface": [{"name": "TenGigabitEthernet0/0/0", "adminStatus": "UP", "operationalStatus": "UP", "speed": 10000000000}]},
  "cdpNeighbors": {"cdpNeighbor": [{"nearEndInterface": "TenGigabitEthernet0/0/0", "neighborDeviceName": "rtr-1", "farEndInterface": "TenGigabitEthernet0/1/0"}]}}}]`

func (a *inventoryAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	list := func(entities string) {
		n := strings.Count(entities, "DTO\":")
		if n == 0 {
			fmt.Fprint(w, `{"queryResponse": {"@first": 0, "@last": -1, "@count": 0}}`)
			return
		}
		fmt.Fprintf(w, `{"queryResponse": {"@first": 0, "@last": %d, "@count": %d, "entity": %s}}`, n-1, n, entities)
	}
	switch r.URL.Path {
	case "/webacs/api/v4/data/Devices.json":
		list(inventoryDevices)
	case "/webacs/api/v4/data/InventoryDetails.json":
		if a.failing.Load() {
			http.Error(w, "simulated failure", http.StatusInternalServerError)
			return
		}
		list(inventoryDetails)
	case "/webacs/api/v4/data/AccessPointDetails.json", "/webacs/api/v4/data/ClientCounts.json", "/webacs/api/v4/data/Alarms.json":
		list("")
	default:
		http.NotFound(w, r)
	}
}

// inventorySource is a source on the fake, every collection refreshed;
// an error of the inventory collection is returned, any other fails the
// test.
func inventorySource(t *testing.T, api *inventoryAPI, extra string) (*collector.Source, error) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	s := registrytest.Parse(t, "prime:\n  - name: pi\n    base_url: "+srv.URL+"\n    username: u\n    password: p\n    hold: 0s\n    budget:\n      max_retries: 0\n"+extra, "pi.yml")
	var invErr error
	for _, c := range s.Collections {
		err := s.Refresh(context.Background(), c.Name)
		switch {
		case c.Name == "controllers" || c.Name == "rogues" || c.Name == "radios":
			continue // the fake serves none of these
		case c.Name == "inventory":
			invErr = err
		case err != nil:
			t.Fatalf("refresh %s: %v", c.Name, err)
		}
	}
	return s, invErr
}

// TestInventoryJoinAndInterfaces: the devices get their serials from the
// inventory by deviceId, else by name; a device it lacks keeps an empty
// serial; the interfaces with a CDP neighbour are kept, under the devices
// collection's names and sites.
func TestInventoryJoinAndInterfaces(t *testing.T) {
	s, err := inventorySource(t, &inventoryAPI{}, "")
	if err != nil {
		t.Fatal(err)
	}
	g := collectortest.Scraped(t, s)
	want := `
# HELP nms_device_uptime_seconds Device uptime, where the API reports it.
# TYPE nms_device_uptime_seconds gauge
nms_device_uptime_seconds{device="sw-1",serial="FOC11",site="HQ > B1"} 3600
# HELP nms_interface_neighbor_info The interface's LLDP neighbour (CDP on Prime), value 1.
# TYPE nms_interface_neighbor_info gauge
nms_interface_neighbor_info{device="rtr-1",interface="GigabitEthernet0/0/1",neighbor="sw-1",neighbor_interface="GigabitEthernet1/0/1"} 1
nms_interface_neighbor_info{device="sw-1",interface="GigabitEthernet1/0/1",neighbor="rtr-1",neighbor_interface="GigabitEthernet0/0/1"} 1
nms_interface_neighbor_info{device="sw-1",interface="Port-channel1",neighbor="core-1",neighbor_interface="Port-channel7"} 1
nms_interface_neighbor_info{device="sw-1",interface="TenGigabitEthernet1/1/1",neighbor="hub-a",neighbor_interface="Gi0/1"} 1
nms_interface_neighbor_info{device="sw-1",interface="TenGigabitEthernet1/1/1",neighbor="hub-b",neighbor_interface="Gi0/2"} 1
nms_interface_neighbor_info{device="wlc-1",interface="TenGigabitEthernet0/0/0",neighbor="rtr-1",neighbor_interface="TenGigabitEthernet0/1/0"} 1
# HELP nms_interface_speed_bytes Negotiated interface speed, in bytes per second.
# TYPE nms_interface_speed_bytes gauge
nms_interface_speed_bytes{device="rtr-1",interface="GigabitEthernet0/0/1"} 1.25e+08
nms_interface_speed_bytes{device="sw-1",interface="GigabitEthernet1/0/1"} 1.25e+08
nms_interface_speed_bytes{device="sw-1",interface="TenGigabitEthernet1/1/1"} 1.25e+09
nms_interface_speed_bytes{device="wlc-1",interface="TenGigabitEthernet0/0/0"} 1.25e+09
# HELP nms_interface_up 1 when the interface's link is up, else 0, for the interfaces the source's filter keeps.
# TYPE nms_interface_up gauge
nms_interface_up{device="rtr-1",interface="GigabitEthernet0/0/1",site="HQ > B1"} 1
nms_interface_up{device="sw-1",interface="GigabitEthernet1/0/1",site="HQ > B1"} 1
nms_interface_up{device="sw-1",interface="TenGigabitEthernet1/1/1",site="HQ > B1"} 1
nms_interface_up{device="wlc-1",interface="TenGigabitEthernet0/0/0",site="HQ > B1"} 1
`
	if err := testutil.GatherAndCompare(g, strings.NewReader(want), "nms_device_uptime_seconds", "nms_interface_neighbor_info",
		"nms_interface_speed_bytes", "nms_interface_up"); err != nil {
		t.Error(err)
	}
	if got, want := serials(t, g), map[string]string{"sw-1": "FOC11", "rtr-1": "FXS12", "wlc-1": "TTM13", "sw-2": ""}; !mapsEqual(got, want) {
		t.Errorf("serials = %v; want %v: by deviceId, else by name, else none", got, want)
	}
	collectortest.Lint(t, g)
}

// TestInventoryFilter: each of the filter's settings keeps what it says.
func TestInventoryFilter(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // device/interface of nms_interface_up
	}{
		{"keep all", "keep: all", []string{"rtr-1/GigabitEthernet0/0/1", "sw-1/GigabitEthernet1/0/1", "sw-1/GigabitEthernet1/0/2",
			"sw-1/GigabitEthernet1/0/3", "sw-1/GigabitEthernet1/0/4", "sw-1/TenGigabitEthernet1/1/1", "wlc-1/TenGigabitEthernet0/0/0"}},
		{"keep all up only", "keep: all\n      up_only: true", []string{"rtr-1/GigabitEthernet0/0/1", "sw-1/GigabitEthernet1/0/1",
			"sw-1/GigabitEthernet1/0/2", "sw-1/TenGigabitEthernet1/1/1", "wlc-1/TenGigabitEthernet0/0/0"}},
		{"routers and controllers", "device_types: [router, controller]", []string{"rtr-1/GigabitEthernet0/0/1", "wlc-1/TenGigabitEthernet0/0/0"}},
		{"names", `keep: all
      name: "^TenGig"`, []string{"sw-1/TenGigabitEthernet1/1/1", "wlc-1/TenGigabitEthernet0/0/0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := inventorySource(t, &inventoryAPI{}, "    interfaces:\n      "+tc.yaml+"\n")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range series(t, collectortest.Scraped(t, s), "nms_interface_up") {
				got = append(got, l["device"]+"/"+l["interface"])
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("nms_interface_up for %s = %v; want %v", tc.yaml, got, tc.want)
			}
		})
	}
}

// TestFailingInventoryKeepsTheDevices: without an inventory the devices
// show as the devices collection has them, with empty serials; once one
// was fetched, a failed refresh keeps its serials.
func TestFailingInventoryKeepsTheDevices(t *testing.T) {
	api := &inventoryAPI{}
	api.failing.Store(true)
	s, err := inventorySource(t, api, "")
	if err == nil {
		t.Fatal("the inventory refreshed; the test needs it to fail")
	}
	want := map[string]string{"sw-1": "", "rtr-1": "", "wlc-1": "", "sw-2": ""}
	if got := serials(t, collectortest.Scraped(t, s)); !mapsEqual(got, want) {
		t.Errorf("devices without an inventory = %v; want all four with empty serials", got)
	}
	api.failing.Store(false)
	if err := s.Refresh(context.Background(), "inventory"); err != nil {
		t.Fatal(err)
	}
	api.failing.Store(true)
	for _, c := range []string{"inventory", "devices"} {
		err := s.Refresh(context.Background(), c)
		if (err == nil) != (c == "devices") {
			t.Fatalf("refresh %s = %v; want the inventory alone to fail", c, err)
		}
	}
	want = map[string]string{"sw-1": "FOC11", "rtr-1": "FXS12", "wlc-1": "TTM13", "sw-2": ""}
	if got := serials(t, collectortest.Scraped(t, s)); !mapsEqual(got, want) {
		t.Errorf("devices after a failed inventory refresh = %v; want the last inventory's serials %v", got, want)
	}
}

// TestInventoryFromTheSimulator: against the simulator, every switch,
// router and controller gets its chassis serial, and the default filter
// exports the cabled interfaces with their neighbours.
func TestInventoryFromTheSimulator(t *testing.T) {
	sim := newSim(t, primesim.Options{Seed: 12, Size: "small", RateLimit: -1})
	s := refreshedSource(t, sim, "    inventory_page_size: 4\n")
	g := collectortest.Scraped(t, s)
	got := serials(t, g)
	links := 0
	for _, d := range sim.Devices() {
		if got[d.Name] != d.Serial {
			t.Errorf("%s serial = %q; want %q", d.Name, got[d.Name], d.Serial)
		}
		links += len(d.Links)
	}
	if n := len(series(t, g, "nms_interface_neighbor_info")); n != links {
		t.Errorf("nms_interface_neighbor_info = %d series; want the server's %d CDP neighbours", n, links)
	}
	collectortest.Lint(t, g)
}

// series returns the label sets of a family's samples.
func series(t *testing.T, g prometheus.Gatherer, name string) []map[string]string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out = append(out, labels)
		}
	}
	return out
}

// serials maps the devices of nms_device_info (not the APs) to their
// serials.
func serials(t *testing.T, g prometheus.Gatherer) map[string]string {
	out := map[string]string{}
	for _, l := range series(t, g, "nms_device_info") {
		if l["type"] != "ap" {
			out[l["device"]] = l["serial"]
		}
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
