package mistsim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// LoginLockout is how long logins from one client address answer 429 after
// three failures in a row.
const LoginLockout = 5 * time.Minute

// sessionExpiry is the org's session_expiry (1440 minutes).
const sessionExpiry = 24 * time.Hour

const maxLoginFailures = 3

type session struct {
	id, csrf, email string
	created         time.Time
}

type loginFails struct {
	n           int
	lockedUntil time.Time
}

// authenticate resolves the caller: a token header wins over cookies.
func (s *Server) authenticate(rc *reqCtx) (response, bool) {
	r := rc.r
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(strings.TrimSpace(h), " ")
		if strings.EqualFold(scheme, "Token") {
			tok = strings.TrimSpace(tok)
			if tok == "" {
				return unauthorized("Invalid token header. No credentials provided."), false
			}
			s.authMu.Lock()
			ok := s.tokens[tok]
			s.authMu.Unlock()
			if !ok {
				return unauthorized(msgBadToken), false
			}
			rc.key = "token:" + tok
			return response{}, true
		}
	}
	c, err := r.Cookie("sessionid")
	if err != nil {
		return unauthorized(msgNoCreds), false
	}
	s.authMu.Lock()
	sess := s.sessions[c.Value]
	if sess != nil && rc.now.Sub(sess.created) > sessionExpiry {
		delete(s.sessions, c.Value)
		sess = nil
	}
	s.authMu.Unlock()
	if sess == nil {
		return unauthorized(msgNoCreds), false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		got := r.Header.Get("X-CSRFToken")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) != 1 {
			return detail(http.StatusForbidden, msgCSRF), false
		}
	}
	rc.key = "user:" + sess.email
	rc.sess = sess
	return response{}, true
}

func unauthorized(msg string) response {
	resp := detail(http.StatusUnauthorized, msg)
	resp.Header().Set("WWW-Authenticate", "Token")
	return resp
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// handleLogin is POST /api/v1/login: not authenticated and not counted.
func handleLogin(s *Server, rc *reqCtx) response {
	var body struct {
		Email     string `json:"email"`
		Password  string `json:"password"`
		TwoFactor string `json:"two_factor"`
	}
	raw, err := io.ReadAll(io.LimitReader(rc.r.Body, 1<<20))
	if err != nil {
		return detail(http.StatusBadRequest, "could not read request body")
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return detail(http.StatusBadRequest, "JSON parse error - "+err.Error())
	}
	addr := clientAddr(rc.r)
	s.authMu.Lock()
	defer s.authMu.Unlock()
	lf := s.loginFails[addr]
	if lf != nil && rc.now.Before(lf.lockedUntil) {
		return detail(http.StatusTooManyRequests, msgLoginLimited)
	}
	if body.Email == "" || body.Password == "" {
		return detail(http.StatusBadRequest, msgBadLogin)
	}
	okEmail := strings.EqualFold(body.Email, s.creds.Email)
	okPass := subtle.ConstantTimeCompare([]byte(body.Password), []byte(s.creds.Password)) == 1
	if !okEmail || !okPass || rc.revoked {
		if lf == nil || !lf.lockedUntil.IsZero() {
			lf = &loginFails{}
			s.loginFails[addr] = lf
		}
		lf.n++
		if lf.n >= maxLoginFailures {
			lf.lockedUntil = rc.now.Add(LoginLockout)
		}
		return detail(http.StatusBadRequest, msgBadLogin)
	}
	delete(s.loginFails, addr)
	sess := &session{id: randomToken(16), csrf: randomToken(16), email: s.creds.Email, created: rc.now}
	s.sessions[sess.id] = sess
	resp := jsonResp(http.StatusOK, struct{}{})
	exp := rc.now.Add(sessionExpiry)
	resp.Header().Add("Set-Cookie", (&http.Cookie{Name: "csrftoken", Value: sess.csrf, Path: "/",
		Expires: rc.now.Add(364 * 24 * time.Hour), MaxAge: 31449600, SameSite: http.SameSiteLaxMode}).String())
	resp.Header().Add("Set-Cookie", (&http.Cookie{Name: "sessionid", Value: sess.id, Path: "/",
		Expires: exp, MaxAge: int(sessionExpiry / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode}).String())
	return resp
}

// handleTwoFactor is POST /api/v1/login/two_factor; no user has 2FA.
func handleTwoFactor(s *Server, rc *reqCtx) response {
	return detail(http.StatusNotFound, "two factor not enabled")
}

// handleLogout is POST /api/v1/logout; it ends a cookie session.
func handleLogout(s *Server, rc *reqCtx) response {
	resp := jsonResp(http.StatusOK, struct{}{})
	if rc.sess == nil {
		return resp
	}
	s.authMu.Lock()
	delete(s.sessions, rc.sess.id)
	s.authMu.Unlock()
	for _, name := range []string{"sessionid", "csrftoken"} {
		resp.Header().Add("Set-Cookie", (&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1}).String())
	}
	return resp
}
