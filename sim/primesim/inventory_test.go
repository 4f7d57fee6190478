package primesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type invChassis struct {
	EntPhysicalIndex int    `json:"entPhysicalIndex"`
	ModelNr          string `json:"modelNr"`
	ProductID        string `json:"productId"`
	SerialNr         string `json:"serialNr"`
}

type invEth struct {
	AdminStatus       string `json:"adminStatus"`
	Description       string `json:"description"`
	MacAddress        octets `json:"macAddress"`
	MTU               int    `json:"mtu"`
	Name              string `json:"name"`
	OperationalStatus string `json:"operationalStatus"`
	Speed             int64  `json:"speed"`
}

type invCDP struct {
	FarEndInterface    string `json:"farEndInterface"`
	NearEndInterface   string `json:"nearEndInterface"`
	NeighborDeviceName string `json:"neighborDeviceName"`
	Platform           string `json:"neighborDevicePlatformType"`
}

type invItem struct {
	ID      int64 `json:"@id"`
	Summary struct {
		DeviceID      int64  `json:"deviceId"`
		DeviceName    string `json:"deviceName"`
		IPAddress     string `json:"ipAddress"`
		ProductFamily string `json:"productFamily"`
		Reachability  string `json:"reachability"`
		SystemTime    string `json:"systemTime"`
		UpTime        int64  `json:"upTime"`
	} `json:"summary"`
	Chassis struct {
		Chassis []invChassis `json:"chassis"`
	} `json:"chassis"`
	EthernetInterfaces struct {
		EthernetInterface []invEth `json:"ethernetInterface"`
	} `json:"ethernetInterfaces"`
	CdpNeighbors struct {
		CdpNeighbor []invCDP `json:"cdpNeighbor"`
	} `json:"cdpNeighbors"`
}

func (it *invItem) port(name string) (invEth, bool) {
	for _, e := range it.EthernetInterfaces.EthernetInterface {
		if e.Name == name {
			return e, true
		}
	}
	return invEth{}, false
}

