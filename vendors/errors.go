package vendors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxDetail bounds APIError.Detail so an HTML error page cannot flood logs.
const maxDetail = 200

// APIError is a vendor answer with a status the requester does not accept.
type APIError struct {
	Method string
	// Endpoint is the path template, never the full URL: queries may carry
	// secrets.
	Endpoint   string
	StatusCode int
	// Detail is the vendor's message from the body, at most 200 characters.
	Detail string
	// RetryAfter is the Retry-After header's value, when present.
	RetryAfter time.Duration
	// Location is where a 3xx the requester did not follow points, its
	// userinfo and query hidden.
	Location string
}

// Error returns e.g. `GET /api/v1/orgs/{org_id}/stats: HTTP 403: Forbidden`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Endpoint, e.StatusCode)
	switch {
	case e.Detail != "":
		b.WriteString(": ")
		b.WriteString(e.Detail)
	case http.StatusText(e.StatusCode) != "":
		b.WriteString(" ")
		b.WriteString(http.StatusText(e.StatusCode))
	}
	if e.Location != "" {
		fmt.Fprintf(&b, " (to %s)", e.Location)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Temporary reports whether the same request may succeed later.
func (e *APIError) Temporary() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// DecodeError is a response body that is not the JSON the caller expected:
// malformed, truncated or followed by trailing data.
type DecodeError struct {
	Endpoint string
	Err      error
}

// Error names the endpoint and, for syntax and type errors, the byte offset.
func (e *DecodeError) Error() string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(e.Err, &se):
		return fmt.Sprintf("decoding response of %s at byte %d: %v", e.Endpoint, se.Offset, e.Err)
	case errors.As(e.Err, &te):
		return fmt.Sprintf("decoding response of %s at byte %d: %v", e.Endpoint, te.Offset, e.Err)
	}
	return fmt.Sprintf("decoding response of %s: %v", e.Endpoint, e.Err)
}

// Unwrap returns the decoder's error.
func (e *DecodeError) Unwrap() error { return e.Err }

// BudgetError says the local or vendor-reported quota for Window ("hour" or
// "day") is spent until Reset.
type BudgetError struct {
	Window string
	Reset  time.Time
}

// Error returns e.g. `hour budget spent; resets at 2026-11-23T18:00:00Z`.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("%s budget spent; resets at %s", e.Window, e.Reset.UTC().Format(time.RFC3339))
}

// RedirectError is a redirect the client would not follow: one to another
// scheme, host or port than the request went to, which the credentials
// must not reach, or one of too many in a row. Retrying cannot change it.
type RedirectError struct {
	// To is where the redirect pointed, its userinfo and query hidden.
	To string
	// From is the scheme, host and port the request went to.
	From string
	// Hops is the redirects followed before a loop was given up on; 0 for
	// a redirect elsewhere.
	Hops int
}

// Error returns e.g. `redirected to http://pi.example.com:8080/login,
// away from https://pi.example.com: not followed, the credentials go
// nowhere else`.
func (e *RedirectError) Error() string {
	if e.Hops > 0 {
		return fmt.Sprintf("stopped after %d redirects in a row, the last to %s", e.Hops, e.To)
	}
	return fmt.Sprintf("redirected to %s, away from %s: not followed, the credentials go nowhere else", e.To, e.From)
}

// BackoffError is a refusal that asks the source to wait: trying again
// sooner than For would only meet it again. A collection that gets one
// refreshes no sooner.
type BackoffError struct {
	Err error
	For time.Duration
}

// Error returns the refusal and how long the source backs off.
func (e *BackoffError) Error() string {
	return fmt.Sprintf("%v; backing off for %s", e.Err, e.For)
}

// Unwrap returns the refusal.
func (e *BackoffError) Unwrap() error { return e.Err }

// FallbackError is a fetch that got its data another way after its first
// way failed: the data that come with it are whole and current, and Err
// says what failed. A collection keeps such data and shows the error.
type FallbackError struct {
	Err error
}

// Error returns the failure of the first way.
func (e *FallbackError) Error() string { return e.Err.Error() }

// Unwrap returns the failure of the first way.
func (e *FallbackError) Unwrap() error { return e.Err }

