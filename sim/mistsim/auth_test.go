package mistsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestAuthErrors(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	foreignSite := h.S.ForeignSiteIDs()[0]
	tests := []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		detail             string
	}{
		{"no credentials", "GET", "/api/v1/self", map[string]string{"Authorization": ""}, 401, "Authentication credentials were not provided."},
		{"wrong token", "GET", "/api/v1/self", map[string]string{"Authorization": "Token nope"}, 401, "Invalid token."},
		{"other scheme", "GET", "/api/v1/self", map[string]string{"Authorization": "Bearer " + h.C.Token}, 401, "Authentication credentials were not provided."},
		{"foreign org", "GET", "/api/v1/orgs/" + h.S.ForeignOrgID() + "/stats", nil, 403, "You do not have permission to perform this action."},
		{"foreign org sites", "GET", "/api/v1/orgs/" + h.S.ForeignOrgID() + "/sites", nil, 403, "You do not have permission to perform this action."},
		{"foreign site", "GET", "/api/v1/sites/" + foreignSite + "/stats", nil, 403, "You do not have permission to perform this action."},
		{"unknown org", "GET", "/api/v1/orgs/00000000-0000-0000-0000-000000000000/stats", nil, 404, "Not found."},
		{"unknown site", "GET", "/api/v1/sites/00000000-1111-4222-8333-444444444444/stats", nil, 404, "Not found."},
		{"unknown path", "GET", "/api/v1/orgs/" + h.C.OrgID + "/nothing", nil, 404, "Not found."},
		{"unknown path without auth", "GET", "/nope", map[string]string{"Authorization": ""}, 404, "Not found."},
		{"wrong method", "DELETE", "/api/v1/orgs/" + h.C.OrgID + "/sites", nil, 405, `Method "DELETE" not allowed.`},
		{"two factor", "POST", "/api/v1/login/two_factor", nil, 404, "two factor not enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Request(tt.method, tt.path, "", tt.hdr)
			if r.Status != tt.status || simtest.DetailOf(t, r.Body) != tt.detail {
				t.Errorf("%s %s = %d %s; want %d {\"detail\": %q}", tt.method, tt.path, r.Status, r.Body, tt.status, tt.detail)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", ct)
			}
		})
	}
	// Counted: the authenticated calls to known paths (403s, 404s for the
	// org and site, 405, two factor); not the 401s nor the unknown paths.
	if got := h.S.Calls(); got != 7 {
		t.Errorf("Calls() = %d; want 7", got)
	}
}

func TestSelf(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	var self struct {
		Name       string  `json:"name"`
		Email      *string `json:"email"`
		Privileges []struct {
			Scope string `json:"scope"`
			OrgID string `json:"org_id"`
			Name  string `json:"name"`
			Role  string `json:"role"`
		} `json:"privileges"`
	}
	h.GetOK("/api/v1/self", &self)
	if self.Email != nil || self.Name == "" || len(self.Privileges) != 1 {
		t.Fatalf("self = %+v; want an org token body: name, no email, one privilege", self)
	}
	p := self.Privileges[0]
	if p.Scope != "org" || p.OrgID != h.C.OrgID || p.Role != "read" || p.Name == "" {
		t.Errorf("privilege = %+v; want scope org, org_id %s, role read, a name", p, h.C.OrgID)
	}
	var org struct{ ID, Name string }
	h.GetOK(h.org(""), &org)
	if org.ID != h.C.OrgID || org.Name != p.Name {
		t.Errorf("org = %+v; want id %s name %s", org, h.C.OrgID, p.Name)
	}
}

// loginClient returns a client with a cookie jar, logged in.
func loginClient(t *testing.T, h *harness) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	body := fmt.Sprintf(`{"email": %q, "password": %q}`, h.C.Email, h.C.Password)
	resp, err := cl.Post(h.C.BaseURL+"/api/v1/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST /login: %v", err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 || len(got) != 0 {
		t.Fatalf("POST /login = %d %v (%v); want 200 {}", resp.StatusCode, got, err)
	}
	names := map[string]bool{}
	for _, c := range resp.Cookies() {
		if c.Value == "" || c.Path != "/" {
			t.Errorf("cookie %s = %q path %q; want a value and path /", c.Name, c.Value, c.Path)
		}
		names[c.Name] = true
	}
	if !names["csrftoken"] || !names["sessionid"] {
		t.Fatalf("login cookies = %v; want csrftoken and sessionid", names)
	}
	return cl
}

func csrfOf(t *testing.T, h *harness, cl *http.Client) string {
	u, _ := url.Parse(h.C.BaseURL)
	for _, c := range cl.Jar.Cookies(u) {
		if c.Name == "csrftoken" {
			return c.Value
		}
	}
	t.Fatalf("no csrftoken cookie")
	return ""
}

