package mist

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// mistConfig is a parsed config section for the simulator, so defaults
// apply as they do for users, with the simulator's token.
func mistConfig(t testing.TB, base string, extra string, creds mistsim.Credentials) *config.Mist {
	t.Helper()
	return mistSection(t, base, "    token: "+creds.Token+"\n"+extra)
}

// loginConfig is mistConfig with the simulator's email and password instead
// of the token.
func loginConfig(t testing.TB, base string, cr mistsim.Credentials) *config.Mist {
	t.Helper()
	return mistSection(t, base, "    email: "+cr.Email+"\n    password: "+cr.Password+"\n")
}

func mistSection(t testing.TB, base, rest string) *config.Mist {
	t.Helper()
	return &vendortest.Parse(t, "mist:\n  - name: test\n    base_url: "+base+"\n"+rest, "test.yml").Mist[0]
}

func newClient(t testing.TB, cfg *config.Mist) (*Client, *vendors.Budget) {
	t.Helper()
	b := vendors.NewBudget(vendors.BudgetConfig{PerHour: cfg.Budget.RequestsPerHour}, nil)
	c := vendortest.Build(t, New, cfg, Options{Budget: b})
	vendortest.QuickRetries(c.req)
	return c, b
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// pageMinimum asks a client of its own for the page-count minimum.
func pageMinimum(t testing.TB, cfg *config.Mist) int {
	t.Helper()
	c, _ := newClient(t, cfg)
	n := vendortest.Get(t, "PageMinimum()", c.PageMinimum)
	return n
}

func TestFetchMatchesSimulator(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small"})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	want := sim.Sizes()

	sites := vendortest.Get(t, "Sites()", c.Sites)
	if len(sites.Sites) != want.Sites {
		t.Errorf("len(Sites) = %d; want %d", len(sites.Sites), want.Sites)
	}
	devs := vendortest.Get(t, "Devices()", c.Devices)
	types := map[string]int{}
	up := 0
	for _, d := range devs.Devices {
		types[d.Type]++
		if d.Up {
			up++
		}
		if d.Site == "" || d.Site == d.SiteID {
			t.Errorf("device %s site = %q; want the site's name", d.Name, d.Site)
		}
	}
	// The endpoint defaults to APs; switches and gateways must be there too.
	if types["ap"] != want.APs || types["switch"] != want.Switches || types["gateway"] != want.Gateways {
		t.Errorf("device types = %v; want ap=%d switch=%d gateway=%d", types, want.APs, want.Switches, want.Gateways)
	}
	clients := vendortest.Get(t, "Clients()", c.Clients)
	if clients.Total != want.Clients {
		t.Errorf("clients total = %d; want %d (connected clients only)", clients.Total, want.Clients)
	}
	for _, cc := range clients.Counts {
		if cc.Band != "2.4" && cc.Band != "5" && cc.Band != "6" {
			t.Errorf("client band = %q; want 2.4, 5 or 6", cc.Band)
		}
	}
	alarms := vendortest.Get(t, "Alarms()", c.Alarms)
	if len(alarms.Alarms) != want.OpenAlarms {
		t.Errorf("open alarms = %d; want %d", len(alarms.Alarms), want.OpenAlarms)
	}
	u := vendortest.Get(t, "Usage()", c.Usage)
	if u.Limit != 5000 || u.Requests < 1 {
		t.Errorf("Usage() = %+v; want limit 5000 and the calls made", u)
	}
}

// TestCallsArePageCountMinimum checks a full refresh against the fewest
// calls the paging allows, at a size where every walk has several pages.
func TestCallsArePageCountMinimum(t *testing.T) {
	if testing.Short() {
		t.Skip("medium org")
	}
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 3, Size: "medium"})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	n := sim.Sizes()
	ctx := context.Background()
	steps := []struct {
		name  string
		fetch func() error
		want  int
	}{
		// /self once for the org, then the site pages.
		{"sites", func() error { _, err := c.Sites(ctx); return err }, 1 + ceilDiv(n.Sites, pageLimit)},
		{"devices", func() error { _, err := c.Devices(ctx); return err }, ceilDiv(n.Devices, pageLimit)},
		{"clients", func() error { _, err := c.Clients(ctx); return err }, max(1, ceilDiv(n.Clients, pageLimit))},
		{"alarms", func() error { _, err := c.Alarms(ctx); return err }, max(1, ceilDiv(n.OpenAlarms, pageLimit))},
		{"usage", func() error { _, err := c.Usage(ctx); return err }, 1},
	}
	for _, s := range steps {
		sim.ResetCalls()
		if err := s.fetch(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := sim.Calls(); got != s.want {
			t.Errorf("%s made %d calls; want the page-count minimum %d (%v)", s.name, got, s.want, sim.CallsByPath())
		}
	}
}

