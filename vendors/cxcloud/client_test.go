package cxcloud

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
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
	rec := &recorder{}
	sim, base := vendortest.Serve(t, cxsim.New, o, rec.wrap)
	return sim, base, rec
}

// cxConfig is a parsed config section for the simulator, so defaults
// apply as they do for users.
func cxConfig(t testing.TB, base string, cr cxsim.Credentials, extra string) *config.CXCloud {
	t.Helper()
	y := fmt.Sprintf("cxcloud:\n  - name: cx\n    base_url: %s%s\n    token_url: %s%s\n    client_id: %s\n    client_secret: %s\n%s",
		base, cr.BasePath(), base, cr.TokenPath(), cr.ClientID, cr.ClientSecret, extra)
	return &vendortest.Parse(t, y, "cx.yml").CXCloud[0]
}

// listsPlan is the config line of the lists plan, for the tests of how
// lists are walked; without it a source reads bulk/alerts.
const listsPlan = "    plan: lists\n"

// plans are the two plans, each with the simulator options its test runs
// against: the bulk plan against bulk/alerts as conditional as the lists,
// so that the data's processing time is there to check.
var plans = []struct {
	name, extra string
	sim         cxsim.Options
}{
	{"lists", listsPlan, cxsim.Options{}},
	{"bulk", "", cxsim.Options{BulkConditional: true}},
	{"bulk with its quirks", "", cxsim.Options{BulkQuirks: true}},
}

func newClient(t testing.TB, cfg *config.CXCloud, now func() time.Time) (*Client, *vendors.Budget) {
	t.Helper()
	b := vendors.NewBudget(vendors.BudgetConfig{PerDay: cfg.Budget.RequestsPerDay}, now)
	c := vendortest.Build(t, New, cfg, Options{Budget: b, Now: now})
	vendortest.QuickRetries(c.req)
	return c, b
}

// pageMinimum asks a client of its own for the page-count minimum.
func pageMinimum(t testing.TB, cfg *config.CXCloud) int {
	t.Helper()
	c, _ := newClient(t, cfg, nil)
	n := vendortest.Get(t, "PageMinimum()", c.PageMinimum)
	return n
}

func TestFetchMatchesSimulator(t *testing.T) {
	for _, p := range plans {
		t.Run(p.name, func(t *testing.T) {
			o := p.sim
			o.Seed, o.Size = 3, "small"
			testFetchMatchesSimulator(t, o, p.extra)
		})
	}
}

