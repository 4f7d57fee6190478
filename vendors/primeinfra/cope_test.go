package primeinfra

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// row is a ClientCounts row as Prime's v4 sends it.
type row map[string]any

func ccRow(typ, key, subkey string, counts map[string]int) row {
	r := row{"type": typ, "key": key, "subkey": subkey, "collectionTime": 1494512992280}
	n := 0
	for k, v := range counts {
		r[k] = v
		if strings.HasSuffix(k, "Count") && !strings.HasSuffix(k, "AuthCount") {
			n += v
		}
	}
	if _, ok := counts["count"]; !ok {
		r["count"] = n
	}
	return r
}

// fixedCreds are what a client sends servers that stand in for Prime.
var fixedCreds = primesim.Credentials{Username: "nms", Password: "pw-0123"}

// fixedServer answers ClientCounts (and other resources) from fixed rows,
// filtered by the request's type, paged by .firstResult and .maxResults,
// with @count and @id as strings when asked, as older versions send them.
type fixedServer struct {
	rows     map[string][]row // by resource and type: "ClientCounts/SSID"
	strings  bool             // @count and @id as strings, a one-row entity as an object
	noCount  bool             // no @count, as under .nocount
	clamp    int              // the most rows a page holds
	only     string           // the one version that serves the resources
	requests atomic.Int64
}

