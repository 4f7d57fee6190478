package primesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestNewSizes(t *testing.T) {
	tests := []struct {
		size                                                                   string
		campuses, aps, controllers, switches, routers, clients, alarms, active int
	}{
		{"", 2, 50, 2, 10, 4, 500, 40, 30},
		{"small", 2, 50, 2, 10, 4, 500, 40, 30},
		{"medium", 3, 1000, 6, 78, 16, 12000, 4000, 3000},
		{"large", 4, 5000, 20, 400, 80, 60000, 20000, 15000},
	}
	build := func(size string) (*Server, error) {
		return New(Options{Seed: 7, Size: size, Now: func() time.Time { return testStart }})
	}
	for _, tt := range tests {
		simtest.RunSize(t, tt.size, build, func(t *testing.T, s *Server) {
			z := s.Sizes()
			got := [8]int{z.Campuses, z.APs, z.Controllers, z.Switches, z.Routers, z.Clients, z.Alarms, z.ActiveAlarms}
			want := [8]int{tt.campuses, tt.aps, tt.controllers, tt.switches, tt.routers, tt.clients, tt.alarms, tt.active}
			if got != want {
				t.Errorf("Sizes() campuses, APs, controllers, switches, routers, clients, alarms, active = %v; want %v", got, want)
			}
			if z.Devices != z.Controllers+z.Switches+z.Routers || z.ClearedAlarms != z.Alarms-z.ActiveAlarms {
				t.Errorf("Devices = %d, ClearedAlarms = %d; want %d, %d", z.Devices, z.ClearedAlarms, z.Controllers+z.Switches+z.Routers, z.Alarms-z.ActiveAlarms)
			}
			if want := int(math.Round(float64(tt.aps) * 0.02)); z.UnreachableAPs != max(1, want) {
				t.Errorf("UnreachableAPs = %d; want %d (2%%)", z.UnreachableAPs, want)
			}
			if ack := float64(z.AcknowledgedAlarms) / float64(z.ActiveAlarms); ack < 0.1 || ack > 0.3 {
				t.Errorf("acknowledged share = %.2f; want about 0.2", ack)
			}
			if z.ClientCountSamples != 288 || z.MapLocations < 2*z.Buildings || z.MapLocations > 5*z.Buildings || z.WiredClients == 0 {
				t.Errorf("collections, floors, wired = %d, %d, %d; want 288 (24 h by 5 min), 2-5 per building of %d, > 0", z.ClientCountSamples, z.MapLocations, z.WiredClients, z.Buildings)
			}
			// Every row is in ROOT-DOMAIN; sub-domains add up to it.
			var sum DomainSizes
			for _, d := range s.Domains()[1:] {
				p := z.PerDomain[d]
				sum.APs += p.APs
				sum.Devices += p.Devices
				sum.Clients += p.Clients
			}
			root := z.PerDomain[RootDomain]
			if sum.APs != z.APs || sum.Devices != z.Devices || sum.Clients != z.Clients || root.APs != z.APs || root.Alarms != z.Alarms {
				t.Errorf("PerDomain sums APs, Devices, Clients = %d, %d, %d, root %+v; want %d, %d, %d", sum.APs, sum.Devices, sum.Clients, root, z.APs, z.Devices, z.Clients)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"unknown size", Options{Size: "huge"}},
		{"unknown domain", Options{Domains: []string{"Mars-Campus"}}},
		{"domain of a larger size", Options{Domains: []string{"LATAM-Campus"}}},
		{"no domains", Options{Domains: []string{}}},
		{"negative idle", Options{SessionIdle: -time.Second}},
		{"negative window", Options{RateWindow: -time.Second}},
		{"negative page limit", Options{PageLimit: -1}},
		{"history shorter than the interval", Options{HistoryWindow: time.Minute}},
		{"unknown NoCount", Options{NoCount: "maybe"}},
		{"BareListsAt unknown version", Options{BareListsAt: []string{"v5"}}},
		{"NotServed without version", Options{NotServed: []string{"ClientCounts"}}},
		{"NotServed unknown version", Options{NotServed: []string{"v5/ClientCounts"}}},
		{"NotServed unknown resource", Options{NotServed: []string{"v3/Events"}}},
		{"StringNumbersAt unknown version", Options{StringNumbersAt: []string{"1"}}},
		{"ObjectMACsAt v4", Options{ObjectMACsAt: []string{"v4"}}},
	}
	for _, tt := range tests {
		if _, err := New(tt.o); err == nil {
			t.Errorf("New(%s: %+v) error = nil; want an error", tt.name, tt.o)
		}
	}
}

func TestCredentialsAndDomains(t *testing.T) {
	s1, _ := New(Options{Seed: 1})
	s2, _ := New(Options{Seed: 1})
	s3, _ := New(Options{Seed: 2})
	c1 := s1.Credentials()
	if c1.Username != "nms-monitor" || c1.Password == "" || c1.BaseURL != "" {
		t.Errorf("Credentials() = %+v; want user nms-monitor, a password, no BaseURL", c1)
	}
	if c1.Password != s2.Credentials().Password || c1.Password == s3.Credentials().Password {
		t.Errorf("passwords for seeds 1, 1, 2 = %q, %q, %q; want derived from the seed", c1.Password, s2.Credentials().Password, s3.Credentials().Password)
	}
	want := []string{RootDomain, "NA-Campus", "EU-Campus"}
	if !slices.Equal(c1.Domains, want) || !slices.Equal(s1.Domains(), want) {
		t.Errorf("Credentials().Domains, Domains() = %v, %v; want %v", c1.Domains, s1.Domains(), want)
	}
	s4, _ := New(Options{Size: "large", Username: "u", Password: "p", Domains: []string{"LATAM-Campus", "NA-Campus"}})
	c4 := s4.Credentials()
	if c4.Username != "u" || c4.Password != "p" || !slices.Equal(c4.Domains, []string{"NA-Campus", "LATAM-Campus"}) || len(s4.Domains()) != 5 {
		t.Errorf("Credentials() = %+v, Domains() = %v; want u/p, [NA-Campus LATAM-Campus], 5 domains", c4, s4.Domains())
	}
}

// allPaths are full lists of every resource, for byte comparisons.
func allPaths() []string {
	var out []string
	for _, r := range []string{"AccessPointDetails", "Devices", "ClientCounts", "Alarms", "Clients", "HistoricalClientCounts",
		"WlanControllers", "WlanControllerDetails", "InventoryDetails", "RogueApAlarms", "RadioDetails", "RFLoadStats"} {
		out = append(out, data(r, ".full=true&.maxResults=1000"))
	}
	return out
}

func TestDeterminism(t *testing.T) {
	mk := func(seed int64) *Server {
		s, err := New(Options{Seed: seed, MaxSessions: -1, RateLimit: -1, Now: func() time.Time { return testStart }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c := mk(11), mk(11), mk(12)
	for _, p := range allPaths() {
		simtest.CheckDeterministic(t, "GET "+p+" with seeds 11, 11 and 12", serveDirect(t, a, p), serveDirect(t, b, p), serveDirect(t, c, p))
	}
}

var (
	isoRE      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	octetsRE   = regexp.MustCompile(`^[0-9a-f]{12}$`)
	ipRE       = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	locationRE = regexp.MustCompile(`^[A-Z]+-Campus > Building-\d{2} > Floor-\d$`)
	serialRE   = regexp.MustCompile(`^[A-Z]{3}\d{4}[0-9A-Z]{4}$`)
	upDownRE   = regexp.MustCompile(`^(UP|DOWN)$`)
)

// TestEntityShapes checks each DTO's keys and value forms against the v4
// catalogue, and that no attribute is null.
func TestEntityShapes(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 4}))
	type check func(t *testing.T, k string, v any)
	str := func(re *regexp.Regexp) check {
		return func(t *testing.T, k string, v any) {
			if s, ok := v.(string); !ok || (re != nil && !re.MatchString(s)) {
				t.Errorf("%s = %#v; want a string matching %v", k, v, re)
			}
		}
	}
	num := func(t *testing.T, k string, v any) {
		if _, ok := v.(float64); !ok {
			t.Errorf("%s = %#v; want a number", k, v)
		}
	}
	boolean := func(t *testing.T, k string, v any) {
		if _, ok := v.(bool); !ok {
			t.Errorf("%s = %#v; want a boolean", k, v)
		}
	}
	object := func(want map[string]check) check {
		return func(t *testing.T, k string, v any) {
			m, ok := v.(map[string]any)
			if !ok {
				t.Errorf("%s = %#v; want an object", k, v)
				return
			}
			for kk, vv := range m {
				c, ok := want[kk]
				if !ok {
					t.Errorf("%s has unexpected key %q", k, kk)
					continue
				}
				c(t, k+"."+kk, vv)
			}
		}
	}
	array := func(elem check) check {
		return func(t *testing.T, k string, v any) {
			items, ok := v.([]any)
			if !ok || len(items) == 0 {
				t.Errorf("%s = %#v; want a non-empty array", k, v)
				return
			}
			for i, item := range items {
				elem(t, fmt.Sprintf("%s[%d]", k, i), item)
			}
		}
	}
	mac := object(map[string]check{"octets": str(octetsRE)})
	inet := object(map[string]check{"address": str(ipRE)})
	enum := object(map[string]check{"ordinal": num, "value": str(nil)})
	common := map[string]check{"@id": num, "@displayName": str(regexp.MustCompile(`^\d+$`))}
	counts := map[string]check{"collectionTime": num, "key": str(nil), "subkey": str(nil), "type": str(regexp.MustCompile(`^(ACCESSPOINT|MAPLOCATION|SSID|DEVICE|VIRTUALDOMAIN)$`))}
	for _, f := range strings.Fields(`authCount count dot11aAuthCount dot11aCount dot11acAuthCount dot11acCount
		dot11ax2_4AuthCount dot11ax2_4Count dot11ax5AuthCount dot11ax5Count dot11bAuthCount dot11bCount dot11gAuthCount
		dot11gCount dot11n2_4AuthCount dot11n2_4Count dot11n5AuthCount dot11n5Count wgbAuthCount wgbCount
		wired100MAuthCount wired100MCount wired10GAuthCount wired10GCount wired10MAuthCount wired10MCount
		wired1GAuthCount wired1GCount`) {
		counts[f] = num
	}
	tests := []struct {
		resource, dtoKey string
		fields           map[string]check
		optional         []string // may be omitted
	}{
		{"AccessPointDetails", "accessPointDetailsDTO", map[string]check{
			"adminStatus": str(regexp.MustCompile(`^(ENABLE|DISABLE)$`)), "clientCount": num, "clientCount_2_4GHz": num,
			"clientCount_5GHz": num, "ethernetMac": mac, "ipAddress": inet, "locationHierarchy": str(locationRE),
			"macAddress": mac, "mapLocation": str(locationRE), "model": str(nil), "name": str(nil),
			"reachabilityStatus": str(regexp.MustCompile(`^(REACHABLE|UNREACHABLE)$`)), "serialNumber": str(serialRE),
			"softwareVersion": str(nil), "status": str(regexp.MustCompile(`^(CRITICAL|MAJOR|MINOR|WARNING|INFORMATION|CLEARED)$`)),
			"type": str(regexp.MustCompile(`^UnifiedAp$`)), "upTime": num,
			"unifiedApInfo": object(map[string]check{"apGroupName": str(nil), "apMode": str(regexp.MustCompile(`^LOCAL$`)),
				"controllerIpAddress": str(ipRE), "controllerName": str(nil)}),
		}, nil},
		{"Devices", "devicesDTO", map[string]check{
			"adminStatus": str(regexp.MustCompile(`^MANAGED$`)), "collectionStatus": str(nil), "collectionTime": str(isoRE),
			"creationTime": str(isoRE), "deviceId": num, "deviceName": str(nil), "deviceType": str(nil), "ipAddress": str(ipRE),
			"location": str(nil), "managementStatus": str(nil),
			"productFamily": str(regexp.MustCompile(`^(Wireless Controller|Switches and Hubs|Routers)$`)),
			"reachability":  str(regexp.MustCompile(`^(REACHABLE|UNREACHABLE|PING_REACHABLE)$`)),
			"softwareType":  str(nil), "softwareVersion": str(nil),
		}, nil},
		{"ClientCounts", "clientCountsDTO", counts, nil},
		{"HistoricalClientCounts", "historicalClientCountsDTO", counts, nil},
		{"Clients", "clientsDTO", map[string]check{
			"apMacAddress": mac, "associationTime": num, "clientInterface": str(regexp.MustCompile(`^GigabitEthernet\d/0/\d+$`)),
			"connectionType": str(regexp.MustCompile(`^(LIGHTWEIGHTWIRELESS|WIRED)$`)), "deviceIpAddress": inet,
			"deviceName": str(nil), "ipAddress": inet, "location": str(nil), "macAddress": mac,
			"protocol":             str(regexp.MustCompile(`^(DOT11A|DOT11AC|DOT11AX5GHZ|DOT11N5GHZ|DOT11B|DOT11G|DOT11N2_4GNZ|DOT11AX2_4GHZ|DOT3)$`)),
			"securityPolicyStatus": str(regexp.MustCompile(`^(PASSED|FAILED)$`)), "ssid": str(regexp.MustCompile(`^(Corp|Guest|IoT)$`)),
			"status": str(regexp.MustCompile(`^ASSOCIATED$`)), "updateTime": num, "userName": str(nil), "vendor": str(nil),
			"vlan": str(nil), "vlanId": num,
		}, []string{"apMacAddress", "clientInterface", "ssid", "userName"}},
		{"Alarms", "alarmsDTO", map[string]check{
			"acknowledgementStatus": boolean, "alarmFoundAt": str(isoRE), "alarmId": num, "category": enum, "condition": enum,
			"deviceName": str(nil), "lastUpdatedAt": str(isoRE), "message": str(nil), "nttyaddrss7_address": inet,
			"severity": str(regexp.MustCompile(`^(CRITICAL|MAJOR|MINOR|WARNING|INFORMATION|CLEARED)$`)),
			"source":   str(nil), "timeStamp": str(isoRE),
		}, []string{"deviceName", "nttyaddrss7_address"}},
		// The sections and fields of the v3 response the catalogue has.
		{"InventoryDetails", "inventoryDetailsDTO", map[string]check{
			"summary": object(map[string]check{"deviceId": num, "deviceName": str(nil), "deviceType": str(nil), "ipAddress": str(ipRE),
				"productFamily":   str(regexp.MustCompile(`^(Wireless Controller|Switches and Hubs|Routers)$`)),
				"reachability":    str(regexp.MustCompile(`^(REACHABLE|UNREACHABLE|PING_REACHABLE)$`)),
				"softwareVersion": str(nil), "systemTime": str(isoRE), "upTime": num}),
			"chassis": object(map[string]check{"chassis": array(object(map[string]check{"description": str(nil), "entPhysicalIndex": num,
				"modelNr": str(nil), "name": str(nil), "productId": str(nil), "serialNr": str(serialRE)}))}),
			"ethernetInterfaces": object(map[string]check{"ethernetInterface": array(object(map[string]check{
				"adminStatus": str(upDownRE), "description": str(nil), "duplexMode": str(regexp.MustCompile(`^(FULL|UNKNOWN)$`)),
				"macAddress": mac, "mtu": num, "name": str(regexp.MustCompile(`^[A-Za-z]+[0-9/]*$`)), "operationalStatus": str(upDownRE), "speed": num}))}),
			"ipInterfaces": object(map[string]check{"ipInterface": array(object(map[string]check{
				"adminStatus": str(upDownRE), "ipAddress": inet, "name": str(nil), "operationalStatus": str(upDownRE)}))}),
			"cdpNeighbors": object(map[string]check{"cdpNeighbor": array(object(map[string]check{
				"duplexMode": str(nil), "farEndInterface": str(nil), "interfaceIndex": num, "nearEndInterface": str(nil),
				"neighborCapabilities": str(nil), "neighborDeviceName": str(nil), "neighborDevicePlatformType": str(regexp.MustCompile(`^cisco `))}))}),
		}, nil},
	}
	for _, tt := range tests {
		var env struct {
			QueryResponse struct {
				Entity []map[string]any `json:"entity"`
			} `json:"queryResponse"`
		}
		h.GetOK(data(tt.resource, ".full=true&.maxResults=1000"), &env)
		t.Run(tt.resource, func(t *testing.T) {
			root := h.C.BaseURL + "/webacs/api/v4/data/" + tt.resource + "/"
			omitted := map[string]int{}
			for _, e := range env.QueryResponse.Entity {
				if len(e) != 4 || e["@dtoType"] != tt.dtoKey || e["@type"] != tt.resource {
					t.Fatalf("entity keys = %v; want @dtoType %s, @type %s, @url, %s", e, tt.dtoKey, tt.resource, tt.dtoKey)
				}
				dto, _ := e[tt.dtoKey].(map[string]any)
				if e["@url"] != root+fmt.Sprint(dto["@displayName"]) || fmt.Sprint(dto["@displayName"]) != fmt.Sprintf("%.0f", dto["@id"]) {
					t.Errorf("@url %v, @displayName %v, @id %v; want %s<id> and the id's digits", e["@url"], dto["@displayName"], dto["@id"], root)
				}
				for k, v := range dto {
					c, ok := tt.fields[k]
					if !ok {
						if c, ok = common[k]; !ok {
							t.Errorf("unexpected attribute %q in %s", k, tt.dtoKey)
							continue
						}
					}
					if v == nil {
						t.Errorf("%s is null; Prime omits null attributes", k)
						continue
					}
					c(t, k, v)
				}
				for k := range tt.fields {
					if _, ok := dto[k]; !ok {
						omitted[k]++
					}
				}
				if ap, ok := dto["unifiedApInfo"].(map[string]any); ok {
					_, hasCtrl := ap["controllerName"]
					if up := dto["reachabilityStatus"] == "REACHABLE"; up != hasCtrl {
						t.Errorf("AP %v: reachability %v, controllerName present %v; want it only when reachable", dto["name"], dto["reachabilityStatus"], hasCtrl)
					}
				}
			}
			for k, n := range omitted {
				if !slices.Contains(tt.optional, k) {
					t.Errorf("%s omitted in %d entities; want always present", k, n)
				}
			}
			for _, k := range tt.optional {
				if omitted[k] == 0 {
					t.Errorf("%s is never omitted; want it absent where it has no value (e.g. System alarms)", k)
				}
			}
		})
	}
}

func TestAccessPoints(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 9, Size: "medium"}))
	aps := walkAll[apItem](h, "AccessPointDetails", "", 1000)
	z := h.S.Sizes()
	if len(aps) != z.APs {
		t.Fatalf("walked %d APs; want %d", len(aps), z.APs)
	}
	seen := map[string]bool{}
	clients, down := 0, 0
	for _, a := range aps {
		for _, k := range []string{"name:" + a.Name, "serial:" + a.SerialNumber, "mac:" + a.MacAddress.Octets, "mac:" + a.EthernetMac.Octets, "ip:" + a.IPAddress.Address} {
			if seen[k] {
				t.Errorf("duplicate %s", k)
			}
			seen[k] = true
		}
		if a.MapLocation != a.LocationHierarchy || !strings.HasPrefix(a.Name, strings.Split(a.MapLocation, "-")[0]+"-") {
			t.Errorf("AP %s location %q / %q; want equal, on its campus", a.Name, a.MapLocation, a.LocationHierarchy)
		}
		if a.ClientCount != a.ClientCount24+a.ClientCount5 {
			t.Errorf("AP %s clientCount %d != %d + %d", a.Name, a.ClientCount, a.ClientCount24, a.ClientCount5)
		}
		switch a.ReachabilityStatus {
		case "UNREACHABLE":
			down++
			if a.ClientCount != 0 || a.UpTime != 0 || a.Status == "CLEARED" || a.UnifiedApInfo.ControllerName != "" {
				t.Errorf("unreachable AP %s: clients %d, upTime %d, status %s, controller %q; want 0, 0, an alarm severity, none",
					a.Name, a.ClientCount, a.UpTime, a.Status, a.UnifiedApInfo.ControllerName)
			}
		default:
			if a.UpTime <= 0 || a.UnifiedApInfo.ControllerName == "" {
				t.Errorf("reachable AP %s: upTime %d, controller %q; want > 0 and a name", a.Name, a.UpTime, a.UnifiedApInfo.ControllerName)
			}
		}
		clients += a.ClientCount
	}
	if clients != z.Clients || down != z.UnreachableAPs || down != 20 {
		t.Errorf("sum of clientCount = %d, unreachable = %d; want %d, %d (2%% of 1000)", clients, down, z.Clients, z.UnreachableAPs)
	}
	infos := h.S.APs()
	if len(infos) != len(aps) || infos[0].Name != aps[0].Name || infos[0].RadioMAC != aps[0].MacAddress.Octets || infos[0].Clients != aps[0].ClientCount {
		t.Errorf("APs()[0] = %+v; want it to match %+v", infos[0], aps[0])
	}
}