func TestLoginWithCSRF(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1})
	cr := sim.Credentials()
	cfg := loginConfig(t, base, cr)
	c, _ := newClient(t, cfg)
	if _, err := c.Sites(context.Background()); err != nil {
		t.Fatalf("Sites() over a login session = %v", err)
	}
	// A change request on the session must carry the CSRF token.
	resp, err := c.req.Do(context.Background(), vendors.Request{Method: http.MethodPost, URL: base + "/api/v1/logout", Endpoint: "/api/v1/logout"})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /logout with the session's CSRF token = %v, %v; want 200", resp, err)
	}
	// Logged out: the next fetch logs in again by itself.
	if _, err := c.Devices(context.Background()); err != nil {
		t.Fatalf("Devices() after the session ended = %v; want a new login", err)
	}

	wrong := *cfg
	wrong.Password = "not-the-password"
	c2, _ := newClient(t, &wrong)
	_, err = c2.Sites(context.Background())
	if err == nil || !strings.Contains(err.Error(), "login as "+cr.Email) || strings.Contains(err.Error(), "not-the-password") {
		t.Errorf("Sites() with a wrong password = %v; want a login error without the password", err)
	}
}

// loginCounter counts the login requests sent.
type loginCounter struct {
	mu sync.Mutex
	n  int
}

func (l *loginCounter) ObserveRequest(endpoint, _ string, _ time.Duration) {
	if endpoint == "/api/v1/login" {
		l.mu.Lock()
		l.n++
		l.mu.Unlock()
	}
}

func (l *loginCounter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// TestChangedPasswordLogsInOnce changes the password under a session in
// use: every collection fails, on one failed login and not one per call,
// which would lock the exporter out (Mist does after three in a row); once
// the password works again, a refresh after the login backoff recovers.
func TestChangedPasswordLogsInOnce(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1})
	cr := sim.Credentials()
	cfg := loginConfig(t, base, cr)
	clock := simtest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	logins := &loginCounter{}
	c := vendortest.Build(t, New, cfg, Options{Recorder: logins, Now: clock.Now})
	ctx := context.Background()
	if _, err := c.Sites(ctx); err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(mistsim.Faults{Revoke: true})
	fetches := []func() error{
		func() error { _, err := c.Sites(ctx); return err },
		func() error { _, err := c.Devices(ctx); return err },
		func() error { _, err := c.Clients(ctx); return err },
		func() error { _, err := c.Alarms(ctx); return err },
		func() error { _, err := c.Usage(ctx); return err },
	}
	var wg sync.WaitGroup
	for _, f := range fetches {
		wg.Go(func() {
			if err := f(); err == nil || !strings.Contains(err.Error(), "Invalid email or password") {
				t.Errorf("a fetch with the password changed = %v; want the failed login", err)
			}
		})
	}
	wg.Wait()
	if got := logins.count(); got != 2 {
		t.Errorf("%d logins in all; want 2: the first session's, and one after the password changed", got)
	}

	sim.SetFaults(mistsim.Faults{})
	clock.Add(loginBackoff)
	for _, f := range fetches {
		if err := f(); err != nil {
			t.Errorf("a fetch after the password works again = %v", err)
		}
	}
	if got := logins.count(); got != 3 {
		t.Errorf("%d logins in all; want 3", got)
	}
}

