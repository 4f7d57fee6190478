package cxsim

import (
	"net/http/httptest"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path string) {
	s, err := New(Options{Seed: 1, Size: "large", PerSecond: 1 << 30, PerDay: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+issueToken(b, s))
	simtest.ServeBench(b, s, req)
}

func BenchmarkNewLarge(b *testing.B) {
	simtest.BenchNew(b, func(seed int64) error { _, err := New(Options{Seed: seed, Size: "large"}); return err })
}

func BenchmarkDevicesPage1000(b *testing.B) {
	serveBench(b, "/us/bcs/v2/inventory/devices?offset=5000")
}

func BenchmarkAssetsFilteredPage(b *testing.B) {
	serveBench(b, "/us/bcs/v2/inventory/assets?productId=C9300-48P&fields=physicalAssetId,serialNumber")
}

func BenchmarkFieldNoticesVulnerable(b *testing.B) {
	serveBench(b, "/us/bcs/v2/productAlerts/fieldNotices?matchConfidence=Vulnerable")
}
