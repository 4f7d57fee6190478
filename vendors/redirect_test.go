package vendors

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// catcher is a server that must never be reached: it records every
// request and what credentials it carried.
type catcher struct {
	srv   *httptest.Server
	mu    sync.Mutex
	seen  []string // method, Authorization, Cookie and body of each request
	count atomic.Int64
}

func newCatcher(t *testing.T) *catcher {
	t.Helper()
	c := &catcher{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.seen = append(c.seen, r.Method+" auth="+r.Header.Get("Authorization")+" cookie="+r.Header.Get("Cookie")+" body="+string(body))
		c.mu.Unlock()
		c.count.Add(1)
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *catcher) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

// redirector answers every request with status and Location to.
func redirector(t *testing.T, tls bool, status int, to func(r *http.Request) string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Location", to(r))
		w.WriteHeader(status)
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestRedirectElsewhereKeepsCredentials: a redirect to another port of the
// same host, or from https to http, reaches nothing, names where it
// pointed without its userinfo or query, is not retried and costs one
// call.
func TestRedirectElsewhereKeepsCredentials(t *testing.T) {
	catch := newCatcher(t)
	elsewhere, _ := url.Parse(catch.srv.URL)
	for _, tc := range []struct {
		name   string
		tls    bool
		status int
		method string
		to     string
	}{
		{name: "302 to another port", status: http.StatusFound, method: http.MethodGet, to: catch.srv.URL + "/login"},
		{name: "307 with the body to another port", status: http.StatusTemporaryRedirect, method: http.MethodPost, to: catch.srv.URL + "/token"},
		{name: "308 from https to http", tls: true, status: http.StatusPermanentRedirect, method: http.MethodGet, to: catch.srv.URL + "/"},
		{name: "userinfo and query hidden", status: http.StatusFound, method: http.MethodGet,
			to: "http://bob:hunter2@" + elsewhere.Host + "/x?token=s3cr3t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			origin, hits := redirector(t, tc.tls, tc.status, func(*http.Request) string { return tc.to })
			hc, err := NewHTTPClient(HTTPOptions{InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			clock := newFakeClock(t, "2026-11-23T17:30:00Z")
			budget := newTestBudget(BudgetConfig{PerHour: 100}, clock)
			r := &Requester{Client: hc, Budget: budget, BaseBackoff: 1, Prepare: func(r *http.Request) error {
				r.Header.Set("Authorization", "Token tok-0123456789")
				return nil
			}}
			var body []byte
			if tc.method == http.MethodPost {
				body = []byte(`{"secret":"client-secret-42"}`)
			}
			_, err = r.Do(context.Background(), Request{Method: tc.method, URL: origin.URL + "/api", Endpoint: "/api", Body: body})
			var re *RedirectError
			if !errors.As(err, &re) {
				t.Fatalf("Do() = %v; want a *RedirectError", err)
			}
			if !strings.Contains(err.Error(), "redirected to http://") || !strings.Contains(err.Error(), elsewhere.Host) {
				t.Errorf("Do() = %q; want it to name where the redirect pointed", err)
			}
			for _, secret := range []string{"hunter2", "bob", "s3cr3t", "tok-0123456789"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("Do() = %q; shows %q", err, secret)
				}
			}
			if got := catch.requests(); len(got) != 0 {
				t.Errorf("the other port got %v; want nothing", got)
			}
			if got := hits.Load(); got != 1 {
				t.Errorf("requests sent = %d; want 1: a redirect elsewhere is not retried", got)
			}
			if got := budget.State().Used["hour"]; got != 1 {
				t.Errorf("calls counted = %d; want 1", got)
			}
		})
	}
}

// TestClientRedirectPolicy: the plain client, as the Alertmanager push
// uses it, keeps Authorization and its body from another port too.
func TestClientRedirectPolicy(t *testing.T) {
	catch := newCatcher(t)
	origin, _ := redirector(t, false, http.StatusTemporaryRedirect, func(*http.Request) string { return catch.srv.URL + "/api/v2/alerts" })
	hc, err := NewHTTPClient(HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, origin.URL+"/api/v2/alerts", strings.NewReader("[]"))
	req.Header.Set("Authorization", "Bearer am-token")
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	var re *RedirectError
	if !errors.As(err, &re) || catch.count.Load() != 0 {
		t.Errorf("POST redirected to another port = %v, %d requests there; want a *RedirectError and none", err, catch.count.Load())
	}
}

// TestRedirectSameOriginCountsAsCall: a redirect within the origin is
// followed with the credentials, and the hop is a call like any other.
func TestRedirectSameOriginCountsAsCall(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		auth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)
	hc, err := NewHTTPClient(HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	budget := newTestBudget(BudgetConfig{PerHour: 100}, clock)
	codes := &codeLog{}
	r := &Requester{Client: hc, Budget: budget, Recorder: codes, Prepare: func(r *http.Request) error {
		r.Header.Set("Authorization", "Token tok")
		return nil
	}}
	ctx, calls := CountCalls(context.Background())
	var v struct{}
	if _, err := r.GetJSON(ctx, srv.URL+"/a", "/a", &v); err != nil {
		t.Fatalf("GetJSON() = %v", err)
	}
	if got, _ := auth.Load().(string); got != "Token tok" {
		t.Errorf("Authorization after the redirect = %q; want it kept within the origin", got)
	}
	if used, n := budget.State().Used["hour"], calls.Load(); used != 2 || n != 2 {
		t.Errorf("calls counted = %d in the budget, %d in the refresh; want 2 and 2", used, n)
	}
	if got, want := strings.Join(codes.get(), ","), "/a 302,/a 200"; got != want {
		t.Errorf("recorded %s; want %s", got, want)
	}
}

// TestRedirectLoopNotRetried: a loop ends at the tenth redirect, each
// request counted, and is not tried again.
func TestRedirectLoopNotRetried(t *testing.T) {
	srv, hits := redirector(t, false, http.StatusFound, func(r *http.Request) string { return r.URL.Path })
	hc, err := NewHTTPClient(HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	budget := newTestBudget(BudgetConfig{PerHour: 100}, newFakeClock(t, "2026-11-23T17:30:00Z"))
	r := &Requester{Client: hc, Budget: budget, BaseBackoff: 1}
	_, err = r.Do(context.Background(), Request{URL: srv.URL + "/loop", Endpoint: "/loop"})
	var re *RedirectError
	if !errors.As(err, &re) || re.Hops != maxRedirects || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Fatalf("Do() into a loop = %v; want a *RedirectError after 10 redirects", err)
	}
	if got := hits.Load(); got != maxRedirects {
		t.Errorf("requests = %d; want %d, not retried", got, maxRedirects)
	}
	if got := budget.State().Used["hour"]; got != maxRedirects {
		t.Errorf("calls counted = %d; want %d", got, maxRedirects)
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		same     bool
	}{
		{"https://pi.example.com/a", "https://pi.example.com:443/b", true},
		{"http://pi.example.com/a", "http://PI.example.com:80/b", true},
		{"https://pi.example.com/a", "http://pi.example.com/b", false},
		{"https://pi.example.com/a", "http://pi.example.com:443/b", false},
		{"https://pi.example.com/a", "https://pi.example.com:8443/b", false},
		{"https://pi.example.com/a", "https://evil.example.com/b", false},
		{"https://pi.example.com/a", "https://sub.pi.example.com/b", false},
	} {
		from, _ := url.Parse(tc.from)
		to, _ := url.Parse(tc.to)
		err := sameOrigin(&http.Request{URL: to}, []*http.Request{{URL: from}})
		if got := err == nil; got != tc.same {
			t.Errorf("sameOrigin(%s -> %s) = %v; want followed %v", tc.from, tc.to, err, tc.same)
		}
	}
}
