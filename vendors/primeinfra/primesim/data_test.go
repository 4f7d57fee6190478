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
	for _, tt := range tests {
		name := tt.size
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			s, err := New(Options{Seed: 7, Size: tt.size, Now: func() time.Time { return testStart }})
			if err != nil {
				t.Fatalf("New(%q) error: %v", tt.size, err)
			}
			t.Logf("New(%q) took %v", tt.size, time.Since(start))
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
			if z.ClientCountSamples != 3 || z.MapLocations < 2*z.Buildings || z.MapLocations > 5*z.Buildings || z.WiredClients == 0 {
				t.Errorf("samples, floors, wired = %d, %d, %d; want 3, 2-5 per building of %d, > 0", z.ClientCountSamples, z.MapLocations, z.WiredClients, z.Buildings)
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
	for _, r := range []string{"AccessPointDetails", "Devices", "ClientCounts", "Alarms"} {
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
		ba, bb, bc := serveDirect(t, a, p), serveDirect(t, b, p), serveDirect(t, c, p)
		if !bytes.Equal(ba, bb) {
			t.Errorf("GET %s differs between two servers with seed 11", p)
		}
		if bytes.Equal(ba, bc) {
			t.Errorf("GET %s is the same for seeds 11 and 12", p)
		}
	}
}

var (
	isoRE      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	octetsRE   = regexp.MustCompile(`^[0-9a-f]{12}$`)
	ipRE       = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	locationRE = regexp.MustCompile(`^[A-Z]+-Campus > Building-\d{2} > Floor-\d$`)
	serialRE   = regexp.MustCompile(`^[A-Z]{3}\d{4}[0-9A-Z]{4}$`)
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
	mac := object(map[string]check{"octets": str(octetsRE)})
	inet := object(map[string]check{"address": str(ipRE)})
	enum := object(map[string]check{"ordinal": num, "value": str(nil)})
	common := map[string]check{"@id": num, "@displayName": str(regexp.MustCompile(`^\d+$`))}
	counts := map[string]check{"collectionTime": num, "key": str(nil), "subkey": str(nil), "type": str(regexp.MustCompile(`^(ACCESSPOINT|MAPLOCATION|SSID|DEVICE)$`))}
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
		{"Alarms", "alarmsDTO", map[string]check{
			"acknowledgementStatus": boolean, "alarmFoundAt": str(isoRE), "alarmId": num, "category": enum, "condition": enum,
			"deviceName": str(nil), "lastUpdatedAt": str(isoRE), "message": str(nil), "nttyaddrss7_address": inet,
			"severity": str(regexp.MustCompile(`^(CRITICAL|MAJOR|MINOR|WARNING|INFORMATION|CLEARED)$`)),
			"source":   str(nil), "timeStamp": str(isoRE),
		}, []string{"deviceName", "nttyaddrss7_address"}},
	}
	for _, tt := range tests {
		var env struct {
			QueryResponse struct {
				Entity []map[string]any `json:"entity"`
			} `json:"queryResponse"`
		}
		h.getOK(data(tt.resource, ".full=true&.maxResults=1000"), &env)
		t.Run(tt.resource, func(t *testing.T) {
			root := h.c.BaseURL + "/webacs/api/v4/data/" + tt.resource + "/"
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
	z := h.s.Sizes()
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
	infos := h.s.APs()
	if len(infos) != len(aps) || infos[0].Name != aps[0].Name || infos[0].RadioMAC != aps[0].MacAddress.Octets || infos[0].Clients != aps[0].ClientCount {
		t.Errorf("APs()[0] = %+v; want it to match %+v", infos[0], aps[0])
	}
}

// TestClientCounts checks the samples and that the latest one agrees with
// AccessPointDetails, Devices and Sizes.
func TestClientCounts(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5}))
	z := h.s.Sizes()
	rows := walkAll[ccItem](h, "ClientCounts", "", 1000)
	times := map[int64]int{}
	var latest int64
	for _, r := range rows {
		times[r.collected()]++
		latest = max(latest, r.collected())
		sum, auth := 0, 0
		for k := range r {
			if strings.HasSuffix(k, "AuthCount") && k != "authCount" {
				auth += r.n(k)
			} else if strings.HasSuffix(k, "Count") && k != "count" && k != "authCount" {
				sum += r.n(k)
			}
		}
		if sum != r.n("count") || auth != r.n("authCount") || auth > sum {
			t.Fatalf("row %v: columns sum to %d/%d; want count %d, authCount %d", r.typeKey(), sum, auth, r.n("count"), r.n("authCount"))
		}
	}
	step := sampleEvery.Milliseconds()
	if len(times) != 3 || times[latest-step] == 0 || times[latest-2*step] == 0 || latest > testStart.UnixMilli() || latest <= testStart.UnixMilli()-step {
		t.Fatalf("collection times %v (latest %d); want 3 samples 5 min apart, the latest in the 5 min before %d", times, latest, testStart.UnixMilli())
	}
	if times[latest] != z.ClientCountRows {
		t.Errorf("rows in latest sample = %d; want Sizes().ClientCountRows %d", times[latest], z.ClientCountRows)
	}

	aps := walkAll[apItem](h, "AccessPointDetails", "", 1000)
	byMAC := map[string]apItem{}
	floorClients := map[string]int{}
	for _, a := range aps {
		byMAC[a.MacAddress.Octets] = a
		floorClients[a.MapLocation] += a.ClientCount
	}
	apSum := map[string][3]int{}
	floorSum := map[string]int{}
	ssid := map[[2]string]int{}
	deviceWireless, deviceWired := 0, 0
	for _, r := range rows {
		if r.collected() != latest {
			continue
		}
		switch r.s("type") {
		case "ACCESSPOINT":
			key := strings.ReplaceAll(r.s("key"), ":", "")
			s := apSum[key]
			s[0] += r.n("count")
			s[1] += r.n("dot11bCount") + r.n("dot11gCount") + r.n("dot11n2_4Count") + r.n("dot11ax2_4Count")
			s[2] += r.n("dot11aCount") + r.n("dot11acCount") + r.n("dot11n5Count") + r.n("dot11ax5Count")
			apSum[key] = s
			if !slices.Contains([]string{"Corp", "Guest", "IoT"}, r.s("subkey")) || r.n("count") == 0 {
				t.Errorf("ACCESSPOINT row %v count %d; want an SSID subkey and clients", r.typeKey(), r.n("count"))
			}
		case "MAPLOCATION":
			floorSum[r.s("key")] += r.n("count")
		case "SSID":
			ssid[[2]string{r.s("key"), r.s("subkey")}] += r.n("count")
		case "DEVICE":
			wired := r.n("wired10MCount") + r.n("wired100MCount") + r.n("wired1GCount") + r.n("wired10GCount")
			deviceWired += wired
			deviceWireless += r.n("count") - wired
			if r.s("subkey") != "All" {
				t.Errorf("DEVICE row %v; want subkey All", r.typeKey())
			}
		}
	}
	for mac, a := range byMAC {
		if got, want := apSum[mac], [3]int{a.ClientCount, a.ClientCount24, a.ClientCount5}; got != want {
			t.Errorf("AP %s (%s): ACCESSPOINT rows count, 2.4, 5 = %v; want %v", a.Name, mac, got, want)
		}
	}
	if len(apSum) > len(byMAC) {
		t.Errorf("ACCESSPOINT keys %d; want at most one per AP (%d)", len(apSum), len(byMAC))
	}
	for loc, n := range floorClients {
		if floorSum[loc] != n {
			t.Errorf("MAPLOCATION %q rows = %d clients; want %d from its APs", loc, floorSum[loc], n)
		}
	}
	for _, d := range h.s.Domains() {
		want := z.PerDomain[d].Clients
		per := ssid[[2]string{"Corp", d}] + ssid[[2]string{"Guest", d}] + ssid[[2]string{"IoT", d}]
		if all := ssid[[2]string{"All SSIDs", d}]; all != want || per != want {
			t.Errorf("SSID rows of %s: All SSIDs %d, per SSID %d; want %d", d, all, per, want)
		}
	}
	if deviceWireless != z.Clients || deviceWired != z.WiredClients {
		t.Errorf("DEVICE rows wireless, wired = %d, %d; want %d, %d", deviceWireless, deviceWired, z.Clients, z.WiredClients)
	}
}

func TestAlarmData(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 6, Size: "medium"}))
	alarms := walkAll[alarmItem](h, "Alarms", "", 1000)
	z := h.s.Sizes()
	apNames := map[string]APInfo{}
	for _, a := range h.s.APs() {
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
	for _, ap := range h.s.APs() {
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
	r := h.getOK(data("AccessPointDetails", ".full=true&.maxResults=1"), nil)
	if !bytes.Contains(r.body, []byte(" > Building-")) || !json.Valid(r.body) {
		t.Errorf("body %s; want locations with a literal '>'", r.body)
	}
}
