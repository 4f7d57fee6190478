package cxsource_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// cxEnv is a CX Cloud simulator on a simulated clock that every request
// moves on by 150 ms, a typical API latency: it keeps arrivals under CX
// Cloud's 10 a second, so a simulated day measures the day's plan.
type cxEnv struct {
	sim   *cxsim.Server
	cfg   *config.CXCloud
	clock *testtool.Clock
	logs  *bytes.Buffer
}

// newCXEnv serves a simulator of size with the server page size pageSize
// (0: its default).
func newCXEnv(t *testing.T, size string, pageSize int, clock *testtool.Clock, extra string) *cxEnv {
	t.Helper()
	sim, err := cxsim.New(cxsim.Options{Seed: 9, Size: size, PageSize: pageSize, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clock.Advance(150 * time.Millisecond)
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cr := sim.Credentials()
	y := fmt.Sprintf("cxcloud:\n  - name: cx\n    base_url: %s%s\n    token_url: %s%s\n    client_id: %s\n    client_secret: %s\n%s",
		srv.URL, cr.BasePath(), srv.URL, cr.TokenPath(), cr.ClientID, cr.ClientSecret, extra)
	cfg, err := config.Parse([]byte(y), "cx.yml")
	if err != nil {
		t.Fatal(err)
	}
	return &cxEnv{sim: sim, cfg: &cfg.CXCloud[0], clock: clock, logs: &bytes.Buffer{}}
}

func (e *cxEnv) source(t *testing.T, stateDir string) *collector.Source {
	t.Helper()
	s, err := collector.NewSource(e.cfg, collector.Options{Vendors: registry.Vendors,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)), Now: e.clock.Now, Sleep: e.clock.Sleep, StateDir: stateDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCXCloudDayWithinBudget runs a simulated day against the large tenant
// (20,000 devices) at the default settings: each collection refreshes when
// its interval in force says, and a collector upload changes the data every
// six hours.
func TestCXCloudDayWithinBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day against the large tenant")
	}
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := testtool.NewClock(start)
	env := newCXEnv(t, "large", 0, clock, "")
	src := env.source(t, "")
	ctx := context.Background()

	next := map[string]time.Time{}
	for _, c := range src.Collections {
		next[c.Name] = start
	}
	firstCalls := 0
	nextUpload := start.Add(6 * time.Hour)
	end := start.Add(24 * time.Hour)
	for {
		name := ""
		for _, c := range src.Collections {
			if name == "" || next[c.Name].Before(next[name]) {
				name = c.Name
			}
		}
		if !next[name].Before(end) {
			break
		}
		if next[name].After(clock.Now()) {
			clock.Set(next[name])
		}
		for !clock.Now().Before(nextUpload) {
			env.sim.Step()
			nextUpload = nextUpload.Add(6 * time.Hour)
		}
		before := env.sim.Calls()
		if err := src.Refresh(ctx, name); err != nil {
			t.Fatalf("refresh of %s at %s: %v", name, clock.Now().Format(time.TimeOnly), err)
		}
		if next[name].Equal(start) {
			firstCalls += env.sim.Calls() - before
		}
		for _, st := range src.Status() {
			if st.Collection == name {
				next[name] = clock.Now().Add(st.Interval)
			}
		}
	}
	calls, notModified := env.sim.Calls(), env.sim.NotModified()
	repeat := calls - firstCalls
	t.Logf("a simulated day: %d calls (%d in the first refreshes), %d of %d repeat calls answered 304 (%.1f%%), %d 429s",
		calls, firstCalls, notModified, repeat, 100*float64(notModified)/float64(repeat), env.sim.RateLimited())
	if calls >= 10000 {
		t.Errorf("a simulated day spent %d calls; want fewer than 10,000", calls)
	}
	if env.sim.RateLimited() != 0 {
		t.Errorf("%d answers were 429s; want none", env.sim.RateLimited())
	}
	if repeat == 0 || float64(notModified) < 0.8*float64(repeat) {
		t.Errorf("%d of %d repeat calls were 304s; want at least 80%%", notModified, repeat)
	}
}

// TestCXCloudRestartServesSavedDataThenRevalidates restarts the source on
// the same state folder.
func TestCXCloudRestartServesSavedDataThenRevalidates(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	env := newCXEnv(t, "small", 0, clock, "")
	dir := t.TempDir()
	first := env.source(t, dir)
	registrytest.RefreshAll(t, first)
	families := []string{"nms_device_info", "nms_field_notice_devices", "nms_security_advisory_devices", "nms_device_end_of_support_timestamp_seconds"}
	want, err := testutil.GatherAndCount(collectortest.Scraped(t, first), families...)
	if err != nil || want == 0 {
		t.Fatalf("the first source serves %d series (%v)", want, err)
	}

	env.sim.ResetCalls()
	tokens := env.sim.TokenRequests()
	second := env.source(t, dir)
	if got, err := testutil.GatherAndCount(collectortest.Scraped(t, second), families...); err != nil || got != want {
		t.Errorf("after a restart the first scrape serves %d series (%v); want the saved %d", got, err, want)
	}
	if env.sim.Calls() != 0 || env.sim.TokenRequests() != tokens {
		t.Errorf("the restart made %d calls and %d token requests before any refresh; want none", env.sim.Calls(), env.sim.TokenRequests()-tokens)
	}
	if err := second.Refresh(context.Background(), "inventory"); err != nil {
		t.Fatal(err)
	}
	if env.sim.Calls() == 0 || env.sim.NotModified() != env.sim.Calls() {
		t.Errorf("the first refresh after a restart: %d of %d calls were 304s; want all", env.sim.NotModified(), env.sim.Calls())
	}
}

// TestCXCloudDayBudgetSpentWaitsForReset checks that a spent daily budget
// stops the calls with the error that puts the next refresh at midnight
// (collector's TestBudgetErrorWaitsForReset), and says so in the metrics
// and the log.
func TestCXCloudDayBudgetSpentWaitsForReset(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC))
	env := newCXEnv(t, "small", 10, clock, "    budget:\n      requests_per_day: 4\n      concurrency: 1\n")
	src := env.source(t, "")
	err := src.Refresh(context.Background(), "inventory")
	var spent *vendors.BudgetError
	if !errors.As(err, &spent) || spent.Window != "day" || !spent.Reset.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Refresh() past the day's budget = %v; want a day BudgetError resetting at midnight", err)
	}
	if got := env.sim.Calls(); got != 4 {
		t.Errorf("calls = %d; want the 4 the budget allows", got)
	}
	expected := `
# HELP nms_api_budget_remaining What the exporter's own accounting says is left of the configured budget, by window.
# TYPE nms_api_budget_remaining gauge
nms_api_budget_remaining{window="day"} 0
`
	if err := testutil.GatherAndCompare(collectortest.Scraped(t, src), strings.NewReader(expected), "nms_api_budget_remaining"); err != nil {
		t.Error(err)
	}
	if !strings.Contains(env.logs.String(), "day budget spent") {
		t.Errorf("log = %q; want the spent budget and its reset named", env.logs.String())
	}
}
