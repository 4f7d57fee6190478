package primesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// TestPageLimits: the page limit and the default page size are
// configurable; above the limit Prime answers 503, or clamps.
func TestPageLimits(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3, PageLimit: 5, DefaultPageSize: 7}))
	r := h.Get(data("Devices", ".maxResults=6"))
	if want := "The maximum size of paged request exceeded. Limit is 5"; r.Status != 503 || string(r.Body) != want {
		t.Errorf("GET .maxResults=6 with PageLimit 5 = %d %q; want 503 %q", r.Status, r.Body, want)
	}
	var env envelope[deviceItem]
	h.GetOK(data("Devices", ".full=true"), &env)
	if q := env.QueryResponse; len(q.Entity) != 7 || q.Last != 6 || q.Count != 16 {
		t.Errorf("GET without .maxResults = %d entities, @last %d, @count %d; want the default page of 7", len(q.Entity), q.Last, q.Count)
	}

	h = newHarness(t, relaxed(Options{Seed: 3, PageLimit: 5, ClampMaxResults: true}))
	h.GetOK(data("Devices", ".full=true&.maxResults=1000&.firstResult=2"), &env)
	if q := env.QueryResponse; len(q.Entity) != 5 || q.First != 2 || q.Last != 6 || q.Count != 16 {
		t.Errorf("clamped page = %d entities, @first %d, @last %d, @count %d; want 5 from 2 to 6 of 16", len(q.Entity), q.First, q.Last, q.Count)
	}
}

func TestEmptyAndNoCount(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3, EmptyAsGetEntity: true}))
	var env envelope[deviceItem]
	r := h.GetOK(data("Devices", ".full=true&deviceName=none"), &env)
	if q := env.QueryResponse; q.ResponseType != "getEntity" || q.Count != 0 || strings.Contains(string(r.Body), `"entity"`) {
		t.Errorf("empty result with EmptyAsGetEntity = %s; want getEntity without entity", r.Body)
	}
	h.GetOK(data("Devices", ".full=true&.maxResults=1"), &env)
	if env.QueryResponse.ResponseType != "listEntityInstances" {
		t.Errorf("non-empty result = %s; want listEntityInstances", env.QueryResponse.ResponseType)
	}

	for mode, want := range map[NoCountMode]string{"": `"@count":16`, NoCountOmit: "", NoCountPage: `"@count":5`} {
		h := newHarness(t, relaxed(Options{Seed: 3, NoCount: mode}))
		body := string(h.GetOK(data("Devices", ".nocount=true&.firstResult=2&.maxResults=3"), nil).Body)
		if want == "" && strings.Contains(body, "@count") || want != "" && !strings.Contains(body, want) {
			t.Errorf("NoCount %q: body %s; want %q", mode, body, want)
		}
		if !strings.Contains(string(h.GetOK(data("Devices", ".nocount=false"), nil).Body), `"@count":16`) {
			t.Errorf("NoCount %q: .nocount=false changed @count", mode)
		}
	}
}

