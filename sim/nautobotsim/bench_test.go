package nautobotsim

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path string) {
	s, err := New(Options{Seed: 1, Size: "large"})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Token "+s.Credentials().Token)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
		}
	}
}

func BenchmarkNewLarge(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(Options{Seed: int64(i), Size: "large"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDevicesPage1000(b *testing.B) {
	serveBench(b, "/api/dcim/devices/?limit=1000&offset=5000")
}

func BenchmarkDevicesPage1000Depth1(b *testing.B) {
	serveBench(b, "/api/dcim/devices/?limit=1000&offset=5000&depth=1")
}

func BenchmarkDevicesFiltered(b *testing.B) {
	serveBench(b, "/api/dcim/devices/?status=Active&role=Access+Point&limit=1000")
}

func BenchmarkDeviceCount(b *testing.B) { serveBench(b, "/api/dcim/devices/?limit=1") }
