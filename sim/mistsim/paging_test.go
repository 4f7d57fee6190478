package mistsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestListPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 5}) // small: 3 sites
	tests := []struct {
		query                          string
		wantItems                      int
		wantLimit, wantPage, wantTotal string
	}{
		{"", 3, "100", "1", "3"},
		{"?limit=2", 2, "2", "1", "3"},
		{"?limit=2&page=2", 1, "2", "2", "3"}, // last partial page
		{"?limit=2&page=3", 0, "2", "3", "3"}, // past the end
		{"?limit=2&page=99999999999", 0, "2", "99999999999", "3"},
		{"?limit=5000", 3, "1000", "1", "3"}, // clamped
		{"?limit=0", 3, "100", "1", "3"},     // 0 is the default
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var items []json.RawMessage
			r := h.GetOK(h.org("/sites"+tt.query), &items)
			if items == nil || len(items) != tt.wantItems {
				t.Errorf("GET sites%s = %d items (%s); want %d", tt.query, len(items), r.Body, tt.wantItems)
			}
			got := [3]string{r.Header.Get("X-Page-Limit"), r.Header.Get("X-Page-Page"), r.Header.Get("X-Page-Total")}
			if want := [3]string{tt.wantLimit, tt.wantPage, tt.wantTotal}; got != want {
				t.Errorf("GET sites%s X-Page-Limit/Page/Total = %v; want %v", tt.query, got, want)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", ct)
			}
		})
	}
	for _, q := range []string{"?limit=abc", "?limit=-1", "?page=0", "?page=-2", "?page=x"} {
		t.Run(q, func(t *testing.T) {
			r := h.Get(h.org("/stats/devices" + q))
			if r.Status != http.StatusBadRequest || simtest.DetailOf(t, r.Body) == "" {
				t.Errorf("GET stats/devices%s = %d %s; want 400 with a detail", q, r.Status, r.Body)
			}
		})
	}
}

// TestListWalk pages through every list endpoint the way a client does:
// while limit*page < X-Page-Total.
func TestListWalk(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Size: "medium"})
	z := h.S.Sizes()
	site := h.S.SiteIDs()[0]
	tests := []struct {
		path string
		want int
	}{
		{h.org("/sites"), z.Sites},
		{h.org("/stats/sites"), z.Sites},
		{h.org("/stats/devices?type=all"), z.Devices},
		{h.org("/stats/devices?type=switch"), z.Switches},
		{h.org("/inventory"), z.Devices + z.Unassigned},
		{h.org("/inventory?unassigned=false"), z.Devices},
		{"/api/v1/sites/" + site + "/stats/devices?type=all", -1},
		{"/api/v1/sites/" + site + "/stats/clients", -1},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			const limit = 37
			seen := map[string]bool{}
			total := -1
			for page := 1; total < 0 || limit*(page-1) < total; page++ {
				sep := "?"
				if strings.Contains(tt.path, "?") {
					sep = "&"
				}
				var items []struct {
					ID  string `json:"id"`
					MAC string `json:"mac"`
				}
				r := h.GetOK(fmt.Sprintf("%s%slimit=%d&page=%d", tt.path, sep, limit, page), &items)
				total, _ = strconv.Atoi(r.Header.Get("X-Page-Total"))
				for _, it := range items {
					key := it.ID + it.MAC
					if seen[key] {
						t.Fatalf("page %d repeats %s", page, key)
					}
					seen[key] = true
				}
			}
			if len(seen) != total || (tt.want >= 0 && total != tt.want) {
				t.Errorf("walk collected %d items, X-Page-Total %d; want %d", len(seen), total, tt.want)
			}
		})
	}
}

