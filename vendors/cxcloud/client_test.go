package cxcloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/cxcloud/cxsim"
	"github.com/nmsexporter/nms_exporter/vendors/simkit/simtest"
)

// recorder keeps the URLs the simulator was asked for.
type recorder struct {
	mu   sync.Mutex
	urls []string
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.urls = append(r.urls, req.URL.String())
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func newSim(t testing.TB, o cxsim.Options) (*cxsim.Server, string, *recorder) {
	t.Helper()
	sim, err := cxsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(sim))
	t.Cleanup(srv.Close)
	return sim, srv.URL, rec
}

// cxConfig is a parsed config section for the simulator, so defaults
// apply as they do for users.
func cxConfig(t testing.TB, base string, cr cxsim.Credentials, extra string) *config.CXCloud {
	t.Helper()
	y := fmt.Sprintf("cxcloud:\n  - name: cx\n    base_url: %s/bcs/v2\n    token_url: %s/oauth2/token\n    client_id: %s\n    client_secret: %s\n%s",
		base, base, cr.ClientID, cr.ClientSecret, extra)
	c, err := config.Parse([]byte(y), "cx.yml")
	if err != nil {
		t.Fatal(err)
	}
	return &c.CXCloud[0]
}

func newClient(t testing.TB, cfg *config.CXCloud, now func() time.Time) (*Client, *vendors.Budget) {
	t.Helper()
	b := vendors.NewBudget(vendors.BudgetConfig{PerDay: cfg.Budget.RequestsPerDay}, now)
	c, err := New(cfg, Options{Budget: b, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	c.req.BaseBackoff = time.Millisecond
	c.req.MaxBackoff = 5 * time.Millisecond
	return c, b
}

// pageMinimum asks a client of its own for the page-count minimum.
func pageMinimum(t testing.TB, cfg *config.CXCloud) int {
	t.Helper()
	c, _ := newClient(t, cfg, nil)
	n, err := c.PageMinimum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFetchMatchesSimulator(t *testing.T) {
	sim, base, rec := newSim(t, cxsim.Options{Seed: 3, Size: "small"})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
	ctx := context.Background()
	want := sim.Sizes()

	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatalf("Inventory() = %v", err)
	}
	if len(inv.Devices) != want.Devices {
		t.Errorf("devices = %d; want %d", len(inv.Devices), want.Devices)
	}
	for _, d := range inv.Devices {
		if d.Serial == "" || d.Model == "" {
			t.Errorf("device %+v: want its chassis serial and product id", d)
			break
		}
	}
	fns, err := c.FieldNotices(ctx)
	if err != nil {
		t.Fatalf("FieldNotices() = %v", err)
	}
	if fns.Total != want.FieldNoticeMatches || len(fns.Notices) != want.FieldNoticeBulletins || len(fns.Counts) == 0 {
		t.Errorf("field notices = %d matches, %d bulletins, %d counts; want %d, %d and some",
			fns.Total, len(fns.Notices), len(fns.Counts), want.FieldNoticeMatches, want.FieldNoticeBulletins)
	}
	for _, n := range fns.Counts {
		switch n.MatchConfidence {
		case "vulnerable", "potentially_vulnerable", "not_vulnerable":
		default:
			t.Errorf("match confidence %q; want vulnerable, potentially_vulnerable or not_vulnerable", n.MatchConfidence)
		}
	}
	adv, err := c.Advisories(ctx)
	if err != nil {
		t.Fatalf("Advisories() = %v", err)
	}
	if len(adv.Counts) == 0 || len(adv.Advisories) != want.AdvisoryBulletins {
		t.Errorf("advisories = %d counts, %d bulletins; want some and %d", len(adv.Counts), len(adv.Advisories), want.AdvisoryBulletins)
	}
	for _, a := range adv.Counts {
		if !strings.HasPrefix(a.Advisory, "cisco-sa-") || a.Impact == "" {
			t.Errorf("advisory count %+v: want the advisory id and its impact", a)
			break
		}
	}
	eol, err := c.EndOfLife(ctx)
	if err != nil {
		t.Fatalf("EndOfLife() = %v", err)
	}
	kinds := map[string]bool{}
	for _, m := range eol.Milestones {
		kinds[m.Milestone] = true
	}
	if !kinds["last_date_of_support"] || !kinds["software_last_date_of_support"] {
		t.Errorf("milestones %v; want hardware and software last dates of support", kinds)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, u := range rec.urls {
		if strings.HasPrefix(u, "/bcs/v2/") && !strings.Contains(u, "fields=") {
			t.Errorf("request %s carries no field mask", u)
		}
		if strings.Contains(u, "securityAdvisories?") && !strings.Contains(u, "matchConfidence=Vulnerable") {
			t.Errorf("request %s fetches every advisory match; want the vulnerable ones only", u)
		}
	}
}

func TestUnchangedDataCostsNotModified(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, Size: "small"})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
	ctx := context.Background()
	first, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sim.ResetCalls()
	again, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Calls() == 0 || sim.NotModified() != sim.Calls() {
		t.Errorf("repeat inventory: %d of %d calls were 304s; want all", sim.NotModified(), sim.Calls())
	}
	if len(again.Devices) != len(first.Devices) || again.Devices[0] != first.Devices[0] {
		t.Errorf("inventory from 304s differs from the first fetch")
	}
	// An upload changes some endpoints: those answer 200 with new data.
	sim.Step()
	sim.ResetCalls()
	if _, err := c.Inventory(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FieldNotices(ctx); err != nil {
		t.Fatal(err)
	}
	if sim.NotModified() == sim.Calls() {
		t.Errorf("after an upload every call was a 304; want the changed endpoints fetched again")
	}
}

func TestTokenExpiryAndRefresh(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 1})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
	ctx := context.Background()
	if _, err := c.Inventory(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sim.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d; want 1 reused for every call", got)
	}
	sim.ExpireTokens()
	if _, err := c.Inventory(ctx); err != nil {
		t.Fatalf("Inventory() after the token was revoked = %v; want a new token and success", err)
	}
	if got := sim.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d; want 2", got)
	}

	bad := cxConfig(t, base, sim.Credentials(), "")
	bad.ClientSecret = "wrong-secret"
	c2, _ := newClient(t, bad, nil)
	_, err := c2.Inventory(ctx)
	if err == nil || !strings.Contains(err.Error(), "OAuth2 token") || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("Inventory() with a wrong secret = %v; want a token error without the secret", err)
	}
}

