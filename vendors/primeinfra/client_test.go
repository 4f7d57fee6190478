package primeinfra

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// primeConfig is a parsed config section for the simulator, so defaults
// apply as they do for users.
func primeConfig(t testing.TB, base string, cr primesim.Credentials, extra string) *config.Prime {
	t.Helper()
	y := fmt.Sprintf("prime:\n  - name: pi\n    base_url: %s\n    username: %s\n    password: %s\n%s", base, cr.Username, cr.Password, extra)
	return &vendortest.Parse(t, y, "pi.yml").Prime[0]
}

func newClient(t testing.TB, cfg *config.Prime) *Client {
	t.Helper()
	b := vendors.NewBudget(vendors.BudgetConfig{BurstSize: cfg.Budget.Concurrency, BurstHold: time.Duration(cfg.Hold)}, nil)
	c := vendortest.Build(t, New, cfg, Options{Budget: b})
	vendortest.QuickRetries(c.req)
	return c
}

// simClient serves a simulator made with o, and is a client of it, its
// config section completed by extra.
func simClient(t testing.TB, o primesim.Options, extra string) (*primesim.Server, *Client) {
	t.Helper()
	sim, base := vendortest.Serve(t, primesim.New, o)
	return sim, newClient(t, primeConfig(t, base, sim.Credentials(), extra))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestFetchMatchesSimulator(t *testing.T) {
	// The tests' 1 ms hold outpaces the simulator's default rate limit,
	// whose answers other tests cover.
	sim, c := simClient(t, primesim.Options{Seed: 2, Size: "small", RateLimit: -1}, "    hold: 1ms\n")
	want := sim.Sizes()

	aps := vendortest.Get(t, "AccessPoints()", c.AccessPoints)
	if len(aps.Devices) != want.APs {
		t.Errorf("APs = %d; want %d", len(aps.Devices), want.APs)
	}
	for _, d := range aps.Devices {
		if d.Serial == "" || len(d.MAC) != 12 || d.Site == "" || strings.Count(d.Site, " > ") != 1 {
			t.Errorf("AP %+v: want a serial, a 12-digit MAC and a campus > building site", d)
			break
		}
	}
	if aps.Domain == "" || len(aps.Controllers) == 0 {
		t.Errorf("AccessPoints() domain %q, %d controllers; want both", aps.Domain, len(aps.Controllers))
	}
	devs := vendortest.Get(t, "Devices()", c.Devices)
	types := map[string]int{}
	for _, d := range devs.Devices {
		types[d.Type]++
	}
	if types["controller"] != want.Controllers || types["switch"] != want.Switches || types["router"] != want.Routers || types["ap"] != 0 {
		t.Errorf("device types = %v; want controller=%d switch=%d router=%d and no APs", types, want.Controllers, want.Switches, want.Routers)
	}
	names := map[int64]string{}
	for _, d := range sim.Devices() {
		names[d.ID] = d.Name
	}
	for i, d := range devs.Devices {
		if names[devs.IDs[i]] != d.Name {
			t.Errorf("Devices() %s has deviceId %d, which is %q's; want each device's own beside it", d.Name, devs.IDs[i], names[devs.IDs[i]])
		}
	}
	clients := vendortest.Get(t, "Clients()", c.Clients)
	if clients.Total != want.Clients {
		t.Errorf("clients = %d; want %d from the newest sample only", clients.Total, want.Clients)
	}
	if clients.CollectedAt.IsZero() || len(clients.Wired) == 0 {
		t.Errorf("Clients() = sample time %v, %d wired; want both", clients.CollectedAt, len(clients.Wired))
	}
	alarms := vendortest.Get(t, "Alarms()", c.Alarms)
	acked := 0
	for _, a := range alarms.Alarms {
		if a.Acked {
			acked++
		}
	}
	if len(alarms.Alarms) != want.ActiveAlarms || acked != want.AcknowledgedAlarms {
		t.Errorf("alarms = %d active, %d acknowledged; want %d, %d", len(alarms.Alarms), acked, want.ActiveAlarms, want.AcknowledgedAlarms)
	}
	if got := sim.Sessions(); got != 0 {
		t.Errorf("sessions left open = %d; want 0: each request closes its connection", got)
	}
}

// TestPagingEdges walks resources whose sizes sit on and beside page
// boundaries, with the fewest calls.
func TestPagingEdges(t *testing.T) {
	// The tests' 1 ms hold outpaces the simulator's default rate limit.
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 2, Size: "small", RateLimit: -1})
	n := sim.Sizes()
	divisor := 0
	for d := n.APs / 2; d >= 2 && divisor == 0; d-- {
		if n.APs%d == 0 {
			divisor = d
		}
	}
	if divisor == 0 || n.APs%7 == 0 {
		t.Fatalf("%d APs: the test needs a count with a divisor that is not a multiple of 7", n.APs)
	}
	for _, tc := range []struct {
		name     string
		pageSize int
	}{
		{"one page", 1000},
		{"exact multiple", divisor},
		{"last partial page", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, primeConfig(t, base, sim.Credentials(), fmt.Sprintf("    hold: 1ms\n    page_size: %d\n", tc.pageSize)))
			sim.ResetCalls()
			aps := vendortest.Get(t, "AccessPoints()", c.AccessPoints)
			if len(aps.Devices) != n.APs {
				t.Errorf("APs = %d; want %d", len(aps.Devices), n.APs)
			}
			if got, want := sim.Calls(), ceilDiv(n.APs, tc.pageSize); got != want {
				t.Errorf("calls = %d; want the page-count minimum %d", got, want)
			}
		})
	}
	t.Run("empty result", func(t *testing.T) {
		c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n"))
		sim.ResetCalls()
		var got int
		_, err := walk(context.Background(), c, "Alarms", map[string][]string{"severity": {`"NOSUCHSEVERITY"`}}, func(p []alarmEntity) { got += len(p) })
		if err != nil || got != 0 || sim.Calls() != 1 {
			t.Errorf("walk over no alarms = %d items, %d calls, %v; want 0 items in 1 call", got, sim.Calls(), err)
		}
	})
}

