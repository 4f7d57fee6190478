package primeinfra

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// TestInventoryMatchesSimulator walks InventoryDetails at its own small
// page size, with the page-count minimum of calls, and finds each
// device's serial, uptime, interfaces and neighbours as the server has
// them, joined to Devices by deviceId.
func TestInventoryMatchesSimulator(t *testing.T) {
	sim, c := simClient(t, primesim.Options{Seed: 2, Size: "medium", RateLimit: -1}, "    hold: 1ms\n    inventory_page_size: 7\n")
	sim.ResetCalls()
	inv := vendortest.Get(t, "Inventory()", c.Inventory)
	z := sim.Sizes()
	if got, want := sim.Calls(), ceilDiv(z.Devices, 7); got != want {
		t.Errorf("calls = %d; want the page-count minimum %d at inventory_page_size 7", got, want)
	}
	if len(inv.Devices) != z.Devices {
		t.Fatalf("Inventory() = %d devices; want %d", len(inv.Devices), z.Devices)
	}
	devs := vendortest.Get(t, "Devices()", c.Devices)
	ids := map[int64]string{}
	for i, d := range devs.Devices {
		ids[devs.IDs[i]] = d.Name
	}
	byID := map[int64]InventoryDevice{}
	for _, d := range inv.Devices {
		byID[d.ID] = d
		if ids[d.ID] != d.Name {
			t.Errorf("inventory deviceId %d is %q; Devices names it %q", d.ID, d.Name, ids[d.ID])
		}
	}
	stacks := 0
	for _, want := range sim.Devices() {
		got, ok := byID[want.ID]
		if !ok {
			t.Errorf("no inventory for %s (deviceId %d)", want.Name, want.ID)
			continue
		}
		if got.Chassis > 1 {
			stacks++
		}
		up, neighbors := 0, map[string]Neighbor{}
		for _, i := range got.Interfaces {
			if i.Up {
				up++
				if i.SpeedBytes <= 0 || len(i.MAC) != 12 {
					t.Errorf("%s %s: up at %v B/s, MAC %q; want a speed and a 12-digit MAC", got.Name, i.Name, i.SpeedBytes, i.MAC)
				}
			} else if i.SpeedBytes != 0 {
				t.Errorf("%s %s: down at %v B/s; a link that is down has no speed", got.Name, i.Name, i.SpeedBytes)
			}
		}
		for _, n := range got.Neighbors {
			neighbors[n.Interface] = n
		}
		if got.Serial != want.Serial || got.Model != want.Model || got.Type != want.Type || got.Chassis != len(want.Members) ||
			len(got.Interfaces) != want.Interfaces || up != want.UpInterfaces || len(neighbors) != want.Neighbors {
			t.Errorf("%s = serial %s, model %s, %s, %d chassis, %d interfaces (%d up), %d neighbours; want %s, %s, %s, %d, %d (%d), %d",
				want.Name, got.Serial, got.Model, got.Type, got.Chassis, len(got.Interfaces), up, len(neighbors),
				want.Serial, want.Model, want.Type, len(want.Members), want.Interfaces, want.UpInterfaces, want.Neighbors)
		}
		for port, l := range want.Links {
			if n := neighbors[port]; n.Device != l.Neighbor || n.Port != l.Port {
				t.Errorf("%s %s: neighbour %+v; want %+v", want.Name, port, n, l)
			}
		}
		if w := float64(want.UptimeHundredths) / 100; math.Abs(got.Uptime-w) > 0.01 {
			t.Errorf("%s uptime = %v s; want %v", want.Name, got.Uptime, w)
		}
	}
	if stacks == 0 || stacks != z.StackedSwitches {
		t.Errorf("stacks = %d; want the server's %d", stacks, z.StackedSwitches)
	}
}

