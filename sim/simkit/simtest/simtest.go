// Package simtest holds test helpers shared by the vendor simulators'
// tests: a settable clock, a harness that serves a simulator and calls it
// with its credentials, the checks of the shared faults every simulator
// passes, and the benchmark loop; and by the vendor clients' tests against
// them: collections started together.
package simtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// Clock is a settable clock for a simulator's Options.Now: the tests'
// simulated clock, safe for concurrent use as the server reads it while
// tests move it.
type Clock struct{ *testtool.Clock }

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{testtool.NewClock(t)} }

// Add moves the clock by d, as Advance does.
func (c *Clock) Add(d time.Duration) { c.Advance(d) }

// Do sends req through client and reads the whole answer; a transport or
// read error fails t.
func Do(t testing.TB, client *http.Client, req *http.Request) (status int, header http.Header, body []byte) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, resp.Header, b
}

// DoFresh sends req on a connection of its own (with jar, which may be
// nil) and returns the read error too, for faults that break the answer.
func DoFresh(req *http.Request, jar http.CookieJar) (*http.Response, []byte, error) {
	cl := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second, Jar: jar}
	resp, err := cl.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// DecodeOK fails t unless status is 200, then decodes body into v (when
// not nil). what names the request in messages, e.g. "GET /path".
func DecodeOK(t testing.TB, what string, status int, body []byte, v any) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("%s status = %d; want 200 (body %s)", what, status, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: decoding %s: %v", what, body, err)
		}
	}
}

// CheckErrorRate checks a simulator's ErrorRate fault: setRate(0.3) and 200
// calls, twice, must fail the same calls both times (the draw restarts from
// the seed) and about 60 of them. failed makes one call and reports whether
// it was answered with the injected error.
func CheckErrorRate(t *testing.T, setRate func(float64), failed func() bool) {
	t.Helper()
	pattern := func() string {
		setRate(0.3)
		out := make([]byte, 200)
		for i := range out {
			out[i] = '.'
			if failed() {
				out[i] = 'x'
			}
		}
		return string(out)
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Errorf("error pattern after SetFaults differs between runs:\n%s\n%s", a, b)
	}
	if n := strings.Count(a, "x"); n < 30 || n > 90 {
		t.Errorf("errors with ErrorRate 0.3 = %d of 200; want about 60", n)
	}
}

// Counter is what every simulator counts calls with.
type Counter interface {
	Calls() int
	CallsByPath() map[string]int
	ResetCalls()
}

// StartTogether starts the collections of a new client as the exporter
// starts a source's, within a second of each other: all at once; each in
// turn lead ahead of the others, which start while its calls are in flight
// (the simulator must answer slower than lead: a Latency fault); and each
// in turn done before the others start. Every run must make want calls, the
// page-count minimum: collections needing what another fetches must take
// its fetch, whichever starts first. newClient returns each collection's
// fetch, whose error fails t.
func StartTogether(t *testing.T, sim Counter, want int, lead time.Duration, newClient func() map[string]func() error) {
	t.Helper()
	type run struct {
		name, leader string
		done         bool // the leader ends before the others start
	}
	runs := []run{{name: "together"}}
	for name := range newClient() {
		runs = append(runs, run{name + "_first", name, false}, run{name + "_done", name, true})
	}
	slices.SortFunc(runs, func(a, b run) int { return strings.Compare(a.name, b.name) })
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			fetches := newClient()
			sim.ResetCalls()
			fetch := func(name string) {
				if err := fetches[name](); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if r.done {
				fetch(r.leader)
			}
			var wg sync.WaitGroup
			for name := range fetches {
				if r.done && name == r.leader {
					continue
				}
				wg.Go(func() {
					if r.leader != "" && name != r.leader {
						time.Sleep(lead)
					}
					fetch(name)
				})
			}
			wg.Wait()
			if got := sim.Calls(); got != want {
				t.Errorf("calls = %d; want the page-count minimum %d (%v)", got, want, sim.CallsByPath())
			}
		})
	}
}

