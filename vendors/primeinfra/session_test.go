package primeinfra

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// front serves sim, counting the requests and those that did not ask to
// close their connection, unless refuse is set: then it answers 401 as
// Prime does at its session limit.
type front struct {
	sim       http.Handler
	requests  atomic.Int64
	keepAlive atomic.Int64
	refuse    atomic.Bool
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if !r.Close {
		f.keepAlive.Add(1)
	}
	if f.refuse.Load() {
		http.Error(w, "Maximum number of sessions (5) reached for user nms-monitor", http.StatusUnauthorized)
		return
	}
	f.sim.ServeHTTP(w, r)
}

func newFront(t *testing.T, o primesim.Options) (*primesim.Server, *front, string) {
	t.Helper()
	sim, err := primesim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	f := &front{sim: sim}
	return sim, f, vendortest.ServeHandler(t, f)
}

// fetchAll runs the four collections at once, as a fresh source does.
func fetchAll(ctx context.Context, c *Client) error {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, f := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := c.AccessPoints(ctx); return err },
		func(ctx context.Context) error { _, err := c.Devices(ctx); return err },
		func(ctx context.Context) error { _, err := c.Clients(ctx); return err },
		func(ctx context.Context) error { _, err := c.Alarms(ctx); return err },
	} {
		wg.Go(func() { errs <- f(ctx) })
	}
	wg.Wait()
	close(errs)
	return errors.Join(<-errs, <-errs, <-errs, <-errs)
}

// TestNewClientsLeaveNoSessions: every request asks Prime to close its
// connection, as Cisco advises, so twenty clients in a row, one per
// restart, stay within Prime's five sessions (shared/vendor-apis/prime.md,
// section 2).
func TestNewClientsLeaveNoSessions(t *testing.T) {
	sim, f, base := newFront(t, primesim.Options{Seed: 5, RateLimit: -1})
	for i := range 20 {
		c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n"))
		if err := fetchAll(context.Background(), c); err != nil {
			t.Fatalf("client %d: %v", i+1, err)
		}
		c.Close()
	}
	if n := f.keepAlive.Load(); n != 0 {
		t.Errorf("%d of %d requests kept their connection; want none", n, f.requests.Load())
	}
	if n := sim.Sessions(); n != 0 {
		t.Errorf("sessions left open = %d; want 0", n)
	}
}

// TestCollectionsStartingTogetherShareOneSession: where Prime keeps
// sessions by cookie, a fresh client's collections, started together,
// open one session between them, not one each.
func TestCollectionsStartingTogetherShareOneSession(t *testing.T) {
	sim, _, base := newFront(t, primesim.Options{Seed: 5, RateLimit: -1, KeepClosedSessions: true})
	c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n"))
	if err := fetchAll(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n := sim.Sessions(); n != 1 {
		t.Errorf("sessions opened by one client's collections = %d; want 1", n)
	}
}

// TestSessionLimitBacksOff: a 401 after requests went through is the
// session limit, not bad credentials: it is not retried, and asks the
// collection to wait minutes.
func TestSessionLimitBacksOff(t *testing.T) {
	sim, f, base := newFront(t, primesim.Options{Seed: 5, RateLimit: -1})
	c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n"))
	if _, err := c.Devices(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.refuse.Store(true)
	before := f.requests.Load()
	_, err := c.Devices(context.Background())
	var backoff *vendors.BackoffError
	if !errors.As(err, &backoff) || backoff.For < time.Minute {
		t.Fatalf("Devices() at the session limit = %v; want a *vendors.BackoffError of minutes", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "session limit") || strings.Contains(msg, "authentication failed") || !strings.Contains(msg, "HTTP 401") {
		t.Errorf("Devices() = %q; want the session limit named, not bad credentials", msg)
	}
	if got := f.requests.Load() - before; got != 1 {
		t.Errorf("requests at the session limit = %d; want 1, not retried", got)
	}
}

// TestAuthFailures: a redirect (to the login page) or a 401 before any
// success is a failed login, sent once.
func TestAuthFailures(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		answer     http.HandlerFunc
	}{
		{"302 to the login page", "/webacs/pages/common/login.jsp)", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/webacs/pages/common/login.jsp", http.StatusFound)
		}},
		{"401", "HTTP 401", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "Authentication failed", http.StatusUnauthorized)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int64
			base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				tc.answer(w, r)
			}))
			c := newClient(t, primeConfig(t, base, fixedCreds, ""))
			_, err := c.Alarms(context.Background())
			if err == nil || !strings.Contains(err.Error(), "authentication failed for user nms") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Alarms() = %v; want an authentication failure with %q", err, tc.want)
			}
			if got := hits.Load(); got != 1 {
				t.Errorf("requests = %d; want 1: neither followed nor retried", got)
			}
		})
	}
}