// TestInventoryEachReading: every reading of what no source settles gives
// the same inventory: speeds in bits or megabits, uptime in hundredths or
// seconds (as configured), statuses in either case, one-element lists as
// bare objects, and the v3 forms.
func TestInventoryEachReading(t *testing.T) {
	fetch := func(t *testing.T, o primesim.Options, extra string) *Inventory {
		o.Seed, o.Size, o.RateLimit = 3, "small", -1
		_, c := simClient(t, o, "    hold: 0s\n"+extra)
		return vendortest.Get(t, "Inventory()", c.Inventory)
	}
	want := fetch(t, primesim.Options{}, "")
	for _, tc := range []struct {
		name  string
		o     primesim.Options
		extra string
	}{
		{"speed in Mbps", primesim.Options{InventorySpeedMbps: true}, ""},
		{"uptime in seconds", primesim.Options{InventoryUpTimeSeconds: true}, "    inventory_uptime_unit: seconds\n"},
		{"statuses in lower case", primesim.Options{InventoryStatusLowerCase: true}, ""},
		{"one-element lists bare", primesim.Options{BareListsAt: []string{"v4"}}, ""},
		{"v1 with bare lists, bare entities and strings for numbers", primesim.Options{BareListsAt: []string{"v1"}, BareEntityAt: []string{"v1"},
			StringNumbersAt: []string{"v1"}}, "    api_version: v1\n    inventory_page_size: 1\n"},
		{"v3 strings", primesim.Options{}, "    api_version: v3\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := fetch(t, tc.o, tc.extra)
			if len(got.Devices) != len(want.Devices) {
				t.Fatalf("%d devices; want %d", len(got.Devices), len(want.Devices))
			}
			for i := range got.Devices {
				g, w := got.Devices[i], want.Devices[i]
				// Whole seconds carry less than hundredths.
				if math.Abs(g.Uptime-w.Uptime) >= 1 {
					t.Errorf("%s uptime = %v; want %v", g.Name, g.Uptime, w.Uptime)
				}
				g.Uptime = w.Uptime
				if !reflect.DeepEqual(g, w) {
					t.Errorf("device %s = %+v; want %+v", g.Name, g, w)
				}
			}
		})
	}
}

