package cxcloud

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// Scope is the one scope the exporter's tokens are asked for.
const Scope = "api.bcs.manage"

// tokenSource signs in as Cisco documents it (shared/vendor-apis/cxcloud.md
// section 2): a JSON body of grantType, clientId, secret and scope, posted
// to the token URL, answered with accessToken, tokenType and expiresIn. It
// keeps the token until shortly before it lapses: not the SDK's renewal
// before every call, whose sign error makes it so.
type tokenSource struct {
	url      string
	clientID string
	secret   string
	req      *vendors.Requester // no API budget: whether token calls count is not documented
	now      func() time.Time

	attempts atomic.Int64 // counts the sign-ins made
	gen      atomic.Int64 // counts the tokens fetched; read without waiting on a sign-in

	mu      sync.Mutex
	token   string
	renew   time.Time // when the token is to be renewed
	failErr error     // the last sign-in's failure, until one succeeds
}

const (
	// renewMargin renews a token this long before it lapses (or at half its
	// life, when shorter), so no request leaves with one about to expire.
	renewMargin = 5 * time.Minute
	// documentedTTL is the lifetime Cisco documents, for an answer that
	// says none.
	documentedTTL = 3200 * time.Second
)

// get returns a valid token and its generation, signing in when there is
// none or it is due for renewal. Requests that waited while a sign-in
// failed get its error instead of trying again: pages fetched several at
// a time with a wrong secret cost one token request, not one each.
func (t *tokenSource) get(ctx context.Context) (string, int64, error) {
	seen := t.attempts.Load()
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.token != "" && now.Before(t.renew) {
		return t.token, t.gen.Load(), nil
	}
	if t.failErr != nil && t.attempts.Load() > seen {
		return "", 0, t.failErr
	}
	tok, lifetime, err := t.signIn(ctx)
	if ctx.Err() == nil {
		// A cancelled refresh says nothing about the credentials.
		t.attempts.Add(1)
		t.failErr = err
	}
	if err != nil {
		return "", 0, err
	}
	t.token = tok
	t.renew = now.Add(lifetime - min(renewMargin, lifetime/2))
	return t.token, t.gen.Add(1), nil
}

// signIn asks the token URL for a token and returns it with its lifetime:
// expiresIn, else the JWT's exp claim, else the documented 3200 s.
func (t *tokenSource) signIn(ctx context.Context) (string, time.Duration, error) {
	body, err := json.Marshal(map[string]string{
		"grantType": "client_credentials", "clientId": t.clientID, "secret": t.secret, "scope": Scope,
	})
	if err != nil {
		return "", 0, err
	}
	fail := func(format string, a ...any) (string, time.Duration, error) {
		return "", 0, &signInError{fmt.Errorf("signing in at %s as client %s: %s", t.url, t.clientID, fmt.Sprintf(format, a...))}
	}
	resp, err := t.req.Do(ctx, vendors.Request{
		Method: http.MethodPost, URL: t.url, Endpoint: "/torii-auth/v1/token/",
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:   body,
	})
	if err != nil {
		return "", 0, &signInError{fmt.Errorf("signing in at %s as client %s: %w", t.url, t.clientID, err)}
	}
	defer resp.Release()
	var tok struct {
		AccessToken string   `json:"accessToken"`
		TokenType   string   `json:"tokenType"`
		ExpiresIn   *float64 `json:"expiresIn"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.AccessToken == "" {
		return fail("the answer has no accessToken")
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return fail("token type %q is not Bearer", tok.TokenType)
	}
	lifetime := documentedTTL
	switch exp, ok := jwtExpiry(tok.AccessToken); {
	case tok.ExpiresIn != nil:
		// The server's own count, free of any clock skew between us.
		lifetime = time.Duration(*tok.ExpiresIn * float64(time.Second))
	case ok:
		lifetime = exp.Sub(t.now())
	}
	if lifetime <= 0 {
		return fail("the token has already expired")
	}
	return tok.AccessToken, lifetime, nil
}

// signInError is a failed sign-in: a 401 inside it is the token URL's,
// not a data call's, and asking again at once cannot help.
type signInError struct{ err error }

func (e *signInError) Error() string { return e.err.Error() }
func (e *signInError) Unwrap() error { return e.err }

// jwtExpiry reads a JWT's exp claim without checking its signature, as the
// SDK does: the token is the server's to check.
func jwtExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var c struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Exp == nil {
		return time.Time{}, false
	}
	return time.Unix(int64(*c.Exp), 0), true
}

// invalidate drops the token of generation gen after the API refused it,
// so the next get signs in anew; a newer token, fetched meanwhile by
// another request refused with the same one, is kept.
func (t *tokenSource) invalidate(gen int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gen.Load() == gen {
		t.token = ""
	}
}

// generation is the generation of the token a request made now gets.
func (t *tokenSource) generation() int64 { return t.gen.Load() }
