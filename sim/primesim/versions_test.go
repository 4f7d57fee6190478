package primesim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// raw decodes a 200 answer keeping every value as decoded JSON.
func raw(h *harness, path string) map[string]any {
	h.T.Helper()
	var m map[string]map[string]any
	h.GetOK(path, &m)
	return m["queryResponse"]
}

func firstDTO(t *testing.T, q map[string]any, key string) map[string]any {
	t.Helper()
	es, _ := q["entity"].([]any)
	if len(es) == 0 {
		t.Fatalf("no entity in %v", q)
	}
	e, _ := es[0].(map[string]any)
	dto, _ := e[key].(map[string]any)
	if dto == nil {
		t.Fatalf("entity %v has no %s", e, key)
	}
	return dto
}

// TestVersions: v3 and v4 (and v1, v2) answer side by side; v4 sends
// address objects and @domain, older versions strings (prime.md section
// 1, prime-v4-dto-fields.json).
func TestVersions(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	ap := h.S.APs()[0]
	colonRE := regexp.MustCompile(`^([0-9a-f]{2}:){5}[0-9a-f]{2}$`)
	for _, v := range versions {
		q := raw(h, dataAt(v, "AccessPointDetails", ".full=true&.maxResults=1"))
		dto := firstDTO(t, q, "accessPointDetailsDTO")
		_, hasDomain := q["@domain"]
		if _, num := q["@count"].(float64); !num || hasDomain != (v == "v4") {
			t.Errorf("%s envelope %v; want a numeric @count and @domain in v4 only", v, q)
		}
		if q["@rootUrl"] != h.C.BaseURL+"/webacs/api/"+v+"/data" {
			t.Errorf("%s @rootUrl %v", v, q["@rootUrl"])
		}
		mac, ip := dto["macAddress"], dto["ipAddress"]
		if v == "v4" {
			if m, _ := mac.(map[string]any); m["octets"] != ap.RadioMAC {
				t.Errorf("v4 macAddress %v; want {octets: %s}", mac, ap.RadioMAC)
			}
			if m, _ := ip.(map[string]any); m["address"] != ap.IP {
				t.Errorf("v4 ipAddress %v; want {address: %s}", ip, ap.IP)
			}
		} else {
			if s, _ := mac.(string); !colonRE.MatchString(s) || strings.ReplaceAll(s, ":", "") != ap.RadioMAC {
				t.Errorf("%s macAddress %v; want the string form of %s", v, mac, ap.RadioMAC)
			}
			if ip != ap.IP {
				t.Errorf("%s ipAddress %v; want %q", v, ip, ap.IP)
			}
		}
		_, old := dto["locationHeirarchy"]
		_, cur := dto["locationHierarchy"]
		if old != (v < "v3") || cur != (v >= "v3") {
			t.Errorf("%s: locationHeirarchy %v, locationHierarchy %v; want the old spelling before v3", v, old, cur)
		}
		wantReach := "REACHABLE"
		if v == "v2" {
			wantReach = "Reachable"
		}
		if dto["reachabilityStatus"] != wantReach {
			t.Errorf("%s reachabilityStatus %v; want %s", v, dto["reachabilityStatus"], wantReach)
		}
		// Devices carry alarm counts before v3.
		dev := firstDTO(t, raw(h, dataAt(v, "Devices", ".full=true&.maxResults=1")), "devicesDTO")
		if _, has := dev["criticalAlarms"]; has != (v < "v3") {
			t.Errorf("%s Devices criticalAlarms present %v; want only before v3", v, has)
		}
		alarm := firstDTO(t, raw(h, dataAt(v, "Alarms", ".full=true&.maxResults=1&deviceName=startsWith(NA-)")), "alarmsDTO")
		if _, obj := alarm["nttyaddrss7_address"].(map[string]any); obj != (v == "v4") {
			t.Errorf("%s nttyaddrss7_address %v; want an object in v4 only", v, alarm["nttyaddrss7_address"])
		}
	}
	// Filters use the version's spelling.
	if n := countOf(h, "AccessPointDetails", "reachabilityStatus=REACHABLE"); n != len(h.S.APs())-h.S.Sizes().UnreachableAPs {
		t.Errorf("v4 reachable APs = %d", n)
	}
	var env envelope[struct{}]
	h.GetOK(dataAt("v2", "AccessPointDetails", "reachabilityStatus=Reachable&.maxResults=0"), &env)
	if env.QueryResponse.Count != len(h.S.APs())-h.S.Sizes().UnreachableAPs {
		t.Errorf("v2 reachabilityStatus=Reachable = %d", env.QueryResponse.Count)
	}
}

