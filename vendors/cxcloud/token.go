package cxcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// tokenSource fetches OAuth2 client-credentials tokens and keeps one until
// shortly before it lapses.
type tokenSource struct {
	url          string
	clientID     string
	clientSecret string
	req          *vendors.Requester // no API budget: the token host is another service
	now          func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// refreshMargin renews a token this long before it lapses, so a request
// never leaves with a token about to expire.
const refreshMargin = time.Minute

// get returns a valid token, fetching one when there is none or it is about
// to lapse.
func (t *tokenSource) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.now().Before(t.expires.Add(-refreshMargin)) {
		return t.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	resp, err := t.req.Do(ctx, vendors.Request{
		Method: http.MethodPost, URL: t.url, Endpoint: "/oauth2/token",
		Header: http.Header{
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic " + basic(t.clientID, t.clientSecret)},
			"Accept":        {"application/json"},
		},
		Body: []byte(form.Encode()),
	})
	if err != nil {
		return "", fmt.Errorf("fetching an OAuth2 token for client %s: %w", t.clientID, err)
	}
	var tok struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("fetching an OAuth2 token for client %s: the answer has no access_token", t.clientID)
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return "", fmt.Errorf("fetching an OAuth2 token: token type %q is not Bearer", tok.TokenType)
	}
	ttl := time.Duration(tok.ExpiresIn * float64(time.Second))
	if ttl <= 0 {
		ttl = time.Hour
	}
	t.token, t.expires = tok.AccessToken, t.now().Add(ttl)
	return t.token, nil
}

// invalidate drops a token the API refused, so the next get fetches anew.
func (t *tokenSource) invalidate() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token = ""
}

func basic(id, secret string) string {
	r := &http.Request{Header: http.Header{}}
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}
