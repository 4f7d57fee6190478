package web

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// oneSource is a manager running one source, named a, of a small simulated
// Mist org.
func oneSource(t *testing.T) *collector.Manager { return mistSource(t, "") }

// mistSource is a manager running one source, named a, of a small
// simulated Mist org, its config section completed by extra.
func mistSource(t *testing.T, extra string) *collector.Manager {
	t.Helper()
	sim, srv := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 3})
	cfg, err := config.Parse([]byte(fmt.Sprintf("mist:\n  - name: a\n    base_url: %s\n    token: %s\n%s", srv.URL, sim.Credentials().Token, extra)), "a.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := collector.NewManager(context.Background(), collector.Options{Logger: slog.New(slog.DiscardHandler), Vendors: registry.Vendors})
	t.Cleanup(m.Stop)
	if err := m.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestProbeHandlerTargets(t *testing.T) {
	m := collector.NewManager(context.Background(), collector.Options{Logger: slog.New(slog.DiscardHandler), Vendors: registry.Vendors})
	h := ProbeHandler(m, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		query string
		code  int
		body  string
	}{
		{"", http.StatusBadRequest, "missing target"},
		{"?target=nope", http.StatusBadRequest, `unknown target "nope"`},
		{"?target=http://evil.example/", http.StatusBadRequest, "not a configured source name"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe"+tc.query, nil))
			if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("GET /probe%s = %d %q; want %d containing %q", tc.query, rec.Code, rec.Body, tc.code, tc.body)
			}
		})
	}
}

// TestSDAdvertisesOnlyAValidAddress: the targets /sd lists come from
// --web.external-url when set, else from the request's Host only when it is
// a host:port; a Host header with anything else is refused, not copied into
// Prometheus' targets. Over TLS the scheme is https.
func TestSDAdvertisesOnlyAValidAddress(t *testing.T) {
	m := oneSource(t)
	get := func(h http.Handler, host string, tlsOn bool) (int, []targetGroup) {
		req := httptest.NewRequest(http.MethodGet, "/sd", nil)
		req.Host = host
		if tlsOn {
			req.TLS = &tls.ConnectionState{}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var groups []targetGroup
		_ = json.Unmarshal(rec.Body.Bytes(), &groups)
		return rec.Code, groups
	}
	plain := SDHandler(m, nil)
	code, groups := get(plain, "exporter.example:9877", false)
	if code != http.StatusOK || len(groups) != 1 || groups[0].Targets[0] != "exporter.example:9877" ||
		groups[0].Labels["__scheme__"] != "http" || groups[0].Labels["__metrics_path__"] != "/probe" {
		t.Errorf("plain /sd = %d %+v", code, groups)
	}
	if _, groups := get(plain, "exporter.example:9877", true); len(groups) != 1 || groups[0].Labels["__scheme__"] != "https" {
		t.Errorf("/sd over TLS = %+v; want __scheme__ https", groups)
	}
	for _, host := range []string{"evil/path", "a@b:1", "x:99999", `x"y`, "", "h:1 extra"} {
		if code, groups := get(plain, host, false); code != http.StatusBadRequest || len(groups) != 0 {
			t.Errorf("Host %q: /sd = %d %+v; want 400", host, code, groups)
		}
	}
	ext, _ := url.Parse("https://metrics.example/nms/")
	code, groups = get(SDHandler(m, ext), "evil/path", false)
	if code != http.StatusOK || len(groups) != 1 || groups[0].Targets[0] != "metrics.example" ||
		groups[0].Labels["__scheme__"] != "https" || groups[0].Labels["__metrics_path__"] != "/nms/probe" {
		t.Errorf("/sd with an external URL = %d %+v", code, groups)
	}
}

// TestProbeTakesGetAndHeadOnly: a scrape is a GET (or HEAD); anything else
// is refused with 405 and the methods it takes.
func TestProbeTakesGetAndHeadOnly(t *testing.T) {
	h := ProbeHandler(oneSource(t), slog.New(slog.DiscardHandler))
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/probe?target=a", strings.NewReader("x")))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /probe = %d, Allow %q; want 405 with GET, HEAD", method, rec.Code, rec.Header().Get("Allow"))
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/probe?target=a", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s /probe = %d; want 200", method, rec.Code)
		}
	}
}

