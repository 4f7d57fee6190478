package vendors

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fuzzDetailSeeds are error bodies as vendors send them (from
// TestParseDetail), plus truncated and malformed variants.
var fuzzDetailSeeds = []string{
	`{"detail":"Authentication credentials were not provided."}`,
	`{"message":"Not Found","code":404}`,
	`{"error":"invalid_token"}`,
	`{"errorMessage":"quota exceeded"}`,
	`{"errorDocument":{"httpResponseCode":403,"httpMethod":"GET","message":"No access to virtual domain","uriPath":"/webacs"}}`,
	`{"error":{"code":7,"message":"nested reason"}}`,
	`{"message":"second","detail":"first"}`,
	`{"detail":"","message":"fallback"}`,
	`{"status":"bad"}`,
	"Service\tUnavailable\r\n\x00retry later\n",
	strings.Repeat("x", 300),
	`{"detail":"` + strings.Repeat("x", 300) + `"}`,
	strings.Repeat("a", 199) + "é tail",
	strings.Repeat("é", 250),
	`{"detail":"` + strings.Repeat("日本", 150) + `"}`,
	"<html><body><h1>502 Bad Gateway</h1></body></html>",
	`{"detail":"line one\nline two\u2028three"}`,
	`{"detail":`,
	`{"errorDocument":{"message":`,
	"\xff\xfe{\"detail\":\"x\"}",
	"",
}

func FuzzParseDetail(f *testing.F) {
	for _, s := range fuzzDetailSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := parseDetail(body)
		// APIError.Detail is documented as at most 200 characters; a
		// character may take up to 4 bytes of UTF-8.
		if n := utf8.RuneCountInString(got); n > maxDetail {
			t.Errorf("parseDetail(%q) has %d characters; want at most %d", body, n, maxDetail)
		}
		if len(got) > 4*maxDetail {
			t.Errorf("parseDetail(%q) has %d bytes; want at most %d", body, len(got), 4*maxDetail)
		}
		if !utf8.ValidString(got) {
			t.Errorf("parseDetail(%q) = %q; want valid UTF-8", body, got)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("parseDetail(%q) = %q; want a single line", body, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Errorf("parseDetail(%q) = %q; holds control character %U", body, got, r)
				break
			}
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Errorf("parseDetail(%q) = %q; want whitespace collapsed and trimmed", body, got)
		}
		if again := cleanDetail(got); again != got {
			t.Errorf("cleanDetail(parseDetail(%q)) = %q; want it unchanged", body, again)
		}
	})
}

func FuzzGetJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":3}`, `{"a":3`, `{"a":}`, `{"a":3} {"a":4}`, `{"a":"three"}`, ``,
		`{"a":3,"b":"x","c":[1,2,{"d":null}]}`, `[1,2,3]`, `null`, `"str"`, `{"a":1e400}`,
		`{"a":3}` + "\n", "\xef\xbb\xbf{\"a\":1}", `{"a":-9223372036854775809}`, `{"a":3.5}`,
	} {
		f.Add([]byte(s))
	}
	const maxBody = 4 << 10
	var body atomicBytes
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body.get())
	}))
	defer srv.Close()
	r := &Requester{Client: srv.Client(), MaxRetries: -1, MaxBodyBytes: maxBody}

	f.Fuzz(func(t *testing.T, data []byte) {
		body.set(data)
		check := func(what string, err error) {
			t.Helper()
			if err == nil {
				return
			}
			var de *DecodeError
			switch {
			case errors.As(err, &de):
				if de.Endpoint != "/fuzz" || !strings.HasPrefix(err.Error(), "decoding response of /fuzz") {
					t.Errorf("GetJSON into %s(%q) = %q; want a DecodeError naming /fuzz", what, data, err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("GetJSON into %s error %q carries the URL's query", what, err)
				}
			case errors.Is(err, ErrBodyTooLarge):
				if len(data) <= maxBody {
					t.Errorf("GetJSON into %s of a %d-byte body = %v; want no size error under the %d-byte cap", what, len(data), err, maxBody)
				}
			default:
				t.Errorf("GetJSON into %s(%q) = %v (%T); want a *DecodeError or ErrBodyTooLarge", what, data, err, err)
			}
		}
		var m map[string]any
		_, err := r.GetJSON(context.Background(), srv.URL+"/fuzz?key=s3cret", "/fuzz", &m)
		check("map", err)
		if len(data) > maxBody && !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("GetJSON of a %d-byte body = %v; want ErrBodyTooLarge", len(data), err)
		}
		var v struct {
			A int      `json:"a"`
			B string   `json:"b"`
			C []any    `json:"c"`
			D *float64 `json:"d"`
		}
		_, err2 := r.GetJSON(context.Background(), srv.URL+"/fuzz?key=s3cret", "/fuzz", &v)
		check("struct", err2)
	})
}

// atomicBytes hands the fuzzed body to the server goroutine.
type atomicBytes struct{ p atomic.Pointer[[]byte] }

func (a *atomicBytes) set(b []byte) {
	c := append([]byte(nil), b...)
	a.p.Store(&c)
}

func (a *atomicBytes) get() []byte {
	if b := a.p.Load(); b != nil {
		return *b
	}
	return nil
}
