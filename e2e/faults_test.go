package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/nmsexporter/nms_exporter/app"
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// outcome is what a fault leaves a source's collections with.
type outcome int

const (
	// allFail: every collection fails, and the source serves exactly the
	// data of its last good refresh.
	allFail outcome = iota
	// someFail: the collections the fault reaches fail, the others succeed;
	// the source is down.
	someFail
	// noneFail: the exporter copes with the misbehaviour; every collection
	// succeeds.
	noneFail
)

// fault is one way an API misbehaves, set on each vendor's simulator. A
// vendor missing from set has no such behaviour to show.
type fault struct {
	name string
	set  map[string]func(*faultSim)
	// expect is the outcome per vendor; allFail where not given.
	expect map[string]outcome
	// errHas is what the error of at least one failed collection says, per
	// vendor ("*" for every vendor).
	errHas map[string]string
	// retryAfter marks the faults that send a Retry-After of one second:
	// no call may reach the simulator before it has passed.
	retryAfter bool
	// step changes CX Cloud's data first: an unchanged resource is answered
	// 304 without a body, which no body fault can spoil.
	step bool
	// check, when set, checks more after the fault's outcome.
	check func(t *testing.T, s *faultSim)
}

func (f fault) outcome(vendor string) outcome { return f.expect[vendor] }

func (f fault) wantErr(vendor string) string {
	if s, ok := f.errHas[vendor]; ok {
		return s
	}
	return f.errHas["*"]
}

// timeout is the sources' per-request timeout, and slow a latency past it.
const (
	timeout = 500 * time.Millisecond
	slow    = 2 * timeout
)

// bodyLimit is the sources' body_size_limit, and oversize a body past it.
// The default of 64MiB would take seconds a call to read under the race
// detector.
const (
	bodyLimit = "1MiB"
	oversize  = 1<<20 + 1
)