func testFetchMatchesSimulator(t *testing.T, o cxsim.Options, extra string) {
	sim, base, rec := newSim(t, o)
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), extra), nil)
	want := sim.Sizes()
	// The data's processing time comes with answers that carry
	// Last-Modified: the lists', and bulk/alerts' where it is conditional.
	stamped := !c.bulkPlan || o.BulkConditional

	inv := vendortest.Get(t, "Inventory()", c.Inventory)
	if len(inv.Devices) != want.Devices {
		t.Errorf("devices = %d; want %d", len(inv.Devices), want.Devices)
	}
	for _, d := range inv.Devices {
		if d.Serial == "" || d.Model == "" {
			t.Errorf("device %+v: want its chassis serial and product id", d)
			break
		}
	}
	fns := vendortest.Get(t, "FieldNotices()", c.FieldNotices)
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
	adv := vendortest.Get(t, "Advisories()", c.Advisories)
	if len(adv.Counts) == 0 || len(adv.Advisories) != want.AdvisoryBulletins {
		t.Errorf("advisories = %d counts, %d bulletins; want some and %d", len(adv.Counts), len(adv.Advisories), want.AdvisoryBulletins)
	}
	scored := 0
	for _, a := range adv.Advisories {
		if a.CVSS != nil {
			scored++
			if *a.CVSS < 0 || *a.CVSS > 10 || len(a.CVEs) == 0 || !strings.HasPrefix(a.CVEs[0], "CVE-") {
				t.Errorf("advisory %s: CVSS %v, CVEs %q; want a score of 0 to 10 and its CVE ids", a.ID, *a.CVSS, a.CVEs)
			}
		}
	}
	if scored == 0 {
		t.Errorf("no advisory has a CVSS base score; want the bulletins' scores")
	}
	for _, a := range adv.Counts {
		if !strings.HasPrefix(a.Advisory, "cisco-sa-") || a.Impact == "" {
			t.Errorf("advisory count %+v: want the advisory id and its impact", a)
			break
		}
	}
	eol := vendortest.Get(t, "EndOfLife()", c.EndOfLife)
	kinds := map[string]bool{}
	for _, m := range eol.Milestones {
		kinds[m.Milestone] = true
	}
	if !kinds["last_date_of_support"] || !kinds["software_last_date_of_support"] {
		t.Errorf("milestones %v; want hardware and software last dates of support", kinds)
	}
	// One coverage per device, by its chassis serial; a covered device has
	// its contract's end, and every device a warranty end.
	con := vendortest.Get(t, "Contracts()", c.Contracts)
	serials := map[string]string{}
	for _, d := range inv.Devices {
		serials[d.Serial] = d.Name
	}
	if len(con.Coverage) != len(inv.Devices) || (con.LastModified != 0) != stamped {
		t.Errorf("coverage of %d devices, last modified %d; want all %d and the data's processing time",
			len(con.Coverage), con.LastModified, len(inv.Devices))
	}
	covered := 0
	for _, cov := range con.Coverage {
		if serials[cov.Serial] != cov.Device || cov.Covered == nil || cov.WarrantyEnd == 0 {
			t.Errorf("coverage %+v: want an inventory device by its chassis serial, covered or not, and a warranty end", cov)
			break
		}
		if *cov.Covered {
			covered++
			if cov.ContractEnd == 0 || cov.ServiceLine == "" {
				t.Errorf("covered %+v: want the contract's end and service line", cov)
			}
		} else if cov.ContractEnd != 0 {
			t.Errorf("not covered %+v: want no contract end", cov)
		}
	}
	if covered == 0 || covered == len(con.Coverage) {
		t.Errorf("%d of %d devices covered; want some covered and some not", covered, len(con.Coverage))
	}

	// Each device that reset: its last reset, typed, and its history.
	res := vendortest.Get(t, "Resets()", c.Resets)
	if len(res.Resets) == 0 || (res.LastModified != 0) != stamped {
		t.Errorf("%d resets, last modified %d; want some and the data's processing time", len(res.Resets), res.LastModified)
	}
	for _, r := range res.Resets {
		if r.Device == "" || r.At == 0 || (r.Type != "crash" && r.Type != "reload") || r.Reason == "" || len(r.Counts) == 0 {
			t.Errorf("reset %+v: want the device, its last reset's time, type (crash or reload) and reason, and its history", r)
			break
		}
	}

	if len(inv.Collectors) != want.Collectors || inv.LastModified == 0 {
		t.Errorf("inventory collectors = %d, last modified %d; want %d and the data's processing time", len(inv.Collectors), inv.LastModified, want.Collectors)
	}
	for _, col := range inv.Collectors {
		if col.ID == "" || col.Name == "" || col.LastUpload == 0 || col.UploadInterval != 86400 {
			t.Errorf("collector %+v; want its id, name, last upload and a one-day upload interval", col)
		}
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	bulk := 0
	for _, u := range rec.urls {
		if u == "/us/bcs/v2/bulk/alerts" {
			// No mask: whether one applies to the stream is not documented.
			bulk++
			continue
		}
		if strings.HasPrefix(u, "/us/bcs/v2/") && !strings.Contains(u, "fields=") {
			t.Errorf("request %s carries no field mask", u)
		}
		if strings.Contains(u, "max=") {
			t.Errorf("request %s sends a page size; the server picks it", u)
		}
		if strings.Contains(u, "securityAdvisories?") && !strings.Contains(u, "matchConfidence=Vulnerable") {
			t.Errorf("request %s fetches every advisory match; want the vulnerable ones only", u)
		}
		if c.bulkPlan && !strings.Contains(u, "/collectors?") && !strings.Contains(u, "/torii-auth/") {
			t.Errorf("the bulk plan asked for %s; want bulk/alerts and the collectors only", u)
		}
	}
	if want := map[bool]int{true: 1}[c.bulkPlan]; bulk != want {
		t.Errorf("bulk/alerts asked %d times; want %d, shared by the collections", bulk, want)
	}
}

