package collector

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scraped is the source as Prometheus reads it from /probe, through the
// handler's own code, once its data shows the latest refresh: what tests
// compare with testutil.GatherAndCompare and lint with GatherAndLint.
func scraped(t *testing.T, s *Source) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		t.Helper()
		waitSettled(t, s)
		rec := probe(s, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /probe?target=%s = %d: %s", s.Name, rec.Code, rec.Body)
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

// probe serves a scrape of s with the request's headers through
// ProbeHandler.
func probe(s *Source, header http.Header) *httptest.ResponseRecorder {
	m := NewManager(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	m.running[s.Name] = &running{src: s}
	req := httptest.NewRequest(http.MethodGet, "/probe?target="+s.Name, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	ProbeHandler(m, slog.New(slog.DiscardHandler)).ServeHTTP(rec, req)
	return rec
}

// waitSettled waits until the source's encoded data shows its latest
// refresh.
func waitSettled(t *testing.T, s *Source) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !s.Settled() {
		if time.Now().After(deadline) {
			t.Fatalf("source %s's data was not rendered within 10s", s.Name)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
