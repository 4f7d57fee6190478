package simtest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Faulted is a simulator's fault switch, in its own Faults type F.
type Faulted[F any] interface {
	SetFaults(F)
	Faults() F
}

// FaultTarget is a simulator under a check of the shared faults.
type FaultTarget struct {
	// Set switches to the shared faults c, every other fault off; Faults
	// reads them back.
	Set    func(c simkit.Faults)
	Faults func() simkit.Faults
	// Get makes an authenticated GET of path; Fresh makes it on a
	// connection of its own and returns the read error too.
	Get   func(path string) Result
	Fresh func(path string) (*http.Response, []byte, error)
	// Path is answered 200 with a JSON body; ErrorPath with an error
	// status and a JSON body.
	Path, ErrorPath string
	// Prefix is a PathPrefix that Inside is under and Outside is not; both
	// are answered 200.
	Prefix, Inside, Outside string
	// Traits are how the vendor refuses and what it answers without a
	// body, as the simulator says.
	Traits simkit.Traits
}

// Target completes ft for the simulator h serves: its shared faults set
// and read through its own Faults type F, its traits, and its GETs made by
// h (Fresh with jar, which may be nil).
func Target[F any, S interface {
	Sim[C]
	Faulted[F]
	Traits() simkit.Traits
}, C any](ft FaultTarget, h *Harness[S, C], jar http.CookieJar) FaultTarget {
	ft.Traits = h.S.Traits()
	ft.Set = func(c simkit.Faults) {
		var f F
		if err := simkit.Apply(&f, c); err != nil {
			panic(err)
		}
		h.S.SetFaults(f)
	}
	ft.Faults = func() simkit.Faults { return simkit.CoreOf(h.S.Faults()) }
	ft.Get = h.Get
	ft.Fresh = func(path string) (*http.Response, []byte, error) { return h.Fresh(path, jar) }
	return ft
}

// CheckSharedFaults runs the checks of the shared faults every simulator
// passes, each on a simulator of its own from newTarget.
func CheckSharedFaults(t *testing.T, newTarget func(t *testing.T) FaultTarget) {
	checks := []struct {
		name  string
		check func(*testing.T, FaultTarget)
	}{{"latency", CheckLatency}, {"bodies", CheckBodies}, {"oversize", CheckOversize}, {"reset_mid_body", CheckResetMidBody},
		{"throttle_retry_after", CheckThrottleRetryAfter}, {"revoke", CheckRevoke}}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.check(t, newTarget(t)) })
	}
}

// CheckLatency checks that the latency fault delays answers under
// PathPrefix, and only those.
func CheckLatency(t *testing.T, ft FaultTarget) {
	t.Helper()
	const lat = 80 * time.Millisecond
	ft.Set(simkit.Faults{Latency: lat, PathPrefix: ft.Prefix})
	took := func(path string) time.Duration {
		t.Helper()
		start := time.Now()
		if r := ft.Get(path); r.Status != http.StatusOK {
			t.Fatalf("GET %s = %d %s; want 200", path, r.Status, r.Body)
		}
		return time.Since(start)
	}
	if d := took(ft.Inside); d < lat {
		t.Errorf("GET %s took %v; want >= 80ms of injected latency", ft.Inside, d)
	}
	if d := took(ft.Outside); d >= lat {
		t.Errorf("GET %s (outside PathPrefix) took %v; want no injected latency", ft.Outside, d)
	}
	if got := ft.Faults(); got.Latency != lat {
		t.Errorf("Faults().Latency = %v; want 80ms", got.Latency)
	}
}