// TestUnchangedDataCostsNotModified: a repeat refresh of unchanged data is
// answered 304, on every page, or on each list's first page only where the
// server applies If-None-Match there alone; the data is the same.
func TestUnchangedDataCostsNotModified(t *testing.T) {
	for _, firstOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("first page only %v", firstOnly), func(t *testing.T) {
			sim, base, _ := newSim(t, cxsim.Options{Seed: 3, Size: "small", PageSize: 20, PerSecond: 1000, FirstPageConditional: firstOnly})
			c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan), nil)
			ctx := context.Background()
			first := vendortest.Get(t, "Inventory()", c.Inventory)
			sim.ResetCalls()
			again := vendortest.Get(t, "Inventory()", c.Inventory)
			want := sim.Calls() // every page
			if firstOnly {
				want = 3 // the first page of devices, assets and collectors
			}
			if sim.Calls() <= 3 || sim.NotModified() != want {
				t.Errorf("repeat inventory: %d of %d calls were 304s; want %d", sim.NotModified(), sim.Calls(), want)
			}
			// Uptimes count on from the same reset; the rest is the same.
			d0, a0 := first.Devices[0], again.Devices[0]
			d0.Uptime, a0.Uptime = 0, 0
			if len(again.Devices) != len(first.Devices) || a0 != d0 {
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
		})
	}
}

func TestTokenExpiryAndRefresh(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 1})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
	ctx := context.Background()
	for _, f := range []func() error{
		func() error { _, err := c.Inventory(ctx); return err },
		func() error { _, err := c.FieldNotices(ctx); return err },
		func() error { _, err := c.Advisories(ctx); return err },
		func() error { _, err := c.EndOfLife(ctx); return err },
		func() error { _, err := c.Contracts(ctx); return err },
		func() error { _, err := c.Resets(ctx); return err },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
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
	sim.ResetCalls()
	_, err := c2.Inventory(ctx)
	if err == nil || !strings.Contains(err.Error(), "signing in at") || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("Inventory() with a wrong secret = %v; want a sign-in error without the secret", err)
	}
	if got := sim.TokenRequests(); got != 1 {
		t.Errorf("token requests with a wrong secret = %d; want 1", got)
	}
	// Requests waiting while a sign-in fails share its error: the
	// collections of a refresh started together ask once between them.
	c3, _ := newClient(t, bad, nil)
	sim.ResetCalls()
	// A slow token endpoint: every collection asks while the first sign-in
	// is under way.
	sim.SetFaults(cxsim.Faults{Latency: 100 * time.Millisecond, PathPrefix: "/torii-auth/"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c3.FieldNotices(ctx); err == nil {
				t.Errorf("FieldNotices() with a wrong secret = nil; want the sign-in's error")
			}
		})
	}
	wg.Wait()
	if got := sim.TokenRequests(); got != 1 {
		t.Errorf("token requests of 8 collections started together with a wrong secret = %d; want 1", got)
	}
	sim.SetFaults(cxsim.Faults{})
	// The next refresh signs in again: the secret may have been fixed.
	if _, err := c3.Inventory(ctx); err == nil || sim.TokenRequests() < 2 {
		t.Errorf("a later refresh = %v after %d token requests; want another sign-in", err, sim.TokenRequests())
	}
}

// TestTokenLapsesMidWalk: a token that lapses while pages are fetched
// several at a time is renewed once, not once per page refused.
func TestTokenLapsesMidWalk(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, Size: "medium", PageSize: 50, PerSecond: 1000})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan), nil)
	sim.SetFaults(cxsim.Faults{ExpireTokensAfter: 5})
	inv := vendortest.Get(t, "Inventory()", c.Inventory)
	if len(inv.Devices) != sim.Sizes().Devices {
		t.Errorf("devices = %d; want %d", len(inv.Devices), sim.Sizes().Devices)
	}
	if got := sim.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d; want 2: the first, and one renewal", got)
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
	for _, step := range []struct {
		after time.Duration
		want  int
		why   string
	}{
		{4 * time.Minute, 1, "the token is kept until it is due"},
		{2 * time.Minute, 2, "within the renewal margin, the token is renewed before it lapses, not after a 401"},
	} {
		mu.Lock()
		now = now.Add(step.after)
		mu.Unlock()
		if _, err := c.Inventory(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := sim.TokenRequests(); got != step.want {
			t.Errorf("token requests = %d; want %d: %s", got, step.want, step.why)
		}
	}
}

