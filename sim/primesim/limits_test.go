package primesim

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, RateLimit: -1})
	h.GetOK(data("Devices", ""), nil) // opens the session the others reuse
	h.S.SetFaults(Faults{Latency: 400 * time.Millisecond})
	var wg sync.WaitGroup
	statuses := make(chan int, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := h.Client.Get(h.C.BaseURL + data("Alarms", ""))
			if err != nil {
				t.Errorf("held GET: %v", err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	waitFor(t, "5 requests in flight", func() bool { return h.S.MaxInFlight() == 5 })
	for i := 0; i < 2; i++ {
		r := h.Get(data("Devices", ""))
		want := "Per user concurrent query count exceeded Currently 6 : Limit is 5"
		if r.Status != http.StatusServiceUnavailable || string(r.Body) != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("6th concurrent request = %d %q (%s); want 503 %q as text/plain", r.Status, r.Body, r.Header.Get("Content-Type"), want)
		}
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 200 {
			t.Errorf("held request = %d; want 200", st)
		}
	}
	h.S.SetFaults(Faults{})
	if r := h.Get(data("Devices", "")); r.Status != 200 || h.S.MaxInFlight() != 5 {
		t.Errorf("after the burst: GET = %d, MaxInFlight() = %d; want 200, 5", r.Status, h.S.MaxInFlight())
	}
	if h.S.Calls() != 9 {
		t.Errorf("Calls() = %d; want 9 (rejections counted)", h.S.Calls())
	}
}

func TestConcurrencyOption(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, RateLimit: -1, MaxConcurrent: 2})
	h.GetOK(data("Devices", ""), nil)
	h.S.SetFaults(Faults{Latency: 300 * time.Millisecond})
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := h.Client.Get(h.C.BaseURL + data("Alarms", "")); err == nil {
				resp.Body.Close()
			}
		}()
	}
	waitFor(t, "2 requests in flight", func() bool { return h.S.MaxInFlight() == 2 })
	if r := h.Get(data("Devices", "")); string(r.Body) != "Per user concurrent query count exceeded Currently 3 : Limit is 2" {
		t.Errorf("3rd concurrent request = %d %q; want the limit-2 503", r.Status, r.Body)
	}
	wg.Wait()
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, MaxConcurrent: -1})
	want := "NBI Rate limit for user nms-monitor exceeded (More than 5 in 1000 ms)"
	check := func(label string, n, okWant int) {
		t.Helper()
		ok := 0
		for i := 0; i < n; i++ {
			r := h.Get(data("Devices", ""))
			switch {
			case r.Status == 200:
				ok++
			case r.Status != 503 || string(r.Body) != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || r.Header.Get("Retry-After") != "":
				t.Errorf("%s: request %d = %d %q; want 200 or 503 %q", label, i, r.Status, r.Body, want)
			}
		}
		if ok != okWant {
			t.Errorf("%s: %d of %d admitted; want %d", label, ok, n, okWant)
		}
	}
	check("burst at t0", 13, 5)
	h.Clock.Add(999 * time.Millisecond)
	check("at t0+999ms", 2, 0)
	h.Clock.Add(time.Millisecond)
	// The window slid past t0; the rejected requests were not charged.
	check("at t0+1s", 12, 5)
	h.Clock.Add(500 * time.Millisecond)
	check("at t0+1.5s", 1, 0)
	h.Clock.Add(500 * time.Millisecond)
	check("at t0+2s", 4, 4)
	h.Clock.Add(500 * time.Millisecond)
	check("at t0+2.5s", 7, 1)
}

// TestGlobalRateLimit: the limit on all users' requests answers its own
// text, and its rejections are charged to neither window.
func TestGlobalRateLimit(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, MaxConcurrent: -1, GlobalRateLimit: 3, RateLimit: 4})
	for i := 0; i < 3; i++ {
		h.GetOK(data("Devices", ""), nil)
	}
	want := "NBI Global Rate limit exceeded (More than 3 in 1000 ms)"
	for i := 0; i < 2; i++ {
		if r := h.Get(data("Devices", "")); r.Status != 503 || string(r.Body) != want || r.Header.Get("Retry-After") != "" {
			t.Errorf("4th request = %d %q; want 503 %q without Retry-After", r.Status, r.Body, want)
		}
	}
	h.Clock.Add(time.Second)
	for i := 0; i < 3; i++ {
		h.GetOK(data("Devices", ""), nil)
	}
	// The per-user window holds 3 of its 4: one more would pass it, but
	// not the global one.
	if r := h.Get(data("Devices", "")); string(r.Body) != want {
		t.Errorf("request over both limits = %d %q; want the global text", r.Status, r.Body)
	}
}

// TestLimitErrorDocument: the option sends the limits' texts in an
// errorDocument in the requested format.
func TestLimitErrorDocument(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, MaxConcurrent: -1, RateLimit: 1, LimitErrorDocument: true})
	h.GetOK(data("Devices", ""), nil)
	r := h.Get(data("Devices", ""))
	e := errorDocOf(t, r.Body)
	if want := "NBI Rate limit for user nms-monitor exceeded (More than 1 in 1000 ms)"; r.Status != 503 || e.HTTPResponseCode != 503 || e.Message != want {
		t.Errorf("rate-limited request = %d %s; want a 503 errorDocument with %q", r.Status, r.Body, want)
	}
	h.Clock.Add(time.Second)
	r = h.Get(data("Devices", ".maxResults=5000"))
	if e := errorDocOf(t, r.Body); r.Status != 503 || !strings.Contains(e.Message, "Limit is 1000") {
		t.Errorf("page-size request = %d %s; want a 503 errorDocument", r.Status, r.Body)
	}
	r = h.Get(dataPrefix + "Devices") // no suffix, no Accept: XML, and over the rate
	if r.Status != 503 || r.Header.Get("Content-Type") != "application/xml" || !strings.Contains(string(r.Body), "<errorDocument>") {
		t.Errorf("rate-limited request for XML = %d %s %s; want an XML errorDocument", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
}

func TestRateLimitOptions(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, RateLimit: 3, RateWindow: 10 * time.Second, Username: "svc-prime"})
	for i := 0; i < 3; i++ {
		h.GetOK(data("Devices", ""), nil)
	}
	r := h.Get(data("Devices", ""))
	if want := "NBI Rate limit for user svc-prime exceeded (More than 3 in 10000 ms)"; r.Status != 503 || string(r.Body) != want {
		t.Errorf("4th request = %d %q; want 503 %q", r.Status, r.Body, want)
	}
	h.Clock.Add(10 * time.Second)
	h.GetOK(data("Devices", ""), nil)

	h = newHarness(t, Options{Seed: 1, RateLimit: -1, MaxConcurrent: -1})
	for i := 0; i < 50; i++ {
		h.GetOK(data("Devices", ""), nil)
	}
}
