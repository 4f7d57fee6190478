package primesim

import (
	"fmt"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// faultTarget is h's simulator for the shared fault checks.
func faultTarget(h *harness) simtest.FaultTarget {
	path := data("Alarms", ".full=true")
	return simtest.Target[Faults](simtest.FaultTarget{Path: path, ErrorPath: data("Alarms", "nope=1"), Prefix: dataPrefix + "Alarms", Inside: path, Outside: data("Devices", "")}, h.Harness, h.Client.Jar)
}

// TestSharedFaults runs the checks every simulator passes, each on a
// simulator of its own.
func TestSharedFaults(t *testing.T) {
	simtest.CheckSharedFaults(t, func(t *testing.T) simtest.FaultTarget { return faultTarget(newHarness(t, relaxed(Options{Seed: 1}))) })
}

// Faulted answers are counted.
func TestFaultBodiesCounted(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	simtest.CheckBodies(t, faultTarget(h))
	if h.S.Calls() != 8 {
		t.Errorf("Calls() = %d; want 8 (faulted answers counted)", h.S.Calls())
	}
}

func TestFaultErrorRate(t *testing.T) {
	simtest.CheckErrors(t, faultTarget(newHarness(t, relaxed(Options{Seed: 1}))), data("Devices", ""), 502, func(r result) bool {
		return errorDocOf(t, r.Body).HTTPResponseCode == 502
	})
}

func TestFaultThrottle(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, MaxConcurrent: -1}) // default rate limit 5/s, frozen clock
	h.S.SetFaults(Faults{Throttle: true})
	for i := 0; i < 15; i++ {
		r := h.Get(data("Devices", ""))
		if want := "NBI Rate limit for user nms-monitor exceeded (More than 5 in 1000 ms)"; r.Status != 503 || string(r.Body) != want || r.Header.Get("Retry-After") != "" {
			t.Fatalf("GET during a throttle storm = %d %q (Retry-After %q); want 503 %q without Retry-After", r.Status, r.Body, r.Header.Get("Retry-After"), want)
		}
	}
	h.S.SetFaults(Faults{})
	// The storm was not charged: the whole budget is left.
	for i := 0; i < 5; i++ {
		h.GetOK(data("Devices", ""), nil)
	}
	if h.S.Calls() != 20 {
		t.Errorf("Calls() = %d; want 20", h.S.Calls())
	}
}

func TestFaultShrinkTotal(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1, Size: "medium"}))
	h.S.SetFaults(Faults{ShrinkTotal: true})
	z := h.S.Sizes()
	var p1, p2 envelope[struct{}]
	h.GetOK(data("AccessPointDetails", ".maxResults=100"), &p1)
	h.GetOK(data("AccessPointDetails", ".maxResults=100&.firstResult=100"), &p2)
	want := z.APs - z.APs/3
	if p1.QueryResponse.Count != z.APs || p2.QueryResponse.Count != want {
		t.Errorf("@count page 1, 2 = %d, %d; want %d, %d", p1.QueryResponse.Count, p2.QueryResponse.Count, z.APs, want)
	}
	if got := len(walkAll[apItem](h, "AccessPointDetails", "", 100)); got != want {
		t.Errorf("shrinking walk collected %d; want %d", got, want)
	}
}

func TestFaultRevoke(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	h.S.SetFaults(Faults{Revoke: true, RevokeAfter: 1})
	h.GetOK(data("Devices", ""), nil)
	if h.S.Sessions() != 1 {
		t.Fatalf("Sessions() = %d after a first call; want 1", h.S.Sessions())
	}
	for i := 0; i < 2; i++ {
		r := h.Get(data("Devices", ""))
		if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" || !isHTML(r) {
			t.Errorf("call %d after the revocation = %d %s; want a 401 HTML page with WWW-Authenticate", i+2, r.Status, r.Body)
		}
	}
	if h.S.Sessions() != 0 || h.S.Calls() != 1 {
		t.Errorf("Sessions(), Calls() = %d, %d after the revocation; want 0 (the session ended), 1", h.S.Sessions(), h.S.Calls())
	}
	h.S.SetFaults(Faults{})
	if r := h.Get(data("Devices", "")); r.Status != 200 {
		t.Errorf("GET after Revoke cleared, with the ended session's cookie = %d; want 200 on basic auth", r.Status)
	}
}

func TestFaultEndlessPaging(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	z := h.S.Sizes()
	h.S.SetFaults(Faults{EndlessPaging: true})
	for first := 0; first <= z.APs+20; first += 10 {
		var env envelope[apItem]
		h.GetOK(data("AccessPointDetails", fmt.Sprintf(".full=true&.firstResult=%d&.maxResults=10", first)), &env)
		if want := max(z.APs, first+20); env.QueryResponse.Count != want || len(env.QueryResponse.Entity) == 0 {
			t.Fatalf(".firstResult=%d with EndlessPaging: @count %d, %d entities; want %d and some", first, env.QueryResponse.Count, len(env.QueryResponse.Entity), want)
		}
	}
}

// TestConcurrentUse runs requests while faults, steps and alarms change.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	names := h.S.APs()
	h.CheckConcurrentUse(h.Client.Jar, 20, []string{data("AccessPointDetails", ".full=true"), data("Alarms", ".full=true&.sort=-lastUpdatedAt"), data("ClientCounts", ".full=true&type=SSID")}, func(i int) {
		h.S.SetFaults(Faults{Latency: time.Duration(i%2) * time.Millisecond})
		h.S.Step()
		id := h.S.RaiseAlarm(Alarm{DeviceName: names[i].Name})
		_ = h.S.ClearAlarm(id)
		_ = h.S.SetAPReachable(names[i].Name, i%2 == 0)
		_ = h.S.Sizes()
	})
}