// sumCols adds a row's columns: all, wireless (dot11 and wgb) and wired,
// counts or (auth) authenticated counts.
func sumCols(r ccItem, auth bool) (all, wireless, wired int) {
	for k := range r {
		if k == "count" || k == "authCount" || !strings.HasSuffix(k, "Count") || strings.HasSuffix(k, "AuthCount") != auth {
			continue
		}
		all += r.n(k)
		if strings.HasPrefix(k, "wired") {
			wired += r.n(k)
		} else {
			wireless += r.n(k)
		}
	}
	return all, wireless, wired
}

// add adds b's columns into a.
func add(a, b ccItem) {
	for k, v := range b {
		if f, ok := v.(float64); ok && k != "@id" && k != "collectionTime" {
			a[k] = float64(a.n(k)) + f
		}
	}
}

// sameCounts compares two rows' count columns.
func sameCounts(a, b ccItem) bool {
	for k := range b {
		if strings.HasSuffix(k, "Count") && a.n(k) != b.n(k) {
			return false
		}
	}
	return true
}

// TestClientCounts checks the rows of prime.md section 8.1: one
// collection, every type's keys and subkeys, aggregates that equal the
// sums of their parts, and agreement with AccessPointDetails, Devices and
// Sizes.
func TestClientCounts(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5}))
	z := h.S.Sizes()
	rows := walkAll[ccItem](h, "ClientCounts", "", 1000)
	if len(rows) != z.ClientCountRows {
		t.Errorf("rows = %d; want Sizes().ClientCountRows %d", len(rows), z.ClientCountRows)
	}
	at := rows[0].collected()
	step := DefaultCollectionInterval.Milliseconds()
	if at > testStart.UnixMilli() || at <= testStart.UnixMilli()-step || at%step != 0 {
		t.Errorf("collectionTime %d; want the last 5-minute mark before %d", at, testStart.UnixMilli())
	}
	byKey := map[[3]string]ccItem{}
	for _, r := range rows {
		if r.collected() != at {
			t.Fatalf("row %v collected at %d; want every row at %d: ClientCounts holds the latest collection only", r.typeKey(), r.collected(), at)
		}
		for _, auth := range []bool{false, true} {
			all, _, _ := sumCols(r, auth)
			if want := map[bool]string{false: "count", true: "authCount"}[auth]; all != r.n(want) {
				t.Fatalf("row %v: columns sum to %d; want %s %d", r.typeKey(), all, want, r.n(want))
			}
		}
		if r.n("authCount") > r.n("count") {
			t.Errorf("row %v: authCount %d > count %d", r.typeKey(), r.n("authCount"), r.n("count"))
		}
		if _, dup := byKey[r.typeKey()]; dup {
			t.Errorf("row %v twice in one collection", r.typeKey())
		}
		byKey[r.typeKey()] = r
	}
	ssids := []string{"Corp", "Guest", "IoT"}
	// sumOf adds the rows of a type and key over the SSIDs, checks the
	// All row equals it and returns that row.
	sumOf := func(typ, key string) ccItem {
		t.Helper()
		all, ok := byKey[[3]string{typ, key, "All"}]
		if !ok {
			t.Errorf("no %s row %q / All", typ, key)
			return ccItem{}
		}
		sum := ccItem{}
		for _, s := range ssids {
			if r, ok := byKey[[3]string{typ, key, s}]; ok {
				if r.n("count") == 0 {
					t.Errorf("%s row %q / %s counts 0; want per-SSID rows only with clients", typ, key, s)
				}
				add(sum, r)
			}
		}
		if !sameCounts(all, sum) {
			t.Errorf("%s %q: All row %v; want the sum of its SSID rows %v", typ, key, all, sum)
		}
		return all
	}

	// ACCESSPOINT: one All row per reachable AP keyed by its radio MAC,
	// agreeing with AccessPointDetails.
	aps := walkAll[apItem](h, "AccessPointDetails", "", 1000)
	floorSum := map[string]ccItem{}
	ctrlSum := map[string]ccItem{}
	for _, a := range aps {
		key := macColon(parseHex(a.MacAddress.Octets))
		_, has := byKey[[3]string{"ACCESSPOINT", key, "All"}]
		if up := a.ReachabilityStatus == "REACHABLE"; up != has {
			t.Errorf("AP %s (%s): reachable %v, ACCESSPOINT All row %v; want a row exactly for reachable APs", a.Name, key, up, has)
		}
		if !has {
			continue
		}
		r := sumOf("ACCESSPOINT", key)
		on24 := r.n("dot11bCount") + r.n("dot11gCount") + r.n("dot11n2_4Count") + r.n("dot11ax2_4Count")
		on5 := r.n("dot11aCount") + r.n("dot11acCount") + r.n("dot11n5Count") + r.n("dot11ax5Count")
		if got, want := [3]int{r.n("count"), on24, on5}, [3]int{a.ClientCount, a.ClientCount24, a.ClientCount5}; got != want {
			t.Errorf("AP %s (%s): ACCESSPOINT count, 2.4, 5 = %v; want %v", a.Name, key, got, want)
		}
		if _, _, wired := sumCols(r, false); wired != 0 {
			t.Errorf("AP %s: %d clients in wired columns; want none", a.Name, wired)
		}
		for _, s := range append([]string{"All"}, ssids...) {
			rr, ok := byKey[[3]string{"ACCESSPOINT", key, s}]
			if !ok {
				continue
			}
			for m, k := range map[*map[string]ccItem]string{&floorSum: a.MapLocation, &ctrlSum: a.UnifiedApInfo.ControllerIPAddress} {
				if (*m)[k+"|"+s] == nil {
					(*m)[k+"|"+s] = ccItem{}
				}
				add((*m)[k+"|"+s], rr)
			}
		}
	}
	// DEVICE: controllers count their APs' wireless clients by SSID,
	// switches their wired clients, routers nothing.
	devs := walkAll[deviceItem](h, "Devices", "", 1000)
	wiredSum := 0
	for _, d := range devs {
		_, has := byKey[[3]string{"DEVICE", d.IPAddress, "All"}]
		switch d.ProductFamily {
		case "Routers":
			if has {
				t.Errorf("router %s has a DEVICE row", d.DeviceName)
			}
		case "Wireless Controller":
			r := sumOf("DEVICE", d.IPAddress)
			for _, s := range append([]string{"All"}, ssids...) {
				rr := byKey[[3]string{"DEVICE", d.IPAddress, s}]
				want := ctrlSum[d.IPAddress+"|"+s]
				if rr == nil && want == nil {
					continue
				}
				if rr == nil || want == nil || !sameCounts(rr, want) {
					t.Errorf("controller %s / %s: DEVICE row %v; want the sum of its APs %v", d.DeviceName, s, rr, want)
				}
			}
			if _, _, wired := sumCols(r, false); wired != 0 {
				t.Errorf("controller %s: %d wired clients; want none", d.DeviceName, wired)
			}
		case "Switches and Hubs":
			r := byKey[[3]string{"DEVICE", d.IPAddress, "All"}]
			all, wireless, wired := sumCols(r, false)
			if r == nil || wireless != 0 || all != wired || r.n("count") != wired {
				t.Errorf("switch %s: DEVICE row %v; want wired clients only", d.DeviceName, r)
			}
			for _, s := range ssids {
				if _, ok := byKey[[3]string{"DEVICE", d.IPAddress, s}]; ok {
					t.Errorf("switch %s has an SSID row %s", d.DeviceName, s)
				}
			}
			wiredSum += wired
		}
	}
	if wiredSum != z.WiredClients || wiredSum == 0 {
		t.Errorf("switches' wired clients = %d; want Sizes().WiredClients %d > 0", wiredSum, z.WiredClients)
	}
	// MAPLOCATION: floors are their APs' sums; buildings and campuses nest.
	locs := map[string]bool{}
	for k := range byKey {
		if k[0] == "MAPLOCATION" {
			locs[k[1]] = true
		}
	}
	for loc := range locs {
		r := sumOf("MAPLOCATION", loc)
		if want, ok := floorSum[loc+"|All"]; ok {
			if !sameCounts(r, want) {
				t.Errorf("MAPLOCATION %q = %v; want its APs' sum %v", loc, r, want)
			}
			continue
		}
		// A campus or a building: the sum of the locations one level down.
		sum := ccItem{}
		depth := strings.Count(loc, " > ")
		for sub := range locs {
			if strings.HasPrefix(sub, loc+" > ") && strings.Count(sub, " > ") == depth+1 {
				add(sum, byKey[[3]string{"MAPLOCATION", sub, "All"}])
			}
		}
		if !sameCounts(r, sum) || r.n("count") == 0 {
			t.Errorf("MAPLOCATION %q = %v; want the sum of the locations in it %v", loc, r, sum)
		}
	}
	if len(locs) != z.MapLocations+z.Buildings+z.Campuses {
		t.Errorf("MAPLOCATION keys = %d; want floors, buildings and campuses %d", len(locs), z.MapLocations+z.Buildings+z.Campuses)
	}
	// SSID: "All SSIDs" is the key and the domain the subkey.
	for _, d := range h.S.Domains() {
		all := byKey[[3]string{"SSID", "All SSIDs", d}]
		sum := ccItem{}
		for _, s := range ssids {
			r, ok := byKey[[3]string{"SSID", s, d}]
			if !ok {
				t.Errorf("no SSID row %s / %s", s, d)
			}
			add(sum, r)
		}
		if all == nil || !sameCounts(all, sum) || all.n("count") != z.PerDomain[d].Clients {
			t.Errorf("SSID All SSIDs / %s = %v; want the sum of its SSIDs %v and the domain's %d clients", d, all, sum, z.PerDomain[d].Clients)
		}
		// VIRTUALDOMAIN: "<domain> <qualifier>" / All.
		vd := func(q string) ccItem { return byKey[[3]string{"VIRTUALDOMAIN", d + " " + q, "All"}] }
		if !sameCounts(vd("All SSIDs"), all) || !sameCounts(vd("All Wireless"), all) || vd("All Autonomous APs").n("count") != 0 {
			t.Errorf("VIRTUALDOMAIN rows of %s: All SSIDs %v, All Wireless %v, autonomous %v; want the SSID total and no autonomous clients", d, vd("All SSIDs"), vd("All Wireless"), vd("All Autonomous APs"))
		}
		if _, wireless, wired := sumCols(vd("All wired"), false); wireless != 0 || (d == RootDomain && wired != z.WiredClients) || wired == 0 {
			t.Errorf("VIRTUALDOMAIN %s All wired = %v; want the domain's wired clients only", d, vd("All wired"))
		}
	}
	if root := byKey[[3]string{"SSID", "All SSIDs", RootDomain}]; root.n("count") != z.Clients {
		t.Errorf("org total = %d; want Sizes().Clients %d", root.n("count"), z.Clients)
	}
	types := map[string]int{}
	for k := range byKey {
		types[k[0]]++
	}
	if len(types) != 5 || types["GUEST"] != 0 {
		t.Errorf("row types %v; want ACCESSPOINT, DEVICE, MAPLOCATION, SSID, VIRTUALDOMAIN and no GUEST by default", types)
	}
}