// TestStatusShowsRefusedRender: a source whose render passes its
// limits.series is down on /status, with the count and the limit named.
func TestStatusShowsRefusedRender(t *testing.T) {
	m := mistSource(t, "    limits: {series: 1}\n")
	src, _ := m.Source("a")
	for _, c := range src.Collections {
		if err := src.Refresh(context.Background(), c.Name); err != nil {
			t.Fatal(err)
		}
	}
	// A scrape renders the data, and meets the limit.
	f, ct := exposition.Negotiate(nil)
	if _, _, err := src.Scrape(f, ct); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	StatusHandler(m, slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if page := rec.Body.String(); !strings.Contains(page, "render failing") || !strings.Contains(page, "over the limit of 1 (limits.series)") {
		t.Errorf("/status does not show the refused render:\n%s", page)
	}
}

// TestProbeNamesTheShardThatPollsATarget: on a replica of three, a source
// another shard polls is not found, and the answer names its shard; the
// replica's own sources are served, and /sd and /status show only them.
func TestProbeNamesTheShardThatPollsATarget(t *testing.T) {
	sim, srv := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 3})
	var file strings.Builder
	file.WriteString("mist:\n")
	names := []string{"org-0", "org-1", "org-2", "org-3", "org-4", "org-5"}
	for _, n := range names {
		fmt.Fprintf(&file, "  - name: %s\n    base_url: %s\n    token: %s\n    stream: {enabled: false}\n", n, srv.URL, sim.Credentials().Token)
	}
	cfg, err := config.Parse([]byte(file.String()), "shards.yml")
	if err != nil {
		t.Fatal(err)
	}
	shard := sharding.Shard{Index: 1, Total: 3}
	m := collector.NewManager(context.Background(), collector.Options{Logger: slog.New(slog.DiscardHandler), Vendors: registry.Vendors, Shard: shard})
	t.Cleanup(m.Stop)
	if err := m.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	probe := ProbeHandler(m, slog.New(slog.DiscardHandler))
	var own []string
	for _, n := range names {
		owner := shard.Owner(n)
		rec := httptest.NewRecorder()
		probe.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe?target="+n, nil))
		switch {
		case owner == shard.Index && rec.Code != http.StatusOK:
			t.Errorf("GET /probe?target=%s on its own shard = %d; want 200", n, rec.Code)
		case owner != shard.Index && (rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), fmt.Sprintf("polled by shard %d of 3", owner))):
			t.Errorf("GET /probe?target=%s, shard %d's, on shard 1 = %d %q; want 404 naming shard %d", n, owner, rec.Code, rec.Body, owner)
		}
		if owner == shard.Index {
			own = append(own, n)
		}
	}
	if len(own) == 0 || len(own) == len(names) {
		t.Fatalf("shard 1 owns %v of %v: the test needs some sources on it and some elsewhere", own, names)
	}
	rec := httptest.NewRecorder()
	probe.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe?target=nope", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("GET /probe?target=nope on a shard = %d; want 400, as an unknown name is", rec.Code)
	}

	req := httptest.NewRequest(http.MethodGet, "/sd", nil)
	req.Host = "replica-1:9877"
	rec = httptest.NewRecorder()
	SDHandler(m, nil).ServeHTTP(rec, req)
	var groups []targetGroup
	if err := json.Unmarshal(rec.Body.Bytes(), &groups); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, g := range groups {
		listed = append(listed, g.Labels["__param_target"])
	}
	if fmt.Sprint(listed) != fmt.Sprint(own) {
		t.Errorf("/sd on shard 1 lists %v; want its own sources, %v", listed, own)
	}

	rec = httptest.NewRecorder()
	StatusHandler(m, slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if want := fmt.Sprintf("Shard 1 of 3 (numbered from 0): this replica polls %d of the %d configured sources", len(own), len(names)); !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/status does not say %q:\n%s", want, rec.Body)
	}
}
