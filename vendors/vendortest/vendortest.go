// Package vendortest is the set-up the vendor clients' tests share: a
// simulator on loopback, a config section parsed as users' are, quick
// retries, and the large-refresh benchmark's accounting. Only tests import
// it.
package vendortest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// Serve builds a simulator and serves it on loopback until the test ends;
// wrap, where given, sees each request first.
func Serve[O any, S http.Handler](t testing.TB, build func(O) (S, error), o O, wrap ...func(http.Handler) http.Handler) (S, string) {
	t.Helper()
	sim, err := build(o)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = sim
	for _, w := range wrap {
		h = w(h)
	}
	return sim, ServeHandler(t, h)
}

// ServeHandler serves a handler standing in for a vendor's API on loopback
// until the test ends, and returns its URL.
func ServeHandler(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Build makes a client of a config section, failing the test on an error.
func Build[S, O, C any](t testing.TB, build func(S, O) (C, error), section S, o O) C {
	t.Helper()
	c, err := build(section, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Parse reads a config as a user's file is read, so defaults apply.
func Parse(t testing.TB, yaml, file string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(yaml), file)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// QuickRetries shortens a requester's backoff, so retries do not slow the
// tests.
func QuickRetries(r *vendors.Requester) {
	r.BaseBackoff = time.Millisecond
	r.MaxBackoff = 5 * time.Millisecond
}

// CheckError checks what a failed call returned: an error with the HTTP
// status (0 for none) and want in its text, and never secret, where one is
// given.
func CheckError(t testing.TB, call string, err error, status int, want, secret string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = nil; want an error", call)
	}
	if got := vendors.StatusCode(err); got != status {
		t.Errorf("StatusCode(%v) = %d; want %d", err, got, status)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s = %q; want it to contain %q", call, err, want)
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Errorf("%s = %q; it shows a secret", call, err)
	}
}

// ErrorCase is one way a vendor's API fails: Set makes the simulator or
// the config section fail so, and the call must then return an error with
// the HTTP status Status (0 for none) and Want in its text.
type ErrorCase[Set any] struct {
	Name   string
	Set    Set
	Status int
	Want   string
}

// RunErrors runs each case as a subtest and checks its error as
// CheckError does; call makes the failing call, name as the failure shows
// it, and returns the secret the error must not show and its error.
func RunErrors[Set any](t *testing.T, name string, cases []ErrorCase[Set], call func(t *testing.T, set Set) (secret string, err error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			secret, err := call(t, tc.Set)
			CheckError(t, name, err, tc.Status, tc.Want, secret)
		})
	}
}

// Counted is what a simulator counts of the calls made to it.
type Counted interface {
	Calls() int
	CallsByPath() map[string]int
	ResetCalls()
}

// SimMiB is the RSS after a collection: taken just after a simulator is
// built, the memory its data holds, since it runs in the same process.
func SimMiB() float64 {
	runtime.GC()
	return procstat.MiB("VmRSS")
}

// Refresh runs refresh once per iteration, from a fresh call count, and
// fails when a refresh made more calls than the page-count minimum; it
// reports the calls, the minimum, simMiB (from SimMiB) and the peak RSS.
func Refresh(b *testing.B, sim Counted, simMiB float64, minimum int, refresh func(ctx context.Context) error) {
	b.Helper()
	ctx := context.Background()
	sim.ResetCalls()
	b.ResetTimer()
	for b.Loop() {
		if err := refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	calls := float64(sim.Calls()) / float64(b.N)
	if calls > float64(minimum) {
		b.Errorf("a refresh made %.0f calls; the page-count minimum is %d (%v)", calls, minimum, sim.CallsByPath())
	}
	b.ReportMetric(calls, "calls/refresh")
	b.ReportMetric(float64(minimum), "min-calls")
	b.ReportMetric(simMiB, "sim-MiB")
	b.ReportMetric(procstat.MiB("VmHWM"), "peak-RSS-MiB")
}

// Get calls one of a client's collections, failing the test on an error;
// name is the call as the failure shows it.
func Get[T any](t testing.TB, name string, call func(context.Context) (T, error)) T {
	t.Helper()
	v, err := call(context.Background())
	if err != nil {
		t.Fatalf("%s = %v", name, err)
	}
	return v
}

// Step makes a collection call one step of a refresh, its result dropped.
func Step[T any](call func(context.Context) (T, error)) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := call(ctx)
		return err
	}
}

// Count makes a collection call one step of a refresh, which fails unless
// count finds want items in its result; name is what the failure calls
// them.
func Count[T any](call func(context.Context) (T, error), name string, want int, count func(T) int) func(context.Context) error {
	return func(ctx context.Context) error {
		v, err := call(ctx)
		if err == nil && count(v) != want {
			err = fmt.Errorf("%s = %d; want %d", name, count(v), want)
		}
		return err
	}
}

// Steps runs a refresh's steps in order, stopping at the first error.
func Steps(ctx context.Context, steps ...func(context.Context) error) error {
	for _, s := range steps {
		if err := s(ctx); err != nil {
			return err
		}
	}
	return nil
}
