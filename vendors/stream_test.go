package vendors

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestRequesterStream: a streamed answer is read as it arrives, past the
// body cap; a 304 comes back without reading; an error status is retried
// as any other; a body cut mid-way fails the request, recorded as an
// error; the reader's own error fails it as it is, recorded with the
// status; neither is retried.
func TestRequesterStream(t *testing.T) {
	lines := strings.Repeat("{\"n\": 1}\n", 100) // 900 bytes
	tests := []struct {
		name     string
		handler  func(w http.ResponseWriter, hits int)
		read     func(io.Reader) error
		wantErr  string
		wantRead int // lines read
		want304  bool
		codes    []string
	}{
		{name: "past the cap", handler: func(w http.ResponseWriter, _ int) { _, _ = io.WriteString(w, lines) }, wantRead: 100, codes: []string{"/s 200"}},
		{name: "304", handler: func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusNotModified) }, want304: true, codes: []string{"/s 304"}},
		{name: "503 retried", handler: func(w http.ResponseWriter, hits int) {
			if hits == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			_, _ = io.WriteString(w, lines)
		}, wantRead: 100, codes: []string{"/s 503", "/s 200"}},
		{name: "403", handler: func(w http.ResponseWriter, _ int) { http.Error(w, `{"message": "not entitled"}`, http.StatusForbidden) },
			wantErr: "GET /s: HTTP 403: not entitled", codes: []string{"/s 403"}},
		{name: "cut mid-way", handler: func(w http.ResponseWriter, _ int) {
			w.Header().Set("Content-Length", "900")
			_, _ = io.WriteString(w, lines[:450])
		}, wantErr: "GET /s: unexpected EOF", codes: []string{"/s error"}},
		{name: "reader's error", handler: func(w http.ResponseWriter, _ int) { _, _ = io.WriteString(w, lines) },
			read: func(io.Reader) error { return errors.New("line 1 is not JSON") }, wantErr: "GET /s: line 1 is not JSON", codes: []string{"/s 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				hits++
				tt.handler(w, hits)
			}))
			t.Cleanup(srv.Close)
			codes := &codeLog{}
			sleeps := &sleepLog{}
			r := &Requester{Client: srv.Client(), MaxBodyBytes: 100, Recorder: codes, sleep: sleeps.sleep}
			read := 0
			resp, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/s", Stream: func(_ http.Header, body io.Reader) error {
				if tt.read != nil {
					return tt.read(body)
				}
				sc := bufio.NewScanner(body)
				for sc.Scan() {
					read++
				}
				return sc.Err()
			}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Do() = %v; want an error saying %q", err, tt.wantErr)
				}
				if hits != 1 {
					t.Errorf("%d requests; want 1, not retried", hits)
				}
			} else if err != nil {
				t.Fatalf("Do() = %v", err)
			} else if resp.NotModified != tt.want304 || resp.Body != nil || read != tt.wantRead {
				t.Errorf("Do() = 304 %v, body %q, %d lines read; want 304 %v, no body, %d lines", resp.NotModified, resp.Body, read, tt.want304, tt.wantRead)
			}
			if got := codes.get(); !slices.Equal(got, tt.codes) {
				t.Errorf("recorded %q; want %q", got, tt.codes)
			}
		})
	}
}