// TestClientCountsOptions covers the readings of section 8.1 it leaves
// open: bare map group names, floors only, GUEST rows, zero sub-domains.
func TestClientCountsOptions(t *testing.T) {
	keys := func(h *harness, query string) map[string]ccItem {
		out := map[string]ccItem{}
		for _, r := range walkAll[ccItem](h, "ClientCounts", query, 1000) {
			out[r.s("key")+"|"+r.s("subkey")] = r
		}
		return out
	}
	h := newHarness(t, relaxed(Options{Seed: 5, MapLocationNames: true}))
	z := h.S.Sizes()
	names := 0
	for _, r := range walkAll[ccItem](h, "ClientCounts", "type=MAPLOCATION&subkey=All", 1000) {
		if strings.Contains(r.s("key"), " > ") {
			t.Errorf("MAPLOCATION key %q with MapLocationNames; want a bare group name", r.s("key"))
		}
		names++
	}
	if n := len(keys(h, "type=MAPLOCATION&subkey=All")); names != z.MapLocations+z.Buildings+z.Campuses || n >= names {
		t.Errorf("MAPLOCATION All rows %d with %d distinct keys; want %d rows and repeated names", names, n, z.MapLocations+z.Buildings+z.Campuses)
	}
	if _, ok := keys(h, "type=MAPLOCATION")["Floor-1|All"]; !ok {
		t.Errorf("no MAPLOCATION Floor-1 row with MapLocationNames")
	}

	h = newHarness(t, relaxed(Options{Seed: 5, MapLocationFloorsOnly: true}))
	for k := range keys(h, "type=MAPLOCATION") {
		if !locationRE.MatchString(strings.Split(k, "|")[0]) {
			t.Errorf("MAPLOCATION key %q with MapLocationFloorsOnly; want floors only", k)
		}
	}
	if got, want := len(keys(h, "type=MAPLOCATION&subkey=All")), h.S.Sizes().MapLocations; got != want || want == 0 {
		t.Errorf("MAPLOCATION All rows with MapLocationFloorsOnly = %d; want one a floor, %d", got, want)
	}

	h = newHarness(t, relaxed(Options{Seed: 5, GuestRows: true}))
	g := keys(h, "type=GUEST")
	ssid := keys(h, "type=SSID")
	if r, ok := g["All Guest|GUEST"]; !ok || len(g) != 1 || !sameCounts(r, ssid["Guest|ROOT-DOMAIN"]) {
		t.Errorf("GUEST rows %v; want one, All Guest / GUEST, counting the Guest SSID", g)
	}

	h = newHarness(t, relaxed(Options{Seed: 5, ZeroSubdomainCounts: true}))
	z = h.S.Sizes()
	for k, r := range keys(h, "type=SSID") {
		if strings.HasSuffix(k, "|"+RootDomain) != (r.n("count") > 0) {
			t.Errorf("SSID row %s counts %d with ZeroSubdomainCounts; want clients in ROOT-DOMAIN only", k, r.n("count"))
		}
	}
	if r := keys(h, "type=SSID")["All SSIDs|"+RootDomain]; r.n("count") != z.Clients {
		t.Errorf("ROOT-DOMAIN All SSIDs = %d; want %d", r.n("count"), z.Clients)
	}
	vd := keys(h, "type=VIRTUALDOMAIN")
	if len(vd) != 4*(z.Campuses+1) {
		t.Errorf("VIRTUALDOMAIN rows with ZeroSubdomainCounts = %d; want every domain's 4, %d", len(vd), 4*(z.Campuses+1))
	}
	for k, r := range vd {
		if !strings.HasPrefix(k, RootDomain+" ") && r.n("count") != 0 {
			t.Errorf("VIRTUALDOMAIN %s counts %d with ZeroSubdomainCounts; want 0", k, r.n("count"))
		}
	}
}

