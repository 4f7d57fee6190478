package cxsim

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

var rateHeaders = []string{
	"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
	"X-RateLimit-Limit-Day", "X-RateLimit-Remaining-Day", "X-RateLimit-Limit-Second", "X-RateLimit-Remaining-Second",
}

func headerInts(t *testing.T, r result) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, k := range append(rateHeaders, "Retry-After") {
		v := r.Header.Get(k)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s = %q; want an integer", k, v)
		}
		out[k] = n
	}
	return out
}

const rateLimitBody = "{\n  \"message\":\"API rate limit exceeded\"\n}"

// TestRateLimitHeaders checks every header on a 200, a 304 and a 429,
// with RateHeadersOn2xx; without it, only the 429 carries them, the one
// place the documentation shows them.
func TestRateLimitHeaders(t *testing.T) {
	plain := newHarness(t, Options{Seed: 1})
	if got := headerInts(t, plain.Get("collectors")); len(got) != 0 {
		t.Errorf("a 200 by default carries %v; want no rate-limit headers", got)
	}
	h := newHarness(t, Options{Seed: 1, PerSecond: 3, PerDay: 100, RateHeadersOn2xx: true})
	first := h.Get("collectors")
	etag := first.Header.Get("ETag")
	notMod := h.request("GET", "collectors", map[string]string{"If-None-Match": etag})
	h.Get("collectors")
	limited := h.Get("collectors")
	tests := []struct {
		name   string
		r      result
		status int
		want   map[string]int
	}{
		{"200", first, 200, map[string]int{"RateLimit-Limit": 3, "RateLimit-Remaining": 2, "RateLimit-Reset": 1,
			"X-RateLimit-Limit-Day": 100, "X-RateLimit-Remaining-Day": 99, "X-RateLimit-Limit-Second": 3, "X-RateLimit-Remaining-Second": 2}},
		{"304", notMod, 304, map[string]int{"RateLimit-Limit": 3, "RateLimit-Remaining": 1, "RateLimit-Reset": 1,
			"X-RateLimit-Limit-Day": 100, "X-RateLimit-Remaining-Day": 98, "X-RateLimit-Limit-Second": 3, "X-RateLimit-Remaining-Second": 1}},
		{"429", limited, 429, map[string]int{"RateLimit-Limit": 3, "RateLimit-Remaining": 0, "RateLimit-Reset": 1, "Retry-After": 1,
			"X-RateLimit-Limit-Day": 100, "X-RateLimit-Remaining-Day": 97, "X-RateLimit-Limit-Second": 3, "X-RateLimit-Remaining-Second": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Status != tt.status {
				t.Fatalf("status = %d; want %d", tt.r.Status, tt.status)
			}
			got := headerInts(t, tt.r)
			if len(got) != len(tt.want) {
				t.Errorf("rate-limit headers = %v; want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %d; want %d", k, got[k], v)
				}
			}
		})
	}
	if len(notMod.Body) != 0 || notMod.Header.Get("ETag") != etag {
		t.Errorf("304 body %q, ETag %q; want empty, %q", notMod.Body, notMod.Header.Get("ETag"), etag)
	}
}

// TestHeaderCasing checks the headers go out in the documented casing
// (a client reading them through net/http sees them canonicalized).
func TestHeaderCasing(t *testing.T) {
	s, err := New(Options{Seed: 1, Now: func() time.Time { return testStart }, RateHeadersOn2xx: true})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/us/bcs/v2/collectors", nil)
	req.Header.Set("Authorization", "Bearer "+issueToken(t, s))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	for _, k := range append(rateHeaders, "ETag", "Last-Modified", "offset", "max", "total") {
		if _, ok := rec.Header()[k]; !ok {
			t.Errorf("header %q not written in that casing (have %v)", k, rec.Header())
		}
	}
}

