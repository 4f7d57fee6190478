package cxsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

type token struct {
	client  string
	expires time.Time
}

// authenticate resolves "Authorization: Bearer <token>" to its client id:
// a JWT this server signed, not expired by its exp claim, and not dropped
// by ExpireTokens. Missing, unknown and expired tokens fail alike.
func (s *Server) authenticate(r *http.Request, now time.Time) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	claims, ok := s.verifyJWT(tok)
	if !ok || now.Unix() >= claims.Exp {
		return "", false
	}
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

// tokenRequest is the documented body: exactly these four keys.
type tokenRequest struct {
	GrantType string `json:"grantType"`
	ClientID  string `json:"clientId"`
	Secret    string `json:"secret"`
	Scope     string `json:"scope"`
}

// tokenAnswer is the documented success body.
type tokenAnswer struct {
	TokenType   string   `json:"tokenType"`
	ExpiresIn   int64    `json:"expiresIn"`
	AccessToken string   `json:"accessToken"`
	Scope       []string `json:"scope"`
}

// claims are the JWT payload: exp is what the SDK reads.
type claims struct {
	Sub   string `json:"sub"`
	Scope string `json:"scope"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
	Jti   string `json:"jti"`
}

func jsonMessage(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		panic("cxsim: encode: " + err.Error()) // only our own types are encoded
	}
	resp := response{status: status, body: append(b, '\n')}
	resp.Header().Set("Cache-Control", "no-store")
	return resp
}

// oldFormMsg explains a request in the OAuth2 form-and-basic-auth shape
// that Cisco's other CX Cloud API takes and this one does not.
const oldFormMsg = `the token endpoint takes a JSON body {"grantType": "client_credentials", "clientId": ..., "secret": ..., "scope": "api.bcs.manage"}; ` +
	`form-encoded bodies and HTTP basic auth are not accepted`

// handleToken issues access tokens as DOC-AUTH documents: POST a JSON body
// with grantType, clientId, secret and scope; the answer carries
// tokenType, expiresIn, accessToken (a JWT with exp) and scope. A request
// in another shape, such as a form with basic auth, is a 400 saying so;
// unknown credentials or scope, or a revoked client (Faults.Revoke), a 401
// with a {"message"} body (the real body is not documented).
func (s *Server) handleToken(r *http.Request, revoked bool) response {
	s.callMu.Lock()
	s.tokenReqs++
	s.callMu.Unlock()
	if r.Method != http.MethodPost {
		resp := message(http.StatusMethodNotAllowed, "the token endpoint accepts POST only")
		resp.Header().Set("Allow", "POST")
		return resp
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if _, _, basic := r.BasicAuth(); basic || mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
		return message(http.StatusBadRequest, oldFormMsg)
	}
	var req tokenRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	if err := dec.Decode(&req); err != nil {
		return message(http.StatusBadRequest, "the token request body is not a JSON object: "+oldFormMsg)
	}
	if req.GrantType == "" || req.ClientID == "" || req.Secret == "" || req.Scope == "" {
		return message(http.StatusBadRequest, "grantType, clientId, secret and scope are required")
	}
	if req.GrantType != "client_credentials" {
		return message(http.StatusBadRequest, "unsupported grantType "+req.GrantType+"; use client_credentials")
	}
	idOK := subtle.ConstantTimeCompare([]byte(req.ClientID), []byte(s.creds.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(req.Secret), []byte(s.creds.ClientSecret)) == 1
	if !idOK || !secretOK || revoked {
		return message(http.StatusUnauthorized, "invalid client credentials")
	}
	if req.Scope != Scope {
		return message(http.StatusUnauthorized, "scope "+req.Scope+" is not granted; ask for "+Scope)
	}
	now := s.now()
	exp := now.Add(s.ttl)
	tok := s.signJWT(claims{Sub: req.ClientID, Scope: Scope, Iat: now.Unix(), Exp: exp.Unix(), Jti: randomToken(12)})
	s.authMu.Lock()
	for k, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[tok] = token{client: req.ClientID, expires: exp}
	s.authMu.Unlock()
	return jsonMessage(http.StatusOK, tokenAnswer{TokenType: "Bearer", ExpiresIn: int64(s.ttl / time.Second), AccessToken: tok, Scope: []string{Scope}})
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// signJWT writes an HS256 JWT of c.
func (s *Server) signJWT(c claims) string {
	payload, err := json.Marshal(c)
	if err != nil {
		panic("cxsim: encode: " + err.Error())
	}
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, s.jwtKey)
	mac.Write([]byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verifyJWT checks a token's signature and returns its claims.
func (s *Server) verifyJWT(tok string) (claims, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return claims{}, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return claims{}, false
	}
	mac := hmac.New(sha256.New, s.jwtKey)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return claims{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, false
	}
	var c claims
	if json.NewDecoder(bytes.NewReader(payload)).Decode(&c) != nil {
		return claims{}, false
	}
	return c, true
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
