package collector

import (
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

	"github.com/nmsexporter/nms_exporter/exposition"
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

// probe serves a scrape of s with the request's headers, as /probe does:
// the format negotiated from Accept, the answer written by
// exposition.Write.
func probe(s *Source, header http.Header) *httptest.ResponseRecorder {
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
