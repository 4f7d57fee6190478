package collector

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/vendors"
)

var testFamily = exposition.NewFamily("test_value", "A value from a fake collection.", "collection")

// fakeSource builds a source over fetchers, rendering each collection's
// data (an int) as nms_test_value.
func fakeSource(name string, cols ...*Collection) *Source {
	s := &Source{
		Name: name, Vendor: "fake", Collections: cols,
		Render: func(out *exposition.Sink, d Data) {
			for n, e := range d.entries {
				if v, ok := e.data.(int); ok {
					out.Gauge(testFamily, float64(v), n)
				}
			}
		},
	}
	s.init(Options{Logger: slog.New(slog.DiscardHandler), Now: time.Now})
	return s
}

// scripted returns a fetcher that answers from steps in turn, repeating the
// last one.
func scripted(steps ...func() (any, int, error)) Fetcher {
	var n atomic.Int64
	return func(context.Context) (any, int, error) {
		i := min(int(n.Add(1))-1, len(steps)-1)
		return steps[i]()
	}
}

func ok(v int) func() (any, int, error) { return func() (any, int, error) { return v, v, nil } }
func fail(msg string) func() (any, int, error) {
	return func() (any, int, error) { return nil, 0, errors.New(msg) }
}

func TestFailedRefreshKeepsLastGoodData(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute,
		Fetch: scripted(ok(7), fail("HTTP 500"), func() (any, int, error) { panic("boom") })})
	ctx := context.Background()

	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Fatalf("first Refresh() = %v; want nil", err)
	}
	for _, want := range []string{"HTTP 500", "refresh panicked: boom"} {
		if err := s.Refresh(ctx, "devices"); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Refresh() = %v; want an error containing %q", err, want)
		}
		expected := `
# HELP nms_collection_success 1 if the last refresh of this collection succeeded; on failure the last good data is still served.
# TYPE nms_collection_success gauge
nms_collection_success{collection="devices"} 0
# HELP nms_collection_items Items fetched by the last successful refresh.
# TYPE nms_collection_items gauge
nms_collection_items{collection="devices"} 7
# HELP nms_collection_failures_total Refreshes of this collection that failed.
# TYPE nms_collection_failures_total counter
nms_collection_failures_total{collection="devices"} ` + map[string]string{"HTTP 500": "1", "refresh panicked: boom": "2"}[want] + `
# HELP nms_source_up 1 when every enabled collection's last refresh succeeded and the last render kept within limits.series, else 0. Data is served from a cache refreshed in the background.
# TYPE nms_source_up gauge
nms_source_up 0
# HELP nms_test_value A value from a fake collection.
# TYPE nms_test_value gauge
nms_test_value{collection="devices"} 7
`
		if err := testutil.GatherAndCompare(collectortest.Scraped(t, s), strings.NewReader(expected),
			"nms_collection_success", "nms_collection_items", "nms_collection_failures_total", "nms_source_up", "nms_test_value"); err != nil {
			t.Errorf("after a failed refresh (%s): %v", want, err)
		}
	}
	if got := s.Status()[0].LastSuccess; got.IsZero() {
		t.Errorf("LastSuccess = zero; want the first refresh's time")
	}
}

// TestDataGotAnotherWayAreKept: a fetch whose first way failed but whose
// data came another way succeeds: the data are served, the collection is
// a success, and its status and the log say what failed.
func TestDataGotAnotherWayAreKept(t *testing.T) {
	var logs bytes.Buffer
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(7), func() (any, int, error) {
		return 9, 9, &vendors.FallbackError{Err: errors.New("bulk answer cut")}
	}, func() (any, int, error) {
		return nil, 0, &vendors.FallbackError{Err: errors.New("no data either way")}
	})})
	s.logger = slog.New(slog.NewTextHandler(&logs, nil))
	ctx := context.Background()
	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Fatalf("Refresh() with data got another way = %v; want nil", err)
	}
	expected := `
# HELP nms_collection_success 1 if the last refresh of this collection succeeded; on failure the last good data is still served.
# TYPE nms_collection_success gauge
nms_collection_success{collection="devices"} 1
# HELP nms_collection_failures_total Refreshes of this collection that failed.
# TYPE nms_collection_failures_total counter
nms_collection_failures_total{collection="devices"} 0
# HELP nms_test_value A value from a fake collection.
# TYPE nms_test_value gauge
nms_test_value{collection="devices"} 9
`
	if err := testutil.GatherAndCompare(collectortest.Scraped(t, s), strings.NewReader(expected),
		"nms_collection_success", "nms_collection_failures_total", "nms_test_value"); err != nil {
		t.Error(err)
	}
	if st := s.Status()[0]; !st.Success || st.Err != "bulk answer cut" || st.Items != 9 {
		t.Errorf("status = success %v, items %d, error %q; want success, 9 items and the first way's failure", st.Success, st.Items, st.Err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "bulk answer cut") {
		t.Errorf("log = %q; want a warning naming what failed", logs.String())
	}
	// Without data, the error is a failure like any other.
	if err := s.Refresh(ctx, "devices"); err == nil {
		t.Errorf("Refresh() with a FallbackError and no data = nil; want the error")
	}
	if st := s.Status()[0]; st.Success || st.Err != "no data either way" || st.Items != 9 {
		t.Errorf("status = success %v, items %d, error %q; want a failure keeping the 9 items", st.Success, st.Items, st.Err)
	}
}