var faultMatrix = []fault{
	{name: "5xx", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{ErrorRate: 1, ErrorStatus: 503}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{ErrorRate: 1, ErrorStatus: 500}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{ErrorRate: 1, ErrorStatus: 502}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{ErrorRate: 1, ErrorStatus: 504}) },
	}, errHas: map[string]string{"*": "HTTP 50"}},
	{name: "429 with Retry-After", retryAfter: true, set: map[string]func(*faultSim){
		"mist": func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{RateLimit: true, RetryAfter: time.Second}) },
		// Prime throttles with a 503 and a text; here a proxy in front
		// adds a Retry-After.
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Throttle: true, RetryAfter: time.Second}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{RateLimit: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{RateLimit: true}) },
	}, errHas: map[string]string{"*": "HTTP 429", "prime": "HTTP 503: NBI Rate limit"}},
	{name: "429 without Retry-After", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{RateLimit: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Throttle: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{RateLimit: true, NoRetryAfter: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{RateLimit: true, NoRetryAfter: true}) },
	}, errHas: map[string]string{"*": "HTTP 429", "prime": "HTTP 503: NBI Rate limit"}},
	{name: "latency past the timeout", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{Latency: slow}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Latency: slow}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{Latency: slow}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{Latency: slow}) },
	}, errHas: map[string]string{"*": "Client.Timeout"}},
	{name: "connection reset", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{Reset: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Reset: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{Reset: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{Reset: true}) },
	}},
	{name: "connection reset mid-body", step: true, set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{ResetMidBody: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{ResetMidBody: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{ResetMidBody: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{ResetMidBody: true}) },
	}, expect: map[string]outcome{"cxcloud": someFail}, errHas: map[string]string{"*": "unexpected EOF"}},
	{name: "truncated body", step: true, set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{Truncate: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Truncate: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{Truncate: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{Truncate: true}) },
	}, expect: map[string]outcome{"cxcloud": someFail}, errHas: map[string]string{"*": "decoding response"}},
	{name: "malformed body", step: true, set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{Malformed: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Malformed: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{Malformed: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{Malformed: true}) },
	}, expect: map[string]outcome{"cxcloud": someFail}, errHas: map[string]string{"*": "decoding response"}},
	// Prime and CX Cloud page by offset and have no next link to loop.
	{name: "next link loops", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{NextLoop: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{NextLoop: true}) },
	}, expect: map[string]outcome{"mist": someFail, "nautobot": noneFail}, // the exporter walks Nautobot by offset
		errHas: map[string]string{"mist": "cursor loop"}},
	{name: "paging never ends", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{EndlessPaging: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{EndlessPaging: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{EndlessPaging: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{EndlessPaging: true}) },
	}, expect: map[string]outcome{"mist": someFail, "prime": someFail, "nautobot": someFail},
		errHas: map[string]string{"*": "the total grew"}},
	// A third of each list goes after the first page. Where that leaves
	// the total above the items the first page held, the walk ends at the
	// new total; where below (CX Cloud's 60 devices in pages of 50), the
	// pages held more items than the total, and the walk fails with both.
	{name: "total shrinks mid-walk", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{ShrinkTotal: true}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{ShrinkTotal: true}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{ShrinkTotal: true}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{ShrinkTotal: true}) },
	}, expect: map[string]outcome{"mist": noneFail, "prime": noneFail, "cxcloud": someFail, "nautobot": noneFail},
		errHas: map[string]string{"cxcloud": "the pages held 50 items in all, but the server's total is 40"}},
	// The first call of the refresh succeeds, the credentials fail after.
	{name: "credentials expire mid-refresh", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{Revoke: true, RevokeAfter: 1}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Revoke: true, RevokeAfter: 1}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{Revoke: true, RevokeAfter: 1}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{Revoke: true, RevokeAfter: 1}) },
	}, expect: map[string]outcome{"mist": someFail, "prime": someFail, "cxcloud": someFail, "nautobot": someFail},
		errHas: map[string]string{"*": "HTTP 401", "nautobot": "HTTP 403: Invalid token"}},
	{name: "body larger than the cap", set: map[string]func(*faultSim){
		"mist":     func(s *faultSim) { s.mist.SetFaults(mistsim.Faults{Oversize: oversize}) },
		"prime":    func(s *faultSim) { s.prime.SetFaults(primesim.Faults{Oversize: oversize}) },
		"cxcloud":  func(s *faultSim) { s.cx.SetFaults(cxsim.Faults{Oversize: oversize}) },
		"nautobot": func(s *faultSim) { s.nautobot.SetFaults(nautobotsim.Faults{Oversize: oversize}) },
	}, errHas: map[string]string{"*": "response body exceeds the size cap"}},
	// A server or proxy in front that redirects: the credentials go to the
	// configured scheme, host and port only, and Prime's redirects are its
	// answer to failed logins.
	{name: "redirect to another port", set: everyVendor(redirectElsewhere), check: checkNothingElsewhere,
		errHas: map[string]string{"*": "not followed, the credentials go nowhere else", "prime": "authentication failed"}},
	{name: "redirect loop", set: everyVendor(redirectLoop),
		errHas: map[string]string{"*": "stopped after 10 redirects", "prime": "authentication failed"}},
	{name: "gzip bomb", set: everyVendor(gzipBomb), errHas: map[string]string{"*": "response body exceeds the size cap (1048576 bytes, decompressed)"}},
	{name: "endless chunked body", set: everyVendor(endlessBody), errHas: map[string]string{"*": "response body exceeds the size cap"}},
}

// faultSim is one vendor's simulator on loopback, with its connections
// counted.
type faultSim struct {
	vendor   string
	srv      *httptest.Server
	mist     *mistsim.Server
	prime    *primesim.Server
	cx       *cxsim.Server
	nautobot *nautobotsim.Server
	secrets  []string

	mu    sync.Mutex
	conns map[net.Conn]bool

	// front, when set, answers in the simulator's place; elsewhere is
	// another port of its host.
	front     atomic.Pointer[http.Handler]
	elsewhere *elsewhere
}

