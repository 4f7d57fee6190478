package primesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestEnvelope(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	root := h.C.BaseURL + "/webacs/api/v4/data"
	path := data("Devices", ".full=true&.firstResult=2&.maxResults=5")
	var full envelope[deviceItem]
	h.GetOK(path, &full)
	q := full.QueryResponse
	got := fmt.Sprint(q.First, q.Last, q.Count, q.Type, q.Domain, q.ResponseType, q.RootURL, q.RequestURL, len(q.Entity))
	want := fmt.Sprint(2, 6, 16, "Devices", RootDomain, "listEntityInstances", root, h.C.BaseURL+path, 5)
	if got != want {
		t.Errorf("envelope first, last, count, type, domain, responseType, rootUrl, requestUrl, entities =\n%s; want\n%s", got, want)
	}
	var ids envelope[struct{}]
	idPath := data("Devices", ".firstResult=2&.maxResults=5")
	h.GetOK(idPath, &ids)
	qi := ids.QueryResponse
	if qi.ResponseType != "listEntityIds" || qi.First != 2 || qi.Last != 6 || qi.Count != 16 || qi.RequestURL != h.C.BaseURL+idPath || len(qi.Entity) != 0 || len(qi.EntityID) != 5 {
		t.Errorf("ids envelope = %+v; want listEntityIds 2..6 of 16 with 5 entityId", qi)
	}
	for i, e := range q.Entity {
		d := e.dto()
		url := fmt.Sprintf("%s/Devices/%d", root, d.ID)
		if e.DTOType != "devicesDTO" || e.Type != "Devices" || e.URL != url || d.DeviceID != d.ID {
			t.Errorf("entity %d = %s %s %s (deviceId %d); want devicesDTO Devices %s", i, e.DTOType, e.Type, e.URL, d.DeviceID, url)
		}
		if id := qi.EntityID[i]; id.ID != fmt.Sprint(d.ID) || id.URL != url {
			t.Errorf("entityId %d = %+v; want {%d %s}", i, id, d.ID, url)
		}
		// The @url answers the entity itself.
		var one struct {
			QueryResponse struct {
				ResponseType string               `json:"@responseType"`
				Type         string               `json:"@type"`
				RootURL      string               `json:"@rootUrl"`
				RequestURL   string               `json:"@requestUrl"`
				Entity       []entity[deviceItem] `json:"entity"`
			} `json:"queryResponse"`
		}
		p := strings.TrimPrefix(e.URL, h.C.BaseURL) + ".json"
		h.GetOK(p, &one)
		o := one.QueryResponse
		if o.ResponseType != "getEntity" || o.Type != "Devices" || o.RootURL != root || o.RequestURL != e.URL+".json" ||
			len(o.Entity) != 1 || o.Entity[0].dto() != d || o.Entity[0].URL != url {
			t.Errorf("GET %s = %+v; want getEntity with the same entity", p, o)
		}
	}
}

func TestPaging(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3})) // 16 devices
	tests := []struct {
		name, query              string
		first, last, count, size int
	}{
		{"default page", "", 0, 15, 16, 16},
		{"exact multiple, last page full", ".firstResult=8&.maxResults=8", 8, 15, 16, 8},
		{"last partial page", ".firstResult=15&.maxResults=5", 15, 15, 16, 1},
		{"first past the end", ".firstResult=16&.maxResults=5", 16, 15, 16, 0},
		{"first far past the end", ".firstResult=5000", 5000, 4999, 16, 0},
		{"empty result", "reachability=NOPE&.firstResult=3", 3, 2, 0, 0},
		{"maxResults 0", ".maxResults=0", 0, -1, 16, 0},
		{"maxResults at the limit", ".maxResults=1000", 0, 15, 16, 16},
	}
	for _, tt := range tests {
		for _, full := range []string{"true", "false"} {
			var env envelope[deviceItem]
			r := h.GetOK(data("Devices", ".full="+full+"&"+tt.query), &env)
			q := env.QueryResponse
			n := len(q.Entity) + len(q.EntityID)
			if q.First != tt.first || q.Last != tt.last || q.Count != tt.count || n != tt.size {
				t.Errorf("%s (full=%s): @first, @last, @count, entities = %d, %d, %d, %d; want %d, %d, %d, %d",
					tt.name, full, q.First, q.Last, q.Count, n, tt.first, tt.last, tt.count, tt.size)
			}
			if tt.size == 0 && (strings.Contains(string(r.Body), `"entity"`) || strings.Contains(string(r.Body), `"entityId"`)) {
				t.Errorf("%s (full=%s): empty page body %s; want no entity key", tt.name, full, r.Body)
			}
		}
	}
}

