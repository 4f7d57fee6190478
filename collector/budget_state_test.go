package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// budgetedSource is a fake source whose one collection spends calls of
// an hourly and a daily quota on clock, its state in dir.
func budgetedSource(dir, identity string, clock *simClock, logs *bytes.Buffer, calls int) *Source {
	b := vendors.NewBudget(vendors.BudgetConfig{PerHour: 100, PerDay: 1000}, clock.Now)
	s := &Source{Name: "a", Vendor: "fake", Identity: identity, Budget: b,
		Collections: []*Collection{{Name: "devices", Interval: time.Hour, Fetch: func(ctx context.Context) (any, int, error) {
			for range calls {
				if err := b.Acquire(ctx); err != nil {
					return nil, 0, err
				}
			}
			return 1, 1, nil
		}}},
		Render: func(*sink, map[string]any) {},
	}
	s.init(Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: clock.Now, StateDir: dir})
	return s
}

// left is what a budget has left of its hour and its day.
func left(b *vendors.Budget) string {
	st := b.State()
	return fmt.Sprintf("hour %v, day %v", st.Remaining["hour"], st.Remaining["day"])
}

// TestBudgetSurvivesRestart: restarted mid-hour, a source goes on from the
// hour's and the day's counts; in the next hour, from the day's only: a
// restart at 18:00 must not spend CX Cloud's day twice.
func TestBudgetSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	clock := &simClock{t: time.Date(2026, 11, 23, 16, 10, 0, 0, time.UTC)}
	first := budgetedSource(dir, "https://x", clock, &logs, 5)
	if err := first.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}

	clock.advance(30 * time.Minute) // 16:40
	second := budgetedSource(dir, "https://x", clock, &logs, 7)
	if got, want := left(second.Budget), "hour 95, day 995"; got != want {
		t.Errorf("restarted mid-hour: %s left; want %s", got, want)
	}
	if err := second.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	// Calls made outside a refresh are saved when the source stops.
	_ = second.Budget.Acquire(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	second.Run(ctx)

	clock.advance(time.Hour) // 17:40
	third := budgetedSource(dir, "https://x", clock, &logs, 0)
	if got, want := left(third.Budget), "hour 100, day 987"; got != want {
		t.Errorf("restarted in the next hour: %s left; want %s", got, want)
	}
}

// TestBudgetFileRefused: a budget file of another source, another format
// or a date to come is ignored, and said so.
func TestBudgetFileRefused(t *testing.T) {
	clock := &simClock{t: time.Date(2026, 11, 23, 16, 10, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name, want string
		edit       func(f *budgetFile)
	}{
		{"another identity", "written for another source", func(f *budgetFile) { f.Identity = "https://y" }},
		{"another format", "unknown format", func(f *budgetFile) { f.Format = "nms_exporter.budget.v9" }},
		{"dated in the future", "in the future", func(f *budgetFile) {
			f.SavedAt, f.HourStart, f.DayStart = f.SavedAt.Add(48*time.Hour), f.HourStart.Add(48*time.Hour), f.DayStart.Add(48*time.Hour)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			first := budgetedSource(dir, "https://x", clock, &logs, 5)
			if err := first.Refresh(context.Background(), "devices"); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "a", "budget.json")
			b, err := readState(path)
			if err != nil {
				t.Fatal(err)
			}
			var f budgetFile
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			tc.edit(&f)
			if err := writeJSON(path, f); err != nil {
				t.Fatal(err)
			}
			second := budgetedSource(dir, "https://x", clock, &logs, 0)
			if got, want := left(second.Budget), "hour 100, day 1000"; got != want {
				t.Errorf("after a refused file: %s left; want %s", got, want)
			}
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("logs = %s; want them to say %q", logs.String(), tc.want)
			}
		})
	}
}

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
	sim, err := primesim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// TestReloadCarriesBudget: a reload that rebuilds a source hands its
// successor the calls counted so far; one that points it elsewhere does
// not.
func TestReloadCarriesBudget(t *testing.T) {
	sim, base := startPrimeSim(t, primesim.Options{Seed: 6, RateLimit: -1})
	m := NewManager(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
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