// CheckBodies checks truncate, malformed, reset and PathPrefix, and the body
// whole again once the faults clear. It makes eight calls.
func CheckBodies(t *testing.T, ft FaultTarget) {
	t.Helper()
	first := ft.Get(ft.Path)
	full := first.Body
	if first.Status != http.StatusOK {
		t.Fatalf("GET %s = %d %s; want 200", ft.Path, first.Status, full)
	}

	ft.Set(simkit.Faults{Truncate: true})
	resp, b, err := ft.Fresh(ft.Path)
	if err != nil {
		t.Fatalf("truncated GET: %v; want a 200 with half a body", err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != -1 || len(b) != len(full)/2 || json.Valid(b) {
		t.Errorf("truncated GET = %d, length %d, %d of %d bytes, valid JSON %v; want 200, unknown length, half, invalid",
			resp.StatusCode, resp.ContentLength, len(b), len(full), json.Valid(b))
	}

	ft.Set(simkit.Faults{Malformed: true})
	if r := ft.Get(ft.Path); r.Status != 200 || json.Valid(r.Body) {
		t.Errorf("malformed GET = %d, valid JSON %v; want 200 and invalid JSON", r.Status, json.Valid(r.Body))
	}
	// Malformed applies to 200s only.
	if r := ft.Get(ft.ErrorPath); r.Status < 400 || !json.Valid(r.Body) {
		t.Errorf("malformed GET %s = %d %q; want the normal error body", ft.ErrorPath, r.Status, r.Body)
	}

	ft.Set(simkit.Faults{Reset: true})
	if _, _, err := ft.Fresh(ft.Path); err == nil {
		t.Errorf("GET with Reset: error = nil; want a connection error")
	}

	ft.Set(simkit.Faults{Malformed: true, PathPrefix: ft.Prefix})
	if b := ft.Get(ft.Outside).Body; !json.Valid(b) || ft.Outside == ft.Path && string(b) != string(full) {
		t.Errorf("GET %s outside PathPrefix is altered; want it whole", ft.Outside)
	}
	if b := ft.Get(ft.Inside).Body; json.Valid(b) {
		t.Errorf("GET %s inside PathPrefix is valid JSON; want malformed", ft.Inside)
	}

	ft.Set(simkit.Faults{})
	if b := ft.Get(ft.Path).Body; string(b) != string(full) {
		t.Errorf("after clearing faults the body differs from the first one")
	}
}

// CheckOversize checks that the oversize fault pads a 200 to 1 MiB of valid
// JSON that starts with the real body, and leaves an error alone.
func CheckOversize(t *testing.T, ft FaultTarget) {
	t.Helper()
	full := ft.Get(ft.Path).Body
	ft.Set(simkit.Faults{Oversize: 1 << 20})
	r := ft.Get(ft.Path)
	if b := r.Body; r.Status != 200 || len(b) != 1<<20 || !json.Valid(b) || string(b[:len(full)]) != string(full) {
		t.Errorf("GET with Oversize 1MiB = %d, %d bytes, valid JSON %v; want 200, the body padded to 1MiB", r.Status, len(b), json.Valid(b))
	}
	if r := ft.Get(ft.ErrorPath); r.Status < 400 || len(r.Body) > 1000 {
		t.Errorf("GET %s with Oversize = %d, %d bytes; want the normal error", ft.ErrorPath, r.Status, len(r.Body))
	}
}

// CheckResetMidBody checks that the reset_mid_body fault sends half a 200
// under its full length, then drops the connection.
func CheckResetMidBody(t *testing.T, ft FaultTarget) {
	t.Helper()
	ft.Set(simkit.Faults{ResetMidBody: true})
	resp, b, err := ft.Fresh(ft.Path)
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp == nil || resp.StatusCode != 200 || int64(len(b)) != resp.ContentLength/2 {
		t.Errorf("GET with ResetMidBody = %v, %d bytes, %v; want a 200 cut at half its Content-Length, unexpected EOF", resp, len(b), err)
	}
}

// CheckErrors checks the error faults on path: at error_rate 1 every call
// answers status, in an answer ok accepts, and 500 without an
// error_status; at 0.3 the same calls fail after each switch (see
// CheckErrorRate).
func CheckErrors(t *testing.T, ft FaultTarget, path string, status int, ok func(r Result) bool) {
	t.Helper()
	ft.Set(simkit.Faults{ErrorRate: 1, ErrorStatus: status})
	if r := ft.Get(path); r.Status != status || !ok(r) {
		t.Errorf("GET %s with ErrorRate 1 = %d %s; want %d as the vendor answers it", path, r.Status, r.Body, status)
	}
	ft.Set(simkit.Faults{ErrorRate: 1})
	if r := ft.Get(path); r.Status != 500 {
		t.Errorf("GET %s with ErrorRate 1, no ErrorStatus = %d; want 500", path, r.Status)
	}
	CheckErrorRate(t, func(r float64) { ft.Set(simkit.Faults{ErrorRate: r}) },
		func() bool { return ft.Get(path).Status == 500 })
}

// CheckThrottleRetryAfter checks that the throttle fault refuses a call as
// the vendor does (Traits.Throttled), with the Retry-After that retry_after
// sets, in whole seconds rounded up.
func CheckThrottleRetryAfter(t *testing.T, ft FaultTarget) {
	t.Helper()
	want := ft.Traits.Throttled
	ft.Set(simkit.Faults{Throttle: true, RetryAfter: 1500 * time.Millisecond})
	if r := ft.Get(ft.Path); r.Status != want.Status || !strings.Contains(string(r.Body), want.Says) || r.Header.Get("Retry-After") != "2" {
		t.Errorf("GET %s throttled with RetryAfter 1.5s = %d %q, Retry-After %q; want %d saying %q, \"2\"",
			ft.Path, r.Status, r.Body, r.Header.Get("Retry-After"), want.Status, want.Says)
	}
}

// CheckRevoke checks that the revoke fault refuses the credentials as the
// vendor does (Traits.Revoked). What works again after it, and how soon,
// differs by vendor: each simulator's own tests say.
func CheckRevoke(t *testing.T, ft FaultTarget) {
	t.Helper()
	want := ft.Traits.Revoked
	ft.Set(simkit.Faults{Revoke: true})
	if r := ft.Get(ft.Path); r.Status != want.Status || !strings.Contains(string(r.Body), want.Says) {
		t.Errorf("GET %s revoked = %d %q; want %d saying %q", ft.Path, r.Status, r.Body, want.Status, want.Says)
	}
}
