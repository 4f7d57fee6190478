package vendors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestAPIErrorError(t *testing.T) {
	tests := []struct {
		name string
		err  *APIError
		want string
	}{
		{
			name: "detail",
			err:  &APIError{Method: "GET", Endpoint: "/api/v1/orgs/{org_id}/stats", StatusCode: 403, Detail: "You do not have permission to perform this action."},
			want: "GET /api/v1/orgs/{org_id}/stats: HTTP 403: You do not have permission to perform this action.",
		},
		{
			name: "no detail",
			err:  &APIError{Method: "POST", Endpoint: "/login", StatusCode: 503},
			want: "POST /login: HTTP 503 Service Unavailable",
		},
		{
			name: "retry after",
			err:  &APIError{Method: "GET", Endpoint: "/x", StatusCode: 429, Detail: "slow down", RetryAfter: 90 * time.Second},
			want: "GET /x: HTTP 429: slow down (retry after 1m30s)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestAPIErrorTemporary(t *testing.T) {
	tests := []struct {
		status int
		want   bool
	}{
		{400, false}, {401, false}, {403, false}, {404, false}, {429, true},
		{500, true}, {501, false}, {502, true}, {503, true}, {504, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			if got := (&APIError{StatusCode: tt.status}).Temporary(); got != tt.want {
				t.Errorf("Temporary(%d) = %v; want %v", tt.status, got, tt.want)
			}
		})
	}
}

func TestParseDetail(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		body string
		want string
	}{
		{name: "detail", body: `{"detail":"Authentication credentials were not provided."}`, want: "Authentication credentials were not provided."},
		{name: "message", body: `{"message":"Not Found","code":404}`, want: "Not Found"},
		{name: "error string", body: `{"error":"invalid_token"}`, want: "invalid_token"},
		{name: "errorMessage", body: `{"errorMessage":"quota exceeded"}`, want: "quota exceeded"},
		{name: "error document", body: `{"errorDocument":{"httpResponseCode":403,"httpMethod":"GET","message":"No access to virtual domain","uriPath":"/webacs"}}`, want: "No access to virtual domain"},
		{name: "nested error", body: `{"error":{"code":7,"message":"nested reason"}}`, want: "nested reason"},
		{name: "first key wins", body: `{"message":"second","detail":"first"}`, want: "first"},
		{name: "empty key skipped", body: `{"detail":"","message":"fallback"}`, want: "fallback"},
		{name: "unknown JSON keys", body: `{"status":"bad"}`, want: `{"status":"bad"}`},
		{name: "text with control chars", body: "Service\tUnavailable\r\n\x00retry later\n", want: "Service Unavailable retry later"},
		{name: "long text", body: long, want: long[:200]},
		{name: "long JSON message", body: `{"detail":"` + long + `"}`, want: long[:200]},
		{name: "rune cut at the byte cap", body: strings.Repeat("a", 199) + "é tail", want: strings.Repeat("a", 199)},
		{name: "empty", body: "", want: ""},
		{name: "HTML error page", body: "<!DOCTYPE html>\n<html><head><title>HTTP Status 401 - Unauthorized</title><style>h1 {color: red}</style></head>\n<body><h1>HTTP Status 401 - Unauthorized</h1>\n<p><b>Message</b> Authentication failed: invalid user &amp; password</p><script>x()</script></body></html>",
			want: "HTTP Status 401 - Unauthorized Message Authentication failed: invalid user & password"},
		{name: "proxy page with a title only", body: "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>", want: "502 Bad Gateway nginx"},
		{name: "markup that is not a page", body: "<error>quota</error>", want: "<error>quota</error>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseDetail([]byte(tt.body)); got != tt.want {
				t.Errorf("parseDetail(%q) = %q; want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestDecodeErrorError(t *testing.T) {
	var v map[string]int
	trailing := json.Unmarshal([]byte(`{"a":1} x`), &v)
	typeErr := json.Unmarshal([]byte(`{"a":"s"}`), &v)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "unexpected EOF", err: io.ErrUnexpectedEOF, want: "decoding response of /x: unexpected EOF"},
		{name: "syntax", err: trailing, want: "decoding response of /x at byte 9: " + trailing.Error()},
		{name: "type", err: typeErr, want: "decoding response of /x at byte 8: " + typeErr.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &DecodeError{Endpoint: "/x", Err: tt.err}
			if got := e.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
			if !errors.Is(e, tt.err) {
				t.Errorf("errors.Is(%v, %v) = false; want true", e, tt.err)
			}
		})
	}
}

func TestBudgetErrorError(t *testing.T) {
	reset := time.Date(2026, 11, 23, 19, 0, 0, 0, time.FixedZone("CET", 3600))
	e := &BudgetError{Window: "hour", Reset: reset}
	if got, want := e.Error(), "hour budget spent; resets at 2026-11-23T18:00:00Z"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}

func TestStatusCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "nil", err: nil, want: 0},
		{name: "plain", err: errors.New("boom"), want: 0},
		{name: "API error", err: &APIError{StatusCode: 404}, want: 404},
		{name: "wrapped", err: fmt.Errorf("page 2: %w", &APIError{StatusCode: 401}), want: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StatusCode(tt.err); got != tt.want {
				t.Errorf("StatusCode(%v) = %d; want %d", tt.err, got, tt.want)
			}
		})
	}
}
