package cxsource_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

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
	url   string // the simulator's
	// bytes counts the body bytes the simulator sent.
	bytes atomic.Int64
}

// countingWriter counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n.Add(int64(n))
	return n, err
}

// newCXEnv serves a simulator of size with the server page size pageSize
// (0: its default).
func newCXEnv(t *testing.T, size string, pageSize int, clock *testtool.Clock, extra string) *cxEnv {
	t.Helper()
	return newCXEnvWith(t, cxsim.Options{Size: size, PageSize: pageSize}, clock, 150*time.Millisecond, extra)
}

// newCXEnvWith serves a simulator of o's seed 9, on clock, which each
// request moves on by latency.
func newCXEnvWith(t *testing.T, o cxsim.Options, clock *testtool.Clock, latency time.Duration, extra string) *cxEnv {
	t.Helper()
	o.Seed, o.Now = 9, clock.Now
	sim, err := cxsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	env := &cxEnv{sim: sim, clock: clock, logs: &bytes.Buffer{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clock.Advance(latency)
		sim.ServeHTTP(countingWriter{w, &env.bytes}, r)
	}))
	t.Cleanup(srv.Close)
	env.url = srv.URL
	env.cfg = env.config(t, extra)
	return env
}

// config is a config section for the simulator, with extra lines.
func (e *cxEnv) config(t *testing.T, extra string) *config.CXCloud {
	t.Helper()
	cr := e.sim.Credentials()
	y := fmt.Sprintf("cxcloud:\n  - name: cx\n    base_url: %s%s\n    token_url: %s%s\n    client_id: %s\n    client_secret: %s\n%s",
		e.url, cr.BasePath(), e.url, cr.TokenPath(), cr.ClientID, cr.ClientSecret, extra)
	cfg, err := config.Parse([]byte(y), "cx.yml")
	if err != nil {
		t.Fatal(err)
	}
	return &cfg.CXCloud[0]
}

func (e *cxEnv) source(t *testing.T, stateDir string) *collector.Source {
	t.Helper()
	return e.sourceOf(t, e.cfg, stateDir)
}

func (e *cxEnv) sourceOf(t *testing.T, cfg *config.CXCloud, stateDir string) *collector.Source {
	t.Helper()
	s, err := collector.NewSource(cfg, collector.Options{Vendors: registry.Vendors,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)), Now: e.clock.Now, Sleep: e.clock.Sleep, StateDir: stateDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCXCloudDayWithinBudget runs a simulated day against the large tenant
// (20,000 devices) at the default settings, under each plan: each
// collection refreshes when its interval in force says, and a collector
// upload changes the data every six hours. Both plans keep within the
// day's 10,000 calls without a 429; the bulk plan, the default, spends
// fewer than the lists, its bulk/alerts call made at most once an hour
// (the shortest interval of the collections it feeds). The bulk plan runs
// against bulk/alerts answering 304s, which saves bytes, not calls: a
// call is a call either way. With NMS_CX_DAY_BULK_IN_FULL set, it also
// runs against bulk/alerts answered in full every time, the simulator's
// default, to measure those bytes (some minutes more).
func TestCXCloudDayWithinBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day against the large tenant")
	}
	lists := simulateDay(t, "lists", listsPlan, cxsim.Options{Size: "large"})
	// The bulk plan's calls do not depend on the tenant's size (one
	// bulk/alerts call an hour at most, and the collectors), but its
	// streams do: the race detector would take a quarter of an hour over
	// the large tenant's day, so it checks the calls on the medium one.
	// The figures of docs/cxcloud.md are those of the large one.
	bulkSize := "large"
	if raceDetector {
		bulkSize = "medium"
	}
	bulk := simulateDay(t, "bulk", "", cxsim.Options{Size: bulkSize, BulkConditional: true})
	if os.Getenv("NMS_CX_DAY_BULK_IN_FULL") != "" {
		if full := simulateDay(t, "bulk (answered in full)", "", cxsim.Options{Size: bulkSize}); full.calls != bulk.calls {
			t.Errorf("the bulk plan spent %d calls against bulk/alerts answered in full, %d against 304s; want the same", full.calls, bulk.calls)
		}
	}
	if bulk.calls >= lists.calls {
		t.Errorf("a day under the bulk plan spent %d calls, under the lists %d; want fewer under the bulk plan, the default", bulk.calls, lists.calls)
	}
	if lists.notModified < 0.8*float64(lists.repeat) {
		t.Errorf("lists plan: %.0f of %d repeat calls were 304s; want at least 80%%", lists.notModified, lists.repeat)
	}
	// One call at the start, then one an hour at most.
	if want := 1 + int(24*time.Hour/time.Duration(config.CXCloudCollections["inventory"].Interval)); bulk.bulkCalls > want {
		t.Errorf("bulk plan: %d bulk/alerts calls in a day; want at most %d, one an hour", bulk.bulkCalls, want)
	}
}