// TestInventoryAgreesWithDevices walks InventoryDetails in small pages, as
// a client must on a heavy resource, and checks it against Devices: one
// entity per device, joined by summary.deviceId (the entity's @id is its
// own), and a topology both ends of each link agree on.
func TestInventoryAgreesWithDevices(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5}))
	inv := walkAll[invItem](h, "InventoryDetails", "", 3)
	devs := walkAll[deviceItem](h, "Devices", "", 1000)
	z := h.S.Sizes()
	if len(inv) != len(devs) || len(inv) != z.Devices {
		t.Fatalf("InventoryDetails = %d entities, Devices %d, Sizes %d; want one per device", len(inv), len(devs), z.Devices)
	}
	byID := map[int64]deviceItem{}
	for _, d := range devs {
		byID[d.DeviceID] = d
	}
	byName := map[string]*invItem{}
	interfaces := 0
	macs := map[string]bool{}
	for i := range inv {
		it := &inv[i]
		d, ok := byID[it.Summary.DeviceID]
		if !ok || d.DeviceName != it.Summary.DeviceName || d.IPAddress != it.Summary.IPAddress ||
			d.Reachability != it.Summary.Reachability || d.ProductFamily != it.Summary.ProductFamily {
			t.Errorf("inventory of %s (deviceId %d) = %+v; want the summary of Devices' %+v", it.Summary.DeviceName, it.Summary.DeviceID, it.Summary, d)
		}
		if it.ID == it.Summary.DeviceID {
			t.Errorf("%s: @id %d equals deviceId; the simulator keeps them apart so clients join on deviceId", it.Summary.DeviceName, it.ID)
		}
		byName[it.Summary.DeviceName] = it
		interfaces += len(it.EthernetInterfaces.EthernetInterface)
		names := map[string]bool{}
		for _, e := range it.EthernetInterfaces.EthernetInterface {
			if names[e.Name] || macs[e.MacAddress.Octets] {
				t.Errorf("%s: interface %s or its MAC %s repeats", it.Summary.DeviceName, e.Name, e.MacAddress.Octets)
			}
			names[e.Name], macs[e.MacAddress.Octets] = true, true
			if e.Speed <= 0 || e.MTU < 1500 || (e.AdminStatus == "DOWN" && e.OperationalStatus == "UP") {
				t.Errorf("%s %+v: want a speed, an MTU and no link on a shut port", it.Summary.DeviceName, e)
			}
		}
	}
	if interfaces != z.Interfaces {
		t.Errorf("Ethernet interfaces = %d; Sizes says %d", interfaces, z.Interfaces)
	}
	aps := map[string]APInfo{}
	for _, a := range h.S.APs() {
		aps[a.Name] = a
	}
	seenAPs, neighbors := map[string]bool{}, 0
	for name, it := range byName {
		uplinks := 0
		for _, n := range it.CdpNeighbor() {
			neighbors++
			near, ok := it.port(n.NearEndInterface)
			if !ok || near.OperationalStatus != "UP" {
				t.Errorf("%s: CDP neighbour %s on %s, whose link is %+v; want an interface that is up", name, n.NeighborDeviceName, n.NearEndInterface, near)
			}
			if far, ok := byName[n.NeighborDeviceName]; ok {
				uplinks++
				back := slices.ContainsFunc(far.CdpNeighbor(), func(m invCDP) bool {
					return m.NeighborDeviceName == name && m.NearEndInterface == n.FarEndInterface && m.FarEndInterface == n.NearEndInterface
				})
				if !back || !strings.HasPrefix(n.Platform, "cisco "+far.Chassis.Chassis[0].ProductID) {
					t.Errorf("%s %s -> %s %s (%s): want the far end to see the same link and the platform to name its product", name, n.NearEndInterface, n.NeighborDeviceName, n.FarEndInterface, n.Platform)
				}
				continue
			}
			a, ok := aps[n.NeighborDeviceName]
			if !ok || !a.Reachable || seenAPs[a.Name] || n.FarEndInterface != "GigabitEthernet0" || n.Platform != "cisco "+a.Model {
				t.Errorf("%s: CDP neighbour %+v; want a device, or a reachable AP seen once on its GigabitEthernet0", name, n)
			}
			seenAPs[a.Name] = true
		}
		if uplinks == 0 {
			t.Errorf("%s has no CDP neighbour among the devices; want every device cabled", name)
		}
	}
	if want := z.APs - z.UnreachableAPs; len(seenAPs) != want || neighbors != z.Neighbors {
		t.Errorf("APs seen by CDP = %d, neighbours %d; want every reachable AP (%d) and Sizes' %d", len(seenAPs), neighbors, want, z.Neighbors)
	}
	for _, d := range h.S.Devices() {
		it := byName[d.Name]
		if it == nil || d.Serial != it.Chassis.Chassis[0].SerialNr || d.ID != it.Summary.DeviceID || d.InventoryID != it.ID || d.UptimeHundredths != it.Summary.UpTime {
			t.Errorf("Devices() %s = serial %s, ids %d/%d, uptime %d; want what InventoryDetails sends", d.Name, d.Serial, d.ID, d.InventoryID, d.UptimeHundredths)
		}
	}
}

func (it *invItem) CdpNeighbor() []invCDP { return it.CdpNeighbors.CdpNeighbor }

// TestInventoryStacks: about a tenth of the switches are stacks of two or
// three, the first chassis the stack's (the lowest entPhysicalIndex), each
// member with its own ports; every serial is unique, the APs' included.
// At size large the inventory is about 500 devices and 25,000 interfaces.
func TestInventoryStacks(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5, Size: "medium"}))
	z := h.S.Sizes()
	if share := float64(z.StackedSwitches) / float64(z.Switches); share < 0.04 || share > 0.2 {
		t.Errorf("stacked switches = %d of %d; want about a tenth", z.StackedSwitches, z.Switches)
	}
	serials := map[string]bool{}
	for _, a := range h.S.APs() {
		serials[a.Serial] = true
	}
	stacks := 0
	for _, it := range walkAll[invItem](h, "InventoryDetails", "", 50) {
		chs := it.Chassis.Chassis
		for _, c := range chs {
			if serials[c.SerialNr] {
				t.Errorf("%s: serial %s repeats", it.Summary.DeviceName, c.SerialNr)
			}
			serials[c.SerialNr] = true
		}
		if len(chs) == 1 {
			continue
		}
		stacks++
		if it.Summary.ProductFamily != "Switches and Hubs" || len(chs) > 3 {
			t.Errorf("%s (%s) has %d chassis; want stacks of 2 or 3 switches only", it.Summary.DeviceName, it.Summary.ProductFamily, len(chs))
		}
		if !slices.IsSortedFunc(chs, func(a, b invChassis) int { return a.EntPhysicalIndex - b.EntPhysicalIndex }) {
			t.Errorf("%s: chassis %+v; want the stack's own first, at the lowest entPhysicalIndex", it.Summary.DeviceName, chs)
		}
		last := fmt.Sprintf("GigabitEthernet%d/0/1", len(chs))
		if _, ok := it.port(last); !ok {
			t.Errorf("%s: no %s; want each member's ports", it.Summary.DeviceName, last)
		}
		if chs[0].ProductID == "C9300-48P" {
			if n := len(it.EthernetInterfaces.EthernetInterface); n != 52*len(chs)+1 {
				t.Errorf("%s: a stack of %d C9300-48P has %d interfaces; want 52 a member and the management port", it.Summary.DeviceName, len(chs), n)
			}
		}
	}
	if stacks != z.StackedSwitches {
		t.Errorf("stacks in InventoryDetails = %d; Sizes says %d", stacks, z.StackedSwitches)
	}
	large, err := New(Options{Seed: 5, Size: "large"})
	if err != nil {
		t.Fatal(err)
	}
	if zl := large.Sizes(); zl.Devices != 500 || zl.Interfaces < 20_000 || zl.Interfaces > 30_000 {
		t.Errorf("size large: %d devices, %d interfaces; want 500 and about 25,000", zl.Devices, zl.Interfaces)
	}
}