func TestErrors(t *testing.T) {
	vendortest.RunErrors(t, "Sites()", []vendortest.ErrorCase[func(*mistsim.Server, *config.Mist)]{
		{Name: "401 bad token", Set: func(_ *mistsim.Server, c *config.Mist) { c.Token = "wrong" }, Status: 401, Want: "HTTP 401"},
		{Name: "403 foreign org", Set: func(s *mistsim.Server, c *config.Mist) { c.OrgID = s.ForeignOrgID() }, Status: 403, Want: "You do not have permission"},
		{Name: "404 unknown org", Set: func(_ *mistsim.Server, c *config.Mist) { c.OrgID = "00000000-0000-0000-0000-000000000000" }, Status: 404, Want: "HTTP 404"},
		{Name: "5xx", Set: func(s *mistsim.Server, _ *config.Mist) { s.SetFaults(mistsim.Faults{ErrorRate: 1, ErrorStatus: 503}) }, Status: 503, Want: "HTTP 503"},
		{Name: "429 without Retry-After", Set: func(s *mistsim.Server, _ *config.Mist) { s.SetFaults(mistsim.Faults{RateLimit: true}) }, Status: 429, Want: "5000 API Calls per hour"},
		{Name: "truncated", Set: func(s *mistsim.Server, _ *config.Mist) { s.SetFaults(mistsim.Faults{Truncate: true}) }, Status: 0, Want: "decoding"},
		{Name: "malformed", Set: func(s *mistsim.Server, _ *config.Mist) { s.SetFaults(mistsim.Faults{Malformed: true}) }, Status: 0, Want: "decoding"},
		{Name: "reset", Set: func(s *mistsim.Server, _ *config.Mist) { s.SetFaults(mistsim.Faults{Reset: true}) }, Status: 0, Want: "/api/v1/orgs/{org_id}/stats/sites"},
	}, func(t *testing.T, set func(*mistsim.Server, *config.Mist)) (string, error) {
		sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1})
		cfg := mistConfig(t, base, "", sim.Credentials())
		cfg.OrgID = sim.Credentials().OrgID
		set(sim, cfg)
		c, _ := newClient(t, cfg)
		_, err := c.Sites(context.Background())
		return sim.Credentials().Token, err
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1, RetryAfter: true, HourlyLimit: 1})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	c.req.MaxWait = time.Millisecond // the hour boundary is far: give up at once
	_, err := c.Sites(context.Background())
	var apiErr *vendors.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RetryAfter <= 0 {
		t.Fatalf("Sites() past the hourly limit = %v; want a 429 carrying its Retry-After", err)
	}
	if calls := sim.Calls(); calls > 3 {
		t.Errorf("simulator saw %d calls; want no retries past a Retry-After longer than MaxWait", calls)
	}
}

func TestCancelledContext(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1})
	sim.SetFaults(mistsim.Faults{Latency: 5 * time.Second})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Devices(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Devices() with an expiring context = %v; want context.DeadlineExceeded", err)
	}
}

func TestSiteFilter(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small"})
	all, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	// The kept site is one with open alarms, so the alarm filter has some
	// to keep and others to drop.
	every := vendortest.Get(t, "Alarms()", all.Alarms)
	var keep string
	for _, a := range every.Alarms {
		if keep = a.Site; keep != "" {
			break
		}
	}
	if keep == "" {
		t.Fatal("Alarms() = no alarm of a site; want an org with site alarms to filter")
	}
	wantAlarms := 0
	for _, a := range every.Alarms {
		if a.Site == keep {
			wantAlarms++
		}
	}
	if wantAlarms == len(every.Alarms) {
		t.Fatalf("every open alarm is of site %q; want some of other sites for the filter to drop", keep)
	}
	c, _ := newClient(t, mistConfig(t, base, "    sites:\n      names: [\""+keep+"\"]\n", sim.Credentials()))
	devs := vendortest.Get(t, "Devices()", c.Devices)
	if len(devs.Devices) == 0 {
		t.Fatalf("Devices() with a site filter = none; want the devices of %s", keep)
	}
	for _, d := range devs.Devices {
		if d.Site != keep {
			t.Errorf("device %s of site %q passed the filter for %q", d.Name, d.Site, keep)
		}
	}
	alarms := vendortest.Get(t, "Alarms()", c.Alarms)
	if len(alarms.Alarms) != wantAlarms {
		t.Errorf("Alarms() with a site filter = %d alarms; want the %d of %s", len(alarms.Alarms), wantAlarms, keep)
	}
	for _, a := range alarms.Alarms {
		if a.Site != keep {
			t.Errorf("alarm of site %q passed the filter for %q", a.Site, keep)
		}
	}
}

