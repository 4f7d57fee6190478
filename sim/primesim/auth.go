package primesim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Realm is the basic-auth realm sent with 401s.
const Realm = "Cisco Prime Infrastructure"

type session struct {
	user   string
	last   time.Time // last use; the session expires SessionIdle after it
	domain string    // the last _ctx.domain, kept with Options.StickyDomain
}

// userState holds one user's in-flight requests and rate window.
type userState struct {
	inflight, peak int
	recent         []time.Time // admitted requests inside the window, oldest first
}

// unauthorized is a 401 HTML page with a basic-auth challenge.
func unauthorized(msg string) response {
	resp := htmlResp(http.StatusUnauthorized, msg)
	resp.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
	return resp
}

// toLogin redirects to the login page, as Prime does without credentials.
func toLogin(rc *reqCtx) response {
	resp := response{status: http.StatusFound, ctype: "text/html;charset=utf-8"}
	resp.Header().Set("Location", rc.origin()+loginPath)
	return resp
}

// authenticate accepts a live JSESSIONID cookie, else basic auth, which
// opens a new session unless the user already has MaxSessions. Prime's
// sessions are its persistent connections (shared/vendor-apis/prime.md,
// sections 2 and 10): a request with Connection: close opens none, unless
// Options.KeepClosedSessions. Without credentials the answer is a 302 to
// the login page; wrong ones are a 401, or that 302 with
// Options.WrongPasswordRedirect.
func (s *Server) authenticate(rc *reqCtx) (string, response, bool) {
	r := rc.r
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if c, err := r.Cookie("JSESSIONID"); err == nil {
		if sess := s.sessions[c.Value]; sess != nil {
			if s.live(sess, rc.now) {
				sess.last = rc.now
				rc.sess = sess
				return sess.user, response{}, true
			}
			delete(s.sessions, c.Value)
		}
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", toLogin(rc), false
	}
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(s.creds.Username)) == 1
	okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(s.creds.Password)) == 1
	if !okUser || !okPass {
		if s.opts.WrongPasswordRedirect {
			return "", toLogin(rc), false
		}
		return "", unauthorized("Authentication failed: invalid username or password"), false
	}
	if r.Close && !s.opts.KeepClosedSessions {
		return user, response{}, true
	}
	if most := s.opts.MaxSessions; most > 0 && s.activeSessions(user, rc.now) >= most {
		return "", unauthorized(fmt.Sprintf("Maximum number of sessions (%d) reached for user %s", most, user)), false
	}
	id := newSessionID()
	rc.sess = &session{user: user, last: rc.now}
	s.sessions[id] = rc.sess
	rc.setCookie = "JSESSIONID=" + id + "; Path=/webacs; HttpOnly"
	return user, response{}, true
}

// revoke is the answer once Faults.Revoke takes effect: the password no
// longer works, so the sessions it opened end and basic auth fails.
func (s *Server) revoke(rc *reqCtx) response {
	s.authMu.Lock()
	clear(s.sessions)
	s.authMu.Unlock()
	return unauthorized("Authentication failed: invalid username or password")
}

func (s *Server) live(sess *session, now time.Time) bool {
	return now.Sub(sess.last) < s.opts.SessionIdle
}

// activeSessions counts user's live sessions and drops expired ones;
// authMu held.
func (s *Server) activeSessions(user string, now time.Time) int {
	n := 0
	for id, sess := range s.sessions {
		switch {
		case !s.live(sess, now):
			delete(s.sessions, id)
		case sess.user == user:
			n++
		}
	}
	return n
}

// Sessions is the number of active sessions of the user by the clock now.
func (s *Server) Sessions() int {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	return s.activeSessions(s.creds.Username, s.now())
}

// newSessionID is a Tomcat-style id: 32 upper-case hex digits.
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func (s *Server) userState(user string) *userState {
	u := s.users[user]
	if u == nil {
		u = &userState{}
		s.users[user] = u
	}
	return u
}

// window drops the times at or before the window's start.
func window(times []time.Time, now time.Time, size time.Duration) []time.Time {
	cut := now.Add(-size)
	k := 0
	for k < len(times) && !times[k].After(cut) {
		k++
	}
	return append(times[:0], times[k:]...)
}

// admit applies the per-user concurrency limit, then the global and the
// per-user sliding-window rate limits. A rejected request is charged to
// none; an admitted one holds an in-flight slot until release.
func (s *Server) admit(rc *reqCtx, user string, now time.Time) (release func(), resp response, ok bool) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	u := s.userState(user)
	if lim := s.opts.MaxConcurrent; lim > 0 && u.inflight >= lim {
		// "Currently" counts the rejected request, as the count that
		// exceeded the limit.
		return nil, s.limitResp(rc, fmt.Sprintf("Per user concurrent query count exceeded Currently %d : Limit is %d", u.inflight+1, lim)), false
	}
	if lim := s.opts.GlobalRateLimit; lim > 0 {
		s.global = window(s.global, now, s.opts.RateWindow)
		if len(s.global) >= lim {
			return nil, s.limitResp(rc, s.globalRateLimitMsg()), false
		}
	}
	if lim := s.opts.RateLimit; lim > 0 {
		u.recent = window(u.recent, now, s.opts.RateWindow)
		if len(u.recent) >= lim {
			return nil, s.limitResp(rc, s.rateLimitMsg(user)), false
		}
		u.recent = append(u.recent, now)
	}
	if s.opts.GlobalRateLimit > 0 {
		s.global = append(s.global, now)
	}
	u.inflight++
	u.peak = max(u.peak, u.inflight)
	return func() {
		s.authMu.Lock()
		u.inflight--
		s.authMu.Unlock()
	}, response{}, true
}

// MaxInFlight is the user's peak of concurrently admitted requests.
func (s *Server) MaxInFlight() int {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	return s.userState(s.creds.Username).peak
}
