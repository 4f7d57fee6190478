package mistsim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// serveBench times one handler call for path against a large world.
func serveBench(b *testing.B, path func(s *Server) string) {
	s, err := New(Options{Seed: 1, Size: "large", HourlyLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	simtest.ServeBench(b, s, authed(s, path(s)))
}

// authed is a GET of path as s's client sends it.
func authed(s *Server, path string) *http.Request {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Token "+s.Credentials().Token)
	return req
}

func BenchmarkNewLarge(b *testing.B) {
	simtest.BenchNew(b, func(seed int64) error { _, err := New(Options{Seed: seed, Size: "large"}); return err })
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
		s.ServeHTTP(rec, authed(s, "/api/v1/orgs/"+s.Credentials().OrgID+"/clients/search?limit=1000"))
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
