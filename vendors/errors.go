package vendors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	if len(trimmed) > maxDetail {
		trimmed = trimmed[:maxDetail]
	}
	return cleanDetail(string(trimmed))
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
