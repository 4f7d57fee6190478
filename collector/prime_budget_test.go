package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// primeSection is a config for a Prime simulator: small pages, every
// interval as given, a budget of calls an hour.
func primeSection(t *testing.T, base string, cr primesim.Credentials, interval string) *config.Config {
	t.Helper()
	y := fmt.Sprintf(`prime:
  - name: pi
    base_url: %s
    username: %s
    password: %s
    page_size: 50
    hold: 1ms
    budget: {requests_per_hour: 100000, concurrency: 5, max_retries: 0}
    collections:
      access_points: {interval: %[4]s}
      clients: {interval: %[4]s}
      devices: {interval: %[4]s}
      alarms: {interval: %[4]s}
`, base, cr.Username, cr.Password, interval)
	cfg, err := config.Parse([]byte(y), "pi.yml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startPrimeSim(t *testing.T, o primesim.Options) (*primesim.Server, string) {
	t.Helper()
	sim, srv := simtest.Listen(t, primesim.New, o)
	return sim, srv.URL
}

// TestReloadCarriesBudget: a reload that rebuilds a source hands its
// successor the calls counted so far; one that points it elsewhere does
// not.
func TestReloadCarriesBudget(t *testing.T) {
	sim, base := startPrimeSim(t, primesim.Options{Seed: 6, RateLimit: -1})
	m := collector.NewManager(context.Background(), collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	defer m.Stop()
	if err := m.Apply(primeSection(t, base, sim.Credentials(), "1h")); err != nil {
		t.Fatal(err)
	}
	old, _ := m.Source("pi")
	if err := old.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	if err := m.Apply(primeSection(t, base, sim.Credentials(), "2h")); err != nil {
		t.Fatal(err)
	}
	used := old.Budget.State().Used["hour"]
	next, _ := m.Source("pi")
	if got := next.Budget.State().Used["hour"]; next == old || used == 0 || got < used {
		t.Errorf("calls counted after the reload = %d; want at least the %d counted before", got, used)
	}

	// The same name, another server: another account's quota.
	if err := m.Apply(primeSection(t, strings.Replace(base, "127.0.0.1", "localhost", 1), sim.Credentials(), "2h")); err != nil {
		t.Fatal(err)
	}
	other, _ := m.Source("pi")
	if got := other.Budget.State().Used["hour"]; got >= used {
		t.Errorf("calls counted for another server = %d; want a fresh count", got)
	}
}
