package nautobotsim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// faultTarget is h's simulator for the shared fault checks.
func faultTarget(h *harness) simtest.FaultTarget {
	path := "/api/dcim/devices/?limit=20"
	return simtest.Target[Faults](simtest.FaultTarget{Path: path, ErrorPath: "/api/dcim/devices/?bogus=1", Prefix: "/api/ipam/", Inside: "/api/ipam/prefixes/", Outside: path}, h.Harness, nil)
}

// TestSharedFaults runs the checks every simulator passes, each on a
// simulator of its own.
func TestSharedFaults(t *testing.T) {
	simtest.CheckSharedFaults(t, func(t *testing.T) simtest.FaultTarget { return faultTarget(newHarness(t, Options{Seed: 1})) })
}

func TestFaultErrors(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	tests := []struct {
		status   int
		wantCT   string
		wantText string
	}{
		{0, "application/json", `"exception":"OperationalError"`},
		{500, "application/json", `"nautobot_version":"2.4.36"`},
		{502, "text/html", "502 Bad Gateway"},
		{503, "text/html", "503 Service Unavailable"},
		{504, "text/html", "504 Gateway Timeout"},
	}
	for _, tt := range tests {
		h.S.SetFaults(Faults{ErrorRate: 1, ErrorStatus: tt.status})
		r := h.Get("/api/dcim/devices/")
		want := tt.status
		if want == 0 {
			want = 500
		}
		if r.Status != want || r.Header.Get("Content-Type") != tt.wantCT || !strings.Contains(string(r.Body), tt.wantText) {
			t.Errorf("ErrorStatus %d: got %d %s %s; want %d %s containing %q", tt.status, r.Status, r.Header.Get("Content-Type"), r.Body, want, tt.wantCT, tt.wantText)
		}
	}
	simtest.CheckErrorRate(t, func(r float64) { h.S.SetFaults(Faults{ErrorRate: r}) },
		func() bool { return h.Get("/api/").Status == 500 })
}

func TestFaultRateLimit(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{RateLimit: true})
	r := h.Get("/api/dcim/devices/")
	if r.Status != 429 || r.Header.Get("Retry-After") != "1" || !strings.Contains(string(r.Body), "429 Too Many Requests") {
		t.Errorf("GET during RateLimit = %d Retry-After %q %s; want 429, Retry-After 1", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	// Unauthenticated calls are refused before the proxy fault, and not counted.
	if r := h.request("GET", "/api/", map[string]string{"Authorization": ""}); r.Status != 403 {
		t.Errorf("GET without a token during RateLimit = %d; want 403", r.Status)
	}
	h.S.SetFaults(Faults{})
	h.GetOK("/api/dcim/devices/", nil)
	if got := h.S.Calls(); got != 2 {
		t.Errorf("Calls() = %d; want 2", got)
	}
}

func TestCalls(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	id := h.S.Devices()[0].ID
	h.GetOK("/api/dcim/devices/", nil)
	h.GetOK("/api/dcim/devices/?limit=1", nil)
	h.GetOK("/api/dcim/devices/"+id+"/", nil)
	h.Get("/api/nope/")
	want := map[string]int{"/api/dcim/devices/": 2, "/api/dcim/devices/{id}/": 1}
	got := h.S.CallsByPath()
	if h.S.Calls() != 3 || len(got) != len(want) || got["/api/dcim/devices/"] != 2 || got["/api/dcim/devices/{id}/"] != 1 {
		t.Errorf("Calls() = %d, CallsByPath() = %v; want 3, %v", h.S.Calls(), got, want)
	}
	h.S.ResetCalls()
	if h.S.Calls() != 0 || len(h.S.CallsByPath()) != 0 {
		t.Errorf("after ResetCalls: %d, %v; want 0, empty", h.S.Calls(), h.S.CallsByPath())
	}
}

func TestStep(t *testing.T) {
	snapshot := func(steps int) ([]byte, []DeviceInfo) {
		h := newHarness(t, Options{Seed: 5, Size: "medium"})
		for i := 0; i < steps; i++ {
			h.Clock.Add(time.Minute)
			h.S.Step()
		}
		return h.stable(h.GetOK("/api/dcim/devices/?limit=1000&offset=500", nil).Body), h.S.Devices()
	}
	a, da := snapshot(3)
	b, _ := snapshot(3)
	before, db := snapshot(0)
	// The other run takes no steps: 3 must change a status or location on
	// the page.
	simtest.CheckDeterministic(t, "3 Steps from seed 5, twice, and none", a, b, before)
	status, moved := 0, 0
	for i := range da {
		if da[i].Status != db[i].Status {
			status++
		}
		if da[i].Location != db[i].Location {
			moved++
		}
	}
	if status == 0 || moved == 0 || status+moved > 30 {
		t.Errorf("3 Steps over 2,000 devices: %d status changes, %d moves; want a few of each", status, moved)
	}
}

func TestStepMirrorDrift(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, Mirror: seeds(600, "AMS-HQ", "NYC-HQ", "SIN-HQ")})
	before := len(h.S.Drift().Moved)
	for i := 0; i < 20; i++ {
		h.S.Step()
	}
	if after := len(h.S.Drift().Moved); after <= before {
		t.Errorf("Drift().Moved after 20 Steps = %d; want more than %d (Step moves devices between sites)", after, before)
	}
}