func TestPerSecondLimit(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PerSecond: DefaultPerSecond, RateHeadersOn2xx: true})
	for i := 0; i < DefaultPerSecond; i++ {
		if r := h.Get("collectors"); r.Status != 200 {
			t.Fatalf("call %d in the second = %d; want 200", i+1, r.Status)
		}
	}
	r := h.Get("inventory/devices")
	if r.Status != 429 || string(r.Body) != rateLimitBody {
		t.Fatalf("11th call = %d %q; want 429 %q", r.Status, r.Body, rateLimitBody)
	}
	if ct, cl := r.Header.Get("Content-Type"), r.Header.Get("Content-Length"); ct != "application/json; charset=utf-8" || cl != "41" {
		t.Errorf("429 Content-Type, Content-Length = %q, %q; want application/json; charset=utf-8, 41", ct, cl)
	}
	got := headerInts(t, r)
	want := map[string]int{"Retry-After": 1, "RateLimit-Limit": 10, "RateLimit-Remaining": 0, "RateLimit-Reset": 1,
		"X-RateLimit-Limit-Day": 10000, "X-RateLimit-Remaining-Day": 9990, "X-RateLimit-Limit-Second": 10, "X-RateLimit-Remaining-Second": 0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("429 %s = %d; want %d", k, got[k], v)
		}
	}
	h.Get("collectors") // a second 429: not charged either
	if h.S.RateLimited() != 2 || h.S.Calls() != 12 {
		t.Errorf("RateLimited(), Calls() = %d, %d; want 2, 12", h.S.RateLimited(), h.S.Calls())
	}

	h.Clock.Add(700 * time.Millisecond) // 06:30:00.95: same second
	if r := h.Get("collectors"); r.Status != 429 {
		t.Errorf("call later in the same second = %d; want 429", r.Status)
	}
	h.Clock.Add(100 * time.Millisecond) // next second
	r = h.Get("collectors")
	if got := headerInts(t, r); r.Status != 200 || got["X-RateLimit-Remaining-Second"] != 9 || got["X-RateLimit-Remaining-Day"] != 9989 {
		t.Errorf("first call of the next second = %d %v; want 200, 9 left this second, 9989 today (429s not charged)", r.Status, got)
	}
}

func TestDailyLimit(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PerDay: 5, RateHeadersOn2xx: true})
	h.Clock.Set(time.Date(2025, 7, 10, 23, 59, 0, 0, time.UTC))
	h.token = h.newToken() // the harness's token expired on the way
	for i := 0; i < 5; i++ {
		r := h.Get("collectors")
		if r.Status != 200 {
			t.Fatalf("call %d of the day = %d; want 200", i+1, r.Status)
		}
		if i == 4 {
			got := headerInts(t, r)
			if got["RateLimit-Limit"] != 5 || got["RateLimit-Remaining"] != 0 || got["RateLimit-Reset"] != 60 {
				t.Errorf("last call of the day RateLimit-* = %v; want the day window: 5, 0, 60", got)
			}
		}
	}
	for _, d := range []time.Duration{0, 30 * time.Second, 59*time.Second + 500*time.Millisecond} {
		h.Clock.Set(time.Date(2025, 7, 10, 23, 59, 0, 0, time.UTC).Add(d))
		r := h.Get("collectors")
		wantRetry := int((60*time.Second - d + time.Second - 1) / time.Second)
		got := headerInts(t, r)
		if r.Status != 429 || string(r.Body) != rateLimitBody || got["Retry-After"] != wantRetry ||
			got["X-RateLimit-Remaining-Day"] != 0 || got["RateLimit-Limit"] != 5 || got["RateLimit-Reset"] != wantRetry {
			t.Errorf("call at 23:59:00+%v = %d %v; want 429, Retry-After %d, day spent", d, r.Status, got, wantRetry)
		}
	}
	h.Clock.Set(time.Date(2025, 7, 11, 0, 0, 0, 0, time.UTC))
	r := h.Get("collectors")
	if got := headerInts(t, r); r.Status != 200 || got["X-RateLimit-Remaining-Day"] != 4 {
		t.Errorf("first call after UTC midnight = %d %v; want 200 with 4 left today", r.Status, got)
	}
}
