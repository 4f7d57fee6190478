package nautobotsim

import (
	"net/http"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, ExpiredToken: "0123456789abcdef0123456789abcdef01234567"})
	if len(h.C.Token) != 40 {
		t.Errorf("derived token %q has %d characters; want 40", h.C.Token, len(h.C.Token))
	}
	tests := []struct {
		name       string
		auth       string
		wantStatus int
		wantDetail string
	}{
		{"missing", "", 403, "Authentication credentials were not provided."},
		{"other scheme", "Bearer " + h.C.Token, 403, "Authentication credentials were not provided."},
		{"no key", "Token", 403, "Invalid token header. No credentials provided."},
		{"spaces", "Token a b", 403, "Invalid token header. Token string should not contain spaces."},
		{"invalid", "Token 0000000000000000000000000000000000000000", 403, "Invalid token"},
		{"expired", "Token 0123456789abcdef0123456789abcdef01234567", 403, "Token expired"},
		{"valid", "Token " + h.C.Token, 200, ""},
		{"valid, lower-case scheme", "token " + h.C.Token, 200, ""},
	}
	for _, path := range []string{"/api/", "/api/status/", "/api/dcim/devices/"} {
		for _, tt := range tests {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				r := h.request("GET", path, map[string]string{"Authorization": tt.auth})
				if r.Status != tt.wantStatus {
					t.Fatalf("GET %s with %q = %d %s; want %d", path, tt.auth, r.Status, r.Body, tt.wantStatus)
				}
				if tt.wantDetail != "" {
					if got := simtest.DetailOf(t, r.Body); got != tt.wantDetail {
						t.Errorf("detail = %q; want %q", got, tt.wantDetail)
					}
				}
				if got := r.Header.Get("API-Version"); got != "2.4" {
					t.Errorf("API-Version = %q; want 2.4 (negotiation runs before authentication)", got)
				}
			})
		}
	}
	if got := h.S.Calls(); got != 6 {
		t.Errorf("Calls() = %d; want 6 (authenticated calls only)", got)
	}
}

func TestMethodsAndPaths(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	dev := h.S.Devices()[0].ID
	tests := []struct {
		method, path string
		wantStatus   int
		wantDetail   string
		wantAllow    string
	}{
		{"POST", "/api/dcim/devices/", 403, "You do not have permission to perform this action.", allowList},
		{"DELETE", "/api/dcim/devices/" + dev + "/", 403, "You do not have permission to perform this action.", allowDetail},
		{"PATCH", "/api/dcim/devices/" + dev + "/", 403, "You do not have permission to perform this action.", allowDetail},
		{"POST", "/api/status/", 405, `Method "POST" not allowed.`, allowRead},
		{"OPTIONS", "/api/dcim/devices/", 200, "", allowList},
		{"GET", "/api/nope/", 404, "Not found.", ""},
		{"GET", "/api/dcim/devices/not.an.id/", 404, "Not found.", ""},
		{"GET", "/api/dcim/sites/", 404, "Not found.", ""},
		{"GET", "/api/dcim/device-roles/", 404, "Not found.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := h.request(tt.method, tt.path, nil)
			if r.Status != tt.wantStatus {
				t.Fatalf("%s %s = %d %s; want %d", tt.method, tt.path, r.Status, r.Body, tt.wantStatus)
			}
			if tt.wantDetail != "" {
				if got := simtest.DetailOf(t, r.Body); got != tt.wantDetail {
					t.Errorf("detail = %q; want %q", got, tt.wantDetail)
				}
			}
			if got := r.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q; want %q", got, tt.wantAllow)
			}
		})
	}
	// Unknown paths are resolved before authentication.
	if r := h.request("GET", "/api/nope/", map[string]string{"Authorization": ""}); r.Status != 404 {
		t.Errorf("GET /api/nope/ without a token = %d; want 404", r.Status)
	}
	r := h.request("GET", "/api/dcim/devices?limit=3", nil)
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/api/dcim/devices/?limit=3" {
		t.Errorf("GET without trailing slash = %d Location %q; want 302 to /api/dcim/devices/?limit=3", r.Status, r.Header.Get("Location"))
	}
}