func (f *fixedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/webacs/api/"), ".json")
	version, resource, _ := strings.Cut(path, "/data/")
	q := r.URL.Query()
	key := resource
	if t := q.Get("type"); t != "" {
		key += "/" + strings.Trim(t, `"`)
	}
	rows, ok := f.rows[key]
	if !ok || (f.only != "" && version != f.only) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"errorDocument":{"httpResponseCode":404,"httpMethod":"GET","message":"No such entity type as %s.-PRS-102","uriPath":"/data/%s"}}`, resource, resource)
		return
	}
	first, _ := strconv.Atoi(q.Get(".firstResult"))
	size, _ := strconv.Atoi(q.Get(".maxResults"))
	if f.clamp > 0 {
		size = min(size, f.clamp)
	}
	lo, hi := min(first, len(rows)), min(first+size, len(rows))
	var entities []any
	for i, rw := range rows[lo:hi] {
		dto := map[string]any{}
		for k, v := range rw {
			dto[k] = v
		}
		id := any(int64(61671983180 + lo + i))
		if f.strings {
			id = strconv.FormatInt(id.(int64), 10)
		}
		dto["@id"] = id
		dtoKey := strings.ToLower(resource[:1]) + resource[1:] + "DTO"
		entities = append(entities, map[string]any{"@dtoType": dtoKey, "@type": resource, dtoKey: dto})
	}
	qr := map[string]any{"@first": first, "@last": first + len(entities) - 1, "@domain": "ROOT-DOMAIN", "@type": resource,
		"@responseType": "listEntityInstances"}
	if !f.noCount {
		qr["@count"] = len(rows)
		if f.strings {
			qr["@count"] = strconv.Itoa(len(rows))
		}
	}
	switch {
	case len(entities) == 0:
		qr["@responseType"] = "getEntity" // what newer servers say of an empty list
	case len(entities) == 1 && f.strings:
		qr["entity"] = entities[0]
	default:
		qr["entity"] = entities
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(map[string]any{"queryResponse": qr}); err != nil {
		panic(err)
	}
}

// documentedCounts are ClientCounts rows shaped as shared/vendor-apis/
// prime.md, section 8.1, describes them: aggregate rows beside their
// parts, every type counting the same clients again, and a controller's
// DEVICE row holding its APs' wireless clients.
func documentedCounts() map[string][]row {
	const ap1, ap2 = "00:11:22:33:44:01", "00:11:22:33:44:02"
	return map[string][]row{
		"ClientCounts/SSID": {
			ccRow("SSID", "All SSIDs", "ROOT-DOMAIN", map[string]int{"count": 7319, "authCount": 7247}),
			ccRow("SSID", "corp", "ROOT-DOMAIN", map[string]int{"count": 7007, "authCount": 6941}),
			ccRow("SSID", "guest", "ROOT-DOMAIN", map[string]int{"count": 234, "authCount": 231}),
			ccRow("SSID", "iot", "ROOT-DOMAIN", map[string]int{"count": 78, "authCount": 75}),
			ccRow("SSID", "All SSIDs", "EU-Campus", map[string]int{"count": 0}),
		},
		"ClientCounts/ACCESSPOINT": {
			ccRow("ACCESSPOINT", ap1, "All", map[string]int{"dot11acCount": 30, "dot11n2_4Count": 12}),
			ccRow("ACCESSPOINT", ap1, "corp", map[string]int{"dot11acCount": 25, "dot11n2_4Count": 10}),
			ccRow("ACCESSPOINT", ap1, "guest", map[string]int{"dot11acCount": 5, "dot11n2_4Count": 2}),
			ccRow("ACCESSPOINT", ap2, "corp", map[string]int{"dot11ax5Count": 4, "dot11ax6Count": 3, "wgbCount": 0}),
			ccRow("ACCESSPOINT", ap2, "All", map[string]int{"dot11ax5Count": 4, "dot11ax6Count": 3}),
		},
		"ClientCounts/DEVICE": {
			// A controller: its APs' wireless clients, no wired ones.
			ccRow("DEVICE", "10.0.0.5", "All", map[string]int{"dot11acCount": 34, "dot11n2_4Count": 12, "dot11ax6Count": 3, "wired1GCount": 0}),
			ccRow("DEVICE", "10.0.0.5", "corp", map[string]int{"dot11acCount": 29, "dot11n2_4Count": 10, "dot11ax6Count": 3}),
			// A switch: wired clients only.
			ccRow("DEVICE", "10.0.1.1", "All", map[string]int{"wired1GCount": 40, "wired100MCount": 2}),
		},
	}
}

// TestClientCountsCountEachClientOnce: the documented rows give the
// domain's total from its "All SSIDs" row, the APs' clients without their
// aggregate rows, and wired clients only from wired columns, in each form
// older versions send numbers and lists in.
func TestClientCountsCountEachClientOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		f     *fixedServer
		older bool // a row of an older collection beside the latest
	}{
		{"v4", &fixedServer{}, false},
		{"a server keeping an older collection", &fixedServer{}, true},
		{"strings and bare objects", &fixedServer{strings: true}, false},
		{"no count, pages of 2", &fixedServer{noCount: true, clamp: 2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.rows = documentedCounts()
			if tc.older {
				old := ccRow("ACCESSPOINT", "00:11:22:33:44:03", "corp", map[string]int{"dot11acCount": 9})
				old["collectionTime"] = 1494512692280
				tc.f.rows["ClientCounts/ACCESSPOINT"] = append(tc.f.rows["ClientCounts/ACCESSPOINT"], old)
			}
			c := newClient(t, primeConfig(t, vendortest.ServeHandler(t, tc.f), fixedCreds, "    hold: 0s\n"))
			got := vendortest.Get(t, "Clients()", c.Clients)
			if got.Total != 7319 || got.Domain != "ROOT-DOMAIN" {
				t.Errorf("total = %d in %q; want 7319, the All SSIDs row of ROOT-DOMAIN", got.Total, got.Domain)
			}
			radios := map[string]int{}
			sum := 0
			for _, r := range got.Radios {
				radios[r.Radio+" "+r.SSID+" "+r.Band] = r.Count
				sum += r.Count
			}
			want := map[string]int{
				"001122334401 corp 5": 25, "001122334401 corp 2.4": 10, "001122334401 guest 5": 5, "001122334401 guest 2.4": 2,
				"001122334402 corp 5": 4, "001122334402 corp 6": 3,
			}
			if fmt.Sprint(radios) != fmt.Sprint(want) || sum != 49 {
				t.Errorf("radio counts = %v; want %v (49 clients, no All rows)", radios, want)
			}
			wired := map[string]int{}
			for _, w := range got.Wired {
				wired[w.Address] = w.Count
			}
			if wired["10.0.0.5"] != 0 || wired["10.0.1.1"] != 42 {
				t.Errorf("wired = %v; want the controller's 0 and the switch's 42", wired)
			}
			if got.CollectedAt.UnixMilli() != 1494512992280 {
				t.Errorf("collected at %v; want the rows' collectionTime", got.CollectedAt)
			}
		})
	}
}

// TestVersionFallback: a resource the v4 path does not serve is asked at
// v3, once, and from then on there.
func TestVersionFallback(t *testing.T) {
	f := &fixedServer{only: "v3", rows: documentedCounts()}
	cfg := primeConfig(t, vendortest.ServeHandler(t, f), fixedCreds, "    hold: 0s\n")
	c := newClient(t, cfg)
	for i := range 2 {
		f.requests.Store(0)
		got, err := c.Clients(context.Background())
		if err != nil || got.Total != 7319 {
			t.Fatalf("Clients() at v3 only = %+v, %v; want the v3 answers", got, err)
		}
		want := 3 // one page of each type
		if i == 0 {
			want = 4 // and the one 404 at v4 that moves ClientCounts to v3
		}
		if n := f.requests.Load(); n != int64(want) {
			t.Errorf("refresh %d: %d requests; want %d", i, n, want)
		}
	}
	f.only = "v2"
	if _, err := newClient(t, cfg).Clients(context.Background()); err == nil || !strings.Contains(err.Error(), "No such entity type") {
		t.Errorf("Clients() served at neither v4 nor v3 = %v; want the 404 with Prime's message", err)
	}
}

// TestEachUnverifiedBehaviour refreshes every collection against the
// simulator answering each way shared/vendor-apis/prime.md leaves open,
// and checks the collections are complete: the APs, devices, clients,
// active alarms and inventories the server has.
func TestEachUnverifiedBehaviour(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  primesim.Options
		extra string
	}{
		{"page limit below page_size, clamped", primesim.Options{PageLimit: 40, ClampMaxResults: true}, "    page_size: 100\n"},
		{"page limit equal to page_size, clamped", primesim.Options{PageLimit: 100, ClampMaxResults: true}, "    page_size: 100\n"},
		{"page limit above page_size, clamped", primesim.Options{PageLimit: 500, ClampMaxResults: true}, "    page_size: 100\n"},
		{"page limit below page_size, refused", primesim.Options{PageLimit: 40}, "    page_size: 100\n"},
		{"ClientCounts not served at v4", primesim.Options{NotServed: []string{"v4/ClientCounts"}}, ""},
		{"v1 with strings for numbers and bare entities", primesim.Options{StringNumbersAt: []string{"v1"}, BareEntityAt: []string{"v1"}}, "    api_version: v1\n"},
		{"v3 with object MACs", primesim.Options{ObjectMACsAt: []string{"v3"}}, "    api_version: v3\n"},
		{"v2", primesim.Options{}, "    api_version: v2\n"},
		{"empty lists as getEntity", primesim.Options{EmptyAsGetEntity: true}, ""},
		{"filters ORed unless .and_filter", primesim.Options{OrFilters: true}, ""},
		{"HTML error pages", primesim.Options{HTMLErrorPages: true, NotServed: []string{"v4/Alarms"}}, ""},
		{"map locations by bare name", primesim.Options{MapLocationNames: true, GuestRows: true}, ""},
		{"sub-domains count zero", primesim.Options{ZeroSubdomainCounts: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.opts
			o.Seed, o.Size, o.RateLimit = 4, "small", -1
			sim, c := simClient(t, o, "    hold: 0s\n"+tc.extra)
			ctx := context.Background()
			want := sim.Sizes()
			aps, err := c.AccessPoints(ctx)
			if err != nil || len(aps.Devices) != want.APs {
				t.Fatalf("AccessPoints() = %d APs, %v; want %d", lenOr(aps), err, want.APs)
			}
			for _, d := range aps.Devices {
				if len(d.MAC) != 12 || d.Site == "" {
					t.Fatalf("AP %+v: want a 12-digit MAC and a site", d)
				}
			}
			devs, err := c.Devices(ctx)
			if err != nil || len(devs.Devices) != want.Devices {
				t.Fatalf("Devices() = %v; want %d devices", err, want.Devices)
			}
			clients := vendortest.Get(t, "Clients()", c.Clients)
			wireless, wired := 0, 0
			for _, r := range clients.Radios {
				wireless += r.Count
				if _, ok := aps.RadioSites[r.Radio]; !ok {
					t.Fatalf("radio %s of a client count is no AP's base radio MAC", r.Radio)
				}
			}
			for _, w := range clients.Wired {
				wired += w.Count
			}
			if clients.Total != want.Clients || wireless != want.Clients || wired != want.WiredClients {
				t.Errorf("clients: total %d, on APs %d, wired %d; want %d, %d, %d", clients.Total, wireless, wired, want.Clients, want.Clients, want.WiredClients)
			}
			alarms, err := c.Alarms(ctx)
			if err != nil || len(alarms.Alarms) != want.ActiveAlarms {
				t.Errorf("Alarms() = %v; want %d active alarms", err, want.ActiveAlarms)
			}
			inv, err := c.Inventory(ctx)
			if err != nil || len(inv.Devices) != want.Devices {
				t.Fatalf("Inventory() = %v; want %d devices", err, want.Devices)
			}
			for _, d := range inv.Devices {
				if d.Serial == "" || d.ID == 0 || len(d.Interfaces) == 0 || len(d.Neighbors) == 0 {
					t.Fatalf("inventory %+v: want a serial, a deviceId, interfaces and neighbours", d)
				}
			}
			rogues, err := c.Rogues(ctx)
			if err != nil || rogues.Total != want.ActiveRogueAlarms {
				t.Errorf("Rogues() = %v; want %d active rogue alarms", err, want.ActiveRogueAlarms)
			}
			radios, err := c.Radios(ctx)
			if err != nil || len(radios.Radios) != 2*(want.APs-want.UnreachableAPs) {
				t.Fatalf("Radios() = %v; want the %d radios of the reachable APs", err, 2*(want.APs-want.UnreachableAPs))
			}
			for _, r := range radios.Radios {
				if r.Channel == nil || r.BandwidthHertz == nil || r.Clients == nil || r.Utilization.Len() != 2 {
					t.Fatalf("radio %+v; want its channel, width, clients and utilization", r)
				}
			}
		})
	}
}

func lenOr(a *AccessPoints) int {
	if a == nil {
		return 0
	}
	return len(a.Devices)
}

// TestServedPageSizeSetsTheCalls: the walks make the page-count minimum
// at the page size the server serves, below, at or above page_size.
func TestServedPageSizeSetsTheCalls(t *testing.T) {
	for _, limit := range []int{40, 100, 500} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			sim, c := simClient(t, primesim.Options{Seed: 4, Size: "small", RateLimit: -1, PageLimit: limit, ClampMaxResults: true}, "    hold: 0s\n    page_size: 100\n")
			sim.ResetCalls()
			if _, err := c.AccessPoints(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, want := sim.Calls(), ceilDiv(sim.Sizes().APs, min(limit, 100)); got != want {
				t.Errorf("calls = %d; want %d, the page-count minimum at the served page size", got, want)
			}
		})
	}
}

// TestPrimeRefusals: Prime's refusals of bad credentials, a 302 to its
// login page or a 401 with an HTML page, are a failed login, asked once.
func TestPrimeRefusals(t *testing.T) {
	for _, redirect := range []bool{false, true} {
		sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 4, RateLimit: -1, WrongPasswordRedirect: redirect})
		cr := sim.Credentials()
		cr.Password += "-wrong"
		c := newClient(t, primeConfig(t, base, cr, "    hold: 0s\n"))
		sim.ResetCalls()
		_, err := c.Devices(context.Background())
		if err == nil || !strings.Contains(err.Error(), "authentication failed for user "+cr.Username) {
			t.Errorf("redirect %v: Devices() = %v; want an authentication failure", redirect, err)
		}
		if err != nil && strings.Contains(err.Error(), "<") {
			t.Errorf("redirect %v: Devices() = %q; want no HTML in the error", redirect, err)
		}
	}
}
