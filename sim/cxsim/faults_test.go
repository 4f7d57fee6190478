package cxsim

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// faultTarget is h's simulator for the shared fault checks.
func faultTarget(h *harness) simtest.FaultTarget {
	const path = "inventory/devices"
	return simtest.Target[Faults](simtest.FaultTarget{Path: path, ErrorPath: "inventory/devices/1", Prefix: "/us/bcs/v2/productAlerts/", Inside: "productAlerts/fieldNotices", Outside: path}, h.Harness, nil)
}

// TestSharedFaults runs the checks every simulator passes, each on a
// simulator of its own.
func TestSharedFaults(t *testing.T) {
	simtest.CheckSharedFaults(t, func(t *testing.T) simtest.FaultTarget { return faultTarget(newHarness(t, Options{Seed: 1})) })
}

// A 304 has no body for Truncate to cut.
func TestFaultTruncateNotModified(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	const path = "inventory/devices"
	etag := h.GetOK(path, nil).Header.Get("ETag")
	h.S.SetFaults(Faults{Truncate: true})
	if r := h.request("GET", path, map[string]string{"If-None-Match": etag}); r.Status != 304 {
		t.Errorf("304 with Truncate = %d; want 304 (no body to cut)", r.Status)
	}
}

func TestFaultErrorRate(t *testing.T) {
	simtest.CheckErrors(t, faultTarget(newHarness(t, Options{Seed: 1, RateHeadersOn2xx: true})), "collectors", 503, func(r result) bool {
		return messageOf(t, r.Body) != "" && r.Header.Get("X-RateLimit-Remaining-Day") != ""
	})
}

func TestFaultRateLimitStorm(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PerSecond: 10, RateHeadersOn2xx: true})
	h.S.SetFaults(Faults{RateLimit: true})
	for i := 0; i < 3; i++ {
		r := h.Get("collectors")
		got := headerInts(t, r)
		if r.Status != 429 || string(r.Body) != rateLimitBody || got["Retry-After"] != 1 ||
			got["X-RateLimit-Remaining-Second"] != 0 || got["X-RateLimit-Remaining-Day"] != 10000 || len(got) != 8 {
			t.Fatalf("GET during a 429 storm = %d %q %v; want 429, the documented body, Retry-After 1, all headers", r.Status, r.Body, got)
		}
	}
	h.S.SetFaults(Faults{})
	r := h.Get("collectors")
	if got := headerInts(t, r); r.Status != 200 || got["X-RateLimit-Remaining-Second"] != 9 {
		t.Errorf("after the storm = %d %v; want 200 with 9 left (storm not charged)", r.Status, got)
	}
	if h.S.Calls() != 4 || h.S.RateLimited() != 3 {
		t.Errorf("Calls(), RateLimited() = %d, %d; want 4, 3", h.S.Calls(), h.S.RateLimited())
	}
	// Token requests are not API calls: no storm there.
	h.S.SetFaults(Faults{RateLimit: true})
	h.newToken()
}

func TestFaultRateLimitNoRetryAfter(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{RateLimit: true, NoRetryAfter: true})
	r := h.Get("collectors")
	if got := headerInts(t, r); r.Status != 429 || string(r.Body) != rateLimitBody || r.Header.Get("Retry-After") != "" || got["X-RateLimit-Remaining-Second"] != 0 {
		t.Errorf("GET during a 429 storm without Retry-After = %d %q %v; want 429, the documented body, no Retry-After", r.Status, r.Body, got)
	}
}

func TestFaultOversize(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	const path = "inventory/devices"
	first := h.GetOK(path, nil)
	h.S.SetFaults(Faults{Oversize: 1 << 20})
	// The padded answer is served even to a matching If-None-Match.
	r := h.request("GET", path, map[string]string{"If-None-Match": first.Header.Get("ETag")})
	if r.Status != 200 || len(r.Body) != 1<<20 || !json.Valid(r.Body) || string(r.Body[:len(first.Body)]) != string(first.Body) {
		t.Errorf("GET with Oversize 1MiB = %d, %d bytes, valid JSON %v; want 200, the body padded to 1MiB", r.Status, len(r.Body), json.Valid(r.Body))
	}
	// It is not the data the first tag names, so it has a tag of its own,
	// and the first tag revalidates once the fault clears.
	if r.Header.Get("ETag") == "" || r.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("ETag with Oversize = %q, without %q; want another", r.Header.Get("ETag"), first.Header.Get("ETag"))
	}
	h.S.SetFaults(Faults{})
	if r := h.request("GET", path, map[string]string{"If-None-Match": first.Header.Get("ETag")}); r.Status != 304 {
		t.Errorf("GET with the first ETag after the fault = %d; want 304", r.Status)
	}
}

func TestFaultPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PageSize: 20})
	n := h.S.Sizes().Devices
	total := func(r result) int {
		_, _, t := paging(r)
		return t
	}
	count := func(r result) int {
		var body struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("body %q: %v", r.Body, err)
		}
		return len(body.Items)
	}

	h.S.SetFaults(Faults{ShrinkTotal: true})
	r1, r2 := h.Get("inventory/devices"), h.Get("inventory/devices?offset=21")
	if total(r1) != n || total(r2) != n-n/3 || count(r2) != 20 {
		t.Errorf("ShrinkTotal: total %d then %d, page 2 of %d; want %d then %d, 20", total(r1), total(r2), count(r2), n, n-n/3)
	}
	if r := h.Get("inventory/devices?offset=" + strconv.Itoa(n-n/3+1)); count(r) != 0 {
		t.Errorf("ShrinkTotal: the page past the shrunk end has %d items; want 0", count(r))
	}

	h.S.SetFaults(Faults{EndlessPaging: true})
	for offset := 1; offset <= n+41; offset += 20 {
		r := h.Get("inventory/devices?offset=" + strconv.Itoa(offset))
		if want := max(n, offset-1+40); total(r) != want || count(r) == 0 {
			t.Fatalf("EndlessPaging at offset %d: total %d, %d items; want %d and some", offset, total(r), count(r), want)
		}
	}
	// With a filter too.
	if r := h.Get("productAlerts/securityAdvisories?offset=1001&matchConfidence=Vulnerable"); total(r) != 1040 || count(r) == 0 {
		t.Errorf("EndlessPaging with a filter: total %d, %d items; want 1040 and some", total(r), count(r))
	}

	h.S.SetFaults(Faults{NoPagingHeaders: true})
	if r := h.Get("inventory/devices"); r.Header.Get("total") != "" || r.Header.Get("max") != "" || r.Header.Get("offset") != "" || count(r) != 20 {
		t.Errorf("NoPagingHeaders: headers %v, %d items; want no paging headers and the page", r.Header, count(r))
	}
}

// TestFaultReprocessMidWalk: a processing run finishes between the first
// page and the second, once: Last-Modified and ETag change under the walk.
func TestFaultReprocessMidWalk(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PageSize: 20})
	h.S.SetFaults(Faults{ReprocessMidWalk: true})
	first := h.GetOK("inventory/devices", nil)
	h.Clock.Add(time.Minute)
	second := h.GetOK("inventory/devices?offset=21", nil)
	if first.Header.Get("Last-Modified") == second.Header.Get("Last-Modified") {
		t.Errorf("Last-Modified %s on both pages; want the second page processed later", first.Header.Get("Last-Modified"))
	}
	again := h.GetOK("inventory/devices?offset=21", nil)
	if again.Header.Get("Last-Modified") != second.Header.Get("Last-Modified") {
		t.Errorf("a second walk's Last-Modified %s; want %s: the run happens once", again.Header.Get("Last-Modified"), second.Header.Get("Last-Modified"))
	}
}

// TestFaultExpireTokensAfter: tokens lapse once, after that many calls.
func TestFaultExpireTokensAfter(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{ExpireTokensAfter: 2})
	h.GetOK("collectors", nil)
	h.GetOK("collectors", nil)
	if r := h.Get("collectors"); r.Status != 401 {
		t.Fatalf("third call = %d; want 401: the token lapsed", r.Status)
	}
	h.token = h.newToken()
	for range 3 {
		h.GetOK("collectors", nil)
	}
}

func TestFaultRevoke(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.S.SetFaults(Faults{Revoke: true, RevokeAfter: 1})
	h.GetOK("collectors", nil)
	r := h.Get("collectors")
	if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("second call with Revoke after 1 = %d %s; want 401 with WWW-Authenticate", r.Status, r.Body)
	}
	tok := h.postToken(tokenBody(h.C.ClientID, h.C.ClientSecret, Scope), "application/json")
	if tok.Status != 401 || !strings.Contains(string(tok.Body), "invalid client credentials") {
		t.Errorf("token request while revoked = %d %s; want 401 invalid client credentials", tok.Status, tok.Body)
	}
	if h.S.Calls() != 1 {
		t.Errorf("Calls() = %d; want 1: refused calls are 401s", h.S.Calls())
	}
	h.S.SetFaults(Faults{})
	if r := h.Get("collectors"); r.Status != 401 {
		t.Errorf("the revoked token after the fault cleared = %d; want 401: it is gone", r.Status)
	}
	h.token = h.newToken()
	h.GetOK("collectors", nil)
}