func TestVersionNegotiation(t *testing.T) {
	const supported2 = "2.0, 2.1, 2.2, 2.3, 2.4"
	const supported1 = "1.2, 1.3, 1.4, 1.5, 1.6"
	tests := []struct {
		name        string
		version     string
		accept      string
		query       string
		wantStatus  int
		wantVersion string
		wantDetail  string
	}{
		{"2.x default", "", "", "", 200, "2.4", ""},
		{"2.x pynautobot default accept", "2.x", "application/json;", "", 200, "2.4", ""},
		{"2.x accept header", "2.x", "application/json; version=2.2", "", 200, "2.2", ""},
		{"2.x query", "2.x", "", "?api_version=2.0", 200, "2.0", ""},
		{"2.x both agree", "2.x", "application/json; version=2.3", "?api_version=2.3", 200, "2.3", ""},
		{"2.x wildcard accept", "2.x", "application/*", "", 200, "2.4", ""},
		{"2.x refused header", "2.x", "application/json; version=9.9", "", 406, "",
			`Invalid version "9.9" in "Accept" header. Supported versions are: ` + supported2},
		{"2.x refused 1.x header", "2.x", "application/json; version=1.6", "", 406, "",
			`Invalid version "1.6" in "Accept" header. Supported versions are: ` + supported2},
		{"2.x refused query", "2.x", "", "?api_version=9.9", 404, "",
			`Invalid version "9.9" in query parameter. Supported versions are: ` + supported2},
		{"2.x mismatch", "2.x", "application/json; version=2.4", "?api_version=2.3", 400, "",
			`Version mismatch between "Accept" header and query parameter.`},
		{"2.x unsatisfiable accept", "2.x", "text/plain", "", 406, "", "Could not satisfy the request Accept header."},
		{"2.1 release", "2.1", "application/json; version=2.2", "", 406, "",
			`Invalid version "2.2" in "Accept" header. Supported versions are: 2.0, 2.1`},
		{"1.x default", "1.x", "", "", 200, "1.2", ""},
		{"1.x accept header", "1.x", "application/json; version=1.6", "", 200, "1.6", ""},
		{"1.x refused header", "1.x", "application/json; version=2.4", "", 406, "",
			`Invalid version "2.4" in "Accept" header. Supported versions are: ` + supported1},
		{"1.x refused query", "1.x", "", "?api_version=1.1", 404, "",
			`Invalid version "1.1" in query parameter. Supported versions are: ` + supported1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{Seed: 1, Version: tt.version})
			for _, path := range []string{"/api/", "/api/dcim/devices/"} {
				r := h.request("GET", path+tt.query, map[string]string{"Accept": tt.accept})
				if r.Status != tt.wantStatus {
					t.Fatalf("GET %s%s Accept %q = %d %s; want %d", path, tt.query, tt.accept, r.Status, r.Body, tt.wantStatus)
				}
				if got := r.Header.Get("API-Version"); got != tt.wantVersion {
					t.Errorf("API-Version = %q; want %q", got, tt.wantVersion)
				}
				if tt.wantDetail != "" {
					if got := simtest.DetailOf(t, r.Body); got != tt.wantDetail {
						t.Errorf("detail = %q; want %q", got, tt.wantDetail)
					}
				}
			}
			// A refused version answers before authentication.
			if tt.wantStatus != 200 {
				r := h.request("GET", "/api/"+tt.query, map[string]string{"Accept": tt.accept, "Authorization": ""})
				if r.Status != tt.wantStatus {
					t.Errorf("without a token: status = %d; want %d", r.Status, tt.wantStatus)
				}
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	for _, o := range []Options{{Size: "huge"}, {Version: "3.0"}, {Version: "1.3"}, {Version: "2.5"}, {PageSize: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) error = nil; want an error", o)
		}
	}
	s, err := New(Options{Version: "1.x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Credentials().Version; got != "1.6" {
		t.Errorf("Credentials().Version for 1.x = %q; want 1.6", got)
	}
}