// TestFilterForms covers the operators and controls of prime.md section
// 5.
func TestFilterForms(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 8}))
	z := h.S.Sizes()
	alarms := walkAll[alarmItem](h, "Alarms", "", 1000)
	count := func(f func(alarmItem) bool) int { return simtest.CountIf(alarms, f) }
	apAlarms := count(func(a alarmItem) bool { return a.Category.Value == "AP" })
	crit := count(func(a alarmItem) bool { return a.Severity == "CRITICAL" })
	first := alarms[3].ID
	tests := []struct {
		resource, query string
		want            int
	}{
		{"Devices", "deviceName=contains(WLC)", z.Controllers},
		{"Devices", "deviceName=contains('WLC')", z.Controllers},
		{"Devices", `deviceName=startsWith("NA-")`, countOf(h, "Devices", "deviceName=startsWith(NA-)")},
		{"Devices", "deviceName=notStartsWith(NA-)", z.Devices - countOf(h, "Devices", "deviceName=startsWith(NA-)")},
		{"Devices", "deviceName=endsWith(-RTR-01)", z.Campuses},
		{"Devices", "deviceName=contains(wlc)", 0},
		{"Devices", "deviceName=contains(wlc)&.case_sensitive=false", z.Controllers},
		{"Devices", "productFamily=routers&.case_sensitive=false", z.Routers},
		{"Alarms", "category.value=AP", apAlarms},
		{"Alarms", "condition.value=AP_DISASSOCIATED&severity=ne(CLEARED)", z.UnreachableAPs},
		{"Alarms", fmt.Sprintf("id=gt(%d)", first), len(alarms) - 4},
		{"Alarms", fmt.Sprintf("@id=gt('%d')", first), len(alarms) - 4},
		{"Alarms", "category.value=AP&severity=CRITICAL", count(func(a alarmItem) bool { return a.Category.Value == "AP" && a.Severity == "CRITICAL" })},
		{"Alarms", "category.value=AP&severity=CRITICAL&.and_filter=true", count(func(a alarmItem) bool { return a.Category.Value == "AP" && a.Severity == "CRITICAL" })},
		{"Alarms", "category.value=AP&severity=CRITICAL&.and_filter=false", count(func(a alarmItem) bool { return a.Category.Value == "AP" || a.Severity == "CRITICAL" })},
		{"AccessPointDetails", "unifiedApInfo.controllerName=startsWith(NA-WLC)", countOf(h, "AccessPointDetails", "mapLocation=startsWith(NA-Campus)&reachabilityStatus=REACHABLE")},
	}
	for _, tt := range tests {
		if got := countOf(h, tt.resource, tt.query); got != tt.want {
			t.Errorf("@count of %s?%s = %d; want %d", tt.resource, tt.query, got, tt.want)
		}
	}
	if crit == 0 || apAlarms == 0 {
		t.Fatalf("test data lacks CRITICAL or AP alarms")
	}

	h = newHarness(t, relaxed(Options{Seed: 8, OrFilters: true, IgnoreUnknownAttributes: true}))
	either := count(func(a alarmItem) bool { return a.Category.Value == "AP" || a.Severity == "CRITICAL" })
	both := count(func(a alarmItem) bool { return a.Category.Value == "AP" && a.Severity == "CRITICAL" })
	for q, want := range map[string]int{
		"category.value=AP&severity=CRITICAL":                  either,
		"category.value=AP&severity=CRITICAL&.and_filter=true": both,
		"severity=CRITICAL&nosuch=1":                           crit,
	} {
		if got := countOf(h, "Alarms", q); got != want {
			t.Errorf("OrFilters, IgnoreUnknownAttributes: @count of Alarms?%s = %d; want %d", q, got, want)
		}
	}
}

func TestDomainOptions(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1, StickyDomain: true}))
	z := h.S.Sizes()
	domainOf := func(r result) string {
		h.T.Helper()
		var env envelope[struct{}]
		simDecode(t, r, &env)
		return env.QueryResponse.Domain
	}
	if d := domainOf(h.Get(data("Devices", "_ctx.domain=EU-Campus"))); d != "EU-Campus" {
		t.Fatalf("@domain = %s", d)
	}
	// The session (the harness keeps its cookie) remembers the domain.
	r := h.Get(data("Devices", ""))
	var env envelope[struct{}]
	simDecode(t, r, &env)
	if env.QueryResponse.Domain != "EU-Campus" || env.QueryResponse.Count != z.PerDomain["EU-Campus"].Devices {
		t.Errorf("next request without _ctx.domain: @domain %s, %d devices; want EU-Campus's %d", env.QueryResponse.Domain, env.QueryResponse.Count, z.PerDomain["EU-Campus"].Devices)
	}
	// A request without the session does not.
	req := h.newReq("GET", data("Devices", ""))
	req.Close = true
	if d := domainOf(h.do(req, &http.Client{}, false)); d != RootDomain {
		t.Errorf("request without a session: @domain %s; want ROOT-DOMAIN", d)
	}

	h = newHarness(t, relaxed(Options{Seed: 1, UnknownDomainEmpty: true, Domains: []string{"NA-Campus"}}))
	r = h.Get(data("Devices", "_ctx.domain=Mars-Campus"))
	env = envelope[struct{}]{}
	simDecode(t, r, &env)
	if q := env.QueryResponse; q.Domain != "Mars-Campus" || q.Count != 0 || len(q.EntityID) != 0 {
		t.Errorf("unknown domain with UnknownDomainEmpty = %+v; want an empty list", q)
	}
	if r := h.Get(data("Devices", "_ctx.domain=EU-Campus")); r.Status != 403 {
		t.Errorf("existing domain not granted = %d; want 403", r.Status)
	}
}

func simDecode(t *testing.T, r result, v any) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d %s", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

func TestHTMLErrorPages(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1, HTMLErrorPages: true}))
	for _, tc := range []struct {
		path   string
		status int
	}{
		{dataPrefix + "Nope.json", 404},
		{data("Devices", "nosuch=1"), 400},
		{fmt.Sprintf("%sDevices/1.json", dataPrefix), 404},
	} {
		if r := h.Get(tc.path); r.Status != tc.status || !isHTML(r) {
			t.Errorf("GET %s with HTMLErrorPages = %d %s; want a %d HTML page", tc.path, r.Status, r.Body, tc.status)
		}
	}
	// Injected 5xx stay errorDocuments.
	h.S.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 502})
	if r := h.Get(data("Devices", "")); r.Status != 502 || errorDocOf(t, r.Body).HTTPResponseCode != 502 {
		t.Errorf("injected 502 = %d %s", r.Status, r.Body)
	}
}