// TestInventoryDecode reads entities written by hand: what a server may
// send that the simulator does not.
func TestInventoryDecode(t *testing.T) {
	decode := func(t *testing.T, body, unit string) (InventoryDevice, bool) {
		t.Helper()
		var e inventoryEntity
		if err := json.Unmarshal([]byte(`{"inventoryDetailsDTO": `+body+`}`), &e); err != nil {
			t.Fatalf("decoding %s: %v", body, err)
		}
		return newInventoryDevice(&e, unit)
	}
	t.Run("only a summary", func(t *testing.T) {
		d, ok := decode(t, `{"summary": {"deviceId": "42", "deviceName": "sw1", "productFamily": "Switches and Hubs", "reachability": "REACHABLE"}}`, config.UptimeHundredths)
		want := InventoryDevice{ID: 42, Name: "sw1", Type: "switch", Up: true}
		if !ok || !reflect.DeepEqual(d, want) {
			t.Errorf("newInventoryDevice = %+v, %v; want %+v: no serial, uptime or interfaces", d, ok, want)
		}
	})
	t.Run("stack listed out of order", func(t *testing.T) {
		d, _ := decode(t, `{"summary": {"deviceId": 1, "productFamily": "Switches and Hubs", "ipAddress": {"address": "10.0.0.1"}},
			"chassis": {"chassis": [{"entPhysicalIndex": "2000", "serialNr": "FOC2"}, {"entPhysicalIndex": 1000, "serialNr": " FOC1 ", "modelNr": "C9300-48P"},
				{"entPhysicalIndex": 3000, "serialNr": "FOC3"}]}}`, config.UptimeHundredths)
		if d.Serial != "FOC1" || d.Model != "C9300-48P" || d.Chassis != 3 || d.Name != "10.0.0.1" {
			t.Errorf("stack = %+v; want serial FOC1 (the lowest entPhysicalIndex), its model, 3 chassis, named by its address", d)
		}
	})
	t.Run("bare objects", func(t *testing.T) {
		d, _ := decode(t, `{"summary": {"deviceId": 7, "deviceName": "r1", "productFamily": "Routers", "upTime": 12345},
			"chassis": {"chassis": {"entPhysicalIndex": 1, "serialNr": "FXS1", "productId": "ASR1001-X"}},
			"ethernetInterfaces": {"ethernetInterface": {"name": "Gi0/0/0", "adminStatus": "up", "operationalStatus": {"value": "UP"}, "speed": "1000000000", "macAddress": "00:11:22:33:44:55"}},
			"cdpNeighbors": {"cdpNeighbor": {"nearEndInterface": "Gi0/0/0", "neighborDeviceName": "sw1", "farEndInterface": "Te1/1/1"}}}`, config.UptimeHundredths)
		want := InventoryDevice{ID: 7, Name: "r1", Type: "router", Serial: "FXS1", Model: "ASR1001-X", Chassis: 1, Uptime: 123.45,
			Interfaces: []Interface{{Name: "Gi0/0/0", Up: true, AdminUp: true, SpeedBytes: 125_000_000, MAC: "001122334455"}},
			Neighbors:  []Neighbor{{Interface: "Gi0/0/0", Device: "sw1", Port: "Te1/1/1"}}}
		if !reflect.DeepEqual(d, want) {
			t.Errorf("newInventoryDevice = %+v; want %+v", d, want)
		}
	})
	t.Run("speeds", func(t *testing.T) {
		for _, tc := range []struct {
			speed, status string
			want          float64
		}{
			{`10000000000`, "UP", 1.25e9}, // bits per second
			{`10000`, "UP", 1.25e9},       // megabits
			{`100`, "Up", 12.5e6},         // megabits
			{`"100000000"`, "up", 12.5e6}, // a numeric string
			{`4294967295`, "UP", 0},       // ifSpeed's ceiling: faster, by how much unknown
			{`"auto"`, "UP", 0},           // no number
			{`1000000000`, "DOWN", 0},     // no link
			{`1000000000`, "LOWERLAYERDOWN", 0},
		} {
			d, _ := decode(t, `{"summary": {"productFamily": "Switches and Hubs"}, "ethernetInterfaces": {"ethernetInterface": [{"name": "Gi1/0/1", "operationalStatus": "`+
				tc.status+`", "speed": `+tc.speed+`}]}}`, config.UptimeHundredths)
			if got := d.Interfaces[0].SpeedBytes; got != tc.want {
				t.Errorf("speed %s, status %s = %v B/s; want %v", tc.speed, tc.status, got, tc.want)
			}
		}
	})
	t.Run("uptime units", func(t *testing.T) {
		body := `{"summary": {"productFamily": "Routers", "upTime": 360000}}`
		if d, _ := decode(t, body, config.UptimeHundredths); d.Uptime != 3600 {
			t.Errorf("upTime 360000 in hundredths = %v s; want 3600", d.Uptime)
		}
		if d, _ := decode(t, body, config.UptimeSeconds); d.Uptime != 360000 {
			t.Errorf("upTime 360000 in seconds = %v s; want 360000", d.Uptime)
		}
	})
	t.Run("access points left out", func(t *testing.T) {
		if _, ok := decode(t, `{"summary": {"productFamily": "Unified AP"}}`, config.UptimeHundredths); ok {
			t.Error("an AP's inventory was kept; the access_points collection knows APs better")
		}
	})
	t.Run("a speed that is no number", func(t *testing.T) {
		var e inventoryEntity
		err := json.Unmarshal([]byte(`{"inventoryDetailsDTO": {"ethernetInterfaces": {"ethernetInterface": [{"name": "x", "speed": {"bps": 1}}]}}}`), &e)
		if err == nil || !strings.Contains(err.Error(), "is not a number") {
			t.Errorf("speed {...} = %v; want an error saying it is not a number", err)
		}
	})
}

// TestInventoryEmpty: a server without devices gives an empty inventory,
// not an error.
func TestInventoryEmpty(t *testing.T) {
	_, c := simClient(t, primesim.Options{Seed: 2, RateLimit: -1, UnknownDomainEmpty: true}, "    hold: 0s\n    virtual_domain: Nowhere\n")
	inv, err := c.Inventory(context.Background())
	if err != nil || len(inv.Devices) != 0 {
		t.Errorf("Inventory() of an empty domain = %+v, %v; want no devices, no error", inv, err)
	}
}
