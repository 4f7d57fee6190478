package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// TestItemLimitKeepsLastGoodData: a refresh that brings more items than
// limits.items fails, naming the collection, the count and the limit, and
// the last good data stays.
func TestItemLimitKeepsLastGoodData(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(7), ok(11), ok(10))})
	s.maxItems = 10
	ctx := context.Background()
	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Fatal(err)
	}
	err := s.Refresh(ctx, "devices")
	if err == nil || !strings.Contains(err.Error(), "collection devices: 11 items, over the limit of 10 (limits.items)") {
		t.Fatalf("Refresh() with 11 items = %v; want the collection, the count and the limit named", err)
	}
	if got := s.cache.get("devices"); got.data != 7 || got.items != 7 || got.success {
		t.Errorf("after the refused refresh: data %v, %d items, success %v; want the last good 7, 7 items, false", got.data, got.items, got.success)
	}
	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Errorf("Refresh() with 10 items = %v; want the limit itself allowed", err)
	}
	if got := fakeSource("b").itemLimit(); got != config.DefaultMaxItems {
		t.Errorf("itemLimit() unset = %d; want %d", got, config.DefaultMaxItems)
	}
}

// TestPlanClampsOverflow: an interval of 2562047h stretched by the plan
// stays a long positive wait instead of overflowing into a negative one,
// which fires at once, in a loop that spends the quota.
func TestPlanClampsOverflow(t *testing.T) {
	s := fakeSource("a",
		&Collection{Name: "devices", Interval: 2562047 * time.Hour, Fetch: scripted(ok(1))},
		&Collection{Name: "sites", Interval: time.Second, Fetch: scripted(ok(1))},
	)
	s.Budget = vendors.NewBudget(vendors.BudgetConfig{PerHour: 10}, nil)
	for _, c := range []string{"devices", "sites"} {
		if err := s.Refresh(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range s.Status() {
		if st.Interval <= 0 || st.Interval > maxDelay {
			t.Errorf("%s: planned interval %s; want within (0, %s]", st.Collection, st.Interval, maxDelay)
		}
		if d := s.nextDelay(st.Collection, nil); d <= 0 || d > maxDelay {
			t.Errorf("%s: next refresh in %s; want within (0, %s]", st.Collection, d, maxDelay)
		}
	}
	for _, d := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 0, 1e30} {
		if got := clampDelay(d); got < minDelay || got > maxDelay {
			t.Errorf("clampDelay(%v) = %s; want within [%s, %s]", d, got, minDelay, maxDelay)
		}
	}
	if got := jitter(-time.Hour); got < minDelay {
		t.Errorf("jitter(-1h) = %s; want at least %s", got, minDelay)
	}
}

// TestBackoffErrorDelaysNextRefresh: a vendor's backoff, such as Prime's
// session limit, puts the collection's next refresh after it.
func TestBackoffErrorDelaysNextRefresh(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(1))})
	err := fmt.Errorf("walking: %w", &vendors.BackoffError{Err: errors.New("HTTP 401"), For: 5 * time.Minute})
	if d := s.nextDelay("devices", err); d < 5*time.Minute {
		t.Errorf("nextDelay() after a 5m backoff = %s; want at least 5m", d)
	}
}