func TestLoginSession(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	cl := loginClient(t, h)
	do := func(method, path string, hdr map[string]string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, h.C.BaseURL+path, nil)
		simtest.SetHeaders(req, hdr)
		st, _, b := simtest.Do(t, cl, req)
		return st, b
	}
	st, body := do("GET", "/api/v1/self", nil)
	var self struct {
		Email      string `json:"email"`
		Privileges []struct {
			OrgID string `json:"org_id"`
		} `json:"privileges"`
	}
	if err := json.Unmarshal(body, &self); st != 200 || err != nil || self.Email != h.C.Email || len(self.Privileges) != 1 {
		t.Fatalf("GET /self with cookies = %d %s; want 200 with email %s", st, body, h.C.Email)
	}
	if st, _ := do("GET", "/api/v1/orgs/"+h.C.OrgID+"/stats", nil); st != 200 {
		t.Errorf("GET org stats with cookies = %d; want 200", st)
	}
	if st, body := do("POST", "/api/v1/logout", nil); st != 403 || simtest.DetailOf(t, body) != "CSRF Failed: CSRF token missing or incorrect." {
		t.Errorf("POST /logout without X-CSRFToken = %d %s; want 403 CSRF Failed", st, body)
	}
	if st, _ := do("POST", "/api/v1/logout", map[string]string{"X-CSRFToken": "wrong"}); st != 403 {
		t.Errorf("POST /logout with a wrong X-CSRFToken = %d; want 403", st)
	}
	if st, body := do("POST", "/api/v1/logout", map[string]string{"X-CSRFToken": csrfOf(t, h, cl)}); st != 200 {
		t.Errorf("POST /logout with X-CSRFToken = %d %s; want 200", st, body)
	}
	if st, _ := do("GET", "/api/v1/self", nil); st != 401 {
		t.Errorf("GET /self after logout = %d; want 401", st)
	}
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	login := func(pw string) (int, string) {
		body := fmt.Sprintf(`{"email": %q, "password": %q}`, h.C.Email, pw)
		r := h.Request("POST", "/api/v1/login", body, map[string]string{"Authorization": "", "Content-Type": "application/json"})
		return r.Status, simtest.DetailOf(t, r.Body)
	}
	for i := 1; i <= 3; i++ {
		if st, d := login("wrong"); st != 400 || d != "Invalid email or password" {
			t.Errorf("failed login %d = %d %q; want 400 \"Invalid email or password\"", i, st, d)
		}
	}
	if st, _ := login(h.C.Password); st != 429 {
		t.Errorf("login after 3 failures = %d; want 429", st)
	}
	h.Clock.Add(LoginLockout + time.Second)
	if st, d := login(h.C.Password); st != 200 {
		t.Errorf("login after the lockout = %d %q; want 200", st, d)
	}
	if r := h.Request("POST", "/api/v1/login", "{not json", map[string]string{"Authorization": ""}); r.Status != 400 {
		t.Errorf("login with a bad body = %d; want 400", r.Status)
	}
	if h.S.Calls() != 0 {
		t.Errorf("Calls() after logins only = %d; want 0 (login is not an API call)", h.S.Calls())
	}
}

func TestHourlyLimit(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		t.Run(fmt.Sprintf("RetryAfter=%v", retryAfter), func(t *testing.T) {
			h := newHarness(t, Options{Seed: 1, HourlyLimit: 5, RetryAfter: retryAfter, ExtraTokens: []string{"second"}})
			h.Clock.Set(time.Date(2025, 7, 10, 10, 59, 0, 0, time.UTC))
			for i := 1; i <= 4; i++ {
				h.GetOK("/api/v1/self", nil)
			}
			var u struct {
				Requests     int `json:"requests"`
				RequestLimit int `json:"request_limit"`
			}
			h.GetOK("/api/v1/self/usage", &u)
			if u.Requests != 5 || u.RequestLimit != 5 {
				t.Errorf("self/usage = %+v; want requests 5 (itself included), request_limit 5", u)
			}
			r := h.Get("/api/v1/self")
			want := "Too Many Request. The API Token used for the request reached the 5 API Calls per hour threshold"
			if r.Status != 429 || simtest.DetailOf(t, r.Body) != want {
				t.Errorf("6th call = %d %s; want 429 %q", r.Status, r.Body, want)
			}
			wantRA := ""
			if retryAfter {
				wantRA = "60"
			}
			if got := r.Header.Get("Retry-After"); got != wantRA {
				t.Errorf("Retry-After = %q; want %q", got, wantRA)
			}
			if r := h.Request("GET", "/api/v1/self", "", map[string]string{"Authorization": "Token second"}); r.Status != 200 {
				t.Errorf("other token status = %d; want 200 (budgets are per token)", r.Status)
			}
			h.Clock.Set(time.Date(2025, 7, 10, 11, 0, 0, 0, time.UTC))
			h.GetOK("/api/v1/self/usage", &u)
			if u.Requests != 1 {
				t.Errorf("self/usage after the hour = %+v; want requests 1", u)
			}
			if got := h.S.Calls(); got != 8 {
				t.Errorf("Calls() = %d; want 8 (the 429 counted too)", got)
			}
		})
	}
}

func TestCallsByPath(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	h.GetOK(h.org("/stats/devices"), nil)
	h.GetOK(h.org("/stats/devices?type=all"), nil)
	h.GetOK("/api/v1/sites/"+h.S.SiteIDs()[0]+"/stats", nil)
	h.Get("/api/v1/self/nothing")
	h.Request("GET", "/api/v1/self", "", map[string]string{"Authorization": "Token bad"})
	got := h.S.CallsByPath()
	want := map[string]int{"/api/v1/orgs/{org_id}/stats/devices": 2, "/api/v1/sites/{site_id}/stats": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) || h.S.Calls() != 3 {
		t.Errorf("CallsByPath() = %v, Calls() = %d; want %v, 3", got, h.S.Calls(), want)
	}
	h.S.ResetCalls()
	if h.S.Calls() != 0 || len(h.S.CallsByPath()) != 0 {
		t.Errorf("after ResetCalls: Calls() = %d, CallsByPath() = %v; want 0, empty", h.S.Calls(), h.S.CallsByPath())
	}
}