// TestWalkExactMultiple: a walk that stops when first reaches @count needs
// no extra empty page when the total is a multiple of the page size.
func TestWalkExactMultiple(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	devs := walkAll[deviceItem](h, "Devices", "", 8)
	if got := h.S.CallsByPath()["/webacs/api/v4/data/Devices"]; len(devs) != 16 || got != 2 {
		t.Errorf("walk of 16 devices by 8 = %d devices in %d calls; want 16 in 2", len(devs), got)
	}
	total := countOf(h, "ClientCounts", "")
	for _, size := range []int{1, 7, 100} {
		rows := walkAll[ccItem](h, "ClientCounts", "", size)
		if len(rows) != total {
			t.Errorf("ClientCounts walk by %d = %d rows; want @count %d", size, len(rows), total)
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].id() <= rows[i-1].id() {
				t.Fatalf("walk by %d: row %d id %d after %d; want ascending @id", size, i, rows[i].id(), rows[i-1].id())
			}
		}
	}
}

func TestMaxResultsLimit(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	for _, q := range []string{".maxResults=1001", ".maxResults=100000&.full=true"} {
		r := h.Get(data("Alarms", q))
		want := "The maximum size of paged request exceeded. Limit is 1000"
		if r.Status != http.StatusServiceUnavailable || string(r.Body) != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("GET Alarms?%s = %d %q (%s); want 503 %q text/plain", q, r.Status, r.Body, r.Header.Get("Content-Type"), want)
		}
	}
	if h.S.Calls() != 2 {
		t.Errorf("Calls() = %d; want 2 (page-size 503s are counted)", h.S.Calls())
	}
}

func TestBadQueries(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	tests := []struct{ resource, query string }{
		{"Devices", ".firstResult=-1"},
		{"Devices", ".firstResult=x"},
		{"Devices", ".maxResults=-5"},
		{"Devices", ".maxResults=ten"},
		{"Devices", ".full=maybe"},
		{"Devices", ".nocount=maybe"},
		{"Devices", ".and_filter=yes please"},
		{"Devices", ".group=myrouters"},
		{"Devices", "_ctx.other=1"},
		{"Devices", "serialNumber=X"},
		{"Devices", "reachability=matches(REACH)"},
		{"Devices", "@id=contains(31)"},
		{"Devices", ".sort=softwareVersion"},
		{"AccessPointDetails", "status=CLEARED"},
		{"ClientCounts", "collectionTime=gt(yesterday)"},
		{"ClientCounts", "ssid=Corp"},
		{"Alarms", "acknowledgementStatus=maybe"},
		{"Alarms", "acknowledgementStatus=gt(false)"},
		{"Alarms", ".sort=-message"},
		// Also a 400, not a 503, when the page is too large too.
		{"Alarms", "category=AP&.maxResults=5000"},
	}
	for _, tt := range tests {
		r := h.Get(data(tt.resource, tt.query))
		if r.Status != http.StatusBadRequest {
			t.Errorf("GET %s?%s = %d %s; want 400", tt.resource, tt.query, r.Status, r.Body)
			continue
		}
		e := errorDocOf(t, r.Body)
		if e.HTTPResponseCode != 400 || e.HTTPMethod != "GET" || e.URIPath != "/data/"+tt.resource || e.Message == "" || !strings.HasPrefix(e.QueryParams, "{") {
			t.Errorf("GET %s?%s errorDocument = %+v; want 400, GET, the path after the version, a message, the query", tt.resource, tt.query, e)
		}
	}
}

