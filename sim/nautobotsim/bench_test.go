package nautobotsim

import (
	"net/http/httptest"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path string) {
	s, err := New(Options{Seed: 1, Size: "large"})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Token "+s.Credentials().Token)
	simtest.ServeBench(b, s, req)
}

func BenchmarkNewLarge(b *testing.B) {
	simtest.BenchNew(b, func(seed int64) error { _, err := New(Options{Seed: seed, Size: "large"}); return err })
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