func TestSearchWalk(t *testing.T) {
	h := newHarness(t, Options{Seed: 21, Size: "medium"})
	z := h.S.Sizes()
	site := h.S.SiteIDs()[3]
	tests := []struct {
		path string
		want int // -1: whatever total says
	}{
		{h.org("/clients/search?limit=1000"), z.Clients + z.Historical},
		{h.org("/clients/search?limit=777&duration=10m"), z.Clients},
		{h.org("/clients/search?limit=50&site_id=" + site), -1},
		{h.org("/clients/search?limit=50&ssid=Guest&band=5"), -1},
		{h.org("/alarms/search?limit=3"), -1},
		{h.org("/alarms/search?limit=2&status=open"), z.OpenAlarms},
		{h.org("/alarms/search?limit=5&status=open,resolved&type=device_down"), -1},
		{"/api/v1/sites/" + site + "/alarms/search?limit=1", -1},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			pages := walk[struct {
				ID        string  `json:"id"`
				MAC       string  `json:"mac"`
				Timestamp float64 `json:"timestamp"`
			}](h, tt.path)
			total := pages[0].Total
			seen := map[string]bool{}
			prev := pages[0].End + 1
			for i, p := range pages {
				if p.Total != total {
					t.Errorf("page %d total = %d; want %d as on page 1", i+1, p.Total, total)
				}
				if p.Start != pages[0].Start || p.End != pages[0].End {
					t.Errorf("page %d window = [%v, %v]; want the frozen [%v, %v]", i+1, p.Start, p.End, pages[0].Start, pages[0].End)
				}
				for _, it := range p.Results {
					key := it.ID + it.MAC
					if seen[key] {
						t.Fatalf("page %d repeats %s", i+1, key)
					}
					seen[key] = true
					if it.Timestamp > prev {
						t.Errorf("page %d: timestamp %v after %v; want descending", i+1, it.Timestamp, prev)
					}
					prev = it.Timestamp
				}
				if last := i == len(pages)-1; (p.Next == nil) != last {
					t.Errorf("page %d of %d: next = %v; want next only before the last page", i+1, len(pages), p.Next)
				}
			}
			if len(seen) != total || (tt.want >= 0 && total != tt.want) {
				t.Errorf("walk collected %d items, total %d; want %d", len(seen), total, tt.want)
			}
		})
	}
}

func TestSearchNext(t *testing.T) {
	h := newHarness(t, Options{Seed: 2})
	var p searchBody[clientItem]
	h.GetOK(h.org("/clients/search?limit=10&ssid=Corp&duration=2h"), &p)
	if p.Next == nil {
		t.Fatalf("first page has no next; want one")
	}
	u, err := url.Parse(*p.Next)
	if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/api/v1/orgs/"+h.C.OrgID+"/clients/search") {
		t.Fatalf("next = %q; want a relative /api/v1/... URI", *p.Next)
	}
	q := u.Query()
	if q.Get("ssid") != "Corp" || q.Get("limit") != "10" || q.Has("duration") {
		t.Errorf("next query = %v; want ssid and limit kept, duration replaced", q)
	}
	if q.Get("start") != strconv.FormatFloat(p.Start, 'f', -1, 64) || q.Get("end") != strconv.FormatFloat(p.End, 'f', -1, 64) {
		t.Errorf("next start, end = %s, %s; want the frozen %v, %v", q.Get("start"), q.Get("end"), p.Start, p.End)
	}
	var cur []any
	if err := json.Unmarshal([]byte(q.Get("search_after")), &cur); err != nil || len(cur) != 2 {
		t.Fatalf("search_after = %q; want a JSON array [ts_ms, id]", q.Get("search_after"))
	}
	last := p.Results[len(p.Results)-1]
	if ts, _ := cur[0].(float64); int64(ts) != int64(last.Timestamp*1000+0.5) || cur[1] != last.MAC {
		t.Errorf("search_after = %v; want [%d, %q] (the last result)", cur, int64(last.Timestamp*1000+0.5), last.MAC)
	}
	if !strings.Contains(*p.Next, "search_after=%5B") {
		t.Errorf("next = %q; want search_after URL-encoded", *p.Next)
	}
	// The walk still works when the clock moves on: the window is frozen.
	h.Clock.Add(3 * time.Minute)
	var p2 searchBody[clientItem]
	h.GetOK(*p.Next, &p2)
	if p2.Total != p.Total || len(p2.Results) == 0 || p2.Results[0].Timestamp > last.Timestamp {
		t.Errorf("page 2 total %d, %d results; want total %d and older results", p2.Total, len(p2.Results), p.Total)
	}

	for _, bad := range []string{"search_after=x", "search_after=%5B1%5D", "start=abc", "end=-1q", "duration=zz", "start=200&end=100", "status=closed", "limit=x"} {
		r := h.Get(h.org("/alarms/search?" + bad))
		if r.Status != http.StatusBadRequest {
			t.Errorf("alarms/search?%s status = %d; want 400", bad, r.Status)
		}
	}
}