func TestVersionOptions(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3, StringNumbersAt: []string{"v1"}, ObjectMACsAt: []string{"v3"}, BareEntityAt: []string{"v2"}}))
	q := raw(h, dataAt("v1", "Devices", ".full=true&.maxResults=1"))
	dto := firstDTO(t, q, "devicesDTO")
	for k, v := range map[string]any{"@count": q["@count"], "@first": q["@first"], "@last": q["@last"], "@id": dto["@id"]} {
		if s, ok := v.(string); !ok || s == "" {
			t.Errorf("v1 %s = %#v; want a numeric string", k, v)
		}
	}
	if _, ok := raw(h, dataAt("v4", "Devices", ".full=true&.maxResults=1"))["@count"].(float64); !ok {
		t.Errorf("v4 @count is not a number with StringNumbersAt v1")
	}
	dto = firstDTO(t, raw(h, dataAt("v3", "AccessPointDetails", ".full=true&.maxResults=1")), "accessPointDetailsDTO")
	if _, obj := dto["macAddress"].(map[string]any); !obj || dto["ipAddress"] != h.S.APs()[0].IP {
		t.Errorf("v3 with ObjectMACsAt v3: macAddress %v, ipAddress %v; want an object and a string", dto["macAddress"], dto["ipAddress"])
	}
	q = raw(h, dataAt("v2", "Devices", ".full=true&.maxResults=1"))
	if e, ok := q["entity"].(map[string]any); !ok || e["devicesDTO"] == nil {
		t.Errorf("v2 one-entity list with BareEntityAt v2: entity %#v; want a bare object", q["entity"])
	}
	if _, ok := raw(h, dataAt("v2", "Devices", ".full=true&.maxResults=2"))["entity"].([]any); !ok {
		t.Errorf("v2 two-entity list: want a list")
	}
	id := h.S.APs()[0].ID
	if e, ok := raw(h, fmt.Sprintf("/webacs/api/v2/data/AccessPointDetails/%d.json", id))["entity"].(map[string]any); !ok || e["accessPointDetailsDTO"] == nil {
		t.Errorf("v2 getEntity with BareEntityAt v2: entity %#v; want a bare object", e)
	}
}

// TestNotServed: a resource a version does not serve answers 404 with
// Prime's message, is left out of that version's data.json, and a client
// can fall back to another version.
func TestNotServed(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3, NotServed: []string{"v4/ClientCounts", "v4/HistoricalClientCounts"}}))
	r := h.Get(data("ClientCounts", ".full=true"))
	e := errorDocOf(t, r.Body)
	if r.Status != 404 || e.Message != "No such entity type as ClientCounts.-PRS-102" || e.ID != "presentation.PRS-102" || e.URIPath != "/data/ClientCounts" {
		t.Errorf("v4 ClientCounts not served = %d %s; want the 404 errorDocument", r.Status, r.Body)
	}
	var env envelope[ccItem]
	h.GetOK(dataAt("v3", "ClientCounts", ".full=true&type=SSID&key=All SSIDs&subkey=ROOT-DOMAIN"), &env)
	if q := env.QueryResponse; q.Count != 1 || q.Entity[0].dto().n("count") != h.S.Sizes().Clients {
		t.Errorf("v3 ClientCounts = %+v; want the org total", q)
	}
	calls := h.S.CallsByPath()
	if calls["/webacs/api/v4/data/ClientCounts"] != 1 || calls["/webacs/api/v3/data/ClientCounts"] != 1 {
		t.Errorf("CallsByPath() = %v; want the v4 404 and the v3 calls counted apart", calls)
	}
	names := catalog(h, "v4")
	if slices.Contains(names, "ClientCounts") || slices.Contains(names, "HistoricalClientCounts") || !slices.Contains(names, "Clients") {
		t.Errorf("v4 data.json = %v; want ClientCounts and HistoricalClientCounts left out", names)
	}
	if names := catalog(h, "v3"); !slices.Contains(names, "ClientCounts") {
		t.Errorf("v3 data.json = %v; want ClientCounts", names)
	}
}