func TestAlarmData(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 6, Size: "medium"}))
	alarms := walkAll[alarmItem](h, "Alarms", "", 1000)
	z := h.S.Sizes()
	apNames := map[string]APInfo{}
	for _, a := range h.S.APs() {
		apNames[a.Name] = a
	}
	active, acked := 0, 0
	var lastID int64
	for _, a := range alarms {
		if a.ID <= lastID || a.AlarmID != a.ID {
			t.Errorf("alarm @id %d after %d, alarmId %d; want ascending ids equal to alarmId", a.ID, lastID, a.AlarmID)
		}
		lastID = a.ID
		if a.Severity != "CLEARED" {
			active++
		}
		if a.AcknowledgementStatus && a.Severity != "CLEARED" {
			acked++
		}
		if a.LastUpdatedAt < a.AlarmFoundAt || a.TimeStamp != a.LastUpdatedAt {
			t.Errorf("alarm %d found %s, updated %s, timeStamp %s; want updated >= found, timeStamp = updated", a.ID, a.AlarmFoundAt, a.LastUpdatedAt, a.TimeStamp)
		}
		switch a.Category.Value {
		case "AP", "Security":
			name, mac, ok := strings.Cut(a.DeviceName, ",")
			ap, known := apNames[name]
			if !ok || !known || strings.ReplaceAll(mac, ":", "") != ap.RadioMAC {
				t.Errorf("%s alarm deviceName %q; want <apName>,<radio MAC>", a.Category.Value, a.DeviceName)
			}
		case "System":
			if a.DeviceName != "" {
				t.Errorf("System alarm deviceName %q; want omitted", a.DeviceName)
			}
		}
	}
	if active != z.ActiveAlarms || acked != z.AcknowledgedAlarms || len(alarms) != 4000 {
		t.Errorf("walked %d alarms, %d active, %d acknowledged; want 4000, %d, %d", len(alarms), active, acked, z.ActiveAlarms, z.AcknowledgedAlarms)
	}
	// Each unreachable AP has its active disassociation alarm.
	for _, ap := range h.S.APs() {
		if ap.Reachable {
			continue
		}
		found := slices.ContainsFunc(alarms, func(a alarmItem) bool {
			return a.Condition.Value == "AP_DISASSOCIATED" && a.Severity != "CLEARED" && strings.HasPrefix(a.DeviceName, ap.Name+",")
		})
		if !found {
			t.Errorf("unreachable AP %s has no active AP_DISASSOCIATED alarm", ap.Name)
		}
	}
}

func TestJSONEscaping(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	r := h.GetOK(data("AccessPointDetails", ".full=true&.maxResults=1"), nil)
	if !bytes.Contains(r.Body, []byte(" > Building-")) || !json.Valid(r.Body) {
		t.Errorf("body %s; want locations with a literal '>'", r.Body)
	}
}

// An AP's site is the building its floor is in: its map location less the floor.
func TestAPSiteIsItsBuilding(t *testing.T) {
	s, err := New(Options{Seed: 1, Size: "small"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ap := range s.APs() {
		i := strings.LastIndex(ap.MapLocation, " > ")
		if i < 0 || ap.Site != ap.MapLocation[:i] || strings.Count(ap.Site, " > ") != 1 {
			t.Fatalf("AP %s: site %q for map location %q", ap.Name, ap.Site, ap.MapLocation)
		}
	}
}
