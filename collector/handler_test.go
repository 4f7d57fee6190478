package collector

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/internal/scrapetest"
	"github.com/nmsexporter/nms_exporter/vendors"
)

var escapesFamily = exposition.NewFamily("test_escapes", "Values \"quoted\", \\ escaped,\nand on two lines.", "value", "device")

// escapingSource is a refreshed fake source whose data need every escape
// and every kind of number, beside its health: counters, a histogram.
func escapingSource(t *testing.T) *Source {
	t.Helper()
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(7))})
	render := s.Render
	s.Render = func(out *exposition.Sink, d Data) {
		render(out, d)
		for i, v := range []float64{1, 0, 0.5, -2, 1e21, math.NaN(), math.Inf(1), math.Inf(-1)} {
			out.Gauge(escapesFamily, v, strconv.Itoa(i), []string{`quote " and \ slash`, "line\nbreak", "bad\xffutf8", "", "é"}[i%5])
		}
	}
	s.Budget = vendors.NewBudget(vendors.BudgetConfig{PerHour: 100}, nil)
	s.API.ObserveRequest("/api/v1/things", "200", 10*time.Millisecond)
	s.API.ObserveRequest("/api/v1/things", "error", time.Second)
	if err := s.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	collectortest.WaitSettled(t, s)
	return s
}

// scrapers are what real clients send, and the answer each must get.
var scrapers = []struct {
	name, accept, encoding string
	contentType            string // its start
	gzip                   bool
}{
	{"curl", "*/*", "", "text/plain; version=0.0.4", false},
	{"curl --compressed", "*/*", "deflate, gzip, br, zstd", "text/plain; version=0.0.4", true},
	{"Chromium", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
		"gzip, deflate, br, zstd", "text/plain; version=0.0.4", true},
	{"Prometheus 2.42", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		"gzip", "application/openmetrics-text; version=1.0.0", true},
	{"Prometheus 2.42, native histograms", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		"gzip", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", true},
	{"Prometheus, text only", "text/plain;version=0.0.4;q=1,*/*;q=0.1", "gzip", "text/plain; version=0.0.4", true},
	{"Prometheus 3, protobuf first", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
		"gzip", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", true},
	{"OpenMetrics 0.0.1, plain", "application/openmetrics-text; version=0.0.1", "identity", "application/openmetrics-text; version=0.0.1", false},
	{"protobuf, plain", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "gzip;q=0",
		"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", false},
}

// TestProbeAnswersEveryScraper scrapes one source as each kind of client
// does, checks the format and coding it gets, decodes the answer as that
// client would (gzip as one member only) and requires the same samples in
// every format.
func TestProbeAnswersEveryScraper(t *testing.T) {
	s := escapingSource(t)
	var want map[string]string
	for _, sc := range scrapers {
		t.Run(sc.name, func(t *testing.T) {
			header := http.Header{"Accept": {sc.accept}}
			if sc.encoding != "" {
				header.Set("Accept-Encoding", sc.encoding)
			}
			rec := collectortest.Probe(s, header)
			h := rec.Result().Header
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, sc.contentType) {
				t.Errorf("Content-Type = %q; want %q", ct, sc.contentType)
			}
			if got := h.Get("Content-Encoding") == "gzip"; got != sc.gzip {
				t.Errorf("Content-Encoding = %q; want gzip %v", h.Get("Content-Encoding"), sc.gzip)
			}
			if got := h.Get("Vary"); got != "Accept, Accept-Encoding" {
				t.Errorf("Vary = %q; want Accept, Accept-Encoding", got)
			}
			if n, err := strconv.Atoi(h.Get("Content-Length")); err != nil || n != rec.Body.Len() {
				t.Errorf("Content-Length = %q; want the %d bytes sent", h.Get("Content-Length"), rec.Body.Len())
			}
			body := rec.Body.Bytes()
			if sc.gzip {
				body = gunzipOneMember(t, body)
			}
			if f := expfmt.ResponseFormat(h); f.FormatType() == expfmt.TypeOpenMetrics &&
				(!bytes.HasSuffix(body, []byte("\n# EOF\n")) || bytes.Count(body, []byte("# EOF")) != 1) {
				t.Errorf("an OpenMetrics answer must end with one # EOF line; it ends %q", body[max(0, len(body)-40):])
			}
			got := samples(t, body, expfmt.ResponseFormat(h))
			if len(got) < 20 || got[`nms_test_escapes{device="line\nbreak", value="1"}`] != "0" {
				t.Fatalf("%d samples, without the data families", len(got))
			}
			if want == nil {
				want = got
				return
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q; the first scraper read %q", k, got[k], v)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d samples; the first scraper read %d", len(got), len(want))
			}
		})
	}
}

// gunzipOneMember decodes b as a decoder that reads one gzip member does,
// and requires it to be all of b.
func gunzipOneMember(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := scrapetest.OneMember(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// samples decodes an answer in its format to one value per series, as
// Prometheus ingests it, values as text so that NaN equals NaN.
func samples(t *testing.T, body []byte, f expfmt.Format) map[string]string {
	t.Helper()
	series, err := scrapetest.Series(body, f)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(series))
	for k, v := range series {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// TestHealthFollowsEveryChange scrapes a source again after each thing
// its health reports changes: the health is kept encoded between scrapes,
// and must never be served stale.
func TestHealthFollowsEveryChange(t *testing.T) {
	s := escapingSource(t)
	read := func() map[string]string {
		rec := collectortest.Probe(s, http.Header{"Accept-Encoding": {"gzip"}})
		return samples(t, gunzipOneMember(t, rec.Body.Bytes()), expfmt.FmtText)
	}
	requests := `nms_api_requests_total{code="200", endpoint="/api/v1/things"}`
	if got := read()[requests]; got != "1" {
		t.Fatalf("%s = %s; want 1", requests, got)
	}
	if got := read()[requests]; got != "1" {
		t.Fatalf("scraped again: %s = %s; want 1", requests, got)
	}
	s.API.ObserveRequest("/api/v1/things", "200", time.Millisecond)
	if got := read()[requests]; got != "2" {
		t.Errorf("after a request: %s = %s; want 2", requests, got)
	}
	const budget = `nms_api_budget_remaining{window="hour"}`
	before := read()[budget]
	if err := s.Budget.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := read()[budget]; got == before {
		t.Errorf("after a call counted against the budget: %s = %s; want less than %s", budget, got, before)
	}
	s.Collections[0].Fetch = scripted(fail("HTTP 500"))
	_ = s.Refresh(context.Background(), "devices")
	got := read()
	if got[`nms_collection_success{collection="devices"}`] != "0" || got[`nms_collection_failures_total{collection="devices"}`] != "1" {
		t.Errorf("after a failed refresh: success %s, failures %s; want 0 and 1",
			got[`nms_collection_success{collection="devices"}`], got[`nms_collection_failures_total{collection="devices"}`])
	}
}