func TestConcurrencyStaysWithinLimit(t *testing.T) {
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 3, Size: "medium", RateLimit: -1})
	sim.SetFaults(primesim.Faults{Latency: 20 * time.Millisecond})
	c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n    page_size: 100\n    budget:\n      concurrency: 3\n"))
	ctx := context.Background()
	errs := make(chan error, 2)
	go func() { _, err := c.AccessPoints(ctx); errs <- err }()
	go func() { _, err := c.Alarms(ctx); errs <- err }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := sim.MaxInFlight(); got > 3 || got < 2 {
		t.Errorf("peak requests in flight = %d; want at most the configured 3 across collections", got)
	}
}

func TestErrors(t *testing.T) {
	vendortest.RunErrors(t, "AccessPoints()", []vendortest.ErrorCase[func(*primesim.Server, *config.Prime)]{
		{Name: "401 wrong password", Set: func(_ *primesim.Server, c *config.Prime) { c.Password = "wrong" }, Status: 401, Want: "HTTP 401"},
		{Name: "403 forbidden domain", Set: func(_ *primesim.Server, c *config.Prime) { c.VirtualDomain = "No-Such-Domain" }, Status: 403, Want: "HTTP 403"},
		{Name: "503 throttled", Set: func(s *primesim.Server, _ *config.Prime) { s.SetFaults(primesim.Faults{Throttle: true}) }, Status: 503, Want: "Rate limit"},
		{Name: "500", Set: func(s *primesim.Server, _ *config.Prime) {
			s.SetFaults(primesim.Faults{ErrorRate: 1, ErrorStatus: 500})
		}, Status: 500, Want: "HTTP 500"},
		{Name: "truncated", Set: func(s *primesim.Server, _ *config.Prime) { s.SetFaults(primesim.Faults{Truncate: true}) }, Status: 0, Want: "decoding"},
		{Name: "malformed", Set: func(s *primesim.Server, _ *config.Prime) { s.SetFaults(primesim.Faults{Malformed: true}) }, Status: 0, Want: "decoding"},
	}, func(t *testing.T, set func(*primesim.Server, *config.Prime)) (string, error) {
		sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 1})
		cfg := primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n")
		set(sim, cfg)
		_, err := newClient(t, cfg).AccessPoints(context.Background())
		return sim.Credentials().Password, err
	})
	t.Run("404", func(t *testing.T) {
		_, c := simClient(t, primesim.Options{Seed: 1}, "    hold: 1ms\n")
		_, err := page[apEntity](context.Background(), c, "NoSuchResource", c.query(nil, 0, 10))
		if vendors.StatusCode(err) != 404 {
			t.Errorf("page(NoSuchResource) = %v; want HTTP 404", err)
		}
	})
}