// hideURL writes u for an error or a log: its userinfo and query, which may
// carry credentials, hidden, its fragment dropped.
func hideURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User("xxxxx")
	}
	if c.RawQuery != "" || c.ForceQuery {
		c.RawQuery, c.ForceQuery = "xxxxx", false
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// ErrBodyTooLarge is returned, wrapped with the endpoint, for a response body
// beyond Requester.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("response body exceeds the size cap")

// StatusCode returns the HTTP status of the APIError in err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// detailKeys are the body fields vendors put their error message in, most
// specific first.
var detailKeys = []string{"detail", "message", "error", "errorMessage", "errorDocument"}

// parseDetail extracts a short, single-line vendor message from an error body.
func parseDetail(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(trimmed, &m) == nil {
			for _, k := range detailKeys {
				if s := cleanDetail(messageOf(m[k])); s != "" {
					return s
				}
			}
		}
	}
	if isHTML(trimmed) {
		return cleanDetail(htmlText(trimmed))
	}
	if len(trimmed) > maxDetail {
		trimmed = trimmed[:maxDetail]
	}
	return cleanDetail(string(trimmed))
}

// htmlScan bounds the part of an HTML error page read for its text.
const htmlScan = 64 << 10

// isHTML reports whether an error body is an HTML page: a login page, an
// application server's error page or a proxy's, which carry their reason
// in text among markup.
func isHTML(b []byte) bool {
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := asciiLower(b[:min(len(b), 512)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html")) ||
		bytes.Contains(head, []byte("<body")) || bytes.Contains(head, []byte("<title"))
}

// asciiLower lowers ASCII letters only, so that offsets in the result are
// offsets in b, whatever bytes b holds (bytes.ToLower mends invalid UTF-8,
// changing lengths).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// htmlText is an HTML page's text: its title, then its body's text when
// that does not begin with the title, without markup, scripts or styles.
func htmlText(b []byte) string {
	b = b[:min(len(b), htmlScan)]
	lower := asciiLower(b)
	var title string
	if i := bytes.Index(lower, []byte("<title")); i >= 0 {
		if j := bytes.IndexByte(lower[i:], '>'); j >= 0 {
			rest := b[i+j+1:]
			if k := bytes.Index(asciiLower(rest), []byte("</title")); k >= 0 {
				title = strings.Join(strings.Fields(html.UnescapeString(string(rest[:k]))), " ")
			}
		}
	}
	if i := bytes.Index(lower, []byte("<body")); i >= 0 {
		b, lower = b[i:], lower[i:]
	}
	var out strings.Builder
	for len(b) > 0 && out.Len() < 4*maxDetail {
		lt := bytes.IndexByte(b, '<')
		if lt < 0 {
			out.WriteString(html.UnescapeString(string(b)))
			break
		}
		out.WriteString(html.UnescapeString(string(b[:lt])))
		out.WriteByte(' ')
		b, lower = b[lt:], lower[lt:]
		skipTo := []byte(">")
		for _, tag := range []string{"script", "style", "head"} {
			if bytes.HasPrefix(lower, []byte("<"+tag)) {
				skipTo = []byte("</" + tag + ">")
			}
		}
		end := bytes.Index(lower, skipTo)
		if end < 0 {
			break
		}
		b, lower = b[end+len(skipTo):], lower[end+len(skipTo):]
	}
	text := strings.Join(strings.Fields(out.String()), " ")
	if title != "" && !strings.HasPrefix(text, title) {
		text = strings.TrimSpace(title + " " + text)
	}
	return text
}

// messageOf accepts a JSON string or an object with a "message" string.
func messageOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Message
	}
	return ""
}

// cleanDetail drops control characters and broken UTF-8 (a byte cut may split
// a rune), collapses whitespace and truncates to maxDetail characters.
func cleanDetail(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxDetail {
		s = strings.TrimRight(string([]rune(s)[:maxDetail]), " ")
	}
	return s
}

// unwrapped drops a wrapper of type W, such as *url.Error, whose text
// repeats what the caller's own message says or would leak the URL, and
// keeps its cause.
func unwrapped[W interface {
	error
	Unwrap() error
}](err error) error {
	var w W
	if errors.As(err, &w) {
		return w.Unwrap()
	}
	return err
}