func TestSearchWindow(t *testing.T) {
	h := newHarness(t, Options{Seed: 4})
	z := h.S.Sizes()
	now := float64(testStart.Unix())
	tests := []struct {
		query string
		want  int
	}{
		{"", z.Clients + z.Historical},
		{"?duration=1d", z.Clients + z.Historical},
		{"?duration=10m", z.Clients},
		{"?duration=5m", z.Clients},
		{"?start=-1h", z.Clients},
		{"?start=-1h&end=now", z.Clients},
		{fmt.Sprintf("?start=%d&end=%d", int64(now)-600, int64(now)), z.Clients},
		// A past window sees the clients connected at its end.
		{fmt.Sprintf("?start=%d&duration=1h", int64(now)-86400), z.Clients},
		{fmt.Sprintf("?end=%d", int64(now)-86400*3), z.Clients + z.Historical},
		{"?duration=10m&mac=ffffffffff", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			sep := "?"
			if tt.query != "" {
				sep = "&"
			}
			var p searchBody[clientItem]
			h.GetOK(h.org("/clients/search"+tt.query+sep+"limit=1000"), &p)
			if p.Total != tt.want || len(p.Results) != tt.want {
				t.Errorf("clients/search%s total, results = %d, %d; want %d", tt.query, p.Total, len(p.Results), tt.want)
			}
			for _, c := range p.Results {
				if c.Timestamp < p.Start || c.Timestamp > p.End {
					t.Fatalf("client %s timestamp %v outside [%v, %v]", c.MAC, c.Timestamp, p.Start, p.End)
				}
			}
		})
	}
}

func TestStatsDevicesType(t *testing.T) {
	h := newHarness(t, Options{Seed: 6})
	z := h.S.Sizes()
	site0, site1 := h.S.SiteIDs()[0], h.S.SiteIDs()[1]
	down, inSite1, apsInSite0 := 0, 0, 0
	for _, d := range h.S.Devices() {
		if !d.Connected {
			down++
		}
		if d.SiteID == site1 {
			inSite1++
		}
		if d.SiteID == site0 && d.Type == "ap" {
			apsInSite0++
		}
	}
	tests := []struct {
		query, wantType, wantSite string
		want                      int
	}{
		{"", "ap", "", z.APs},
		{"?type=ap", "ap", "", z.APs},
		{"?type=switch", "switch", "", z.Switches},
		{"?type=gateway", "gateway", "", z.Gateways},
		{"?type=all", "", "", z.Devices},
		{"?type=all&status=disconnected", "", "", down},
		{"?type=all&status=connected", "", "", z.Devices - down},
		{"?type=all&site_id=" + site1, "", site1, inSite1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var items []deviceItem
			r := h.GetOK(h.org("/stats/devices"+tt.query), &items)
			if tt.want == 0 || len(items) != tt.want || r.Header.Get("X-Page-Total") != strconv.Itoa(tt.want) {
				t.Errorf("stats/devices%s = %d items, X-Page-Total %s; want %d (> 0)", tt.query, len(items), r.Header.Get("X-Page-Total"), tt.want)
			}
			for _, d := range items {
				if d.Type == "" || (tt.wantType != "" && d.Type != tt.wantType) {
					t.Errorf("item %s type = %q; want %q", d.Name, d.Type, tt.wantType)
				}
				if tt.wantSite != "" && d.SiteID != tt.wantSite {
					t.Errorf("item %s site = %s; want %s", d.Name, d.SiteID, tt.wantSite)
				}
			}
		})
	}
	for _, q := range []string{"?type=router", "?status=up"} {
		if r := h.Get(h.org("/stats/devices" + q)); r.Status != http.StatusBadRequest {
			t.Errorf("stats/devices%s status = %d; want 400", q, r.Status)
		}
	}
	var siteItems []deviceItem
	h.GetOK("/api/v1/sites/"+site0+"/stats/devices", &siteItems)
	if len(siteItems) != apsInSite0 || apsInSite0 == 0 {
		t.Errorf("site stats/devices = %d items; want the site's %d APs (> 0)", len(siteItems), apsInSite0)
	}
	for _, d := range siteItems {
		if d.SiteID != site0 || d.Type != "ap" {
			t.Errorf("site stats/devices item site %s type %s; want %s, ap", d.SiteID, d.Type, site0)
		}
	}
}