// TestConcurrentUse runs requests while faults and steps change.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, Size: "medium"})
	h.CheckConcurrentUse(nil, 20, []string{"/api/dcim/devices/?limit=200&depth=1", "/api/dcim/locations/", "/api/status/"}, func(i int) {
		h.S.SetFaults(Faults{Latency: time.Duration(i%2) * time.Millisecond})
		h.S.Step()
		_ = h.S.Sizes()
		_ = h.S.Drift()
	})
}

func TestFaultRateLimitNoRetryAfter(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{RateLimit: true, NoRetryAfter: true})
	if r := h.Get("/api/dcim/devices/"); r.Status != 429 || r.Header.Get("Retry-After") != "" {
		t.Errorf("GET during a 429 storm without Retry-After = %d, Retry-After %q; want 429 and none", r.Status, r.Header.Get("Retry-After"))
	}
}

func TestFaultRevoke(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{Revoke: true, RevokeAfter: 1})
	h.GetOK("/api/status/", nil)
	for i := 0; i < 2; i++ {
		if r := h.Get("/api/status/"); r.Status != 403 || simtest.DetailOf(t, r.Body) != "Invalid token" {
			t.Errorf("call %d with Revoke after 1 = %d %s; want 403 Invalid token", i+2, r.Status, r.Body)
		}
	}
	if h.S.Calls() != 1 {
		t.Errorf("Calls() = %d; want 1: refused calls are not counted", h.S.Calls())
	}
	h.S.SetFaults(Faults{})
	h.GetOK("/api/status/", nil)
}

func TestFaultPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	n := h.count("/api/dcim/devices/")

	h.S.SetFaults(Faults{ShrinkTotal: true})
	var p1, p2 page[json.RawMessage]
	h.GetOK("/api/dcim/devices/?limit=10", &p1)
	h.GetOK("/api/dcim/devices/?limit=10&offset=10", &p2)
	if p1.Count != n || p2.Count != n-n/3 || len(p2.Results) != 10 {
		t.Errorf("ShrinkTotal: count %d then %d, page 2 of %d; want %d then %d, 10", p1.Count, p2.Count, len(p2.Results), n, n-n/3)
	}

	h.S.SetFaults(Faults{EndlessPaging: true})
	pages := 0
	for path := "/api/dcim/devices/?limit=10"; pages < n/10+5; pages++ {
		var p page[json.RawMessage]
		h.GetOK(path, &p)
		if p.Next == nil || len(p.Results) == 0 {
			t.Fatalf("EndlessPaging page %d: next %v, %d results; want a next and results", pages+1, p.Next, len(p.Results))
		}
		path = strings.TrimPrefix(*p.Next, h.C.BaseURL)
	}

	h.S.SetFaults(Faults{NextLoop: true})
	var p page[json.RawMessage]
	h.GetOK("/api/dcim/devices/?limit=1000", &p)
	if p.Next == nil || *p.Next != h.C.BaseURL+"/api/dcim/devices/?limit=1000" || len(p.Results) != n {
		t.Errorf("NextLoop: next %v, %d results; want the page itself and all %d", p.Next, len(p.Results), n)
	}
}
