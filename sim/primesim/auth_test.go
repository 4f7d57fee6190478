package primesim

import (
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestAuthErrors: no credentials are sent to the login page (302), wrong
// ones are a 401 HTML page (prime.md section 10.2).
func TestAuthErrors(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	path := data("Devices", "")
	tests := []struct {
		name     string
		set      func(r *http.Request)
		redirect bool
	}{
		{"no credentials", func(r *http.Request) {}, true},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth(h.C.Username, "nope") }, false},
		{"wrong user", func(r *http.Request) { r.SetBasicAuth("admin", h.C.Password) }, false},
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+h.C.Password) }, true},
		{"unknown cookie", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "JSESSIONID", Value: "0123"}) }, true},
	}
	for _, tt := range tests {
		req := h.newReq("GET", path)
		tt.set(req)
		r := h.do(req, noRedirect, true)
		if tt.redirect {
			if r.Status != http.StatusFound || r.Header.Get("Location") != h.C.BaseURL+loginPath {
				t.Errorf("%s: GET = %d, Location %q; want 302 to %s", tt.name, r.Status, r.Header.Get("Location"), loginPath)
			}
		} else {
			if r.Status != 401 || !isHTML(r) || !strings.Contains(string(r.Body), "invalid username or password") {
				t.Errorf("%s: GET = %d %s; want a 401 HTML page", tt.name, r.Status, r.Body)
			}
			if got := r.Header.Get("WWW-Authenticate"); got != `Basic realm="Cisco Prime Infrastructure"` {
				t.Errorf("%s: WWW-Authenticate = %q", tt.name, got)
			}
		}
		if r.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s: Set-Cookie %q; want none", tt.name, r.Header.Get("Set-Cookie"))
		}
	}
	// Unauthenticated requests for an unknown resource are refused too.
	if r := h.do(h.newReq("GET", dataPrefix+"Nope"), noRedirect, true); r.Status != http.StatusFound {
		t.Errorf("GET unknown resource without auth = %d; want 302", r.Status)
	}
	if h.S.Calls() != 0 || h.S.Sessions() != 0 {
		t.Errorf("Calls(), Sessions() = %d, %d; want 0, 0 after refusals", h.S.Calls(), h.S.Sessions())
	}
	// A client that follows the redirect finds a login page, not data.
	r := h.do(h.newReq("GET", path), http.DefaultClient, true)
	if r.Status != 200 || !isHTML(r) || !strings.Contains(string(r.Body), "j_password") {
		t.Errorf("GET following redirects without credentials = %d %s; want the login page", r.Status, r.Body)
	}

	h = newHarness(t, relaxed(Options{Seed: 1, WrongPasswordRedirect: true}))
	req := h.newReq("GET", path)
	req.SetBasicAuth(h.C.Username, "nope")
	if r := h.do(req, noRedirect, true); r.Status != http.StatusFound || r.Header.Get("Location") != h.C.BaseURL+loginPath {
		t.Errorf("wrong password with WrongPasswordRedirect = %d, Location %q; want 302 to the login page", r.Status, r.Header.Get("Location"))
	}
}

// noRedirect is a client that does not follow redirects, as a client of
// Prime must not.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestWithoutNBIRead(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1, WithoutNBIRead: true}))
	for _, p := range []string{data("Devices", ""), dataPrefix[:len(dataPrefix)-1] + ".json"} {
		if r := h.Get(p); r.Status != http.StatusForbidden || !isHTML(r) || !strings.Contains(string(r.Body), "NBI Read") {
			t.Errorf("GET %s without NBI Read = %d %s; want a 403 HTML page", p, r.Status, r.Body)
		}
	}
	if h.S.Calls() != 2 {
		t.Errorf("Calls() = %d; want 2 (the 403s are counted)", h.S.Calls())
	}
}

var cookieRE = regexp.MustCompile(`^JSESSIONID=[0-9A-F]{32}; Path=/webacs; HttpOnly$`)