// Serve builds a simulator with build from *o, its clock (*now, a field of
// *o) standing at start unless set already, and serves it on loopback
// until the test ends.
func Serve[O any, S http.Handler](t testing.TB, start time.Time, o *O, now *func() time.Time, build func(O) (S, error)) (S, *httptest.Server, *Clock) {
	t.Helper()
	clock := NewClock(start)
	if *now == nil {
		*now = clock.Now
	}
	s, err := build(*o)
	if err != nil {
		t.Fatalf("New(%+v) error: %v", *o, err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts, clock
}

// SetHeaders sets each header of hdr on req; an empty value removes it,
// and Host sets the request's host.
func SetHeaders(req *http.Request, hdr map[string]string) {
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
}

// RunSize runs check as a subtest on the world build makes of size (""
// is the default), logging how long building it took.
func RunSize[S any](t *testing.T, size string, build func(size string) (S, error), check func(t *testing.T, s S)) {
	t.Helper()
	name := size
	if name == "" {
		name = "default"
	}
	t.Run(name, func(t *testing.T) {
		start := time.Now()
		s, err := build(size)
		if err != nil {
			t.Fatalf("New(%q) error: %v", size, err)
		}
		t.Logf("New(%q) took %v", size, time.Since(start))
		check(t, s)
	})
}

// Sim is a simulator that hands out the credentials C its clients call it
// with.
type Sim[C any] interface {
	http.Handler
	Credentials() C
}

// Harness is a simulator S served on loopback for a test, on a settable
// clock, with what a test needs to call it as a client with its
// credentials C does.
type Harness[S Sim[C], C any] struct {
	T     *testing.T
	S     S
	TS    *httptest.Server
	Clock *Clock
	// C are S's credentials, read once it is served; a test points their
	// URLs at TS.
	C C
	// Client sends the requests: TS's client unless set otherwise.
	Client *http.Client
	// Auth puts the simulator's credentials on a request; nil sends none.
	Auth func(*http.Request)
	// URL makes a path absolute: TS.URL + path unless set.
	URL func(path string) string
}

// Result is an answer, read whole.
type Result struct {
	Status int
	Header http.Header
	Body   []byte
}

// NewHarness builds a simulator as Serve does and serves it for t.
func NewHarness[O any, S Sim[C], C any](t *testing.T, start time.Time, o *O, now *func() time.Time, build func(O) (S, error)) *Harness[S, C] {
	t.Helper()
	s, ts, clock := Serve(t, start, o, now, build)
	return &Harness[S, C]{T: t, S: s, TS: ts, Clock: clock, C: s.Credentials(), Client: ts.Client()}
}

// NewRequest is method path with the credentials and then hdr, which may
// override them ("" removes a header).
func (h *Harness[S, C]) NewRequest(method, path string, body string, hdr map[string]string) *http.Request {
	h.T.Helper()
	u := h.TS.URL + path
	if h.URL != nil {
		u = h.URL(path)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		h.T.Fatalf("NewRequest(%s %s): %v", method, u, err)
	}
	if h.Auth != nil {
		h.Auth(req)
	}
	SetHeaders(req, hdr)
	return req
}

// Do sends req with the harness's client and reads the answer whole.
func (h *Harness[S, C]) Do(req *http.Request) Result {
	h.T.Helper()
	st, header, b := Do(h.T, h.Client, req)
	return Result{st, header, b}
}

// Request sends method path (see NewRequest) and reads the answer whole.
func (h *Harness[S, C]) Request(method, path, body string, hdr map[string]string) Result {
	h.T.Helper()
	return h.Do(h.NewRequest(method, path, body, hdr))
}

// Get gets path with the credentials.
func (h *Harness[S, C]) Get(path string) Result {
	h.T.Helper()
	return h.Request("GET", path, "", nil)
}

// GetOK gets path, requires 200 and decodes the body into v (when not nil).
func (h *Harness[S, C]) GetOK(path string, v any) Result {
	h.T.Helper()
	r := h.Get(path)
	DecodeOK(h.T, "GET "+path, r.Status, r.Body, v)
	return r
}

// Fresh gets path with the credentials on a connection of its own (with
// jar, which may be nil) and returns the read error too, for faults that
// break the answer.
func (h *Harness[S, C]) Fresh(path string, jar http.CookieJar) (*http.Response, []byte, error) {
	h.T.Helper()
	return DoFresh(h.NewRequest("GET", path, "", nil), jar)
}

// DetailOf reads the "detail" of an error body, as Django REST framework
// writes it.
func DetailOf(t *testing.T, b []byte) string {
	t.Helper()
	var d struct {
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("error body %q is not JSON: %v", b, err)
	}
	return d.Detail
}

// CheckConcurrentUse GETs paths on connections of their own (see Fresh)
// from four goroutines, rounds times each, while change(i) runs for i from
// 0 to 29; every GET must answer 200. Run with the race detector, it finds
// state the simulator shares without a lock.
func (h *Harness[S, C]) CheckConcurrentUse(jar http.CookieJar, rounds int, paths []string, change func(i int)) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range rounds {
				for _, p := range paths {
					resp, _, err := h.Fresh(p, jar)
					if err != nil || resp.StatusCode != 200 {
						h.T.Errorf("GET %s during changes: %v", p, err)
						return
					}
				}
			}
		})
	}
	for i := range 30 {
		change(i)
	}
	wg.Wait()
}

// CountIf counts the items f holds for, for tests that check a filter
// against the whole list.
func CountIf[T any](items []T, f func(T) bool) int {
	n := 0
	for _, it := range items {
		if f(it) {
			n++
		}
	}
	return n
}

// CheckDeterministic checks two answers of runs made alike (the same seed,
// the same steps) for equality, and one of a run made otherwise (another
// seed, other steps) for a difference; what says how they were made.
func CheckDeterministic(t testing.TB, what string, a, b, other []byte) {
	t.Helper()
	if !bytes.Equal(a, b) {
		t.Errorf("%s: the two runs alike differ; want identical", what)
	}
	if bytes.Equal(a, other) {
		t.Errorf("%s: the other run is identical; want different", what)
	}
}

// Walk follows a list's next links from first and returns every page: get
// fetches a link and returns its page and next link, "" on the last page.
// A list that pages on past 10,000 pages fails t.
func Walk[P any](t testing.TB, first string, get func(link string) (page P, next string)) []P {
	t.Helper()
	var pages []P
	for link := first; link != ""; {
		p, next := get(link)
		pages = append(pages, p)
		link = next
		if len(pages) > 10000 {
			t.Fatalf("walk of %s did not end", first)
		}
	}
	return pages
}