// track is the server's ConnState hook.
func (s *faultSim) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = true
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// open is the number of connections the simulator holds.
func (s *faultSim) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// calls is the requests the exporter made that the simulator counts: its
// API calls, and CX Cloud's token requests.
func (s *faultSim) calls() int {
	switch {
	case s.mist != nil:
		return s.mist.Calls()
	case s.prime != nil:
		return s.prime.Calls()
	case s.cx != nil:
		return s.cx.Calls() + s.cx.TokenRequests()
	}
	return s.nautobot.Calls()
}

func (s *faultSim) resetCalls() {
	switch {
	case s.mist != nil:
		s.mist.ResetCalls()
	case s.prime != nil:
		s.prime.ResetCalls()
	case s.cx != nil:
		s.cx.ResetCalls()
	default:
		s.nautobot.ResetCalls()
	}
}

func (s *faultSim) clear() {
	s.front.Store(nil)
	switch {
	case s.mist != nil:
		s.mist.SetFaults(mistsim.Faults{})
	case s.prime != nil:
		s.prime.SetFaults(primesim.Faults{})
	case s.cx != nil:
		s.cx.SetFaults(cxsim.Faults{})
	default:
		s.nautobot.SetFaults(nautobotsim.Faults{})
	}
}

// startFaultSim serves h on loopback for vendor.
func startFaultSim(t *testing.T, vendor string, h http.Handler) *faultSim {
	s := &faultSim{vendor: vendor, conns: map[net.Conn]bool{}, elsewhere: newElsewhere(t)}
	s.srv = httptest.NewUnstartedServer(s.frontOf(h))
	s.srv.Config.ConnState = s.track
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// startFaultEnv runs the exporter on one simulator of each vendor, every
// credential in a file, with short timeouts and no retries: the matrix is
// about what a failed refresh leaves, and retries have their own tests.
// Intervals are an hour, so only the test refreshes. Pages are small, so
// that walks take several.
func startFaultEnv(t *testing.T) (*testEnv, []*faultSim) {
	t.Helper()
	ms, err := mistsim.New(mistsim.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// The rate limits of Prime and CX Cloud have their own tests; here they
	// would only slow the refreshes down.
	ps, err := primesim.New(primesim.Options{Seed: 3, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	// CX Cloud picks its page size; a small one makes walks take several.
	cs, err := cxsim.New(cxsim.Options{Seed: 3, PerSecond: 1 << 20, PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := nautobotsim.New(nautobotsim.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	m, p, c, n := startFaultSim(t, "mist", ms), startFaultSim(t, "prime", ps), startFaultSim(t, "cxcloud", cs), startFaultSim(t, "nautobot", ns)
	m.mist, p.prime, c.cx, n.nautobot = ms, ps, cs, ns
	m.secrets = []string{ms.Credentials().Token, testWebhookSecret}
	p.secrets = []string{ps.Credentials().Password}
	c.secrets = []string{cs.Credentials().ClientSecret}
	n.secrets = []string{ns.Credentials().Token}

	dir := t.TempDir()
	for file, secret := range map[string]string{
		"mist.token": m.secrets[0], "mist.webhook": m.secrets[1], "prime.password": p.secrets[0],
		"cx.secret": c.secrets[0], "nautobot.token": n.secrets[0],
	} {
		writeFile(t, filepath.Join(dir, file), secret+"\n")
	}
	common := fmt.Sprintf("    timeout: %s\n    body_size_limit: %s\n    budget: {max_retries: 0, requests_per_second: 0}\n", timeout, bodyLimit)
	hourly := func(names ...string) string {
		s := "    collections:\n"
		for _, n := range names {
			s += "      " + n + ": {interval: 1h}\n"
		}
		return s
	}
	cfg := fmt.Sprintf(`mist:
  - name: mist
    base_url: %s
    token_file: mist.token
    webhook_secret_file: mist.webhook
    page_size: 50
%s%sprime:
  - name: prime
    base_url: %s
    username: %s
    password_file: prime.password
    page_size: 20
    hold: 10ms
%s%scxcloud:
  - name: cxcloud
    base_url: %s%s
    token_url: %s%s
    client_id: %s
    client_secret_file: cx.secret
%s%snautobot:
  - name: nautobot
    base_url: %s
    token_file: nautobot.token
    page_size: 20
%s%s`,
		m.srv.URL, common, hourly("sites", "devices", "clients", "alarms", "usage"),
		p.srv.URL, ps.Credentials().Username, common, hourly("access_points", "clients", "devices", "alarms"),
		c.srv.URL, cs.Credentials().BasePath(), c.srv.URL, cs.Credentials().TokenPath(), cs.Credentials().ClientID, common, hourly("inventory", "field_notices", "advisories", "eox"),
		n.srv.URL, common, hourly("status", "devices", "locations", "ipam"))
	cfgFile := filepath.Join(dir, "nms_exporter.yml")
	writeFile(t, cfgFile, cfg)

	env := &testEnv{t: t, logs: &syncBuffer{}, cfgFile: cfgFile, cfgText: cfg}
	sims := []*faultSim{m, p, c, n}
	for _, s := range sims {
		env.secrets = append(env.secrets, s.secrets...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	exp, err := app.NewExporter(ctx, logger, cfgFile, "")
	if err != nil {
		cancel()
		t.Fatalf("app.NewExporter() = %v", err)
	}
	env.exp = exp
	env.srv = httptest.NewServer(exp.Handler())
	t.Cleanup(func() {
		env.srv.Close()
		cancel()
		exp.Manager().Stop()
	})
	env.waitReady()
	return env, sims
}

// with returns the environment for a subtest, so that its helpers fail
// the subtest.
func (e *testEnv) with(t *testing.T) *testEnv {
	c := *e
	c.t = t
	return &c
}

// refreshAll refreshes every collection of a source at once, as their
// refreshers do, and returns when the data served shows the outcome.
func (e *testEnv) refreshAll(src *collector.Source) {
	e.t.Helper()
	var wg sync.WaitGroup
	for _, st := range src.Status() {
		wg.Go(func() { _ = src.Refresh(context.Background(), st.Collection) })
	}
	wg.Wait()
	e.settle()
}

// quiesceConns drops the idle connections of the exporter's client for
// src and of the test's own, and returns the connections the simulator
// still holds once they are gone, or after 5 s.
func quiesceConns(src *collector.Source, s *faultSim) int {
	src.Close()
	http.DefaultClient.CloseIdleConnections()
	for deadline := time.Now().Add(5 * time.Second); s.open() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	return s.open()
}

// waitGoroutines waits until at most want goroutines run (want 0: until
// their number stops falling), for at most 5 s, and returns their number.
func waitGoroutines(want int) int {
	last := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if (want > 0 && n <= want) || (want == 0 && n >= last) {
			return n
		}
		last = n
	}
	return runtime.NumGoroutine()
}

// goroutineSlack allows for goroutines that come and go on their own, such
// as a rebuild of a source's encoding still finishing.
const goroutineSlack = 3

// TestFaultMatrix puts each vendor's simulator through each fault. During
// the fault the exporter keeps serving the last good data with
// nms_collection_success 0 for what failed, makes no more calls than
// twice a healthy refresh plus one per collection, and none at all while a
// Retry-After holds. The next refresh after the fault clears recovers, at
// the configured interval, and no goroutine or connection is left behind.
// Last, no output of the exporter shows a credential.
func TestFaultMatrix(t *testing.T) {
	env, sims := startFaultEnv(t)
	var errTexts []string
	for _, s := range sims {
		target := s.vendor
		src, ok := env.exp.Manager().Source(target)
		if !ok {
			t.Fatalf("no source %s", target)
		}
		// A healthy refresh, for the calls one takes.
		s.resetCalls()
		env.refreshAll(src)
		healthy := s.calls()
		// A walk stops once past twice the pages it first expected: at most
		// twice its pages and one more, and a healthy refresh makes at least
		// one call per list it walks.
		allowed := 3 * healthy
		for _, st := range src.Status() {
			if !st.Success {
				t.Fatalf("%s %s fails before any fault: %s", target, st.Collection, st.Err)
			}
		}

		for _, f := range faultMatrix {
			t.Run(s.vendor+"/"+f.name, func(t *testing.T) {
				set, ok := f.set[s.vendor]
				if !ok {
					t.Skipf("%s's paging shows no such behaviour", s.vendor)
				}
				env := env.with(t)
				stepped := s.cx != nil && f.step
				if stepped {
					s.cx.Step()
				}
				_, before := env.get("/probe?target=" + target)
				beforeData := dataFamilies(t, before)
				if c := quiesceConns(src, s); c != 0 {
					t.Fatalf("%d connections open to the simulator before the fault; want 0", c)
				}
				goroutines := waitGoroutines(0)

				s.resetCalls()
				set(s)
				if f.retryAfter {
					checkRetryAfter(t, env, src, s)
				} else {
					env.refreshAll(src)
				}
				if got := s.calls(); got > allowed {
					t.Errorf("%d calls during the fault; want at most %d (twice the %d of a healthy refresh, and one per list walked)", got, allowed, healthy)
				}
				code, body := env.get("/probe?target=" + target)
				if code != http.StatusOK {
					t.Fatalf("/probe during the fault = %d", code)
				}
				checkFaultOutcome(t, src, f, s.vendor, parse(t, body), beforeData, dataFamilies(t, body))
				if f.check != nil {
					f.check(t, s)
				}
				for _, st := range src.Status() {
					if st.Err != "" {
						errTexts = append(errTexts, st.Err)
					}
				}

				s.clear()
				env.refreshAll(src)
				_, body = env.get("/probe?target=" + target)
				mfs := parse(t, body)
				if v, _ := value(mfs["nms_source_up"], nil); v != 1 {
					t.Errorf("nms_source_up after the fault cleared = %v; want 1", v)
				}
				for _, st := range src.Status() {
					if !st.Success || st.Interval != time.Hour {
						t.Errorf("%s after the fault cleared: success %v (%s), interval %s; want success at the configured 1h", st.Collection, st.Success, st.Err, st.Interval)
					}
				}
				if !stepped && dataFamilies(t, body) != beforeData {
					t.Errorf("the data after the fault cleared differs from before it:\n%s", diffLines(beforeData, dataFamilies(t, body)))
				}

				if c := quiesceConns(src, s); c != 0 {
					t.Errorf("%d connections to the simulator left open after the fault; want 0", c)
				}
				if g := waitGoroutines(goroutines + goroutineSlack); g > goroutines+goroutineSlack {
					var b bytes.Buffer
					_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
					t.Errorf("%d goroutines after the fault, %d before; want no more than %d left behind:\n%s", g, goroutines, goroutineSlack, b.String())
				}
			})
		}
	}

	t.Run("no secret in any output", func(t *testing.T) {
		checkNoSecrets(t, env, errTexts)
	})
}

// checkFaultOutcome checks what a source serves during a fault.
func checkFaultOutcome(t *testing.T, src *collector.Source, f fault, vendor string, mfs map[string]*dto.MetricFamily, beforeData, data string) {
	t.Helper()
	want := f.outcome(vendor)
	up, _ := value(mfs["nms_source_up"], nil)
	failed := 0
	for _, st := range src.Status() {
		if strings.Contains(st.Err, "panicked") {
			t.Errorf("%s: %s", st.Collection, st.Err)
		}
		if st.Success {
			continue
		}
		failed++
		if v, _ := value(mfs["nms_collection_success"], map[string]string{"collection": st.Collection}); v != 0 {
			t.Errorf("nms_collection_success{collection=%q} = %v while it fails (%s); want 0", st.Collection, v, st.Err)
		}
	}
	switch want {
	case allFail:
		if failed != len(src.Status()) || up != 0 {
			t.Errorf("%d of %d collections failed, nms_source_up %v; want all failed, 0", failed, len(src.Status()), up)
		}
		if data != beforeData {
			t.Errorf("the data served during the fault differs from the last good data:\n%s", diffLines(beforeData, data))
		}
	case someFail:
		// What failed serves its last good data, what succeeded the same
		// data again.
		if failed == 0 || up != 0 {
			t.Errorf("%d collections failed, nms_source_up %v; want some failed, 0", failed, up)
		}
		if data != beforeData {
			t.Errorf("the data served during the fault differs from the last good data:\n%s", diffLines(beforeData, data))
		}
	case noneFail:
		if failed != 0 || up != 1 {
			t.Errorf("%d collections failed, nms_source_up %v; want none failed, 1", failed, up)
		}
	}
	if w := f.wantErr(vendor); w != "" && failed > 0 {
		found := false
		var errs []string
		for _, st := range src.Status() {
			found = found || strings.Contains(st.Err, w)
			errs = append(errs, st.Collection+": "+st.Err)
		}
		if !found {
			t.Errorf("no collection's error says %q:\n%s", w, strings.Join(errs, "\n"))
		}
	}
}

// checkRetryAfter refreshes one collection into a Retry-After of one
// second, then all of them at once: none may call the simulator before the
// Retry-After has passed.
func checkRetryAfter(t *testing.T, env *testEnv, src *collector.Source, s *faultSim) {
	t.Helper()
	first := src.Status()[0].Collection
	if err := src.Refresh(context.Background(), first); err == nil {
		t.Fatalf("refresh of %s during a 429 storm succeeded", first)
	}
	held := time.Now().Add(800 * time.Millisecond) // inside the hold, whatever the scheduling
	before := s.calls()
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.refreshAll(src)
	}()
	for time.Now().Before(held) {
		if got := s.calls(); got != before {
			t.Errorf("%d calls during the Retry-After; want none", got-before)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	<-done
}

// checkNoSecrets gathers every output of the exporter: its logs, every
// page and target, the error of a failed reload and the errors of failed
// refreshes, and fails on any that shows a secret.
func checkNoSecrets(t *testing.T, env *testEnv, errTexts []string) {
	t.Helper()
	outputs := map[string]string{"refresh errors": strings.Join(errTexts, "\n")}
	// A reload whose file is bad near a secret.
	b, err := os.ReadFile(env.cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	bad := string(b) + "    bogus: " + env.secrets[len(env.secrets)-1] + "\n"
	writeFile(t, env.cfgFile, bad)
	code, reloadErr := env.post("/-/reload")
	if code != http.StatusInternalServerError {
		t.Errorf("POST /-/reload with a bad file = %d; want 500", code)
	}
	outputs["reload error"] = reloadErr
	writeFile(t, env.cfgFile, string(b))

	paths := []string{"/", "/config", "/sd", "/status", "/metrics", "/-/ready", "/-/healthy"}
	for _, s := range env.exp.Manager().Sources() {
		paths = append(paths, "/probe?target="+s.Name)
		for _, st := range s.Status() {
			outputs[s.Name+" "+st.Collection+" error"] = st.Err
		}
	}
	for _, p := range paths {
		_, body := env.get(p)
		outputs[p] = body
	}
	outputs["logs"] = env.logs.String()
	if !strings.Contains(outputs["/config"], "<secret>") {
		t.Errorf("/config = %s; want secrets shown as <secret>", outputs["/config"])
	}
	if !strings.Contains(outputs["logs"], "level=DEBUG") || !strings.Contains(outputs["logs"], "level=ERROR") {
		t.Errorf("the logs hold no debug or no error lines; want both, to search them")
	}
	for where, out := range outputs {
		for _, s := range env.secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("%s shows a secret", where)
			}
		}
	}
}
