package cxsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, TokenTTL: 30 * time.Minute})
	id, secret := h.C.ClientID, h.C.ClientSecret
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()
	tests := []struct {
		name        string
		body, ctype string
		basic       bool
		wantStatus  int
		wantMessage string
	}{
		{"documented", tokenBody(id, secret, Scope), "application/json", false, 200, ""},
		{"no content type", tokenBody(id, secret, Scope), "", false, 200, ""},
		{"wrong secret", tokenBody(id, "nope", Scope), "application/json", false, 401, "invalid client credentials"},
		{"unknown client", tokenBody("someone", secret, Scope), "application/json", false, 401, "invalid client credentials"},
		{"wrong scope", tokenBody(id, secret, "api.other"), "application/json", false, 401, "scope api.other is not granted"},
		{"missing secret", `{"grantType": "client_credentials", "clientId": "` + id + `", "scope": "api.bcs.manage"}`, "application/json", false, 400, "are required"},
		{"password grant", strings.Replace(tokenBody(id, secret, Scope), "client_credentials", "password", 1), "application/json", false, 400, "unsupported grantType"},
		{"OAuth2 form", form, "application/x-www-form-urlencoded", false, 400, "form-encoded bodies and HTTP basic auth are not accepted"},
		{"form with basic auth", "grant_type=client_credentials", "application/x-www-form-urlencoded", true, 400, "not accepted"},
		{"not JSON", "clientId=x", "text/plain", false, 400, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.C.TokenURL, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.basic {
				req.SetBasicAuth(id, secret)
			}
			r := h.Do(req)
			if r.Status != tt.wantStatus {
				t.Fatalf("POST token = %d %s; want %d", r.Status, r.Body, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				if msg := messageOf(t, r.Body); !strings.Contains(msg, tt.wantMessage) {
					t.Errorf("message %q; want it to say %q", msg, tt.wantMessage)
				}
				return
			}
			var body struct {
				AccessToken string   `json:"accessToken"`
				TokenType   string   `json:"tokenType"`
				ExpiresIn   int      `json:"expiresIn"`
				Scope       []string `json:"scope"`
			}
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("token body %q: %v", r.Body, err)
			}
			if body.AccessToken == "" || body.TokenType != "Bearer" || body.ExpiresIn != 1800 || len(body.Scope) != 1 || body.Scope[0] != Scope {
				t.Errorf("token = %+v; want a token, Bearer, expiresIn 1800 and scope [%s]", body, Scope)
			}
			// A three-part JWT whose payload has exp, as the SDK decodes it.
			parts := strings.Split(body.AccessToken, ".")
			if len(parts) != 3 {
				t.Fatalf("accessToken %q is not a three-part JWT", body.AccessToken)
			}
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			var claims struct{ Exp int64 }
			if err != nil || json.Unmarshal(payload, &claims) != nil || claims.Exp != testStart.Add(30*time.Minute).Unix() {
				t.Errorf("JWT payload %s; want exp = now + expiresIn (%d)", payload, testStart.Add(30*time.Minute).Unix())
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q; want no-store", r.Header.Get("Cache-Control"))
			}
		})
	}
	req, _ := http.NewRequest("GET", h.C.TokenURL, nil)
	if r := h.Do(req); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET token = %d; want 405", r.Status)
	}
	// The prose's form of the URL, without the trailing slash.
	bare := strings.TrimSuffix(h.C.TokenURL, "/")
	req, _ = http.NewRequest("POST", bare, strings.NewReader(tokenBody(id, secret, Scope)))
	if r := h.Do(req); r.Status != 200 {
		t.Errorf("POST %s = %d; want 200", bare, r.Status)
	}
	if got, want := h.S.TokenRequests(), len(tests)+3; got != want {
		t.Errorf("TokenRequests() = %d; want %d (the harness's token, the table, the GET, the bare URL)", got, want)
	}
	if h.S.Calls() != 0 {
		t.Errorf("Calls() = %d after token requests only; want 0", h.S.Calls())
	}
}

// TestTokenIsChecked: a token this server did not sign, or one whose
// signature was changed, is refused like an unknown one.
func TestTokenIsChecked(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	other := newHarness(t, Options{Seed: 1, ClientID: h.C.ClientID, ClientSecret: h.C.ClientSecret})
	parts := strings.Split(h.token, ".")
	for name, tok := range map[string]string{
		"another server's": other.token,
		"re-signed":        parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
		"not a JWT":        "0123456789abcdef",
	} {
		if r := h.request("GET", "collectors", map[string]string{"Authorization": "Bearer " + tok}); r.Status != 401 {
			t.Errorf("GET with %s token = %d; want 401", name, r.Status)
		}
	}
}

func TestBearerRequired(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	tests := []struct{ name, auth string }{
		{"missing", ""},
		{"unknown token", "Bearer 0123456789abcdef"},
		{"wrong scheme", "Token " + h.token},
		{"basic", "Basic Zm9vOmJhcg=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.request("GET", "inventory/devices", map[string]string{"Authorization": tt.auth})
			if r.Status != 401 || messageOf(t, r.Body) != "Unauthorized" {
				t.Errorf("GET with %s authorization = %d %s; want 401 Unauthorized", tt.name, r.Status, r.Body)
			}
			if got := r.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q; want Bearer error=\"invalid_token\"", got)
			}
			if r.Header.Get("X-RateLimit-Limit-Day") != "" {
				t.Errorf("401 carries rate-limit headers; want none (no application is known)")
			}
		})
	}
	if h.S.Calls() != 0 {
		t.Errorf("Calls() = %d after 401s only; want 0", h.S.Calls())
	}
	if r := h.request("GET", "inventory/devices", map[string]string{"Authorization": "bearer " + h.token}); r.Status != 200 {
		t.Errorf("GET with a lower-case bearer scheme = %d; want 200", r.Status)
	}
}

func TestTokenExpiry(t *testing.T) {
	h := newHarness(t, Options{Seed: 1}) // default TTL: 3200 s
	if r := h.Get("collectors"); r.Status != 200 {
		t.Fatalf("GET with a fresh token = %d; want 200", r.Status)
	}
	h.Clock.Add(DefaultTokenTTL - time.Second)
	if r := h.Get("collectors"); r.Status != 200 {
		t.Fatalf("GET a second before expiry = %d; want 200", r.Status)
	}
	h.Clock.Add(time.Second)
	if r := h.Get("collectors"); r.Status != 401 {
		t.Fatalf("GET at expiry = %d; want 401", r.Status)
	}
	h.token = h.newToken()
	if r := h.Get("collectors"); r.Status != 200 {
		t.Fatalf("GET with a new token = %d; want 200", r.Status)
	}
	old := h.token
	h.token = h.newToken()
	h.S.ExpireTokens()
	for _, tok := range []string{old, h.token} {
		h.token = tok
		if r := h.Get("collectors"); r.Status != 401 {
			t.Errorf("GET after ExpireTokens = %d; want 401", r.Status)
		}
	}
	h.token = h.newToken()
	if r := h.Get("collectors"); r.Status != 200 {
		t.Errorf("GET with a token issued after ExpireTokens = %d; want 200", r.Status)
	}
}

// TestTokensNotRateLimited: token requests neither use nor are stopped by
// the API budget.
func TestTokensNotRateLimited(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PerSecond: 2})
	for i := 0; i < 2; i++ {
		h.Get("collectors")
	}
	if r := h.Get("collectors"); r.Status != 429 {
		t.Fatalf("third call in a second = %d; want 429", r.Status)
	}
	for i := 0; i < 5; i++ {
		h.newToken()
	}
}