// listsPlan is the config line of the lists plan.
const listsPlan = "    plan: lists\n"

// day is what a simulated day spent.
type day struct {
	calls, repeat, bulkCalls int
	notModified              float64
}

// simulateDay runs a simulated day of the large tenant's source under a
// plan, logs what it spent and checks it kept within the budget.
func simulateDay(t *testing.T, plan, extra string, o cxsim.Options) day {
	t.Helper()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := testtool.NewClock(start)
	env := newCXEnvWith(t, o, clock, 150*time.Millisecond, extra)
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
			t.Fatalf("%s plan: refresh of %s at %s: %v", plan, name, clock.Now().Format(time.TimeOnly), err)
		}
		if st := status(src, name); st.Err != "" {
			t.Fatalf("%s plan: refresh of %s at %s: %s", plan, name, clock.Now().Format(time.TimeOnly), st.Err)
		}
		if next[name].Equal(start) {
			firstCalls += env.sim.Calls() - before
		}
		next[name] = clock.Now().Add(status(src, name).Interval)
	}
	d := day{calls: env.sim.Calls(), notModified: float64(env.sim.NotModified()), bulkCalls: env.sim.CallsByPath()["/{region}/bcs/v2/bulk/alerts"]}
	d.repeat = d.calls - firstCalls
	t.Logf("%s plan, a simulated day of the %s tenant: %d calls (%d in the first refreshes, %d to bulk/alerts), %.0f of %d repeat calls answered 304 (%.1f%%), "+
		"%d 429s, %.0f MB of bodies", plan, o.Size, d.calls, firstCalls, d.bulkCalls, d.notModified, d.repeat, 100*d.notModified/float64(d.repeat),
		env.sim.RateLimited(), float64(env.bytes.Load())/1e6)
	if d.calls >= 10000 {
		t.Errorf("%s plan: a simulated day spent %d calls; want fewer than 10,000", plan, d.calls)
	}
	if env.sim.RateLimited() != 0 {
		t.Errorf("%s plan: %d answers were 429s; want none", plan, env.sim.RateLimited())
	}
	return d
}

// status is a collection's status.
func status(src *collector.Source, name string) collector.Status {
	for _, st := range src.Status() {
		if st.Collection == name {
			return st
		}
	}
	return collector.Status{}
}

// TestCXCloudRestartServesSavedDataThenRevalidates restarts the source on
// the same state folder: it serves the saved data before any call, and its
// first refresh revalidates every list. Under the bulk plan the
// bulk/alerts answer is not saved (only the collections' data are), so
// that first refresh reads it anew, one call, and revalidates the rest.
func TestCXCloudRestartServesSavedDataThenRevalidates(t *testing.T) {
	for _, tc := range []struct {
		plan, extra string
		full        int // calls answered in full by the first refresh
	}{{"lists", listsPlan, 0}, {"bulk", "", 1}} {
		t.Run(tc.plan, func(t *testing.T) { testRestart(t, tc.extra, tc.full) })
	}
}

func testRestart(t *testing.T, extra string, full int) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	env := newCXEnvWith(t, cxsim.Options{BulkConditional: true}, clock, 150*time.Millisecond, extra)
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
	if env.sim.Calls() <= full || env.sim.NotModified() != env.sim.Calls()-full {
		t.Errorf("the first refresh after a restart: %d of %d calls were 304s; want all but %d", env.sim.NotModified(), env.sim.Calls(), full)
	}
}