// TestPageSizeOptions: a server that caps the page size below the
// documented 1000, refuses a larger limit instead of clamping it, or
// refuses a page past the end.
func TestPageSizeOptions(t *testing.T) {
	capped := newHarness(t, Options{Seed: 5, MaxLimit: 2})
	r := capped.GetOK(capped.org("/sites?limit=1000"), nil)
	if got := r.Header.Get("X-Page-Limit"); got != "2" {
		t.Errorf("MaxLimit 2: X-Page-Limit for limit=1000 = %s; want 2", got)
	}
	if r := capped.Get(capped.org("/alarms/search?limit=1000")); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"limit":2`) {
		t.Errorf("MaxLimit 2: alarm search with limit=1000 = %d %.80s; want its limit 2", r.Status, r.Body)
	}
	refusing := newHarness(t, Options{Seed: 5, MaxLimit: 2, RefuseLargeLimit: true})
	for _, path := range []string{"/sites?limit=3", "/alarms/search?limit=3"} {
		if r := refusing.Get(refusing.org(path)); r.Status != http.StatusBadRequest || !strings.Contains(simtest.DetailOf(t, r.Body), "at most 2") {
			t.Errorf("RefuseLargeLimit: GET %s = %d %s; want 400 naming the maximum", path, r.Status, r.Body)
		}
	}
	if r := refusing.Get(refusing.org("/sites")); r.Status != http.StatusOK || r.Header.Get("X-Page-Limit") != "2" {
		t.Errorf("RefuseLargeLimit: GET sites without a limit = %d, X-Page-Limit %s; want 200 at the maximum", r.Status, r.Header.Get("X-Page-Limit"))
	}
	pastEnd := newHarness(t, Options{Seed: 5, PastEndStatus: http.StatusNotFound})
	if r := pastEnd.Get(pastEnd.org("/sites?limit=2&page=3")); r.Status != http.StatusNotFound {
		t.Errorf("PastEndStatus 404: a page past the end = %d; want 404", r.Status)
	}
	if r := pastEnd.Get(pastEnd.org("/stats/devices?type=switch&status=connected&mac=000000000000")); r.Status != http.StatusOK {
		t.Errorf("PastEndStatus 404: an empty first page = %d; want 200 []", r.Status)
	}
}

// TestPublishedClientWalk walks every list as the mistapi SDK does
// (__api_response._check_next: the next page while X-Page-Limit *
// X-Page-Page < X-Page-Total, the request's own limit kept) and finds
// every item, with the server's maximum below, at and above the limit
// asked for.
func TestPublishedClientWalk(t *testing.T) {
	const asked = 100
	for _, most := range []int{7, asked, 1000} {
		h := newHarness(t, Options{Seed: 8, Size: "medium", MaxLimit: most})
		z := h.S.Sizes()
		for path, want := range map[string]int{
			h.org("/stats/sites"):               z.Sites,
			h.org("/stats/devices?type=all"):    z.Devices,
			h.org("/inventory?unassigned=true"): z.Devices + z.Unassigned,
		} {
			t.Run(fmt.Sprintf("max %d %s", most, path), func(t *testing.T) {
				seen := map[string]bool{}
				u, _ := url.Parse(path)
				q := u.Query()
				q.Set("limit", strconv.Itoa(asked))
				for page := 1; ; page++ {
					q.Set("page", strconv.Itoa(page))
					var items []struct {
						ID string `json:"id"`
					}
					r := h.GetOK(u.Path+"?"+q.Encode(), &items)
					for _, it := range items {
						seen[it.ID] = true
					}
					limit, _ := strconv.Atoi(r.Header.Get("X-Page-Limit"))
					pg, _ := strconv.Atoi(r.Header.Get("X-Page-Page"))
					total, _ := strconv.Atoi(r.Header.Get("X-Page-Total"))
					if limit*pg >= total {
						break
					}
				}
				if len(seen) != want {
					t.Errorf("the SDK's walk found %d items; want %d", len(seen), want)
				}
			})
		}
	}
}

// TestDeviceStatsFields: E10 serves a subset of each device's fields
// unless fields names them; fields=* serves all; with FieldsMask the named
// fields are the only ones.
func TestDeviceStatsFields(t *testing.T) {
	keys := func(h *harness, query string) map[string]bool {
		t.Helper()
		var items []map[string]json.RawMessage
		h.GetOK(h.org("/stats/devices?type=ap&limit=1"+query), &items)
		if len(items) != 1 {
			t.Fatalf("stats/devices%s = %d items; want 1", query, len(items))
		}
		out := map[string]bool{}
		for k := range items[0] {
			out[k] = true
		}
		return out
	}
	h := newHarness(t, Options{Seed: 5})
	def := keys(h, "")
	for _, f := range DefaultOptInFields {
		if def[f] {
			t.Errorf("default subset has %s; want it left out until named", f)
		}
	}
	if !def["name"] || !def["status"] {
		t.Errorf("default subset %v; want name and status", def)
	}
	named := keys(h, "&fields=uptime,num_clients")
	if !named["uptime"] || !named["num_clients"] || named["last_seen"] || !named["name"] {
		t.Errorf("fields=uptime,num_clients gives %v; want those added to the default subset", named)
	}
	if all := keys(h, "&fields=*"); !all["uptime"] || !all["last_seen"] || !all["num_clients"] || !all["radio_stat"] {
		t.Errorf("fields=* gives %v; want every field", all)
	}
	site := "/api/v1/sites/" + h.S.SiteIDs()[0] + "/stats/devices?type=ap&limit=1"
	var items []map[string]json.RawMessage
	if h.GetOK(site, &items); len(items) != 1 || items[0]["uptime"] == nil {
		t.Errorf("site stats/devices = %v; want every field (fields is declared on the org endpoint only)", items)
	}
	mask := newHarness(t, Options{Seed: 5, FieldsMask: true})
	if got := keys(mask, "&fields=uptime,name"); len(got) != 5 || !got["uptime"] || !got["name"] || !got["mac"] || !got["id"] || !got["type"] {
		t.Errorf("FieldsMask: fields=uptime,name gives %v; want those with type, id and mac", got)
	}
	none := newHarness(t, Options{Seed: 5, OptInFields: []string{}})
	if got := keys(none, ""); !got["uptime"] || !got["num_clients"] {
		t.Errorf("OptInFields empty: default gives %v; want every field", got)
	}
}