// TestTokenLifetime: expiresIn decides when the token is renewed; without
// it, the JWT's exp; without both, the documented 3200 s.
func TestTokenLifetime(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	jwt := func(exp int64) string {
		return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"exp":%d}`, exp))) + ".c2ln"
	}
	for _, tt := range []struct {
		name, body string
		renewAt    time.Duration
	}{
		{"expiresIn", fmt.Sprintf(`{"tokenType":"Bearer","expiresIn":3200,"accessToken":%q}`, jwt(now.Unix()+600)), 3200*time.Second - renewMargin},
		{"exp only", fmt.Sprintf(`{"tokenType":"Bearer","accessToken":%q}`, jwt(now.Unix()+1200)), 1200*time.Second - renewMargin},
		{"short exp", fmt.Sprintf(`{"accessToken":%q}`, jwt(now.Unix()+60)), 30 * time.Second},
		{"neither", `{"accessToken":"opaque"}`, documentedTTL - renewMargin},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var posts int
			base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				posts++
				var body map[string]string
				if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil ||
					body["grantType"] != "client_credentials" || body["clientId"] != "id" || body["secret"] != "s" || body["scope"] != Scope || len(body) != 4 {
					http.Error(w, "not the documented request", http.StatusBadRequest)
					return
				}
				fmt.Fprint(w, tt.body)
			}))
			ts := &tokenSource{url: base, clientID: "id", secret: "s", now: func() time.Time { return now }, req: &vendors.Requester{}}
			if _, _, err := ts.get(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := ts.renew.Sub(now); got != tt.renewAt {
				t.Errorf("renewal in %v; want %v", got, tt.renewAt)
			}
			if posts != 1 {
				t.Errorf("token requests = %d; want 1", posts)
			}
		})
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 1, PerSecond: 2, PageSize: 50})
	// No local limiter: the simulator's 429s and Retry-After pace the calls.
	c, b := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan+"    budget:\n      concurrency: 1\n"), nil)
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

// TestDayBudgetSpent: a refresh that needs more calls than the day has
// left makes those left, then fails with a day BudgetError; under the bulk
// plan, without walking the lists, which would meet the same.
func TestDayBudgetSpent(t *testing.T) {
	for _, tc := range []struct {
		plan   string
		budget int
	}{{listsPlan, 3}, {"", 1}} {
		sim, base, _ := newSim(t, cxsim.Options{Seed: 1, PageSize: 10})
		cfg := cxConfig(t, base, sim.Credentials(), tc.plan+fmt.Sprintf("    budget:\n      requests_per_day: %d\n      concurrency: 1\n", tc.budget))
		c, _ := newClient(t, cfg, nil)
		_, err := c.Inventory(context.Background())
		var spent *vendors.BudgetError
		if !errors.As(err, &spent) || spent.Window != "day" {
			t.Fatalf("plan %q: Inventory() past the day's budget = %v; want a day BudgetError", cfg.Plan, err)
		}
		if got := sim.Calls(); got != tc.budget {
			t.Errorf("plan %q: simulator saw %d calls (%v); want exactly the budget of %d", cfg.Plan, got, sim.CallsByPath(), tc.budget)
		}
	}
}

func TestErrors(t *testing.T) {
	vendortest.RunErrors(t, "Inventory()", []vendortest.ErrorCase[cxsim.Faults]{
		{Name: "500", Set: cxsim.Faults{ErrorRate: 1, ErrorStatus: 500}, Status: 500, Want: "HTTP 500"},
		{Name: "503", Set: cxsim.Faults{ErrorRate: 1, ErrorStatus: 503}, Status: 503, Want: "HTTP 503"},
		{Name: "truncated", Set: cxsim.Faults{Truncate: true}, Status: 0, Want: "decoding"},
		{Name: "malformed", Set: cxsim.Faults{Malformed: true}, Status: 0, Want: "decoding"},
	}, func(t *testing.T, faults cxsim.Faults) (string, error) {
		sim, base, _ := newSim(t, cxsim.Options{Seed: 1})
		sim.SetFaults(faults)
		c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
		_, err := c.Inventory(context.Background())
		return sim.Credentials().ClientSecret, err
	})
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
// exporter starts them, walk the inventory once, whichever of inventory,
// eox and contracts starts first.
func TestCollectionsStartingTogether(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, Size: "small", PerSecond: 1000, PerDay: 1 << 30, PageSize: 20})
	cfg := cxConfig(t, base, sim.Credentials(), "")
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
			"resets": func() error { _, err := c.Resets(ctx); return err },
			"contracts": func() error {
				con, err := c.Contracts(ctx)
				if err == nil && len(con.Coverage) == 0 {
					err = fmt.Errorf("no coverage read")
				}
				return err
			},
		}
	})
}

// TestServerPageSizes: the server picks the page size (1, 7, 100 or
// 1,000 items), counts offsets from 1 or from 0, and ignores or refuses
// unknown parameters: every list is read complete, at the page-count
// minimum of the server's page size.
func TestServerPageSizes(t *testing.T) {
	for _, size := range []int{1, 7, 100, 1000} {
		for _, o := range []cxsim.Options{{}, {ZeroBasedOffsets: true, StrictParams: true}} {
			o.Seed, o.PageSize, o.PerSecond, o.PerDay = 3, size, 1<<20, 1<<30
			t.Run(fmt.Sprintf("pages of %d, offsets from 0 %v", size, o.ZeroBasedOffsets), func(t *testing.T) {
				sim, base, _ := newSim(t, o)
				extra := ""
				if size != 1000 {
					extra = listsPlan // pages are the lists'; bulk/alerts has none
				}
				cfg := cxConfig(t, base, sim.Credentials(), extra)
				minimum := pageMinimum(t, cfg)
				c, _ := newClient(t, cfg, nil)
				ctx := context.Background()
				sim.ResetCalls()
				inv := vendortest.Get(t, "Inventory()", c.Inventory)
				fns := vendortest.Get(t, "FieldNotices()", c.FieldNotices)
				eol := vendortest.Get(t, "EndOfLife()", c.EndOfLife)
				vendortest.Get(t, "Resets()", c.Resets)
				con := vendortest.Get(t, "Contracts()", c.Contracts)
				if len(con.Coverage) != len(inv.Devices) {
					t.Errorf("coverage of %d devices; want all %d", len(con.Coverage), len(inv.Devices))
				}
				if _, err := c.Advisories(ctx); err != nil {
					t.Fatal(err)
				}
				z := sim.Sizes()
				if len(inv.Devices) != z.Devices || len(inv.Collectors) != z.Collectors || fns.Total != z.FieldNoticeMatches || len(fns.Notices) != z.FieldNoticeBulletins || len(eol.Milestones) == 0 {
					t.Errorf("read %d devices, %d collectors, %d field notice matches, %d bulletins; want %d, %d, %d, %d",
						len(inv.Devices), len(inv.Collectors), fns.Total, len(fns.Notices), z.Devices, z.Collectors, z.FieldNoticeMatches, z.FieldNoticeBulletins)
				}
				if got := sim.Calls(); got != minimum {
					t.Errorf("a refresh made %d calls; want the page-count minimum %d at pages of %d", got, minimum, size)
				}
			})
		}
	}
}

// TestMissingPagingHeaders: without offset, max and total, a list is its
// first page, as the SDK reads it; the walk stops, without an error.
func TestMissingPagingHeaders(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, PageSize: 20, PerSecond: 1000})
	sim.SetFaults(cxsim.Faults{NoPagingHeaders: true})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan), nil)
	inv, err := c.Inventory(context.Background())
	if err != nil || len(inv.Devices) != 20 || sim.Calls() != 3 {
		t.Errorf("Inventory() without paging headers = %d devices, %v after %d calls; want the first page of each list, 3 calls", len(inv.Devices), err, sim.Calls())
	}
}

// TestReprocessedMidWalk: the data is processed again between a walk's
// pages (Last-Modified, and with it the ETag, changes): the walk is made
// again, once, and reads one version of the data.
func TestReprocessedMidWalk(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, PageSize: 20, PerSecond: 1000})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan), nil)
	sim.SetFaults(cxsim.Faults{ReprocessMidWalk: true})
	inv := vendortest.Get(t, "Inventory()", c.Inventory)
	ref, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
	after := vendortest.Get(t, "Inventory()", ref.Inventory)
	up := func(ds []model.Device) int {
		n := 0
		for _, d := range ds {
			if d.Up {
				n++
			}
		}
		return n
	}
	if len(inv.Devices) != len(after.Devices) || up(inv.Devices) != up(after.Devices) || inv.LastModified != after.LastModified {
		t.Errorf("inventory read across a processing run: %d devices, %d up, modified %d; want the new data's %d, %d, %d",
			len(inv.Devices), up(inv.Devices), inv.LastModified, len(after.Devices), up(after.Devices), after.LastModified)
	}
}

// rewrite serves the simulator through f, which may change its answers.
func rewrite(t *testing.T, sim *cxsim.Server, f func(w http.ResponseWriter, r *http.Request, next http.Handler)) string {
	return vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(w, r, sim) }))
}

// TestPagesShortOfTheTotal: pages that end before the total the server
// promised fail the walk with both numbers; pages without a max header
// are walked by their length.
func TestPagesShortOfTheTotal(t *testing.T) {
	sim, _, _ := newSim(t, cxsim.Options{Seed: 3, PageSize: 20, PerSecond: 1000})
	short := rewrite(t, sim, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if strings.HasSuffix(r.URL.Path, "/inventory/devices") && r.URL.Query().Get("offset") != "" {
			w.Header()["total"] = []string{"60"}
			fmt.Fprint(w, `{"items": []}`)
			return
		}
		next.ServeHTTP(w, r)
	})
	c, _ := newClient(t, cxConfig(t, short, sim.Credentials(), listsPlan), nil)
	_, err := c.Inventory(context.Background())
	if err == nil || !strings.Contains(err.Error(), "held 20 items in all, but the server's total is 60") {
		t.Errorf("Inventory() with empty later pages = %v; want an error naming 20 and 60", err)
	}
	noMax := rewrite(t, sim, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("max", "0")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	c, _ = newClient(t, cxConfig(t, noMax, sim.Credentials(), listsPlan), nil)
	inv, err := c.Inventory(context.Background())
	if err != nil || len(inv.Devices) != sim.Sizes().Devices {
		t.Errorf("Inventory() with max 0 = %d devices, %v; want all %d, walked by the pages' length", len(inv.Devices), err, sim.Sizes().Devices)
	}
}

// TestErrorBodiesNotJSON: an error answer that is not JSON, or has no
// message, still fails with its status.
func TestErrorBodiesNotJSON(t *testing.T) {
	sim, _, _ := newSim(t, cxsim.Options{Seed: 3})
	for _, body := range []string{"<html><body>Bad Gateway</body></html>", `{"error": "upstream"}`, ""} {
		u := rewrite(t, sim, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			if strings.Contains(r.URL.Path, "/bcs/v2/") {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprint(w, body)
				return
			}
			next.ServeHTTP(w, r)
		})
		c, _ := newClient(t, cxConfig(t, u, sim.Credentials(), "    budget:\n      max_retries: 0\n"), nil)
		if _, err := c.Inventory(context.Background()); vendors.StatusCode(err) != http.StatusBadGateway {
			t.Errorf("Inventory() with a 502 %q = %v; want HTTP 502", body, err)
		}
	}
}

// TestUptimeFromLastReset: a device's uptime is the time since its
// lastResetTimestamp, which may be null.
func TestUptimeFromLastReset(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	idx := newAssetIndex(nil, nil)
	var devs []device
	for _, raw := range []string{
		`{"deviceId": 1, "deviceName": "a", "deviceStatus": "ACTIVE", "lastResetTimestamp": "2026-11-23T11:00:00"}`,
		`{"deviceId": 2, "deviceName": "b", "deviceStatus": "ACTIVE", "lastResetTimestamp": null}`,
		`{"deviceId": 3, "deviceName": "c", "deviceStatus": "ACTIVE", "lastResetTimestamp": "2026-11-23T10:00:00Z"}`,
		`{"deviceId": 4, "deviceName": "d", "deviceStatus": "ACTIVE", "lastResetTimestamp": "yesterday", "extra": [1, 2]}`,
	} {
		var d device
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
		devs = append(devs, d)
	}
	inv := newInventory(devs, idx, nil, now)
	// A device without a readable reset time is kept, with no uptime.
	want := map[string]float64{"a": 3600, "b": 0, "c": 7200, "d": 0}
	got := map[string]float64{}
	for _, d := range inv.Devices {
		got[d.Name] = d.Uptime
	}
	if len(inv.Devices) != len(want) || !maps.Equal(got, want) {
		t.Errorf("%d devices' uptimes = %v; want %v", len(inv.Devices), got, want)
	}
	var c collector
	if err := json.Unmarshal([]byte(`{"applianceId": "CSP1", "lastUploadTimestamp": null, "expectedUploadInterval": 8}`), &c); err != nil {
		t.Fatal(err)
	}
	inv = newInventory(nil, idx, []collector{c}, now)
	if got := inv.Collectors[0]; got.LastUpload != 0 || got.UploadInterval != 8*86400 {
		t.Errorf("collector without an upload = %+v; want no last upload, 8 days", got)
	}
}

// TestContractsInEveryForm reads contract rows in the forms cxcloud.md 9.3
// and 9.5 allow: dates null or "", fields absent, parts' rows beside their
// chassis', a serial listed twice.
func TestContractsInEveryForm(t *testing.T) {
	var rows []contractSerial
	body := `[
	 {"serialNumber": "FOC1", "parentSerialNumber": "", "isCovered": true, "coveredProductLineEndDate": "2027-03-31",
	  "serviceLineDescription": "Smart Net Total Care 8X5XNBD", "warrantyEndDate": "2026-01-15", "warrantyType": "WARR-1YR-LTD-HW"},
	 {"serialNumber": "FOC1-PSU", "parentSerialNumber": "FOC1", "isCovered": true, "coveredProductLineEndDate": "2027-03-31"},
	 {"serialNumber": "FOC2", "isCovered": false, "coveredProductLineEndDate": null, "warrantyEndDate": ""},
	 {"serialNumber": "FOC3", "warrantyEndDate": "2025-12-01"},
	 {"serialNumber": "FOC1", "isCovered": false},
	 {"serialNumber": "UNKNOWN", "isCovered": true}]`
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatal(err)
	}
	// The chassis serials of four devices; the fourth names a serial that
	// is a part's in the contracts, whose parent keeps it out.
	idx := newAssetIndex([]device{{DeviceID: "1", DeviceName: "core-sw-1"}, {DeviceID: "2", DeviceName: "edge-rtr-1"},
		{DeviceID: "3", DeviceName: "old-sw-1"}, {DeviceID: "4", DeviceName: "core-sw-1"}},
		[]asset{{DeviceID: "1", PhysicalAssetType: "Chassis", SerialNumber: "FOC1"}, {DeviceID: "2", PhysicalAssetType: "Chassis", SerialNumber: "FOC2"},
			{DeviceID: "3", PhysicalAssetType: "chassis", SerialNumber: "FOC3"}, {DeviceID: "4", PhysicalAssetType: "Chassis", SerialNumber: "FOC1-PSU"}})
	got := newContracts(rows, idx).Coverage
	yes, no := true, false
	want := []Coverage{
		{Device: "core-sw-1", Serial: "FOC1", Covered: &yes, ContractEnd: 1806451200, WarrantyEnd: 1768435200,
			ServiceLine: "Smart Net Total Care 8X5XNBD", WarrantyType: "WARR-1YR-LTD-HW"},
		{Device: "edge-rtr-1", Serial: "FOC2", Covered: &no},
		{Device: "old-sw-1", Serial: "FOC3", WarrantyEnd: 1764547200},
	}
	if len(got) != len(want) {
		t.Fatalf("coverage = %+v; want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if (g.Covered == nil) != (w.Covered == nil) || (g.Covered != nil && *g.Covered != *w.Covered) {
			t.Errorf("coverage %d covered = %v; want %v", i, g.Covered, w.Covered)
		}
		g.Covered, w.Covered = nil, nil
		if g != w {
			t.Errorf("coverage %d = %+v; want %+v", i, g, w)
		}
	}
}

func TestAdvisoryScoresAndCVEsInEveryForm(t *testing.T) {
	var rows []advisoryBulletin
	body := `[
	 {"securityAdvisoryId": "cisco-sa-a", "commonVulnerabilityScoringSystemBaseScore": "8.6", "cveIds": "CVE-2024-20353,CVE-2024-20359"},
	 {"securityAdvisoryId": "cisco-sa-b", "commonVulnerabilityScoringSystemBaseScore": 5.3, "cveIds": "CVE-2023-1; CVE-2023-2 CVE-2023-1"},
	 {"securityAdvisoryId": "cisco-sa-c", "commonVulnerabilityScoringSystemBaseScore": "", "cveIds": ""},
	 {"securityAdvisoryId": "cisco-sa-d", "commonVulnerabilityScoringSystemBaseScore": "n/a"},
	 {"securityAdvisoryId": "cisco-sa-e", "commonVulnerabilityScoringSystemBaseScore": "11"}]`
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatal(err)
	}
	got := newAdvisories(nil, rows).Advisories
	want := map[string]string{
		"cisco-sa-a": "8.6 [CVE-2024-20353 CVE-2024-20359]",
		"cisco-sa-b": "5.3 [CVE-2023-1 CVE-2023-2]",
		"cisco-sa-c": "none []", "cisco-sa-d": "none []", "cisco-sa-e": "none []",
	}
	// Every bulletin is kept, scored or not: compare the whole set.
	shown := map[string]string{}
	for _, a := range got {
		score := "none"
		if a.CVSS != nil {
			score = strconv.FormatFloat(*a.CVSS, 'f', -1, 64)
		}
		shown[a.ID] = fmt.Sprintf("%s %v", score, a.CVEs)
	}
	if len(got) != len(want) || !maps.Equal(shown, want) {
		t.Errorf("%d advisories %v; want %v", len(got), shown, want)
	}
}

func TestResetsInEveryForm(t *testing.T) {
	var last []lastReset
	var history []resetHistory
	if err := json.Unmarshal([]byte(`[
	 {"deviceId": 1, "deviceName": "core-sw-1", "lastResetTimestamp": "2026-11-20T03:14:15", "resetType": "Crash",
	  "resetReason": "Critical software exception, check bootflash:crashinfo_RP_00_00_20261120-031415"},
	 {"deviceId": "2", "deviceName": "edge-rtr-1", "lastResetTimestamp": null, "resetReason": "Power Failure or Unknown"},
	 {"deviceId": 1, "deviceName": "core-sw-1", "resetType": "reload"},
	 {"deviceId": 3, "deviceName": ""}]`), &last); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`[
	 {"deviceId": "1", "resetDetails": [{"resetType": "crash"}, {"resetType": "CRASH"}, {"resetType": "reload"}]},
	 {"deviceId": 2, "resetDetails": [{"resetTimestamp": "2026-11-01T00:00:00"}]}]`), &history); err != nil {
		t.Fatal(err)
	}
	got := newResets(last, history).Resets
	want := []string{
		"core-sw-1 crash 1795144455 map[crash:2 reload:1] Critical software exception, check bootflash:crashinfo_RP_00_00_20261120-031415",
		"edge-rtr-1 unknown 0 map[unknown:1] Power Failure or Unknown",
	}
	var shown []string
	for _, r := range got {
		shown = append(shown, fmt.Sprintf("%s %s %d %v %s", r.Device, r.Type, r.At, r.Counts, r.Reason))
	}
	if !slices.Equal(shown, want) {
		t.Errorf("resets =\n%s\nwant\n%s", strings.Join(shown, "\n"), strings.Join(want, "\n"))
	}
}