// TestPathsAndSuffix: JSON for the .json suffix or Accept:
// application/json, else XML (prime.md section 1).
func TestPathsAndSuffix(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	strip := func(b []byte) string {
		var m map[string]map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("body %s: %v", b, err)
		}
		delete(m["queryResponse"], "@requestUrl")
		out, _ := json.Marshal(m)
		return string(out)
	}
	want := strip(h.GetOK(data("Alarms", ".full=true"), nil).Body)
	for _, tc := range []struct {
		path, accept string
		json         bool
	}{
		{dataPrefix + "Alarms?.full=true", "application/json", true},
		{dataPrefix + "Alarms?.full=true", "text/html, application/json;q=0.9", true},
		{dataPrefix + "Alarms.json?.full=true", "application/xml", true},
		{dataPrefix + "Alarms?.full=true", "", false},
		{dataPrefix + "Alarms?.full=true", "application/xml", false},
		{dataPrefix + "Alarms?.full=true", "*/*", false},
		{dataPrefix + "Alarms.xml?.full=true", "application/json", false},
	} {
		req := h.newReq("GET", tc.path)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		r := h.do(req, nil, false)
		switch {
		case r.Status != 200:
			t.Errorf("GET %s (Accept %q) = %d", tc.path, tc.accept, r.Status)
		case tc.json && (r.Header.Get("Content-Type") != "application/json" || strip(r.Body) != want):
			t.Errorf("GET %s (Accept %q) = %s; want the .json answer", tc.path, tc.accept, r.Header.Get("Content-Type"))
		case !tc.json && (r.Header.Get("Content-Type") != "application/xml" || !strings.HasPrefix(string(r.Body), "<?xml") ||
			!strings.Contains(string(r.Body), "<queryResponse ") || !strings.Contains(string(r.Body), "<alarmsDTO id=")):
			t.Errorf("GET %s (Accept %q) = %s %.200s; want XML", tc.path, tc.accept, r.Header.Get("Content-Type"), r.Body)
		}
	}
	id := h.S.APs()[0].ID
	for _, p := range []string{fmt.Sprintf("%sAccessPointDetails/%d.json", dataPrefix, id)} {
		var env envelope[apItem]
		h.GetOK(p, &env)
		if len(env.QueryResponse.Entity) != 1 || env.QueryResponse.Entity[0].dto().ID != id {
			t.Errorf("GET %s = %+v; want AP %d", p, env.QueryResponse, id)
		}
	}
	if r := h.Get(fmt.Sprintf("%sAccessPointDetails/%d", dataPrefix, id)); r.Status != 200 || !strings.Contains(string(r.Body), fmt.Sprintf(`<accessPointDetailsDTO id="%d"`, id)) {
		t.Errorf("GET AccessPointDetails/%d without suffix = %d %.300s; want XML", id, r.Status, r.Body)
	}
	notFound := []string{
		dataPrefix + "Nope.json",
		dataPrefix + "devices.json",
		dataPrefix + "Devices/",
		dataPrefix + "Devices/1/2",
		dataPrefix + "Devices.json/1",
		dataPrefix + "Devices/abc",
		dataPrefix + "Devices/1.json",
		fmt.Sprintf("%sDevices/%d.json", dataPrefix, id), // an AP id is no device
		"/webacs/api/v4/op/info",
		"/webacs/api/v5/data/Devices.json",
	}
	for _, p := range notFound {
		req := h.newReq("GET", p)
		req.Header.Set("Accept", "application/json")
		r := h.do(req, nil, false)
		if e := errorDocOf(t, r.Body); r.Status != http.StatusNotFound || e.HTTPResponseCode != 404 || !strings.HasPrefix(p, "/webacs/api/"+strings.TrimPrefix(e.URIPath, "/")) && !strings.HasPrefix(p, "/webacs/api/v4"+e.URIPath) {
			t.Errorf("GET %s = %d %s; want 404 errorDocument naming the path", p, r.Status, r.Body)
		}
	}
	// Unknown entity types answer Prime's documented message.
	if e := errorDocOf(t, h.Get(dataPrefix+"unkown.json").Body); e.Message != "No such entity type as unkown.-PRS-102" || e.ID != "presentation.PRS-102" || e.URIPath != "/data/unkown" || e.QueryParams != "{}" {
		t.Errorf("GET unkown.json errorDocument = %+v; want the documented one", e)
	}
	// Outside the API there is nothing to authenticate.
	r := h.do(h.newReq("GET", "/index.html"), nil, true)
	if r.Status != http.StatusNotFound || r.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("GET /index.html without auth = %d (WWW-Authenticate %q); want 404 without a challenge", r.Status, r.Header.Get("WWW-Authenticate"))
	}
	r = h.do(h.newReq("DELETE", data("Alarms", "")), nil, false)
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" || errorDocOf(t, r.Body).HTTPMethod != "DELETE" {
		t.Errorf("DELETE Alarms = %d %s (Allow %q); want 405 with Allow: GET, HEAD", r.Status, r.Body, r.Header.Get("Allow"))
	}
	r = h.do(h.newReq("HEAD", data("Alarms", "")), nil, false)
	if r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Errorf("HEAD Alarms = %d with %d bytes; want 200 without a body", r.Status, len(r.Body))
	}
}
