package collector

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/internal/cpuslot"
)

// TestScrapeHealthMatchesItsData scrapes a source between a refresh and the
// render of its data, with every core slot taken so the render cannot run:
// the scrape must report the health of the data it serves, never a
// collection's success before its series.
func TestScrapeHealthMatchesItsData(t *testing.T) {
	src := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute,
		Fetch: scripted(ok(7), fail("HTTP 500"))})
	scrape := func() string {
		b, _ := io.ReadAll(collectortest.Probe(src, nil).Body)
		return string(b)
	}
	const success, series = `nms_collection_success{collection="devices"} 1`, `nms_test_value{collection="devices"} 7`
	if got := scrape(); strings.Contains(got, success) || strings.Contains(got, series) {
		t.Fatalf("before any refresh:\n%s", got)
	}

	release := cpuslot.Hold()
	if err := src.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	got := scrape()
	release()
	if strings.Contains(got, success) && !strings.Contains(got, series) {
		t.Errorf("a scrape before the render reports success without the series:\n%s", got)
	}
	if !strings.Contains(got, `nms_collection_success{collection="devices"} 0`) {
		t.Errorf("a scrape before the render should report the health its data was made with:\n%s", got)
	}

	deadline := time.Now().Add(10 * time.Second)
	for !src.Settled() {
		if time.Now().After(deadline) {
			t.Fatal("the data was not rendered within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := scrape(); !strings.Contains(got, success) || !strings.Contains(got, series) {
		t.Errorf("after the render the scrape should show success and the series:\n%s", got)
	}

	// A failed refresh keeps the data: the scrape shows the failure at
	// once, beside the last good series.
	_ = src.Refresh(context.Background(), "devices")
	if got := scrape(); !strings.Contains(got, `nms_collection_success{collection="devices"} 0`) || !strings.Contains(got, series) {
		t.Errorf("after a failed refresh the scrape should show the failure and the last good series:\n%s", got)
	}
}

// TestStopWhileTheSourceReadsTheSet stops a source whose last work reads
// the set of running sources, as a render of a source of truth does: the
// stop must not hold the set while it waits for the source.
func TestStopWhileTheSourceReadsTheSet(t *testing.T) {
	m := NewManager(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	started := make(chan struct{})
	src := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute,
		Fetch: func(ctx context.Context) (any, int, error) {
			close(started)
			<-ctx.Done()
			m.Sources()
			_, _ = m.Source("b")
			return nil, 0, ctx.Err()
		}})
	r := &running{src: src, done: make(chan struct{})}
	m.running["a"] = r
	m.start(r)
	<-started

	stopped := make(chan struct{})
	go func() {
		m.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("Stop did not return: it waits for a source while holding what the source needs")
	}
}
