package cxsim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

type token struct {
	client  string
	expires time.Time
}

// authenticate resolves "Authorization: Bearer <token>" to its client id;
// missing, unknown and expired tokens fail alike.
func (s *Server) authenticate(r *http.Request, now time.Time) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	s.authMu.Lock()
	defer s.authMu.Unlock()
	t, ok := s.tokens[tok]
	if !ok {
		return "", false
	}
	if !now.Before(t.expires) {
		delete(s.tokens, tok)
		return "", false
	}
	return t.client, true
}

// ExpireTokens makes every issued token invalid at once, as if all had
// reached their expiry.
func (s *Server) ExpireTokens() {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	clear(s.tokens)
}

type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func oauthJSON(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		panic("cxsim: encode: " + err.Error()) // only our own types are encoded
	}
	resp := response{status: status, body: append(b, '\n')}
	// Token responses must not be cached (RFC 6749 section 5.1).
	resp.header().Set("Cache-Control", "no-store")
	resp.header().Set("Pragma", "no-cache")
	return resp
}

// handleToken is the OAuth2 client-credentials grant. Client
// authentication (HTTP basic, else the client_id and client_secret form
// fields) is checked before the grant type; a revoked client
// (Faults.Revoke) fails it.
func (s *Server) handleToken(r *http.Request, revoked bool) response {
	s.callMu.Lock()
	s.tokenReqs++
	s.callMu.Unlock()
	if r.Method != http.MethodPost {
		resp := oauthJSON(http.StatusMethodNotAllowed, tokenError{"invalid_request", "the token endpoint accepts POST only"})
		resp.header().Set("Allow", "POST")
		return resp
	}
	if err := r.ParseForm(); err != nil {
		return oauthJSON(http.StatusBadRequest, tokenError{"invalid_request", "the request body is not a valid form"})
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return oauthJSON(http.StatusUnauthorized, tokenError{"invalid_client", "client authentication is required"})
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.creds.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.creds.ClientSecret)) == 1
	if !idOK || !secretOK || revoked {
		resp := oauthJSON(http.StatusUnauthorized, tokenError{"invalid_client", "client authentication failed: unknown client or wrong secret"})
		if basic {
			resp.header().Set("WWW-Authenticate", `Basic realm="oauth2"`)
		}
		return resp
	}
	switch g := r.PostForm.Get("grant_type"); g {
	case "client_credentials":
	case "":
		return oauthJSON(http.StatusBadRequest, tokenError{"invalid_request", "grant_type is required"})
	default:
		return oauthJSON(http.StatusBadRequest, tokenError{"unsupported_grant_type", "grant type " + g + " is not supported; use client_credentials"})
	}
	now := s.now()
	tok := randomToken(32)
	s.authMu.Lock()
	for k, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[tok] = token{client: id, expires: now.Add(s.ttl)}
	s.authMu.Unlock()
	return oauthJSON(http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}{tok, "Bearer", int64(s.ttl / time.Second)})
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