// TestInventoryFilters: the criteria the catalogue cites, summary.deviceName
// and summary.reachability; other attributes are refused.
func TestInventoryFilters(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5}))
	devs := h.S.Devices()
	unreachable := 0
	for _, d := range devs {
		if d.Reachability == "UNREACHABLE" {
			unreachable++
		}
	}
	one := walkAll[invItem](h, "InventoryDetails", "summary.deviceName="+devs[3].Name, 10)
	if len(one) != 1 || one[0].Summary.DeviceName != devs[3].Name {
		t.Errorf("summary.deviceName=%s gave %d entities; want that device", devs[3].Name, len(one))
	}
	if n := countOf(h, "InventoryDetails", "summary.reachability=UNREACHABLE"); n != unreachable || n == 0 {
		t.Errorf("summary.reachability=UNREACHABLE counts %d; want the %d unreachable devices", n, unreachable)
	}
	if n := countOf(h, "InventoryDetails", `summary.deviceName=startsWith("NA-")&summary.reachability=ne(UNREACHABLE)`); n == 0 || n >= len(devs) {
		t.Errorf("NA- devices that are not unreachable = %d; want some of %d", n, len(devs))
	}
	r := h.Get(data("InventoryDetails", "summary.location=x"))
	if r.Status != http.StatusBadRequest || !strings.Contains(errorDocOf(t, r.Body).Message, "summary.location") {
		t.Errorf("filter on summary.location = %d %s; want a 400 naming the attribute", r.Status, r.Body)
	}
}

