package primesim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// ids lists every @id of a resource as the domain sees it ("" = without
// _ctx.domain, which is ROOT-DOMAIN for a user granted all domains).
func ids(h *harness, resource, domain string) []string {
	h.T.Helper()
	var out []string
	for first, count := 0, 1; first < count; first += 1000 {
		q := fmt.Sprintf(".firstResult=%d&.maxResults=1000", first)
		if domain != "" {
			q += "&_ctx.domain=" + domain
		}
		var env envelope[struct{}]
		h.GetOK(data(resource, q), &env)
		if want := cmp.Or(domain, RootDomain); env.QueryResponse.Domain != want {
			h.T.Errorf("@domain = %q; want %q", env.QueryResponse.Domain, want)
		}
		count = env.QueryResponse.Count
		for _, e := range env.QueryResponse.EntityID {
			out = append(out, e.ID)
		}
	}
	return out
}

func TestDomainScoping(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 12, Size: "medium"}))
	subs := h.S.Domains()[1:]
	if !slices.Equal(subs, []string{"NA-Campus", "EU-Campus", "APAC-Campus"}) {
		t.Fatalf("sub-domains = %v", subs)
	}
	tests := []struct {
		resource string
		rootOnly int // rows only ROOT-DOMAIN sees
	}{
		{"AccessPointDetails", 0},
		{"Devices", 0},
		{"Alarms", countOf(h, "Alarms", "_ctx.domain=ROOT-DOMAIN") - h.S.Sizes().PerDomain["NA-Campus"].Alarms -
			h.S.Sizes().PerDomain["EU-Campus"].Alarms - h.S.Sizes().PerDomain["APAC-Campus"].Alarms},
		{"ClientCounts", 4 + 4}, // the ROOT-DOMAIN SSID and VIRTUALDOMAIN rows
	}
	for _, tt := range tests {
		root := ids(h, tt.resource, RootDomain)
		if def := ids(h, tt.resource, ""); !slices.Equal(def, root) {
			t.Errorf("%s: default domain differs from ROOT-DOMAIN", tt.resource)
		}
		inRoot := map[string]bool{}
		for _, id := range root {
			inRoot[id] = true
		}
		owner := map[string]string{}
		for _, d := range subs {
			sub := ids(h, tt.resource, d)
			if len(sub) == 0 || len(sub) >= len(root) {
				t.Errorf("%s in %s: %d rows of %d; want a non-empty strict subset", tt.resource, d, len(sub), len(root))
			}
			for _, id := range sub {
				if !inRoot[id] {
					t.Errorf("%s %s in %s is not in ROOT-DOMAIN", tt.resource, id, d)
				}
				if o, dup := owner[id]; dup {
					t.Errorf("%s %s in both %s and %s", tt.resource, id, o, d)
				}
				owner[id] = d
			}
		}
		if len(owner)+tt.rootOnly != len(root) {
			t.Errorf("%s: sub-domains hold %d rows + %d ROOT-only; want ROOT-DOMAIN's %d", tt.resource, len(owner), tt.rootOnly, len(root))
		}
	}
	if tests[2].rootOnly == 0 {
		t.Errorf("no ROOT-only alarms; want the System alarms there")
	}
	// A sub-domain's own SSID rows count its clients.
	z := h.S.Sizes()
	for _, d := range subs {
		var env envelope[ccItem]
		h.GetOK(data("ClientCounts", fmt.Sprintf(".full=true&_ctx.domain=%s&type=SSID&key=All SSIDs&.sort=-collectionTime&.maxResults=1", d)), &env)
		if q := env.QueryResponse; len(q.Entity) != 1 || q.Entity[0].dto().s("subkey") != d || q.Entity[0].dto().n("count") != z.PerDomain[d].Clients {
			t.Errorf("latest All SSIDs row in %s = %+v; want subkey %s counting %d", d, q.Entity, d, z.PerDomain[d].Clients)
		}
		if n := countOf(h, "ClientCounts", "_ctx.domain="+d+"&subkey=ROOT-DOMAIN"); n != 0 {
			t.Errorf("%s sees %d ROOT-DOMAIN SSID rows; want 0", d, n)
		}
	}
	// An entity outside the domain is not found there.
	var euAP APInfo
	for _, a := range h.S.APs() {
		if a.Domain == "EU-Campus" {
			euAP = a
			break
		}
	}
	p := fmt.Sprintf("%sAccessPointDetails/%d", dataPrefix, euAP.ID)
	if r := h.Get(p + "?_ctx.domain=NA-Campus"); r.Status != http.StatusNotFound {
		t.Errorf("GET %s in NA-Campus = %d; want 404", p, r.Status)
	}
	if r := h.Get(p + "?_ctx.domain=EU-Campus"); r.Status != http.StatusOK {
		t.Errorf("GET %s in EU-Campus = %d; want 200", p, r.Status)
	}
}

func TestDomainForbidden(t *testing.T) {
	tests := []struct {
		name    string
		granted []string
		domain  string // "" = no _ctx.domain
		status  int
		inForce string
	}{
		{"all granted, default", nil, "", 200, RootDomain},
		{"all granted, sub-domain", nil, "EU-Campus", 200, "EU-Campus"},
		{"all granted, unknown", nil, "Mars-Campus", 403, ""},
		{"all granted, wrong case", nil, "root-domain", 403, ""},
		{"one granted, default", []string{"NA-Campus"}, "", 200, "NA-Campus"},
		{"one granted, ROOT", []string{"NA-Campus"}, RootDomain, 403, ""},
		{"one granted, other", []string{"NA-Campus"}, "EU-Campus", 403, ""},
		{"two granted", []string{"EU-Campus", RootDomain}, "", 200, RootDomain},
	}
	for _, tt := range tests {
		h := newHarness(t, relaxed(Options{Seed: 1, Domains: tt.granted}))
		for _, res := range []string{"Devices", "Alarms", "AccessPointDetails", "ClientCounts"} {
			q := ""
			if tt.domain != "" {
				q = "_ctx.domain=" + tt.domain
			}
			r := h.Get(data(res, q))
			if r.Status != tt.status {
				t.Errorf("%s: GET %s?%s = %d %s; want %d", tt.name, res, q, r.Status, r.Body, tt.status)
				continue
			}
			if tt.status == 403 {
				if !isHTML(r) || !strings.Contains(string(r.Body), "virtual domain") {
					t.Errorf("%s: 403 body %s; want an HTML page", tt.name, r.Body)
				}
				continue
			}
			var env envelope[struct{}]
			h.GetOK(data(res, q), &env)
			if env.QueryResponse.Domain != tt.inForce {
				t.Errorf("%s: @domain = %q; want %q", tt.name, env.QueryResponse.Domain, tt.inForce)
			}
		}
	}
}