func TestSlowResponsePastTimeout(t *testing.T) {
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 1})
	sim.SetFaults(primesim.Faults{Latency: 2 * time.Second})
	cfg := primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n    timeout: 200ms\n    budget:\n      max_retries: 0\n")
	start := time.Now()
	_, err := newClient(t, cfg).AccessPoints(context.Background())
	if err == nil || !strings.Contains(err.Error(), "/webacs/api/v4/data/AccessPointDetails") {
		t.Fatalf("AccessPoints() past the timeout = %v; want a timeout naming the endpoint", err)
	}
	if elapsed := time.Since(start); elapsed > 1500*time.Millisecond {
		t.Errorf("gave up after %v; want the 200ms timeout to end the request", elapsed)
	}
}

func TestVirtualDomainScopes(t *testing.T) {
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 4, Size: "small"})
	ctx := context.Background()
	all, err := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n")).AccessPoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range sim.Domains() {
		if d == "ROOT-DOMAIN" {
			continue
		}
		aps, err := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n    virtual_domain: "+d+"\n")).AccessPoints(ctx)
		if err != nil {
			t.Fatalf("domain %s: %v", d, err)
		}
		if aps.Domain != d || len(aps.Devices) == 0 || len(aps.Devices) >= len(all.Devices) {
			t.Errorf("domain %s: %d APs answered for %q; want a strict subset of %d answered for %s", d, len(aps.Devices), aps.Domain, len(all.Devices), d)
		}
		total += len(aps.Devices)
	}
	if total != len(all.Devices) {
		t.Errorf("APs across the sub-domains = %d; want the root domain's %d", total, len(all.Devices))
	}
}

func TestCancelledContext(t *testing.T) {
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 1})
	sim.SetFaults(primesim.Faults{Latency: 5 * time.Second})
	c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 1ms\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Alarms(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Alarms() with an expiring context = %v; want context.DeadlineExceeded", err)
	}
}

func TestMappings(t *testing.T) {
	for in, want := range map[string]string{"CRITICAL": "critical", "MAJOR": "major", "MINOR": "minor", "WARNING": "warning", "INFORMATION": "info"} {
		if got := Severity(in); got != want {
			t.Errorf("Severity(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Wireless Controller": "controller", "Switches and Hubs": "switch", "Routers": "router",
		"Unified AP": "ap", "Security and VPN": "gateway", "Voice and Telephony": "other",
	} {
		if got := deviceType(in); got != want {
			t.Errorf("deviceType(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"NA-Campus > Building-03 > Floor-2": "NA-Campus > Building-03", "Campus > Building": "Campus > Building", "": "",
	} {
		if got := SiteOf(in); got != want {
			t.Errorf("SiteOf(%q) = %q; want %q", in, got, want)
		}
	}
	if got := alarmDevice("ap-01,00:11:22:33:44:55", "x"); got != "ap-01" {
		t.Errorf("alarmDevice(ap-01,<mac>) = %q; want ap-01", got)
	}
}

// statuses is a Recorder counting the answers by status.
type statuses struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *statuses) ObserveRequest(_, code string, _ time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[string]int{}
	}
	s.n[code]++
}

func (s *statuses) count(code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[code]
}

// refreshClient is a client as a source builds it: the budget in bursts of
// the concurrency with the hold after each, and the requester's own
// backoffs, which the pace starts from.
func refreshClient(t testing.TB, cfg *config.Prime) (*Client, *vendors.Budget, *statuses) {
	t.Helper()
	b := vendors.NewBudget(vendors.BudgetConfig{BurstSize: cfg.Budget.Concurrency, BurstHold: time.Duration(cfg.Hold)}, nil)
	rec := &statuses{}
	c := vendortest.Build(t, New, cfg, Options{Budget: b, Recorder: rec})
	t.Cleanup(c.Close)
	return c, b, rec
}

// refreshAll fetches every collection at once, as a source's first refresh
// does, and returns the errors.
func refreshAll(c *Client) []error {
	ctx := context.Background()
	errs := make([]error, 8)
	var wg sync.WaitGroup
	wg.Go(func() { _, errs[0] = c.AccessPoints(ctx) })
	wg.Go(func() { _, errs[1] = c.Devices(ctx) })
	wg.Go(func() { _, errs[2] = c.Clients(ctx) })
	wg.Go(func() { _, errs[3] = c.Alarms(ctx) })
	wg.Go(func() { _, errs[4] = c.Controllers(ctx) })
	wg.Go(func() { _, errs[5] = c.Inventory(ctx) })
	wg.Go(func() { _, errs[6] = c.Rogues(ctx) })
	wg.Go(func() { _, errs[7] = c.Radios(ctx) })
	wg.Wait()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	return failed
}

// TestThrottledRefreshSlowsDown: without a hold and with more requests in
// flight than Prime allows, a refresh draws 503s from both of its limits
// (10 a second, 5 at once). Each slows the pace instead of failing the
// collection: the requests in flight when it first meets a limit, twice
// over, and then one for each step the pace takes back towards the
// configuration (one every eight successes), so a longer refresh may
// meet a few more.
func TestThrottledRefreshSlowsDown(t *testing.T) {
	const concurrency = 8
	for seed := range int64(3) {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: seed, Size: "medium"})
			cfg := primeConfig(t, base, sim.Credentials(), fmt.Sprintf("    hold: 0s\n    page_size: 200\n    budget:\n      concurrency: %d\n", concurrency))
			c, b, rec := refreshClient(t, cfg)
			start := time.Now()
			for _, err := range refreshAll(c) {
				t.Errorf("collection failed: %v", err)
			}
			ok, throttled := rec.count("200"), rec.count("503")
			p := b.Pace()
			t.Logf("%d calls, %d 503s, %d decreases, %v; pace %+v", sim.Calls(), throttled, p.Decreases, time.Since(start).Round(time.Millisecond), p)
			if bound := 2*concurrency + ok/8; throttled > bound {
				t.Errorf("%d 503s in a refresh of %d successful calls; want at most %d", throttled, ok, bound)
			}
		})
	}
}