// catalog lists the resources of a version's data.json, checking their
// URLs.
func catalog(h *harness, version string) []string {
	h.T.Helper()
	var c struct {
		QueryResponse struct {
			EntityType []struct {
				Name string `json:"$"`
				URL  string `json:"@url"`
			} `json:"entityType"`
		} `json:"queryResponse"`
	}
	h.GetOK("/webacs/api/"+version+"/data.json", &c)
	var out []string
	for _, e := range c.QueryResponse.EntityType {
		if want := h.C.BaseURL + "/webacs/api/" + version + "/data/" + e.Name; e.URL != want {
			h.T.Errorf("data.json %s @url %q; want %q", e.Name, e.URL, want)
		}
		out = append(out, e.Name)
	}
	return out
}

// TestCatalog: data.json lists the resources at every version, and every
// one listed answers; op.json lists no operation.
func TestCatalog(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	want := []string{"AccessPointDetails", "Alarms", "ClientCounts", "Clients", "Devices", "HistoricalClientCounts",
		"InventoryDetails", "RFLoadStats", "RadioDetails", "RogueApAlarms", "WlanControllerDetails", "WlanControllers"}
	for _, v := range versions {
		names := catalog(h, v)
		if !slices.Equal(names, want) {
			t.Errorf("%s data.json = %v; want %v", v, names, want)
		}
		for _, n := range names {
			h.GetOK(dataAt(v, n, ".maxResults=1"), nil)
		}
	}
	var ops map[string]map[string]any
	r := h.GetOK("/webacs/api/v4/op.json", &ops)
	if list, ok := ops["queryResponse"]["operation"].([]any); !ok || len(list) != 0 {
		t.Errorf("op.json = %s; want an empty operation list", r.Body)
	}
	for _, p := range []string{"/webacs/api/v4/data", "/webacs/api/v4/data.xml"} {
		r := h.Get(p)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/xml" ||
			!strings.Contains(string(r.Body), `<entityType url="`+h.C.BaseURL+`/webacs/api/v4/data/ClientCounts">ClientCounts</entityType>`) {
			t.Errorf("GET %s = %d %s", p, r.Status, r.Body)
		}
	}
	if got := h.S.CallsByPath()["/webacs/api/v4/data"]; got != 3 {
		t.Errorf("catalogue calls = %d; want 3", got)
	}
}

// TestXML: an XML body carries the same content as the JSON one.
func TestXML(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	var env envelope[ccItem]
	h.GetOK(data("ClientCounts", ".full=true&type=MAPLOCATION&.maxResults=1"), &env)
	row := env.QueryResponse.Entity[0].dto()
	r := h.Get(dataPrefix + "ClientCounts.xml?.full=true&type=MAPLOCATION&.maxResults=1")
	b := string(r.Body)
	for _, want := range []string{
		`<queryResponse last="0" first="0" count="` + fmt.Sprint(env.QueryResponse.Count) + `" type="ClientCounts" domain="ROOT-DOMAIN"`,
		`<entity dtoType="clientCountsDTO" type="ClientCounts" url="`,
		fmt.Sprintf(`<clientCountsDTO id="%d" displayName="%d">`, row.id(), row.id()),
		"<key>" + strings.ReplaceAll(row.s("key"), ">", "&gt;") + "</key>",
		fmt.Sprintf("<count>%d</count>", row.n("count")),
		"<wired10GCount>0</wired10GCount>",
	} {
		if !strings.Contains(b, want) {
			t.Errorf("XML body lacks %q:\n%.600s", want, b)
		}
	}
	r = h.Get(dataPrefix + "Nope")
	if r.Status != 404 || !strings.Contains(string(r.Body), "<errorDocument><httpResponseCode>404</httpResponseCode>") {
		t.Errorf("GET Nope as XML = %d %s; want an XML errorDocument", r.Status, r.Body)
	}
	if r := h.Get(dataPrefix + "Devices?deviceName=none"); !strings.Contains(string(r.Body), `<queryResponse last="-1" first="0" count="0"`) || strings.Contains(string(r.Body), "entity") {
		t.Errorf("empty XML list = %s", r.Body)
	}
}
