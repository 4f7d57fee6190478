package mistsim

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// faultTarget is h's simulator for the shared fault checks.
func faultTarget(h *harness) simtest.FaultTarget {
	path := h.org("/stats/devices?type=all")
	return simtest.Target[Faults](simtest.FaultTarget{Path: path, ErrorPath: "/api/v1/orgs/" + h.S.ForeignOrgID(), Prefix: "/api/v1/orgs/", Inside: path, Outside: "/api/v1/self"}, h.Harness, nil)
}

// TestSharedFaults runs the checks every simulator passes, each on a
// simulator of its own.
func TestSharedFaults(t *testing.T) {
	simtest.CheckSharedFaults(t, func(t *testing.T) simtest.FaultTarget { return faultTarget(newHarness(t, Options{Seed: 1})) })
}

func TestFaultErrorRate(t *testing.T) {
	simtest.CheckErrors(t, faultTarget(newHarness(t, Options{Seed: 1})), "/api/v1/self", 503, func(r result) bool {
		return simtest.DetailOf(t, r.Body) != ""
	})
}

func TestFaultRateLimitStorm(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{RateLimit: true})
	for i := 0; i < 3; i++ {
		r := h.Get("/api/v1/self")
		want := "Too Many Request. The API Token used for the request reached the 5000 API Calls per hour threshold"
		if r.Status != 429 || simtest.DetailOf(t, r.Body) != want || r.Header.Get("Retry-After") != "" {
			t.Fatalf("GET during a 429 storm = %d %s (Retry-After %q); want 429 %q without Retry-After", r.Status, r.Body, r.Header.Get("Retry-After"), want)
		}
	}
	h.S.SetFaults(Faults{})
	var u struct {
		Requests int `json:"requests"`
	}
	h.GetOK("/api/v1/self/usage", &u)
	if u.Requests != 1 || h.S.Calls() != 4 {
		t.Errorf("after the storm: usage requests = %d, Calls() = %d; want 1 (storm not charged), 4", u.Requests, h.S.Calls())
	}
}

func TestFaultShrinkTotal(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, Size: "medium"})
	h.S.SetFaults(Faults{ShrinkTotal: true})
	z := h.S.Sizes()
	r1 := h.GetOK(h.org("/stats/devices?type=all&limit=100&page=1"), nil)
	r2 := h.GetOK(h.org("/stats/devices?type=all&limit=100&page=2"), nil)
	t1, _ := strconv.Atoi(r1.Header.Get("X-Page-Total"))
	t2, _ := strconv.Atoi(r2.Header.Get("X-Page-Total"))
	if t1 != z.Devices || t2 != z.Devices-z.Devices/3 {
		t.Errorf("X-Page-Total page 1, 2 = %d, %d; want %d, %d", t1, t2, z.Devices, z.Devices-z.Devices/3)
	}

	pages := walk[clientItem](h, h.org("/clients/search?limit=1000&duration=10m"))
	got := 0
	for _, p := range pages {
		got += len(p.Results)
	}
	want := z.Clients - z.Clients/3
	if pages[0].Total != z.Clients || pages[1].Total != want || got != want {
		t.Errorf("shrinking search: totals %d then %d, collected %d; want %d then %d, collected %d", pages[0].Total, pages[1].Total, got, z.Clients, want, want)
	}
}

func TestFaultRevoke(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{Revoke: true, RevokeAfter: 2})
	for i := 1; i <= 4; i++ {
		r := h.Get("/api/v1/self")
		want := 200
		if i > 2 {
			want = 401
		}
		if r.Status != want || (want == 401 && simtest.DetailOf(t, r.Body) != msgBadToken) {
			t.Errorf("call %d with Revoke after 2 = %d %s; want %d", i, r.Status, r.Body, want)
		}
	}
	login := `{"email":"` + h.C.Email + `","password":"` + h.C.Password + `"}`
	if r := h.Request("POST", "/api/v1/login", login, nil); r.Status != 400 {
		t.Errorf("login while revoked = %d %s; want the 400 of a wrong password", r.Status, r.Body)
	}
	if h.S.Calls() != 2 {
		t.Errorf("Calls() = %d; want 2: refused calls are 401s", h.S.Calls())
	}
	h.S.SetFaults(Faults{})
	if r := h.Get("/api/v1/self"); r.Status != 200 {
		t.Errorf("GET after Revoke cleared = %d; want 200", r.Status)
	}
}

func TestFaultNextLoop(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{NextLoop: true})
	for _, path := range []string{h.org("/clients/search?limit=5&duration=10m"), h.org("/alarms/search?limit=1000&duration=7d")} {
		var p searchBody[json.RawMessage]
		h.GetOK(path, &p)
		if p.Next == nil || *p.Next != path {
			t.Errorf("GET %s with NextLoop: next = %v; want the page itself", path, p.Next)
		}
	}
}

func TestFaultEndlessPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	z := h.S.Sizes()
	h.S.SetFaults(Faults{EndlessPaging: true})
	// Searches: past the end, empty pages, each with a new next.
	for _, path := range []string{h.org("/clients/search?limit=1000&duration=10m"), h.org("/alarms/search?duration=7d")} {
		seen := map[string]bool{}
		got := 0
		for i := 0; i < 5; i++ {
			var p searchBody[json.RawMessage]
			h.GetOK(path, &p)
			got += len(p.Results)
			if p.Next == nil || seen[*p.Next] {
				t.Fatalf("page %d of %s with EndlessPaging: next = %v; want a new one", i+1, path, p.Next)
			}
			seen[*p.Next] = true
			path = *p.Next
		}
		if got == 0 {
			t.Errorf("%s with EndlessPaging: no results; want the real ones first", path)
		}
	}
	// Lists: each page reports one page more, and pages past the end are
	// full.
	for page := 1; page <= z.Devices/10+3; page++ {
		var items []deviceItem
		r := h.GetOK(h.org("/stats/devices?type=all&limit=10&page="+strconv.Itoa(page)), &items)
		want := max(z.Devices, (page+1)*10)
		if total, _ := strconv.Atoi(r.Header.Get("X-Page-Total")); total != want || len(items) != min(10, z.Devices) {
			t.Errorf("page %d with EndlessPaging: X-Page-Total %d, %d items; want %d, %d", page, total, len(items), want, min(10, z.Devices))
		}
	}
	page := strconv.Itoa(z.Devices/10 + 2)
	var items []deviceItem
	h.GetOK(h.org("/stats/devices?type=all&limit=10&page="+page), &items)
	if len(items) == 0 {
		t.Errorf("page %s, past the end, with EndlessPaging: no items; want the pages to start over", page)
	}
}

// TestConcurrentUse runs requests while faults, steps and alarms change.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.CheckConcurrentUse(nil, 30, []string{h.org("/stats/devices?type=all"), h.org("/alarms/search"), h.org("/clients/search?limit=10")}, func(i int) {
		h.S.SetFaults(Faults{Latency: time.Duration(i%2) * time.Millisecond})
		h.S.Step()
		id := h.S.RaiseAlarm(Alarm{Type: "rogue_ap"})
		_ = h.S.ClearAlarm(id)
		_ = h.S.Sizes()
	})
}
