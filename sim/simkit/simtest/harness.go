package simtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Harness is a simulator S served on loopback for a test, on a settable
// clock, with what a test needs to call it as a client with its
// credentials does.
type Harness[S http.Handler] struct {
	T     *testing.T
	S     S
	TS    *httptest.Server
	Clock *Clock
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
func NewHarness[O any, S http.Handler](t *testing.T, start time.Time, o *O, now *func() time.Time, build func(O) (S, error)) *Harness[S] {
	t.Helper()
	s, ts, clock := Serve(t, start, o, now, build)
	return &Harness[S]{T: t, S: s, TS: ts, Clock: clock, Client: ts.Client()}
}

// NewRequest is method path with the credentials and then hdr, which may
// override them ("" removes a header).
func (h *Harness[S]) NewRequest(method, path string, body string, hdr map[string]string) *http.Request {
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
func (h *Harness[S]) Do(req *http.Request) Result {
	h.T.Helper()
	st, header, b := Do(h.T, h.Client, req)
	return Result{st, header, b}
}

// Request sends method path (see NewRequest) and reads the answer whole.
func (h *Harness[S]) Request(method, path, body string, hdr map[string]string) Result {
	h.T.Helper()
	return h.Do(h.NewRequest(method, path, body, hdr))
}

// Get gets path with the credentials.
func (h *Harness[S]) Get(path string) Result {
	h.T.Helper()
	return h.Request("GET", path, "", nil)
}

// GetOK gets path, requires 200 and decodes the body into v (when not nil).
func (h *Harness[S]) GetOK(path string, v any) Result {
	h.T.Helper()
	r := h.Get(path)
	DecodeOK(h.T, "GET "+path, r.Status, r.Body, v)
	return r
}

// Fresh gets path with the credentials on a connection of its own (with
// jar, which may be nil) and returns the read error too, for faults that
// break the answer.
func (h *Harness[S]) Fresh(path string, jar http.CookieJar) (*http.Response, []byte, error) {
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
func (h *Harness[S]) CheckConcurrentUse(jar http.CookieJar, rounds int, paths []string, change func(i int)) {
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