func TestNextCursorMustBeRelative(t *testing.T) {
	var hits int
	base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		_, _ = w.Write([]byte(`{"total": 2, "results": [{"id": "a"}], "next": "https://elsewhere.example/api/v1/x"}`))
	}))
	cfg := mistConfig(t, base, "    org_id: o\n", mistsim.Credentials{Token: "t"})
	c, _ := newClient(t, cfg)
	// Known sites, so the alarms search is the first call.
	_, _ = c.sites.Last(context.Background(), func(context.Context) (siteWalk, error) {
		return siteWalk{idx: &siteIndex{names: map[string]string{}, kept: map[string]bool{}}}, nil
	})
	_, err := c.Alarms(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not a relative /api/v1/ path") || hits != 1 {
		t.Errorf("Alarms() with an absolute next = %v after %d calls; want a refusal after 1", err, hits)
	}
}

// TestPagingThatNeverEnds walks searches and lists whose paging does not
// end: each stops with an error within a few pages, not a thousand.
func TestPagingThatNeverEnds(t *testing.T) {
	for _, tt := range []struct {
		name    string
		f       mistsim.Faults
		wantErr string
	}{
		{"next points back at its page", mistsim.Faults{NextLoop: true}, "cursor loop"},
		{"next on every page", mistsim.Faults{EndlessPaging: true}, "next cursors go on past"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1})
			c, _ := newClient(t, mistConfig(t, base, "    page_size: 20\n", sim.Credentials()))
			ctx := context.Background()
			if _, err := c.Sites(ctx); err != nil {
				t.Fatal(err)
			}
			n := sim.Sizes()
			sim.SetFaults(tt.f)
			for _, s := range []struct {
				name  string
				fetch func() error
				pages int // a healthy walk's
			}{
				{"clients", func() error { _, err := c.Clients(ctx); return err }, ceilDiv(n.Clients, 20)},
				{"alarms", func() error { _, err := c.Alarms(ctx); return err }, max(1, ceilDiv(n.OpenAlarms, 20))},
			} {
				sim.ResetCalls()
				err := s.fetch()
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || sim.Calls() > 2*s.pages+1 {
					t.Errorf("%s = %v after %d calls; want %q within %d calls", s.name, err, sim.Calls(), tt.wantErr, 2*s.pages+1)
				}
			}
			// Lists whose total keeps growing.
			sim.ResetCalls()
			_, err := c.Devices(ctx)
			if tt.f.EndlessPaging && (err == nil || !strings.Contains(err.Error(), "the total grew") || sim.Calls() > 2*ceilDiv(n.Devices, 20)+1) {
				t.Errorf("devices = %v after %d calls; want the total's growth refused", err, sim.Calls())
			}
		})
	}
}

// TestShrinkingTotals walks lists and searches whose totals drop after the
// first page: the walks end early, without an error.
func TestShrinkingTotals(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 1})
	c, _ := newClient(t, mistConfig(t, base, "    page_size: 10\n", sim.Credentials()))
	ctx := context.Background()
	n := sim.Sizes()
	sim.SetFaults(mistsim.Faults{ShrinkTotal: true})
	devs, err := c.Devices(ctx)
	if err != nil || len(devs.Devices) >= n.Devices || len(devs.Devices) < n.Devices-n.Devices/3 {
		t.Errorf("Devices() = %d devices, %v; want about %d and no error", len(devs.Devices), err, n.Devices-n.Devices/3)
	}
	if _, err := c.Clients(ctx); err != nil {
		t.Errorf("Clients() = %v; want no error", err)
	}
}

