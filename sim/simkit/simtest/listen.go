package simtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Listen builds a simulator with build from o and serves it on loopback
// until the test ends. Unlike Serve it leaves the simulator's clock alone:
// for tests of the product that run on the real one.
func Listen[O any, S http.Handler](t testing.TB, build func(O) (S, error), o O) (S, *httptest.Server) {
	t.Helper()
	s, err := build(o)
	if err != nil {
		t.Fatalf("New(%+v) error: %v", o, err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}
