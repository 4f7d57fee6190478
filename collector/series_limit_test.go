package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// TestVendorHoldCapsTheBudget: a source's budget caps a hold at its
// vendor's MaxHold.
func TestVendorHoldCapsTheBudget(t *testing.T) {
	sim, base := startPrimeSim(t, primesim.Options{Seed: 1})
	src := registrytest.New(t, &primeSection(t, base, sim.Credentials(), "1h").Prime[0])
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
		case strings.HasPrefix(l, "#"), strings.HasPrefix(l, "nms_source_"), strings.HasPrefix(l, "nms_collection_"), strings.HasPrefix(l, "nms_api_"), strings.HasPrefix(l, "nms_stream_"):
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
	sim, srv := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 5, Size: "small"})
	sources := func(limit int) (limited, other *collector.Source) {
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
		var built []*collector.Source
		for i := range cfg.Mist {
			built = append(built, registrytest.New(t, &cfg.Mist[i]))
		}
		return built[0], built[1]
	}
	refresh := func(s *collector.Source, collections ...string) {
		t.Helper()
		for _, c := range collections {
			if err := s.Refresh(context.Background(), c); err != nil {
				t.Fatalf("%s: refresh %s: %v", s.Name, c, err)
			}
		}
	}
	scrape := func(s *collector.Source) string {
		t.Helper()
		collectortest.WaitSettled(t, s)
		rec := collectortest.Probe(s, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: /collector.Probe = %d %s; want 200", s.Name, rec.Code, rec.Body)
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
	if !collectortest.HasLine(before, "nms_source_render_success 1") || dataSeries(before) != sitesOnly {
		t.Fatalf("within the limit: %d data series, render success %v; want %d, 1", dataSeries(before), collectortest.HasLine(before, "nms_source_render_success 1"), sitesOnly)
	}
	// The devices land, and the first scrape of them asks for a format not
	// made yet: it gets the last good render in that format.
	var devices *collector.Collection
	for _, c := range limited.Collections {
		if c.Name == "devices" {
			devices = c
		}
	}
	data, items, err := devices.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	collector.CacheResult(limited, "devices", time.Now(), time.Millisecond, 1, data, items, nil)
	if rec := collectortest.Probe(limited, http.Header{"Accept": {"application/openmetrics-text; version=1.0.0"}}); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "nms_site_info{") || strings.Contains(rec.Body.String(), "nms_device_info{") {
		t.Errorf("OpenMetrics scrape over the limit = %d, site info %v, device info %v; want 200 and the last good render", rec.Code,
			strings.Contains(rec.Body.String(), "nms_site_info{"), strings.Contains(rec.Body.String(), "nms_device_info{"))
	}
	after := scrape(limited)
	err = limited.RenderError()
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
	if rec := collectortest.Probe(limited, http.Header{"Accept": {"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"}}); rec.Code != http.StatusOK {
		t.Errorf("protobuf scrape over the limit = %d %s; want 200", rec.Code, rec.Body)
	}

	registrytest.RefreshAll(t, other) // up needs every enabled collection refreshed
	if body := scrape(other); !collectortest.HasLine(body, "nms_source_up 1") || !collectortest.HasLine(body, "nms_source_render_success 1") || !strings.Contains(body, "nms_device_info{") {
		t.Errorf("the other source: up %v, render success %v, devices %v; want all",
			collectortest.HasLine(body, "nms_source_up 1"), collectortest.HasLine(body, "nms_source_render_success 1"), strings.Contains(body, "nms_device_info{"))
	}

	// A first render over the limit serves the health alone.
	first, _ := sources(1)
	refresh(first, "sites")
	if body := scrape(first); dataSeries(body) != 0 || !strings.Contains(body, "nms_source_render_success 0") {
		t.Errorf("first render over the limit: %d data series, render success 0 %v; want none, and the failure shown", dataSeries(body), strings.Contains(body, "nms_source_render_success 0"))
	}
}
