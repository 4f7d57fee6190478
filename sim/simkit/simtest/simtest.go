// Package simtest holds test helpers shared by the vendor simulators'
// tests: a settable clock and an HTTP client that reads whole answers; and
// by the vendor clients' tests against them: collections started together.
package simtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Clock is a settable clock for a simulator's Options.Now; safe for
// concurrent use, as the server reads it while tests move it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

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
