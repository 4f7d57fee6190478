package simtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// ServeBench times h serving req, which must answer 200, without a
// network.
func ServeBench(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s = %d %s", req.Method, req.URL, rec.Code, rec.Body)
		}
	}
}

// BenchNew times building a large world, a new seed each time.
func BenchNew(b *testing.B, build func(seed int64) error) {
	b.Helper()
	for i := range b.N {
		if err := build(int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