func TestSeverityMapping(t *testing.T) {
	for in, want := range map[string]string{
		"critical": "critical", "major": "major", "minor": "minor", "warn": "warning",
		"WARNING": "warning", "info": "info", "notice": "info", "": "info",
	} {
		if got := Severity(in); got != want {
			t.Errorf("Severity(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestCollectionsStartingTogether: the collections, started at once as the
// exporter starts them, discover the org once and walk the sites once,
// whichever starts first.
func TestCollectionsStartingTogether(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 3, Size: "small"})
	cfg := mistConfig(t, base, "    page_size: 25\n", sim.Credentials())
	ctx := context.Background()
	want := pageMinimum(t, cfg)
	sim.SetFaults(mistsim.Faults{Latency: 30 * time.Millisecond})
	simtest.StartTogether(t, sim, want, 5*time.Millisecond, func() map[string]func() error {
		c, _ := newClient(t, cfg)
		return map[string]func() error{
			"sites": func() error { _, err := c.Sites(ctx); return err },
			"devices": func() error {
				d, err := c.Devices(ctx)
				if err == nil && d.Devices[0].Site == d.Devices[0].SiteID {
					err = fmt.Errorf("device %s has no site name", d.Devices[0].Name)
				}
				return err
			},
			"clients":   func() error { _, err := c.Clients(ctx); return err },
			"alarms":    func() error { _, err := c.Alarms(ctx); return err },
			"usage":     func() error { _, err := c.Usage(ctx); return err },
			"ports":     func() error { _, err := c.Ports(ctx); return err },
			"vpn_peers": func() error { _, err := c.VPNPeers(ctx); return err },
			"tunnels":   func() error { _, err := c.Tunnels(ctx); return err },
			"bgp_peers": func() error { _, err := c.BGPPeers(ctx); return err },
			"mxedges":   func() error { _, err := c.MistEdges(ctx); return err },
			"sle":       func() error { _, err := c.SLEs(ctx); return err },
		}
	})
}

// count takes what a fetch returned and counts it with n, once it knows
// the fetch succeeded.
func count[T any](v *T, err error) func(n func(*T) int) (int, error) {
	return func(n func(*T) int) (int, error) {
		if err != nil {
			return 0, err
		}
		return n(v), nil
	}
}

// TestServerPageSize runs every collection against a server whose largest
// page is below, equal to and above the configured page_size, one that
// clamps a larger limit and one that refuses it: each list is read
// complete, and where the server clamps, at the page-count minimum of the
// server's page size.
func TestServerPageSize(t *testing.T) {
	const pageSize = 20
	for _, most := range []int{7, pageSize, 1000} {
		for _, refuse := range []bool{false, true} {
			t.Run(fmt.Sprintf("server max %d, refusing larger %v", most, refuse), func(t *testing.T) {
				sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 3, MaxLimit: most, RefuseLargeLimit: refuse})
				cfg := mistConfig(t, base, fmt.Sprintf("    page_size: %d\n    ports: {keep: all}\n", pageSize), sim.Credentials())
				minimum := pageMinimum(t, cfg)
				c, _ := newClient(t, cfg)
				ctx := context.Background()
				want := sim.Sizes()
				sim.ResetCalls()
				for _, l := range []struct {
					name  string
					fetch func() (int, error)
					want  int
				}{
					{"sites", func() (int, error) { return count(c.Sites(ctx))(func(s *Sites) int { return len(s.Sites) }) }, want.Sites},
					{"devices", func() (int, error) { return count(c.Devices(ctx))(func(d *Devices) int { return len(d.Devices) }) }, want.Devices},
					{"clients", func() (int, error) { return count(c.Clients(ctx))(func(cl *Clients) int { return cl.Total }) }, want.Clients},
					{"alarms", func() (int, error) { return count(c.Alarms(ctx))(func(a *Alarms) int { return len(a.Alarms) }) }, want.OpenAlarms},
					{"usage", func() (int, error) { _, err := c.Usage(ctx); return 0, err }, 0},
					{"ports", func() (int, error) { return count(c.Ports(ctx))(func(p *Ports) int { return len(p.Ports) }) }, want.Ports},
					{"vpn_peers", func() (int, error) { return count(c.VPNPeers(ctx))(func(p *Peers) int { return len(p.Peers) }) }, want.VPNPeers},
					{"tunnels", func() (int, error) { return count(c.Tunnels(ctx))(func(p *Peers) int { return len(p.Peers) }) }, want.WANTunnels},
					{"bgp_peers", func() (int, error) { return count(c.BGPPeers(ctx))(func(p *Peers) int { return len(p.Peers) }) }, want.BGPPeers},
					{"mxedges", func() (int, error) { return count(c.MistEdges(ctx))(func(e *Edges) int { return len(e.Edges) }) }, want.MxEdges},
					{"sle", func() (int, error) { _, err := c.SLEs(ctx); return 0, err }, 0},
				} {
					if got, err := l.fetch(); err != nil || got != l.want {
						t.Fatalf("%s = %d, %v; want %d", l.name, got, err, l.want)
					}
				}
				if refusing := refuse && most < pageSize; !refusing && sim.Calls() != minimum {
					t.Errorf("a refresh made %d calls; want the page-count minimum %d at the server's page size (%v)", sim.Calls(), minimum, sim.CallsByPath())
				}
			})
		}
	}
}

