package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// refreshAll refreshes every collection of src at once, as its refreshers
// do when it starts.
func refreshAll(src *Source) error {
	var wg sync.WaitGroup
	errs := make([]error, len(src.Collections))
	for i, c := range src.Collections {
		wg.Go(func() { errs[i] = src.Refresh(context.Background(), c.Name) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// TestPrimeRestartsAndReloadsLeaveNoSessions: 20 restarts and 100 reloads,
// each with a new client that refreshes everything, stay within Prime's
// default of five sessions per user: none is refused with a 401.
func TestPrimeRestartsAndReloadsLeaveNoSessions(t *testing.T) {
	sim, base := startPrimeSim(t, primesim.Options{Seed: 7, RateLimit: -1})
	opts := Options{Logger: slog.New(slog.DiscardHandler)}
	for i := range 20 {
		m := NewManager(context.Background(), opts)
		if err := m.Apply(primeSection(t, base, sim.Credentials(), "1h")); err != nil {
			t.Fatal(err)
		}
		src, _ := m.Source("pi")
		err := refreshAll(src)
		m.Stop()
		if err != nil {
			t.Fatalf("restart %d: %v", i+1, err)
		}
	}
	m := NewManager(context.Background(), opts)
	defer m.Stop()
	for i := range 100 {
		// Another interval rebuilds the source, with a new client.
		if err := m.Apply(primeSection(t, base, sim.Credentials(), []string{"1h", "2h"}[i%2])); err != nil {
			t.Fatal(err)
		}
		src, _ := m.Source("pi")
		if err := refreshAll(src); err != nil {
			t.Fatalf("reload %d: %v", i+1, err)
		}
	}
	if n := sim.Sessions(); n != 0 {
		t.Errorf("sessions open after the reloads = %d; want 0", n)
	}
}

// TestMistLoginSessionEndsOnStop: a source signed in with email and
// password logs out when it stops, so restarts leave no session behind.
func TestMistLoginSessionEndsOnStop(t *testing.T) {
	sim, err := mistsim.New(mistsim.Options{Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	cr := sim.Credentials()
	cfg, err := config.Parse([]byte(fmt.Sprintf("mist:\n  - name: org\n    base_url: %s\n    email: %s\n    password: %s\n    org_id: %s\n",
		srv.URL, cr.Email, cr.Password, cr.OrgID)), "mist.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := NewManager(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err := m.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	src, _ := m.Source("org")
	if err := src.Refresh(context.Background(), "sites"); err != nil {
		t.Fatal(err)
	}
	if n := sim.CallsByPath()["/api/v1/logout"]; n != 0 {
		t.Fatalf("logouts while running = %d; want 0", n)
	}
	m.Stop()
	if n := sim.CallsByPath()["/api/v1/logout"]; n != 1 {
		t.Errorf("logouts after the stop = %d; want 1", n)
	}
}