// TestFirstRefreshesAtDefaultPace: with the default hold and concurrency,
// first refreshes draw no failed collection and at most one decrease's
// worth of 503s (the requests in flight when the pace drops): against the
// simulator's limits, and against a server that leaves the user 2 requests
// a second, as Prime's global limit does when other NBI clients share it.
func TestFirstRefreshesAtDefaultPace(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rateLimit int
	}{{"simulator limits", 0}, {"2 a second", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 1, Size: "medium", RateLimit: tc.rateLimit})
			cfg := primeConfig(t, base, sim.Credentials(), "")
			for run := range 3 {
				c, b, rec := refreshClient(t, cfg)
				start := time.Now()
				for _, err := range refreshAll(c) {
					t.Errorf("first refresh %d: collection failed: %v", run, err)
				}
				throttled := rec.count("503")
				t.Logf("first refresh %d: %d 503s, %v; pace %+v", run, throttled, time.Since(start).Round(time.Millisecond), b.Pace())
				if throttled > cfg.Budget.Concurrency {
					t.Errorf("first refresh %d: %d 503s; want at most %d", run, throttled, cfg.Budget.Concurrency)
				}
				if run < 2 {
					time.Sleep(time.Second) // the simulator's rate window passes
				}
			}
		})
	}
}

// TestUnthrottledRefreshKeepsPace: against a server without limits a
// refresh makes the page-count minimum of calls, never waits and keeps the
// configured pace.
func TestUnthrottledRefreshKeepsPace(t *testing.T) {
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 2, Size: "medium", RateLimit: -1, MaxConcurrent: -1, MaxSessions: -1})
	cfg := primeConfig(t, base, sim.Credentials(), "    hold: 0s\n    page_size: 100\n")
	c, b, rec := refreshClient(t, cfg)
	n := sim.Sizes()
	// Controllers: the pages of WlanControllers and WlanControllerDetails.
	minimum := ceilDiv(n.APs, 100) + ceilDiv(n.Devices, 100) + ceilDiv(n.ActiveAlarms, 100) + 2*ceilDiv(n.Controllers, 100) +
		ceilDiv(n.Devices, cfg.InventoryPageSize) +
		ceilDiv(n.ActiveRogueAlarms, 100) + ceilDiv(n.Radios, 100) + ceilDiv(n.LoadStatsRows, 100)
	for _, typ := range countTypes {
		minimum += ceilDiv(countRows(t, newClient(t, cfg), typ), 100)
	}
	sim.ResetCalls()
	for _, err := range refreshAll(c) {
		t.Errorf("collection failed: %v", err)
	}
	if got := sim.Calls(); got != minimum || rec.count("200") != minimum {
		t.Errorf("calls = %d (%d answered 200); want the page-count minimum %d", got, rec.count("200"), minimum)
	}
	if got := b.State().Throttled; got != 0 {
		t.Errorf("the budget waited %v; want no wait without a hold", got)
	}
	if got, want := b.Pace(), (vendors.Pace{InFlight: cfg.Budget.Concurrency, Burst: cfg.Budget.Concurrency}); got != want {
		t.Errorf("Pace() = %+v; want the configuration %+v", got, want)
	}
}