// TestDeviceStatsNamesItsFields: stats/devices serves a subset of fields
// unless fields names them, and which subset is not documented; the client
// names what it reads, so it gets them whether the server adds the named
// fields to its subset or serves only those.
func TestDeviceStatsNamesItsFields(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    mistsim.Options
	}{
		{"default subset lacks uptime, last_seen and num_clients", mistsim.Options{Seed: 7}},
		{"fields=a,b serves a and b only", mistsim.Options{Seed: 7, FieldsMask: true}},
		{"every field by default", mistsim.Options{Seed: 7, OptInFields: []string{}}},
		{"nothing the client reads unless named", mistsim.Options{Seed: 7, OptInFields: deviceStatsFields}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim, base := vendortest.Serve(t, mistsim.New, tt.o)
			c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
			devs := vendortest.Get(t, "Devices()", c.Devices)
			byMAC := map[string]model.Device{}
			for _, d := range devs.Devices {
				byMAC[d.MAC] = d
			}
			for _, d := range sim.Devices() {
				got, ok := byMAC[d.MAC]
				switch {
				case !ok:
					t.Fatalf("device %s missing", d.MAC)
				case got.Name != d.Name || got.Serial != d.Serial || got.Model != d.Model || got.Up != d.Connected:
					t.Errorf("device %+v; want name %s, serial %s, model %s, up %v", got, d.Name, d.Serial, d.Model, d.Connected)
				case d.Connected && (got.Uptime <= 0 || got.LastSeen <= 0):
					t.Errorf("connected device %s uptime %v, last seen %v; want both", d.Name, got.Uptime, got.LastSeen)
				case got.Type == "ap" && d.Connected && got.Clients < 0:
					t.Errorf("AP %s clients %d; want a count", d.Name, got.Clients)
				}
			}
		})
	}
}

// TestWebhookObeysSiteFilter: a webhook alarm of a site the source's
// filter leaves out is counted, not kept, as a polled one is not.
func TestWebhookObeysSiteFilter(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small"})
	all, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	ctx := context.Background()
	allSites := vendortest.Get(t, "Sites()", all.Sites)
	kept, other := allSites.Sites[0], allSites.Sites[1]
	c, _ := newClient(t, mistConfig(t, base, "    sites:\n      names: [\""+kept.Name+"\"]\n", sim.Credentials()))
	sites := vendortest.Get(t, "Sites()", c.Sites)
	body := fmt.Sprintf(`{"topic": "alarms", "events": [
		{"id": "a1", "site_id": %q, "type": "device_down", "timestamp": 1, "last_seen": 1},
		{"id": "a2", "site_id": %q, "type": "device_down", "timestamp": 1, "last_seen": 1},
		{"id": "a3", "site_id": "not-a-site-yet", "type": "device_down", "timestamp": 1, "last_seen": 1}]}`, kept.ID, other.ID)
	res, err := c.Webhook(ctx, []byte(body), sites, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alarms) != 1 || res.Alarms[0].Alarm.ID != "a1" || res.Alarms[0].Alarm.Site != kept.Name || res.Filtered != 2 || res.Events != 3 {
		t.Errorf("Webhook() = %d alarms %v, %d filtered of %d events; want a1 of %s kept, 2 filtered of 3",
			len(res.Alarms), res.Alarms, res.Filtered, res.Events, kept.Name)
	}
	res, err = all.Webhook(ctx, []byte(body), allSites, nil, nil)
	if err != nil || len(res.Alarms) != 3 || res.Filtered != 0 {
		t.Errorf("Webhook() without a filter = %+v, %v; want all 3 kept", res, err)
	}
}

