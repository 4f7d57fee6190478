package cxsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, TokenTTL: 30 * time.Minute})
	id, secret := h.c.ClientID, h.c.ClientSecret
	grant := url.Values{"grant_type": {"client_credentials"}}
	withForm := func(id, secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	}
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		wantStatus int
		wantError  string
	}{
		{"form", withForm(id, secret), "", "", 200, ""},
		{"basic auth", grant, id, secret, 200, ""},
		{"wrong secret in form", withForm(id, "nope"), "", "", 401, "invalid_client"},
		{"wrong secret in basic auth", grant, id, "nope", 401, "invalid_client"},
		{"unknown client", withForm("someone", secret), "", "", 401, "invalid_client"},
		{"no client", grant, "", "", 401, "invalid_client"},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {id}, "client_secret": {secret}}, "", "", 400, "unsupported_grant_type"},
		{"no grant", url.Values{"client_id": {id}, "client_secret": {secret}}, "", "", 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.postToken(tt.form, tt.user, tt.pass)
			var body struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				Error       string `json:"error"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("token body %q: %v", r.body, err)
			}
			if r.status != tt.wantStatus || body.Error != tt.wantError {
				t.Fatalf("POST token = %d error %q; want %d %q (body %s)", r.status, body.Error, tt.wantStatus, tt.wantError, r.body)
			}
			if tt.wantStatus == 200 && (body.AccessToken == "" || body.TokenType != "Bearer" || body.ExpiresIn != 1800) {
				t.Errorf("token = %+v; want a token, Bearer, expires_in 1800", body)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q; want no-store", r.header.Get("Cache-Control"))
			}
		})
	}
	req, _ := http.NewRequest("GET", h.c.TokenURL, nil)
	if r := h.do(req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token = %d; want 405", r.status)
	}
	if got, want := h.s.TokenRequests(), len(tests)+2; got != want {
		t.Errorf("TokenRequests() = %d; want %d (the harness's token, the table, the GET)", got, want)
	}
	if h.s.Calls() != 0 {
		t.Errorf("Calls() = %d after token requests only; want 0", h.s.Calls())
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
			if r.status != 401 || messageOf(t, r.body) != "Unauthorized" {
				t.Errorf("GET with %s authorization = %d %s; want 401 Unauthorized", tt.name, r.status, r.body)
			}
			if got := r.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q; want Bearer error=\"invalid_token\"", got)
			}
			if r.header.Get("X-RateLimit-Limit-Day") != "" {
				t.Errorf("401 carries rate-limit headers; want none (no application is known)")
			}
		})
	}
	if h.s.Calls() != 0 {
		t.Errorf("Calls() = %d after 401s only; want 0", h.s.Calls())
	}
	if r := h.request("GET", "inventory/devices", map[string]string{"Authorization": "bearer " + h.token}); r.status != 200 {
		t.Errorf("GET with a lower-case bearer scheme = %d; want 200", r.status)
	}
}

func TestTokenExpiry(t *testing.T) {
	h := newHarness(t, Options{Seed: 1}) // default TTL: 1h
	if r := h.get("collectors"); r.status != 200 {
		t.Fatalf("GET with a fresh token = %d; want 200", r.status)
	}
	h.clock.Add(time.Hour - time.Second)
	if r := h.get("collectors"); r.status != 200 {
		t.Fatalf("GET a second before expiry = %d; want 200", r.status)
	}
	h.clock.Add(time.Second)
	if r := h.get("collectors"); r.status != 401 {
		t.Fatalf("GET at expiry = %d; want 401", r.status)
	}
	h.token = h.newToken()
	if r := h.get("collectors"); r.status != 200 {
		t.Fatalf("GET with a new token = %d; want 200", r.status)
	}
	old := h.token
	h.token = h.newToken()
	h.s.ExpireTokens()
	for _, tok := range []string{old, h.token} {
		h.token = tok
		if r := h.get("collectors"); r.status != 401 {
			t.Errorf("GET after ExpireTokens = %d; want 401", r.status)
		}
	}
	h.token = h.newToken()
	if r := h.get("collectors"); r.status != 200 {
		t.Errorf("GET with a token issued after ExpireTokens = %d; want 200", r.status)
	}
}

// TestTokensNotRateLimited: token requests neither use nor are stopped by
// the API budget.
func TestTokensNotRateLimited(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, PerSecond: 2})
	for i := 0; i < 2; i++ {
		h.get("collectors")
	}
	if r := h.get("collectors"); r.status != 429 {
		t.Fatalf("third call in a second = %d; want 429", r.status)
	}
	for i := 0; i < 5; i++ {
		h.newToken()
	}
}
