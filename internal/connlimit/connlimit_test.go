package connlimit

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestLimiterClosesTheLongestIdleFirst fills the limit with a connection
// serving a request, an idle one and one that has sent nothing: a new one
// closes the idle one, the next the silent one, and the one serving a
// request is never closed.
func TestLimiterClosesTheLongestIdleFirst(t *testing.T) {
	l := New(3)
	active, idle, silent := &fakeConn{}, &fakeConn{}, &fakeConn{}
	for _, c := range []net.Conn{active, idle, silent} {
		l.ConnState(c, http.StateNew)
	}
	l.ConnState(active, http.StateActive)
	l.ConnState(idle, http.StateActive)
	l.ConnState(idle, http.StateIdle)

	l.ConnState(&fakeConn{}, http.StateNew)
	if !idle.closed || silent.closed || active.closed {
		t.Fatalf("after the 4th connection: idle closed %v, silent closed %v, active closed %v; want true, false, false", idle.closed, silent.closed, active.closed)
	}
	l.ConnState(&fakeConn{}, http.StateNew)
	if !silent.closed || active.closed {
		t.Fatalf("after the 5th connection: silent closed %v, active closed %v; want true, false", silent.closed, active.closed)
	}
	if l.Open() != 3 {
		t.Errorf("Open() = %d; want 3", l.Open())
	}
}

// fakeConn records its Close.
type fakeConn struct {
	net.Conn
	closed bool
}

func (c *fakeConn) Close() error {
	c.closed = true
	return nil
}

// TestInFlightAnswers503PastTheLimit holds one request in flight with a
// limit of one: the next is refused at once with 503 and Retry-After.
func TestInFlightAnswers503PastTheLimit(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{})
	h := InFlight(1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}))
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/probe", nil))
		close(done)
	}()
	<-entered
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe", nil))
	close(release)
	<-done
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second request = %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
}