func TestSessionReuse(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	first := h.Get(data("Devices", ""))
	if c := first.Header.Get("Set-Cookie"); first.Status != 200 || !cookieRE.MatchString(c) {
		t.Fatalf("first GET = %d, Set-Cookie %q; want 200 and a JSESSIONID cookie", first.Status, c)
	}
	for i := 0; i < 20; i++ {
		r := h.Get(data("Alarms", ""))
		if r.Status != 200 || r.Header.Get("Set-Cookie") != "" {
			t.Fatalf("GET %d with the cookie = %d, Set-Cookie %q; want 200 and no new session", i, r.Status, r.Header.Get("Set-Cookie"))
		}
	}
	if n := h.S.Sessions(); n != 1 {
		t.Errorf("Sessions() = %d after 21 requests of one client; want 1", n)
	}
	// The cookie alone authenticates, even with wrong basic credentials.
	req := h.newReq("GET", data("Devices", ""))
	req.SetBasicAuth(h.C.Username, "wrong")
	if r := h.do(req, nil, true); r.Status != 200 {
		t.Errorf("GET with the cookie and a wrong password = %d; want 200", r.Status)
	}
	if r := h.do(h.newReq("GET", data("Devices", "")), nil, true); r.Status != 200 {
		t.Errorf("GET with the cookie only = %d; want 200", r.Status)
	}
}

func TestSessionLimit(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1}))
	noJar := &http.Client{}
	var cookies []string
	for i := 0; i < 5; i++ {
		r := h.do(h.newReq("GET", data("Devices", "")), noJar, false)
		if r.Status != 200 {
			t.Fatalf("new session %d = %d %s; want 200", i+1, r.Status, r.Body)
		}
		cookies = append(cookies, strings.Split(r.Header.Get("Set-Cookie"), ";")[0])
	}
	r := h.do(h.newReq("GET", data("Devices", "")), noJar, false)
	if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" || !isHTML(r) || !strings.Contains(string(r.Body), "sessions") {
		t.Errorf("6th new session = %d %s; want a 401 HTML page about sessions", r.Status, r.Body)
	}
	if h.S.Sessions() != 5 || h.S.Calls() != 5 {
		t.Errorf("Sessions(), Calls() = %d, %d; want 5, 5 (the refused one is not counted)", h.S.Sessions(), h.S.Calls())
	}
	// Existing sessions keep working.
	req := h.newReq("GET", data("Devices", ""))
	req.Header.Set("Cookie", cookies[0])
	if r := h.do(req, noJar, true); r.Status != 200 {
		t.Errorf("GET with session 1's cookie = %d; want 200", r.Status)
	}
	// Idle sessions expire and make room; the one just used stays.
	h.Clock.Add(4 * time.Minute)
	req = h.newReq("GET", data("Devices", ""))
	req.Header.Set("Cookie", cookies[0])
	h.do(req, noJar, true)
	h.Clock.Add(time.Minute)
	if n := h.S.Sessions(); n != 1 {
		t.Errorf("Sessions() 5 min after the others' last use = %d; want 1", n)
	}
	req = h.newReq("GET", data("Devices", ""))
	req.Header.Set("Cookie", cookies[1])
	if r := h.do(req, noRedirect, true); r.Status != http.StatusFound {
		t.Errorf("GET with an expired cookie only = %d; want 302 to the login page", r.Status)
	}
	for i := 0; i < 4; i++ {
		if r := h.do(h.newReq("GET", data("Devices", "")), noJar, false); r.Status != 200 {
			t.Errorf("new session after expiry %d = %d; want 200", i, r.Status)
		}
	}
	if r := h.do(h.newReq("GET", data("Devices", "")), noJar, false); r.Status != 401 {
		t.Errorf("6th live session = %d; want 401", r.Status)
	}
}

func TestSessionOptions(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1, MaxSessions: -1, SessionIdle: time.Minute}))
	for i := 0; i < 12; i++ {
		if r := h.do(h.newReq("GET", data("Devices", "")), &http.Client{}, false); r.Status != 200 {
			t.Fatalf("session %d with MaxSessions -1 = %d; want 200", i+1, r.Status)
		}
	}
	h.Clock.Add(59 * time.Second)
	if n := h.S.Sessions(); n != 12 {
		t.Errorf("Sessions() after 59 s = %d; want 12", n)
	}
	h.Clock.Add(time.Second)
	if n := h.S.Sessions(); n != 0 {
		t.Errorf("Sessions() after SessionIdle 1 min = %d; want 0", n)
	}

	h = newHarness(t, relaxed(Options{Seed: 1, MaxSessions: 2}))
	jar, _ := cookiejar.New(nil)
	reuse := &http.Client{Jar: jar}
	for i := 0; i < 10; i++ {
		if r := h.do(h.newReq("GET", data("Devices", "")), reuse, false); r.Status != 200 {
			t.Fatalf("GET %d reusing the cookie = %d; want 200", i, r.Status)
		}
	}
	h.do(h.newReq("GET", data("Devices", "")), &http.Client{}, false)
	if r := h.do(h.newReq("GET", data("Devices", "")), &http.Client{}, false); r.Status != 401 {
		t.Errorf("3rd session with MaxSessions 2 = %d; want 401", r.Status)
	}
}

