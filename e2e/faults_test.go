package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simkit"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
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

// expectation is what a fault shows of one vendor's source.
type expectation struct {
	outcome outcome
	// errHas are what the error of at least one failed collection says,
	// all of them.
	errHas []string
}

// fault is one way an API misbehaves, put to every vendor the same way:
// switched on in its simulator by the shared fault names, or answered by
// a server in front of it.
type fault struct {
	name string
	// on are the faults switched on, as --fault takes them: name, or
	// name=value. A simulator that takes no fault of one of these names
	// has no such behaviour to show, and the case is skipped for it.
	on []string
	// onWhereTaken are switched on too in the simulators that take them.
	onWhereTaken []string
	// front, instead of on, answers in the simulator's place.
	front func(*faultSim)
	// expect is what the fault shows of a vendor with these traits; all
	// collections failing, whatever their errors say, when nil.
	expect func(simkit.Traits) expectation
	// retryAfter marks the faults that send a Retry-After of one second:
	// no call may reach the simulator before it has passed.
	retryAfter bool
	// body marks the faults that spoil a body. Where the API answers
	// unchanged data 304 without one (Traits.NotModified), the data
	// changes first, and what did not change still succeeds.
	body bool
	// check, when set, checks more after the fault's outcome.
	check func(t *testing.T, s *faultSim)
}

// fails expects outcome o, with an error that says each of errHas.
func fails(o outcome, errHas ...string) func(simkit.Traits) expectation {
	return func(simkit.Traits) expectation { return expectation{o, errHas} }
}

// refused expects outcome o, with an error that shows the refusal the
// traits give: its status, and its phrase where it has one.
func refused(o outcome, refusal func(simkit.Traits) simkit.Refusal) func(simkit.Traits) expectation {
	return func(tr simkit.Traits) expectation {
		r := refusal(tr)
		e := expectation{o, []string{fmt.Sprintf("HTTP %d", r.Status)}}
		if r.Says != "" {
			e.errHas = append(e.errHas, r.Says)
		}
		return e
	}
}

func throttled(tr simkit.Traits) simkit.Refusal { return tr.Throttled }
func revoked(tr simkit.Traits) simkit.Refusal   { return tr.Revoked }

