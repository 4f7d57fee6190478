package mistsim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path func(s *Server) string) {
	s, err := New(Options{Seed: 1, Size: "large", HourlyLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	p := path(s)
	req := httptest.NewRequest("GET", p, nil)
	req.Header.Set("Authorization", "Token "+s.Credentials().Token)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s = %d %s", p, rec.Code, rec.Body)
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

func BenchmarkDeviceStatsPage1000(b *testing.B) {
	serveBench(b, func(s *Server) string {
		return "/api/v1/orgs/" + s.Credentials().OrgID + "/stats/devices?type=all&limit=1000&page=5"
	})
}

func BenchmarkClientSearchPage1000(b *testing.B) {
	serveBench(b, func(s *Server) string {
		// A page deep in the walk: the cursor is found by binary search.
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/v1/orgs/"+s.Credentials().OrgID+"/clients/search?limit=1000", nil)
		req.Header.Set("Authorization", "Token "+s.Credentials().Token)
		s.ServeHTTP(rec, req)
		body := rec.Body.String()
		i := strings.Index(body, `"next":"`) + len(`"next":"`)
		return body[i : i+strings.Index(body[i:], `"`)]
	})
}

func BenchmarkAlarmSearch(b *testing.B) {
	serveBench(b, func(s *Server) string {
		return "/api/v1/orgs/" + s.Credentials().OrgID + "/alarms/search?status=open&limit=1000"
	})
}
