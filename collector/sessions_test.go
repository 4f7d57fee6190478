package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// TestPrimeRestartsAndReloadsLeaveNoSessions: 20 restarts and 100 reloads,
// each with a new client that refreshes everything, stay within Prime's
// default of five sessions per user: none is refused with a 401.
func TestPrimeRestartsAndReloadsLeaveNoSessions(t *testing.T) {
	sim, base := startPrimeSim(t, primesim.Options{Seed: 7, RateLimit: -1})
	opts := collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)}
	for i := range 20 {
		m := collector.NewManager(context.Background(), opts)
		if err := m.Apply(primeSection(t, base, sim.Credentials(), "1h")); err != nil {
			t.Fatal(err)
		}
		src, _ := m.Source("pi")
		err := collector.RefreshAll(src)
		m.Stop()
		if err != nil {
			t.Fatalf("restart %d: %v", i+1, err)
		}
	}
	m := collector.NewManager(context.Background(), opts)
	defer m.Stop()
	for i := range 100 {
		// Another interval rebuilds the source, with a new client.
		if err := m.Apply(primeSection(t, base, sim.Credentials(), []string{"1h", "2h"}[i%2])); err != nil {
			t.Fatal(err)
		}
		src, _ := m.Source("pi")
		if err := collector.RefreshAll(src); err != nil {
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
	sim, srv := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 8})
	cr := sim.Credentials()
	cfg, err := config.Parse([]byte(fmt.Sprintf("mist:\n  - name: org\n    base_url: %s\n    email: %s\n    password: %s\n    org_id: %s\n",
		srv.URL, cr.Email, cr.Password, cr.OrgID)), "mist.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := collector.NewManager(context.Background(), collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
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