// redirected expects every collection to fail saying errHas, or, from an
// API that sends refused logins to its login page, saying the login
// failed: the exporter takes its redirects for that.
func redirected(errHas string) func(simkit.Traits) expectation {
	return func(tr simkit.Traits) expectation {
		if tr.LoginRedirect {
			return expectation{allFail, []string{"authentication failed"}}
		}
		return expectation{allFail, []string{errHas}}
	}
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

// faultMatrix is every fault each vendor is put through.
var faultMatrix = slices.Concat(serverErrors(), []fault{
	{name: "429 with Retry-After", on: []string{"throttle", "retry_after=1s"}, retryAfter: true, expect: refused(allFail, throttled)},
	{name: "429 without Retry-After", on: []string{"throttle"}, onWhereTaken: []string{"no_retry_after"}, expect: refused(allFail, throttled)},
	{name: "latency past the timeout", on: []string{"latency=" + slow.String()}, expect: fails(allFail, "Client.Timeout")},
	{name: "connection reset", on: []string{"reset"}},
	{name: "connection reset mid-body", on: []string{"reset_mid_body"}, body: true, expect: fails(allFail, "unexpected EOF")},
	{name: "truncated body", on: []string{"truncate"}, body: true, expect: fails(allFail, "decoding response")},
	{name: "malformed body", on: []string{"malformed"}, body: true, expect: fails(allFail, "decoding response")},
	// What the paging faults show differs by vendor: see byVendor.
	{name: "next link loops", on: []string{"next_loop"}, expect: fails(someFail, "cursor loop")},
	{name: "paging never ends", on: []string{"endless_paging"}, expect: fails(someFail, "the total grew")},
	// A third of each list goes after the first page, and the walk ends at
	// the new total.
	{name: "total shrinks mid-walk", on: []string{"shrink_total"}, expect: fails(noneFail)},
	// The first call of the refresh succeeds, the credentials fail after.
	{name: "credentials expire mid-refresh", on: []string{"revoke", "revoke_after=1"}, expect: refused(someFail, revoked)},
	{name: "body larger than the cap", on: []string{"oversize=" + strconv.Itoa(oversize)}, expect: fails(allFail, "response body exceeds the size cap")},
	// Faults kept to paths the exporter never asks for change nothing.
	{name: "faults on a path never asked", on: []string{"error_rate", "path_prefix=/nowhere/"}, expect: fails(noneFail)},
	// A server or proxy in front that redirects: the credentials go to the
	// configured scheme, host and port only.
	{name: "redirect to another port", front: redirectElsewhere, check: checkNothingElsewhere,
		expect: redirected("not followed, the credentials go nowhere else")},
	{name: "redirect loop", front: redirectLoop, expect: redirected("stopped after 10 redirects")},
	{name: "gzip bomb", front: gzipBomb, expect: fails(allFail, "response body exceeds the size cap (1048576 bytes, decompressed)")},
	{name: "endless chunked body", front: endlessBody, expect: fails(allFail, "response body exceeds the size cap")},
})

// serverErrors are the 5xx a vendor, or a proxy in front of it, answers
// with.
func serverErrors() []fault {
	var out []fault
	for _, st := range []int{500, 502, 503, 504} {
		out = append(out, fault{name: fmt.Sprintf("5xx %d", st), on: []string{"error_rate", fmt.Sprintf("error_status=%d", st)},
			expect: fails(allFail, fmt.Sprintf("HTTP %d", st))})
	}
	return out
}

// byVendor is what a paging or body-size fault, by its fault's name, shows
// of a vendor where that differs from its case. It depends on how the
// exporter reads the vendor's data (lists walked by cursor, by offset, to a
// total, or a stream) and on how their lengths fall against its pages: the
// client's choices and the world's sizes, which neither the simulators nor
// the vendor list say.
var byVendor = map[string]map[string]expectation{
	// The exporter walks Nautobot by offset and never follows next.
	"nautobot": {"next_loop": {outcome: noneFail}},
	// CX Cloud's collections read one bulk/alerts stream, which has no
	// pages and no length the body cap applies to (each of its lines is
	// held to it), and only the inventory's collectors come as a list. So
	// the collectors fail, and the inventory with them; their two fit one
	// page, which no shrinking total reaches.
	"cxcloud": {
		"endless_paging": {someFail, []string{"the total grew"}},
		"oversize":       {someFail, []string{"response body exceeds the size cap"}},
	},
}

// faultName is the name of a fault as on and onWhereTaken give it.
func faultName(on string) string {
	name, _, _ := strings.Cut(on, "=")
	return name
}

// faultSim is one vendor's simulator on loopback, with its connections
// and the requests that reach it counted.
type faultSim struct {
	vendor  string
	sim     *simulators.Simulator
	secrets []string

	mu       sync.Mutex
	conns    map[net.Conn]bool
	requests atomic.Int64

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

// calls is the requests of the exporter that reached the simulator: its
// API calls, sign-ins and refused calls alike.
func (s *faultSim) calls() int { return int(s.requests.Load()) }

func (s *faultSim) resetCalls() { s.requests.Store(0) }

// lacks names the first fault of f the simulator does not take, or "".
func (s *faultSim) lacks(f fault) string {
	for _, on := range f.on {
		if !slices.Contains(s.sim.FaultNames(), faultName(on)) {
			return faultName(on)
		}
	}
	return ""
}

// expect is what f shows of this simulator's vendor.
func (s *faultSim) expect(f fault) expectation {
	var e expectation
	if f.expect != nil {
		e = f.expect(s.sim.Traits)
	}
	if f.body && s.sim.Traits.NotModified {
		e.outcome = someFail
	}
	if len(f.on) > 0 {
		if x, ok := byVendor[s.vendor][faultName(f.on[0])]; ok {
			e = x
		}
	}
	return e
}

// set switches f on.
func (s *faultSim) set(t *testing.T, f fault) {
	t.Helper()
	if f.front != nil {
		f.front(s)
		return
	}
	on := slices.Clone(f.on)
	for _, o := range f.onWhereTaken {
		if slices.Contains(s.sim.FaultNames(), faultName(o)) {
			on = append(on, o)
		}
	}
	for _, o := range on {
		name, value, _ := strings.Cut(o, "=")
		if err := s.sim.SetFault(name, value); err != nil {
			t.Fatalf("%s simulator: %v", s.vendor, err)
		}
	}
}

func (s *faultSim) clear() {
	s.front.Store(nil)
	s.sim.ClearFaults()
}

// pageCap is the largest page the simulators serve: where the server
// picks the page size, the one it picks.
const pageCap = 50

// startFaultEnv runs the exporter on one simulator of each vendor, with
// the config the demo writes for them (every credential in a file),
// changed by faultConfig: short timeouts, no retries, hourly intervals and
// small pages. The matrix is about what a failed refresh leaves, retries
// have their own tests, only the test refreshes, and walks take several
// pages.
func startFaultEnv(t *testing.T) (*testEnv, []*faultSim) {
	t.Helper()
	var fs []*faultSim
	var sims []*simulators.Simulator
	for _, v := range registry.Vendors {
		s := &faultSim{vendor: v.Name, conns: map[net.Conn]bool{}, elsewhere: newElsewhere(t)}
		// The vendors' rate limits have their own tests; here they would
		// only slow the refreshes down.
		sim, err := registry.Simulators.Start(v.Name, simulators.Options{Seed: 3, Unlimited: true, PageCap: pageCap, Front: s.frontOf, ConnState: s.track})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sim.Close() })
		s.sim = sim
		for _, secret := range []string{sim.Token, sim.Password, sim.ClientSecret} {
			if secret != "" {
				s.secrets = append(s.secrets, secret)
			}
		}
		fs, sims = append(fs, s), append(sims, sim)
	}
	dir := t.TempDir()
	cfgFile, cfg, webhook := faultConfig(t, dir, sims)

	env := &testEnv{t: t, logs: &testtool.Buffer{}, cfgFile: cfgFile, cfgText: cfg}
	for _, s := range fs {
		env.secrets = append(env.secrets, s.secrets...)
	}
	if webhook {
		env.secrets = append(env.secrets, testWebhookSecret)
	}
	env.run(slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return env, fs
}

// faultSettings are what the matrix sets on every source: a short
// timeout, a small body cap and no retries.
var faultSettings = map[string]any{
	"timeout":         timeout.String(),
	"body_size_limit": bodyLimit,
	"budget":          map[string]any{"max_retries": 0, "requests_per_second": 0},
}

// faultSettingsWhereTaken are what it sets on the sources whose vendor's
// section takes them without a warning: a small page where the client
// picks it, a short hold between bursts, and a webhook secret, one more
// secret no output may show.
var faultSettingsWhereTaken = []struct {
	key   string
	value any
}{{"page_size", 20}, {"hold", "10ms"}, {"webhook_secret_file", "webhook.secret"}}

// faultConfig writes the demo's config for sims into dir, changed for the
// matrix: faultSettings, faultSettingsWhereTaken, every collection at an
// hour, and no source describing another, as a source of truth does,
// which would tie its data to theirs. It returns the file, its text, and
// whether a source took the webhook secret.
func faultConfig(t *testing.T, dir string, sims []*simulators.Simulator) (file, text string, webhook bool) {
	t.Helper()
	file = demoConfig(t, dir, sims)
	demo, err := config.Load(file)
	if err != nil {
		t.Fatalf("the demo config: %v", err)
	}
	enabled := map[string][]string{}
	for _, src := range demo.Sources() {
		enabled[src.SourceName()] = src.SourceCommon().Enabled()
	}
	writeFile(t, filepath.Join(dir, "webhook.secret"), testWebhookSecret+"\n")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string][]map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	// takes reports whether a vendor's section takes key=value without an
	// error or a warning.
	takes := func(vendor string, section map[string]any, key string, value any) bool {
		trial := maps.Clone(section)
		trial[key] = value
		cfg, err := config.Parse(marshalYAML(t, map[string]any{vendor: []any{trial}}), filepath.Join(dir, "trial.yml"))
		return err == nil && len(cfg.Warnings) == 0
	}
	for vendor, sections := range doc {
		for _, section := range sections {
			delete(section, "describes")
			maps.Copy(section, faultSettings)
			hourly := map[string]any{}
			for _, c := range enabled[section["name"].(string)] {
				hourly[c] = map[string]any{"interval": "1h"}
			}
			section["collections"] = hourly
			for _, st := range faultSettingsWhereTaken {
				if takes(vendor, section, st.key, st.value) {
					section[st.key] = st.value
					webhook = webhook || st.key == "webhook_secret_file"
				}
			}
		}
	}
	b = marshalYAML(t, doc)
	writeFile(t, file, string(b))
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatalf("the matrix's config: %v\n%s", err, b)
	}
	if len(cfg.Warnings) > 0 {
		t.Fatalf("the matrix's config warns: %v\n%s", cfg.Warnings, b)
	}
	return file, string(b), webhook
}

