package cxsim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path string) {
	s, err := New(Options{Seed: 1, Size: "large", PerSecond: 1 << 30, PerDay: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	treq := httptest.NewRequest("POST", tokenPath, strings.NewReader("grant_type=client_credentials"))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.SetBasicAuth(s.Credentials().ClientID, s.Credentials().ClientSecret)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, treq)
	body := rec.Body.String()
	i := strings.Index(body, `"access_token":"`) + len(`"access_token":"`)
	tok := body[i : i+strings.IndexByte(body[i:], '"')]
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
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
	serveBench(b, "/bcs/v2/inventory/devices?offset=5000")
}

func BenchmarkAssetsFilteredPage(b *testing.B) {
	serveBench(b, "/bcs/v2/inventory/assets?productId=C9300-48P&fields=physicalAssetId,serialNumber")
}

func BenchmarkFieldNoticesVulnerable(b *testing.B) {
	serveBench(b, "/bcs/v2/productAlerts/fieldNotices?matchConfidence=Vulnerable")
}