// TestVendorsCapHolds: every vendor's budget caps a hold at the longest
// window its limits count over.
func TestVendorsCapHolds(t *testing.T) {
	for vendor, want := range maxHolds {
		if want <= 0 || want > 24*time.Hour {
			t.Errorf("maxHolds[%s] = %s; want within (0, 24h]", vendor, want)
		}
	}
	sim, base := startPrimeSim(t, primesim.Options{Seed: 1})
	src, err := NewSource(&primeSection(t, base, sim.Credentials(), "1h").Prime[0], Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if got := src.Budget.Config().MaxHold; got != time.Minute {
		t.Errorf("Prime's MaxHold = %s; want 1m", got)
	}
}

// dataSeries counts the data series of a scrape: those not about the
// source's health.
func dataSeries(body string) int {
	n := 0
	for l := range strings.Lines(body) {
		switch {
		case strings.HasPrefix(l, "#"), strings.HasPrefix(l, "nms_source_"), strings.HasPrefix(l, "nms_collection_"), strings.HasPrefix(l, "nms_api_"):
		default:
			n++
		}
	}
	return n
}

// TestSeriesLimitKeepsLastGoodRender: a render over limits.series is
// refused with the count and the limit, shown on the source's health and
// /status; the last good render is still served, and another source is
// not touched.
func TestSeriesLimitKeepsLastGoodRender(t *testing.T) {
	sim, err := mistsim.New(mistsim.Options{Seed: 5, Size: "small"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	sources := func(limit int) (limited, other *Source) {
		section := "mist:\n"
		for _, name := range []string{"limited", "other"} {
			section += "  - name: " + name + "\n    base_url: " + srv.URL + "\n    token: " + sim.Credentials().Token + "\n"
			if name == "limited" {
				section += fmt.Sprintf("    limits: {series: %d}\n", limit)
			}
		}
		cfg, err := config.Parse([]byte(section), "m.yml")
		if err != nil {
			t.Fatal(err)
		}
		var built []*Source
		for i := range cfg.Mist {
			s, err := NewSource(&cfg.Mist[i], Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			built = append(built, s)
		}
		return built[0], built[1]
	}
	refresh := func(s *Source, collections ...string) {
		t.Helper()
		for _, c := range collections {
			if err := s.Refresh(context.Background(), c); err != nil {
				t.Fatalf("%s: refresh %s: %v", s.Name, c, err)
			}
		}
	}
	scrape := func(s *Source) string {
		t.Helper()
		waitSettled(t, s)
		rec := probe(s, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: /probe = %d %s; want 200", s.Name, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}

	// What the sites alone render, and what the devices add.
	_, sizer := sources(1)
	refresh(sizer, "sites")
	sitesOnly := dataSeries(scrape(sizer))
	refresh(sizer, "devices")
	if all := dataSeries(scrape(sizer)); sitesOnly == 0 || all <= sitesOnly {
		t.Fatalf("sites render %d series, with devices %d; the test needs the devices to add some", sitesOnly, all)
	}

	limited, other := sources(sitesOnly)
	refresh(limited, "sites")
	before := scrape(limited)
	if !strings.Contains(before, "nms_source_render_success 1") || dataSeries(before) != sitesOnly {
		t.Fatalf("within the limit: %d data series, render success %v; want %d, 1", dataSeries(before), strings.Contains(before, "nms_source_render_success 1"), sitesOnly)
	}
	// The devices land, and the first scrape of them asks for a format not
	// made yet: it gets the last good render in that format.
	var devices *Collection
	for _, c := range limited.Collections {
		if c.Name == "devices" {
			devices = c
		}
	}
	data, items, err := devices.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	limited.cache.result("devices", time.Now(), time.Millisecond, 1, data, items, nil)
	if rec := probe(limited, http.Header{"Accept": {"application/openmetrics-text; version=1.0.0"}}); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "nms_site_info{") || strings.Contains(rec.Body.String(), "nms_device_info{") {
		t.Errorf("OpenMetrics scrape over the limit = %d, site info %v, device info %v; want 200 and the last good render", rec.Code,
			strings.Contains(rec.Body.String(), "nms_site_info{"), strings.Contains(rec.Body.String(), "nms_device_info{"))
	}
	after := scrape(limited)
	err = limited.renderError()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("series, over the limit of %d (limits.series)", sitesOnly)) {
		t.Fatalf("render error over the limit = %v; want the count and the limit named", err)
	}
	for _, want := range []string{"nms_source_up 0", "nms_source_render_success 0", "nms_site_info{"} {
		if !strings.Contains(after, want) {
			t.Errorf("scrape over the limit lacks %q", want)
		}
	}
	if dataSeries(after) != sitesOnly || strings.Contains(after, "nms_device_info{") {
		t.Errorf("scrape over the limit: %d data series (devices among them: %v); want the last good render's %d", dataSeries(after), strings.Contains(after, "nms_device_info{"), sitesOnly)
	}
	// A format first asked for after the refusal is made from the last
	// good render too.
	if rec := probe(limited, http.Header{"Accept": {"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"}}); rec.Code != http.StatusOK {
		t.Errorf("protobuf scrape over the limit = %d %s; want 200", rec.Code, rec.Body)
	}

	m := NewManager(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	m.running[limited.Name] = &running{src: limited}
	m.running[other.Name] = &running{src: other}
	rec := httptest.NewRecorder()
	StatusHandler(m, slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if page := rec.Body.String(); !strings.Contains(page, "render failing") || !strings.Contains(page, fmt.Sprintf("over the limit of %d (limits.series)", sitesOnly)) {
		t.Errorf("/status does not show the refused render:\n%s", page)
	}

	refresh(other, "sites", "devices")
	if body := scrape(other); !strings.Contains(body, "nms_source_up 1") || !strings.Contains(body, "nms_source_render_success 1") || !strings.Contains(body, "nms_device_info{") {
		t.Errorf("the other source: up %v, render success %v, devices %v; want all",
			strings.Contains(body, "nms_source_up 1"), strings.Contains(body, "nms_source_render_success 1"), strings.Contains(body, "nms_device_info{"))
	}

	// A first render over the limit serves the health alone.
	first, _ := sources(1)
	refresh(first, "sites")
	if body := scrape(first); dataSeries(body) != 0 || !strings.Contains(body, "nms_source_render_success 0") {
		t.Errorf("first render over the limit: %d data series, render success 0 %v; want none, and the failure shown", dataSeries(body), strings.Contains(body, "nms_source_render_success 0"))
	}
}