func TestTokenRenewedBeforeItLapses(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sim, base, _ := newSim(t, cxsim.Options{Seed: 1, TokenTTL: 10 * time.Minute, Now: clock})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), clock)
	if _, err := c.Inventory(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(9*time.Minute + 30*time.Second) // within the renewal margin
	mu.Unlock()
	if _, err := c.Inventory(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sim.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d; want 2: the token is renewed before it lapses, not after a 401", got)
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 1, PerSecond: 2})
	// No local limiter: the simulator's 429s and Retry-After pace the calls.
	c, b := newClient(t, cxConfig(t, base, sim.Credentials(), "    page_size: 10\n    budget:\n      concurrency: 1\n"), nil)
	if _, err := c.Inventory(context.Background()); err != nil {
		t.Fatalf("Inventory() under 429s = %v; want the Retry-After honoured and success", err)
	}
	if sim.RateLimited() == 0 {
		t.Fatalf("no 429 was served; the test needs some")
	}
	st := b.State()
	if st.Throttled < 500*time.Millisecond {
		t.Errorf("throttled %v; want the Retry-After waits counted", st.Throttled)
	}
	if _, ok := st.VendorRemaining["day"]; !ok {
		t.Errorf("vendor remaining = %v; want the day's figure from X-RateLimit-Remaining-Day", st.VendorRemaining)
	}
}

func TestDayBudgetSpent(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 1})
	cfg := cxConfig(t, base, sim.Credentials(), "    page_size: 10\n    budget:\n      requests_per_day: 3\n      concurrency: 1\n")
	c, _ := newClient(t, cfg, nil)
	_, err := c.Inventory(context.Background())
	var spent *vendors.BudgetError
	if !errors.As(err, &spent) || spent.Window != "day" {
		t.Fatalf("Inventory() past the day's budget = %v; want a day BudgetError", err)
	}
	if got := sim.Calls(); got != 3 {
		t.Errorf("simulator saw %d calls; want exactly the budget of 3", got)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults cxsim.Faults
		status int
		want   string
	}{
		{"500", cxsim.Faults{ErrorRate: 1, ErrorStatus: 500}, 500, "HTTP 500"},
		{"503", cxsim.Faults{ErrorRate: 1, ErrorStatus: 503}, 503, "HTTP 503"},
		{"truncated", cxsim.Faults{Truncate: true}, 0, "decoding"},
		{"malformed", cxsim.Faults{Malformed: true}, 0, "decoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, base, _ := newSim(t, cxsim.Options{Seed: 1})
			sim.SetFaults(tc.faults)
			c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
			_, err := c.Inventory(context.Background())
			if err == nil || vendors.StatusCode(err) != tc.status || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Inventory() = %v (status %d); want %d containing %q", err, vendors.StatusCode(err), tc.status, tc.want)
			}
		})
	}
}

func TestMappings(t *testing.T) {
	for in, want := range map[string]string{"Vulnerable": "vulnerable", "Potentially Vulnerable": "potentially_vulnerable", "Not Vulnerable": "not_vulnerable"} {
		if got := confidence(in); got != want {
			t.Errorf("confidence(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[[2]string]string{
		{"Cisco Catalyst 9300 Series Switches", "LAN Switches"}:                 "switch",
		{"Cisco 4000 Series Integrated Services Routers", "Routers"}:            "router",
		{"Cisco Catalyst 9800 Wireless Controllers", "Wireless LAN Controller"}: "controller",
		{"Cisco Catalyst 9100 Access Points", "Wireless"}:                       "ap",
	} {
		if got := deviceType(in[0], in[1]); got != want {
			t.Errorf("deviceType(%q, %q) = %q; want %q", in[0], in[1], got, want)
		}
	}
	if at, ok := parseDate("2027-03-31"); !ok || at != time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("parseDate(2027-03-31) = %d, %v", at, ok)
	}
}

// TestCollectionsStartingTogether: the collections, started at once as the
// exporter starts them, walk the inventory once, whichever of inventory and
// eox starts first.
func TestCollectionsStartingTogether(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, Size: "small", PerSecond: 1000, PerDay: 1 << 30})
	cfg := cxConfig(t, base, sim.Credentials(), "    page_size: 20\n")
	ctx := context.Background()
	want := pageMinimum(t, cfg)
	sim.SetFaults(cxsim.Faults{Latency: 30 * time.Millisecond})
	simtest.StartTogether(t, sim, want, 5*time.Millisecond, func() map[string]func() error {
		c, _ := newClient(t, cfg, nil)
		return map[string]func() error{
			"inventory":     func() error { _, err := c.Inventory(ctx); return err },
			"field_notices": func() error { _, err := c.FieldNotices(ctx); return err },
			"advisories":    func() error { _, err := c.Advisories(ctx); return err },
			"eox": func() error {
				e, err := c.EndOfLife(ctx)
				if err == nil && e.Milestones[0].Serial == "" {
					err = fmt.Errorf("milestone %+v has no serial number", e.Milestones[0])
				}
				return err
			},
		}
	})
}