func TestCalls(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 1, Domains: []string{"NA-Campus"}}))
	id := h.S.APs()[0].ID
	reqs := []struct {
		method, path string
		status       int
	}{
		{"GET", data("Devices", ""), 200},
		{"GET", dataPrefix + "Devices", 200},
		{"GET", data("Devices", "nope=1"), 400},
		{"GET", data("Devices", "_ctx.domain=ROOT-DOMAIN"), 403},
		{"GET", data("Devices", ".maxResults=2000"), 503},
		{"POST", data("Alarms", ""), 405},
		{"GET", dataPrefix + "Alarms/1.json", 404},
		{"GET", dataPrefix + "AccessPointDetails/" + idString(id), 200},
		{"GET", dataPrefix + "Nope.json", 404},
		{"GET", "/webacs/api/v4/op/info", 404},
		{"GET", dataAt("v3", "Devices", ""), 200},
		{"GET", "/webacs/api/v4/data.json", 200},
	}
	for _, r := range reqs {
		if got := h.do(h.newReq(r.method, r.path), nil, false); got.Status != r.status {
			t.Errorf("%s %s = %d; want %d", r.method, r.path, got.Status, r.status)
		}
	}
	h.do(h.newReq("GET", data("Devices", "")), noRedirect, true) // 302
	want := map[string]int{
		"/webacs/api/v4/data/Devices":                 5,
		"/webacs/api/v4/data/Alarms":                  1,
		"/webacs/api/v4/data/Alarms/{id}":             1,
		"/webacs/api/v4/data/AccessPointDetails/{id}": 1,
		"/webacs/api/v3/data/Devices":                 1,
		"/webacs/api/v4/data":                         1,
	}
	got := h.S.CallsByPath()
	if h.S.Calls() != 10 || len(got) != len(want) {
		t.Errorf("Calls() = %d, CallsByPath() = %v; want 10, %v", h.S.Calls(), got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("CallsByPath()[%s] = %d; want %d", k, got[k], v)
		}
	}
	h.S.ResetCalls()
	if h.S.Calls() != 0 || len(h.S.CallsByPath()) != 0 || h.S.Sessions() != 1 {
		t.Errorf("after ResetCalls: Calls %d, CallsByPath %v, Sessions %d; want 0, empty, 1", h.S.Calls(), h.S.CallsByPath(), h.S.Sessions())
	}
}

// TestConnectionCloseOpensNoSession: Prime's sessions are its persistent
// connections, and Cisco advises Connection: close against its limit
// (shared/vendor-apis/prime.md, section 2): such requests open none, past
// any number of them; with KeepClosedSessions they open sessions as the
// others do.
func TestConnectionCloseOpensNoSession(t *testing.T) {
	closing := func(h *harness) result {
		req := h.newReq("GET", data("Devices", ""))
		req.Close = true
		return h.do(req, &http.Client{}, false)
	}
	h := newHarness(t, relaxed(Options{Seed: 1}))
	for i := range 12 {
		if r := closing(h); r.Status != 200 || r.Header.Get("Set-Cookie") != "" {
			t.Fatalf("request %d with Connection: close = %d, Set-Cookie %q; want 200 and no session", i+1, r.Status, r.Header.Get("Set-Cookie"))
		}
	}
	if n := h.S.Sessions(); n != 0 {
		t.Errorf("Sessions() after 12 requests with Connection: close = %d; want 0", n)
	}

	h = newHarness(t, relaxed(Options{Seed: 1, KeepClosedSessions: true}))
	for range 5 {
		if r := closing(h); r.Status != 200 || !cookieRE.MatchString(r.Header.Get("Set-Cookie")) {
			t.Fatalf("request with Connection: close and KeepClosedSessions = %d, Set-Cookie %q; want 200 and a session", r.Status, r.Header.Get("Set-Cookie"))
		}
	}
	if r := closing(h); r.Status != 401 {
		t.Errorf("6th session with KeepClosedSessions = %d; want 401", r.Status)
	}
}