func TestCollectorLint(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(3))})
	s.Budget = vendors.NewBudget(vendors.BudgetConfig{PerHour: 100}, nil)
	s.API.ObserveRequest("/api/v1/things", "200", 10*time.Millisecond)
	if err := s.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	collectortest.Lint(t, collectortest.Scraped(t, s))
}

func TestStuckSourceDoesNotStallAnother(t *testing.T) {
	stuck := fakeSource("stuck", &Collection{Name: "devices", Interval: 10 * time.Millisecond,
		Fetch: func(ctx context.Context) (any, int, error) { <-ctx.Done(); return nil, 0, ctx.Err() }})
	var refreshed atomic.Int64
	busy := fakeSource("busy", &Collection{Name: "devices", Interval: 10 * time.Millisecond,
		Fetch: func(context.Context) (any, int, error) { return int(refreshed.Add(1)), 1, nil }})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	for _, s := range []*Source{stuck, busy} {
		go func() { s.Run(ctx); done <- struct{}{} }()
	}
	deadline := time.After(10 * time.Second)
	for refreshed.Load() < 5 {
		select {
		case <-deadline:
			t.Fatalf("busy source refreshed %d times while the other was stuck; want at least 5", refreshed.Load())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if stuck.Ready() || !busy.Ready() {
		t.Errorf("Ready() = %v (stuck), %v (busy); want false, true", stuck.Ready(), busy.Ready())
	}
	cancel()
	<-done
	<-done
}

func TestReplanStretchesIntervalsToFitBudget(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("{}"))
	}))
	defer upstream.Close()
	req := &vendors.Requester{Client: upstream.Client()}
	calls := func(n int) Fetcher {
		return func(ctx context.Context) (any, int, error) {
			for range n {
				var v struct{}
				if _, err := req.GetJSON(ctx, upstream.URL, "/x", &v); err != nil {
					return nil, 0, err
				}
			}
			return 1, 1, nil
		}
	}
	s := fakeSource("a",
		&Collection{Name: "devices", Interval: time.Minute, Fetch: calls(10)},
		&Collection{Name: "sites", Interval: 5 * time.Minute, Fetch: calls(5)},
	)
	// 10 calls a minute + 5 every five minutes = 660 an hour; 300 allowed
	// after the 25% reserve: every interval stretches by 2.2.
	s.Budget = vendors.NewBudget(vendors.BudgetConfig{PerHour: 400}, nil)
	s.Reserve = 0.25
	for _, c := range []string{"devices", "sites"} {
		if err := s.Refresh(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]time.Duration{"devices": 132 * time.Second, "sites": 660 * time.Second}
	for _, st := range s.Status() {
		if st.Interval != want[st.Collection] {
			t.Errorf("interval of %s = %v; want %v", st.Collection, st.Interval, want[st.Collection])
		}
	}
}

// TestProbeGzipAndPlainAgree scrapes one source with gzip, as Prometheus
// does, and without: the text is the same, health and data both.
func TestProbeGzipAndPlainAgree(t *testing.T) {
	src := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute,
		Fetch: func(context.Context) (any, int, error) { return 42, 1, nil }})
	if err := src.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	get := func(acceptEncoding string) *httptest.ResponseRecorder {
		h := http.Header{}
		if acceptEncoding != "" {
			h.Set("Accept-Encoding", acceptEncoding)
		}
		return collectortest.Probe(src, h)
	}
	zipped := get("gzip, deflate")
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q; want gzip", zipped.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	for _, ae := range []string{"", "identity", "gzip;q=0"} {
		plain := get(ae)
		if plain.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding = %q; want none", ae, plain.Header().Get("Content-Encoding"))
		}
		if plain.Body.String() != string(unzipped) {
			t.Errorf("Accept-Encoding %q: plain text\n%s\ndiffers from gzip's\n%s", ae, plain.Body, unzipped)
		}
	}
	for _, want := range []string{"nms_source_up 1\n", `nms_test_value{collection="devices"} 42` + "\n"} {
		if !strings.Contains(string(unzipped), want) {
			t.Errorf("scrape lacks %q:\n%s", want, unzipped)
		}
	}
}
