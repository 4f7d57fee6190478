// Package collectortest holds what tests of sources share, the collector's
// own and each vendor adapter's: a scrape as /probe serves it.
package collectortest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nmsexporter/nms_exporter/exposition"
)

// Source is a source as /probe serves it.
type Source interface {
	// Settled reports whether its encoded data shows its latest refresh.
	Settled() bool
	Scrape(exposition.Format, expfmt.Format) (*exposition.Head, *exposition.Deflated, error)
}

// Scraped is the source as Prometheus reads it from /probe, through the
// handler's own code, once its data shows the latest refresh: what tests
// compare with testutil.GatherAndCompare and lint with GatherAndLint.
func Scraped(t *testing.T, s Source) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		t.Helper()
		WaitSettled(t, s)
		rec := Probe(s, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /probe = %d: %s", rec.Code, rec.Body)
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		byName, err := p.TextToMetricFamilies(rec.Body)
		if err != nil {
			return nil, err
		}
		mfs := make([]*dto.MetricFamily, 0, len(byName))
		for _, mf := range byName {
			mfs = append(mfs, mf)
		}
		slices.SortFunc(mfs, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
		return mfs, nil
	})
}

// Probe serves a scrape of s with the request's headers, as /probe does.
func Probe(s Source, header http.Header) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f, ct := exposition.Negotiate(header)
	h, data, err := s.Scrape(f, ct)
	if err != nil {
		http.Error(rec, err.Error(), http.StatusInternalServerError)
		return rec
	}
	exposition.Write(rec, header, ct, h, data)
	return rec
}

// WaitSettled waits until the source's encoded data shows its latest
// refresh: within 30 s, as the race detector on a loaded machine may take.
func WaitSettled(t testing.TB, s Source) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !s.Settled() {
		if time.Now().After(deadline) {
			t.Fatalf("the source's data was not rendered within 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Lint fails the test on each problem the Prometheus linter finds in what
// g gathers.
func Lint(t testing.TB, g prometheus.Gatherer) {
	t.Helper()
	problems, err := testutil.GatherAndLint(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// HasLine reports whether a scrape's text holds line as a whole line: a
// family's help text may hold its name and a value ("# HELP nms_source_up
// 1 when ..."), so a bare substring check of "nms_source_up 1" proves nothing.
func HasLine(body, line string) bool {
	return strings.Contains("\n"+body, "\n"+line+"\n")
}