// marshalYAML writes v as a config file is written by hand: two spaces an
// indent, list items indented.
func marshalYAML(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sourceOf is the running source of a vendor.
func (e *testEnv) sourceOf(vendor string) *collector.Source {
	e.t.Helper()
	for _, src := range e.exp.Manager().Sources() {
		if src.Vendor == vendor {
			return src
		}
	}
	e.t.Fatalf("no source of vendor %s", vendor)
	return nil
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
	if src.Close != nil {
		src.Close()
	}
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

// TestFaultMatrixCoversSharedFaults: every fault the simulators share is
// switched on by a case of the matrix, so that one added to the vocabulary
// is put to every vendor.
func TestFaultMatrixCoversSharedFaults(t *testing.T) {
	on := map[string]bool{}
	for _, f := range faultMatrix {
		for _, o := range f.on {
			on[faultName(o)] = true
		}
	}
	for _, name := range simkit.FaultNames(simkit.Faults{}) {
		if !on[name] {
			t.Errorf("no case of the fault matrix switches %s on", name)
		}
	}
}

// TestFaultMatrix puts each vendor's simulator through each fault. During
// the fault the exporter keeps serving the last good data with
// nms_collection_success 0 for what failed, makes no more calls than
// three times a healthy refresh plus one per collection, and none at all
// while a Retry-After holds. The next refresh after the fault clears recovers, at
// the configured interval, and no goroutine or connection is left behind.
// Last, no output of the exporter shows a credential.
func TestFaultMatrix(t *testing.T) {
	env, sims := startFaultEnv(t)
	// A case is skipped where a simulator lacks one of its faults; a name
	// none takes would skip it everywhere.
	for _, f := range faultMatrix {
		for _, o := range slices.Concat(f.on, f.onWhereTaken) {
			if !slices.ContainsFunc(sims, func(s *faultSim) bool { return slices.Contains(s.sim.FaultNames(), faultName(o)) }) {
				t.Errorf("%s: no simulator takes the fault %s", f.name, faultName(o))
			}
		}
	}
	var errTexts []string
	for _, s := range sims {
		src := env.sourceOf(s.vendor)
		target := src.Name
		// A healthy refresh, for the calls one takes.
		s.resetCalls()
		env.refreshAll(src)
		healthy := s.calls()
		// A walk stops once past twice the pages it first expected: at most
		// twice its pages and one more, and a healthy refresh makes at least
		// one call per list it walks. A collection whose data come in one
		// shared call (CX Cloud's bulk/alerts) walks its lists when that
		// call fails, and stops at the first that fails too: one more call
		// a collection.
		allowed := 3*healthy + len(src.Status())
		for _, st := range src.Status() {
			if !st.Success {
				t.Fatalf("%s %s fails before any fault: %s", target, st.Collection, st.Err)
			}
		}

		for _, f := range faultMatrix {
			t.Run(s.vendor+"/"+f.name, func(t *testing.T) {
				if name := s.lacks(f); name != "" {
					t.Skipf("the %s simulator has no fault %s: its API shows no such behaviour", s.vendor, name)
				}
				env := env.with(t)
				stepped := f.body && s.sim.Traits.NotModified
				if stepped {
					s.sim.Step()
				}
				_, before := env.get("/probe?target=" + target)
				beforeData := dataFamilies(t, before)
				if c := quiesceConns(src, s); c != 0 {
					t.Fatalf("%d connections open to the simulator before the fault; want 0", c)
				}
				goroutines := waitGoroutines(0)

				s.resetCalls()
				s.set(t, f)
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
				checkFaultOutcome(t, src, s.expect(f), parse(t, body), beforeData, dataFamilies(t, body))
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
					// A live feed, where the vendor has one, stretches what it stands in for.
					if want := time.Duration(float64(time.Hour) * st.LiveFactor); !st.Success || st.Interval != want {
						t.Errorf("%s after the fault cleared: success %v (%s), interval %s; want success at the configured 1h (times %v)", st.Collection, st.Success, st.Err, st.Interval, st.LiveFactor)
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
func checkFaultOutcome(t *testing.T, src *collector.Source, want expectation, mfs map[string]*dto.MetricFamily, beforeData, data string) {
	t.Helper()
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
	switch want.outcome {
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
	if len(want.errHas) > 0 && failed > 0 {
		found := false
		var errs []string
		for _, st := range src.Status() {
			found = found || !slices.ContainsFunc(want.errHas, func(w string) bool { return !strings.Contains(st.Err, w) })
			errs = append(errs, st.Collection+": "+st.Err)
		}
		if !found {
			t.Errorf("no collection's error says %q:\n%s", want.errHas, strings.Join(errs, "\n"))
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