// TestCXCloudDayBudgetSpentWaitsForReset checks that a spent daily budget
// stops the calls with the error that puts the next refresh at midnight
// (collector's TestBudgetErrorWaitsForReset), and says so in the metrics
// and the log.
func TestCXCloudDayBudgetSpentWaitsForReset(t *testing.T) {
	for _, tc := range []struct {
		plan, extra string
		budget      int // fewer than the inventory's refresh needs
	}{{"lists", listsPlan, 4}, {"bulk", "", 1}} {
		t.Run(tc.plan, func(t *testing.T) { testBudgetSpent(t, tc.extra, tc.budget) })
	}
}

func testBudgetSpent(t *testing.T, extra string, budget int) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC))
	env := newCXEnv(t, "small", 10, clock, extra+fmt.Sprintf("    budget:\n      requests_per_day: %d\n      concurrency: 1\n", budget))
	src := env.source(t, "")
	err := src.Refresh(context.Background(), "inventory")
	var spent *vendors.BudgetError
	if !errors.As(err, &spent) || spent.Window != "day" || !spent.Reset.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Refresh() past the day's budget = %v; want a day BudgetError resetting at midnight", err)
	}
	if got := env.sim.Calls(); got != budget {
		t.Errorf("calls = %d; want the %d the budget allows", got, budget)
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

// TestCXCloudPlansServeTheSameSeries: a source under the bulk plan serves
// the series a source under the lists plan serves, from the same tenant,
// in every form bulk/alerts may take, before and after the data change;
// only when CX Cloud processed the data may differ, since bulk/alerts
// carries its own Last-Modified, if any.
func TestCXCloudPlansServeTheSameSeries(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    cxsim.Options
	}{{"in full", cxsim.Options{}}, {"with its quirks", cxsim.Options{BulkQuirks: true}},
		{"conditional", cxsim.Options{BulkConditional: true}}, {"medium tenant", cxsim.Options{Size: "medium"}}} {
		t.Run(tc.name, func(t *testing.T) {
			// A still clock, and no pace on either side: the uptimes are
			// counted to the same instant.
			const unpaced = "    budget:\n      requests_per_second: 0\n"
			tc.o.PerSecond = 1 << 20
			env := newCXEnvWith(t, tc.o, testtool.NewClock(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)), 0, unpaced)
			bulk, lists := env.source(t, ""), env.sourceOf(t, env.config(t, listsPlan+unpaced), "")
			for round := range 2 {
				if round > 0 {
					env.sim.Step()
				}
				registrytest.RefreshAll(t, bulk)
				registrytest.RefreshAll(t, lists)
				for _, st := range bulk.Status() {
					if st.Err != "" {
						t.Fatalf("bulk plan %s: %s", st.Collection, st.Err)
					}
				}
				got, want := series(t, bulk), series(t, lists)
				if got != want {
					t.Errorf("round %d: the bulk plan's series differ from the lists':\n%s", round, diff(want, got))
				}
				// Every collection's data are there to compare.
				for _, family := range []string{"nms_device_info", "nms_cxcloud_collector_info", "nms_field_notice_devices",
					"nms_security_advisory_devices", "nms_device_end_of_support_timestamp_seconds", "nms_device_contract_covered",
					"nms_cxcloud_device_last_reset_info"} {
					if !strings.Contains(got, "\n"+family+"{") {
						t.Errorf("round %d: no %s series", round, family)
					}
				}
			}
		})
	}
}

// series is the data families a source serves, as text: every family but
// the health families and when CX Cloud processed the data.
func series(t *testing.T, src *collector.Source) string {
	t.Helper()
	mfs, err := collectortest.Scraped(t, src).Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		switch n := mf.GetName(); {
		case n == "nms_cxcloud_data_processed_timestamp_seconds", n == "nms_source_up",
			strings.HasPrefix(n, "nms_collection_"), strings.HasPrefix(n, "nms_api_"):
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// diff lists up to 20 lines of want missing from got, and of got missing
// from want.
func diff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var out []string
	for _, l := range strings.Split(want, "\n") {
		if !g[l] && len(out) < 20 {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] && len(out) < 40 {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
