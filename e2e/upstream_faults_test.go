package e2e

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The faults of a server or proxy in front of a vendor's API, the same for
// every vendor: set as a simulator's front, they answer in its place.

// setFront makes h answer every request in the simulator's place.
func (s *faultSim) setFront(h http.HandlerFunc) {
	var handler http.Handler = h
	s.front.Store(&handler)
}

// frontOf serves h, counting the request, unless a front is set.
func (s *faultSim) frontOf(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := s.front.Load(); f != nil {
			(*f).ServeHTTP(w, r)
			return
		}
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	})
}

// elsewhere is a server on another port of the simulator's host that no
// request may reach: credentials go only where they are configured to.
type elsewhere struct {
	srv  *httptest.Server
	hits atomic.Int64
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		e.hits.Add(1)
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// redirectElsewhere sends every request, method and body kept, to
// another port of the same host.
func redirectElsewhere(s *faultSim) {
	s.setFront(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.elsewhere.srv.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
}

// redirectLoop redirects every request to itself.
func redirectLoop(s *faultSim) {
	s.setFront(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
	})
}

// checkNothingElsewhere fails when a request reached the other port.
func checkNothingElsewhere(t *testing.T, s *faultSim) {
	if n := s.elsewhere.hits.Swap(0); n != 0 {
		t.Errorf("%d requests reached another port of the host; want none", n)
	}
}

// bomb is 16 MiB of JSON whitespace in gzip, 16 KiB on the wire.
var bomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write([]byte("["))
	space := []byte(strings.Repeat(" ", 1<<20))
	for range 16 {
		_, _ = zw.Write(space)
	}
	_ = zw.Close()
	return buf.Bytes()
})

// gzipBomb answers every request with the bomb, which inflates past the
// body cap as it is read.
func gzipBomb(s *faultSim) {
	b := bomb() // made before the requests, whose timeout is short
	s.setFront(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(b)
	})
}

// endlessBody answers every request with a chunked body that never ends.
func endlessBody(s *faultSim) {
	chunk := bytes.Repeat([]byte(`{"id": 1}, `), 3000)
	s.setFront(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("["))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
}
