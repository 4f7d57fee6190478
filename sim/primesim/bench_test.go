package primesim

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path string) {
	s, err := New(Options{Seed: 1, Size: "large", RateLimit: -1, MaxConcurrent: -1})
	if err != nil {
		b.Fatal(err)
	}
	c := s.Credentials()
	req := httptest.NewRequest("GET", path, nil)
	req.SetBasicAuth(c.Username, c.Password)
	// One session for the whole run, as a client reusing its cookie.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	req.Header.Set("Cookie", rec.Header().Get("Set-Cookie"))
	simtest.ServeBench(b, s, req)
}

func BenchmarkNewLarge(b *testing.B) {
	simtest.BenchNew(b, func(seed int64) error { _, err := New(Options{Seed: seed, Size: "large"}); return err })
}

func BenchmarkAccessPointsPage1000(b *testing.B) {
	serveBench(b, data("AccessPointDetails", ".full=true&.maxResults=1000&.firstResult=3000"))
}

func BenchmarkClientCountsLatestPage1000(b *testing.B) {
	serveBench(b, data("ClientCounts", ".full=true&.maxResults=1000&.firstResult=5000&.sort=-collectionTime"))
}

func BenchmarkActiveAlarmsPage1000(b *testing.B) {
	serveBench(b, data("Alarms", ".full=true&.maxResults=1000&severity=ne(CLEARED)&.sort=-lastUpdatedAt"))
}

func BenchmarkClientsPage1000(b *testing.B) {
	serveBench(b, data("Clients", ".full=true&.maxResults=1000&.firstResult=30000"))
}

// BenchmarkHistoryRecentPage1000 is a back-fill page: the last collections
// of the history, which a collectionTime criterion picks out whole.
func BenchmarkHistoryRecentPage1000(b *testing.B) {
	since := time.Now().Add(-15 * time.Minute).UnixMilli()
	serveBench(b, data("HistoricalClientCounts", fmt.Sprintf(".full=true&.maxResults=1000&collectionTime=gt(%d)&type=ACCESSPOINT", since)))
}