// TestInventoryOptions: each reading of what no source settles, against
// the default one of the same world.
func TestInventoryOptions(t *testing.T) {
	get := func(t *testing.T, o Options, version string) []map[string]any {
		h := newHarness(t, relaxed(o))
		var env struct {
			QueryResponse struct {
				Entity []map[string]any `json:"entity"`
			} `json:"queryResponse"`
		}
		h.GetOK(dataAt(version, "InventoryDetails", ".full=true&.maxResults=1000"), &env)
		var out []map[string]any
		for _, e := range env.QueryResponse.Entity {
			dto, _ := e["inventoryDetailsDTO"].(map[string]any)
			out = append(out, dto)
		}
		return out
	}
	base := get(t, Options{Seed: 5}, "v4")
	// field digs a value out of a DTO: path elements are keys, or an index
	// into a list.
	field := func(dto map[string]any, path ...any) any {
		var v any = dto
		for _, p := range path {
			switch k := p.(type) {
			case string:
				m, _ := v.(map[string]any)
				v = m[k]
			case int:
				l, _ := v.([]any)
				if k >= len(l) {
					return nil
				}
				v = l[k]
			}
		}
		return v
	}
	eth := func(dto map[string]any) []any {
		l, _ := field(dto, "ethernetInterfaces", "ethernetInterface").([]any)
		return l
	}
	for _, tc := range []struct {
		name    string
		o       Options
		version string
		check   func(t *testing.T, got, want map[string]any)
	}{
		{"speed in Mbps", Options{InventorySpeedMbps: true}, "v4", func(t *testing.T, got, want map[string]any) {
			for k, e := range eth(got) {
				g, w := field(e.(map[string]any), "speed").(float64), field(eth(want)[k].(map[string]any), "speed").(float64)
				if g*1e6 != w || g > 400_000 {
					t.Fatalf("speed = %v Mbps; want the default's %v b/s in Mbps", g, w)
				}
			}
		}},
		{"upTime in seconds", Options{InventoryUpTimeSeconds: true}, "v4", func(t *testing.T, got, want map[string]any) {
			g, w := field(got, "summary", "upTime").(float64), field(want, "summary", "upTime").(float64)
			if int64(g) != int64(w)/100 {
				t.Fatalf("upTime = %v s; want the default's %v hundredths in seconds", g, w)
			}
		}},
		{"statuses in lower case", Options{InventoryStatusLowerCase: true}, "v4", func(t *testing.T, got, want map[string]any) {
			for k, e := range eth(got) {
				for _, f := range []string{"adminStatus", "operationalStatus"} {
					g, w := field(e.(map[string]any), f).(string), field(eth(want)[k].(map[string]any), f).(string)
					if g != strings.ToLower(w) || (g != "up" && g != "down") {
						t.Fatalf("%s = %q; want %q in lower case", f, g, w)
					}
				}
			}
		}},
		{"one-element lists bare at v4", Options{BareListsAt: []string{"v4"}}, "v4", func(t *testing.T, got, want map[string]any) {
			for _, path := range [][]any{{"chassis", "chassis"}, {"ipInterfaces", "ipInterface"}, {"cdpNeighbors", "cdpNeighbor"}} {
				w, _ := field(want, path...).([]any)
				g := field(got, path...)
				_, isList := g.([]any)
				_, isObject := g.(map[string]any)
				if (len(w) == 1 && !isObject) || (len(w) > 1 && !isList) {
					t.Fatalf("%v = %T; want an object for one element, a list for %d", path, g, len(w))
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Seed = 5
			got := get(t, tc.o, tc.version)
			if len(got) != len(base) {
				t.Fatalf("%d entities; want %d", len(got), len(base))
			}
			for i := range got {
				tc.check(t, got[i], base[i])
			}
		})
	}
	t.Run("lists at versions BareListsAt leaves out", func(t *testing.T) {
		for _, dto := range get(t, Options{Seed: 5, BareListsAt: []string{"v1"}}, "v4") {
			if _, ok := field(dto, "chassis", "chassis").([]any); !ok {
				t.Fatalf("chassis.chassis = %v; want a list at v4", field(dto, "chassis", "chassis"))
			}
		}
	})
	t.Run("v3 strings", func(t *testing.T) {
		dto := get(t, Options{Seed: 5}, "v3")[0]
		mac, _ := field(eth(dto)[0].(map[string]any), "macAddress").(string)
		ip, _ := field(dto, "ipInterfaces", "ipInterface", 0, "ipAddress").(string)
		if strings.Count(mac, ":") != 5 || ip == "" {
			b, _ := json.Marshal(dto)
			t.Errorf("v3 entity %s; want MACs and IPs as strings", b)
		}
	})
}

// TestInventoryFollowsAPs: an AP's switch port goes down with it, and CDP
// forgets it, until it comes back.
func TestInventoryFollowsAPs(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5}))
	var sw DeviceInfo
	var port, apName string
	for _, d := range h.S.Devices() {
		for p, l := range d.Links {
			if strings.Contains(l.Neighbor, "-AP") && port == "" {
				sw, port, apName = d, p, l.Neighbor
			}
		}
	}
	if port == "" {
		t.Fatal("no AP on any switch port; the test needs one")
	}
	state := func() (invEth, bool) {
		it := walkAll[invItem](h, "InventoryDetails", "summary.deviceName="+sw.Name, 10)[0]
		e, _ := it.port(port)
		return e, slices.ContainsFunc(it.CdpNeighbor(), func(n invCDP) bool { return n.NeighborDeviceName == apName })
	}
	if e, seen := state(); e.OperationalStatus != "UP" || e.Speed != speed1G || !seen {
		t.Fatalf("%s %s with %s up = %+v, neighbour %v; want up at 1G and the AP seen", sw.Name, port, apName, e, seen)
	}
	if err := h.S.SetAPReachable(apName, false); err != nil {
		t.Fatal(err)
	}
	if e, seen := state(); e.OperationalStatus != "DOWN" || e.AdminStatus != "UP" || e.Speed != speed10M || seen {
		t.Errorf("%s %s with %s down = %+v, neighbour %v; want the link down (10M, as Catalyst reports it) and the AP forgotten", sw.Name, port, apName, e, seen)
	}
	if err := h.S.SetAPReachable(apName, true); err != nil {
		t.Fatal(err)
	}
	if e, seen := state(); e.OperationalStatus != "UP" || !seen {
		t.Errorf("%s %s with %s back = %+v, neighbour %v; want it up again", sw.Name, port, apName, e, seen)
	}
}