// TestWebhookDatesAndNamesEvents: an alarm event is dated by the later of
// its timestamp and last_seen, and a second delivery of it carries the
// same event while an update of the alarm does not.
func TestWebhookDatesAndNamesEvents(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small"})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	event := `{"id": "a1", "type": "device_down", "timestamp": %s, "last_seen": %s, "count": %d, "update": %t}`
	body := `{"topic": "alarms", "events": [` +
		fmt.Sprintf(event, "1720590000", "1720594000.5", 1, false) + `, ` +
		fmt.Sprintf(event, "1720590000", "1720594000.5", 1, false) + `, ` +
		fmt.Sprintf(event, "1720590000", "1720594300", 2, true) + `, ` +
		`{"id": "a2", "type": "device_down"}]}`
	res, err := c.Webhook(context.Background(), []byte(body), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alarms) != 4 {
		t.Fatalf("Webhook() = %d alarms; want 4", len(res.Alarms))
	}
	a := res.Alarms
	if want := time.Unix(1720594000, 5e8); !a[0].At.Equal(want) {
		t.Errorf("event dated %v; want its last_seen, %v", a[0].At, want)
	}
	if a[0].Event != a[1].Event || a[0].Event == a[2].Event || a[0].Alarm.ID != a[2].Alarm.ID {
		t.Errorf("events %q, %q, %q; want the first two alike, the update another event of the same alarm", a[0].Event, a[1].Event, a[2].Event)
	}
	if !a[3].At.IsZero() {
		t.Errorf("an event without timestamp dated %v; want no date", a[3].At)
	}
}

// TestDeviceEventWebhooks: device-events (either spelling) and
// device-updowns give the devices they say went down or up, by MAC as the
// device stats write it; events of other kinds are counted, not read.
func TestDeviceEventWebhooks(t *testing.T) {
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 7, Size: "small"})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	for _, tc := range []struct {
		name, body string
		want       []model.DeviceState
	}{
		{"device-events, mist.md's example", `{"topic": "device-events", "events": [
  {"device_name": "hq-ap-07", "device_type": "ap", "ev_type": "warn", "mac": "5c5b35d00801",
   "site_id": "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f", "site_name": "HQ-Amsterdam", "timestamp": 1720594000,
   "type": "AP_DISCONNECTED", "reason": "heartbeat-missed"}]}`,
			[]model.DeviceState{{MAC: "5c5b35d00801", Up: false, At: time.Unix(1720594000, 0)}}},
		{"device_events, the OAS sample's spelling", `{"topic": "device_events", "events": [
  {"mac": "5C:5B:35:D0:08:01", "type": "SW_RECONNECTED", "timestamp": 1720594001},
  {"mac": "5c5b35d00802", "type": "AP_CONFIG_CHANGED_BY_USER", "timestamp": 1720594002}]}`,
			[]model.DeviceState{{MAC: "5c5b35d00801", Up: true, At: time.Unix(1720594001, 0)}}},
		{"device-updowns", `{"topic": "device-updowns", "events": [
  {"ap": "5c5b35d00803", "ap_name": "hq-ap-09", "site_id": "s", "site_name": "HQ", "timestamp": 1720594003, "type": "AP_DISCONNECTED"}]}`,
			[]model.DeviceState{{MAC: "5c5b35d00803", Up: false, At: time.Unix(1720594003, 0)}}},
		{"audits", `{"topic": "audits", "events": [{"id": "x"}]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Webhook(context.Background(), []byte(tc.body), nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(res.Devices, tc.want, func(a, b model.DeviceState) bool {
				return a.MAC == b.MAC && a.Up == b.Up && a.At.Equal(b.At)
			}) {
				t.Errorf("Devices = %+v; want %+v", res.Devices, tc.want)
			}
		})
	}
	if _, err := c.Webhook(context.Background(), []byte(`{"topic": "device-events", "events": [{"mac": 5}]}`), nil, nil, nil); err == nil {
		t.Errorf("a device event with a numeric mac decoded without an error")
	}
}
