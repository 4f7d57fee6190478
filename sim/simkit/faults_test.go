package simkit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestApplies(t *testing.T) {
	tests := []struct {
		prefix, path string
		want         bool
	}{
		{"", "/anything", true},
		{"", "", true},
		{"/api/", "/api/v1/x", true},
		{"/api/", "/api/", true},
		{"/api/", "/login", false},
		{"/api/v1", "/api/", false},
	}
	for _, tt := range tests {
		if got := Applies(tt.prefix, tt.path); got != tt.want {
			t.Errorf("Applies(%q, %q) = %v; want %v", tt.prefix, tt.path, got, tt.want)
		}
	}
}

type faults struct{ n int }

func TestSwitchSetGet(t *testing.T) {
	s := NewSwitch[faults](1, 2)
	if got := s.Get(); got != (faults{}) {
		t.Errorf("Get() of a new Switch = %v; want the zero value", got)
	}
	s.Set(faults{n: 3})
	if got := s.Get(); got != (faults{n: 3}) {
		t.Errorf("Get() after Set({3}) = %v; want {3}", got)
	}
}

// pattern draws n times at rate and marks failures with 'x'.
func pattern(s *Switch[faults], rate float64, n int) string {
	var b strings.Builder
	for range n {
		if s.Draw(rate) {
			b.WriteByte('x')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestSwitchDraw(t *testing.T) {
	tests := []struct {
		rate     float64
		min, max int // failures of 200
	}{
		{-1, 0, 0},
		{0, 0, 0},
		{0.3, 30, 90},
		{1, 200, 200},
	}
	for _, tt := range tests {
		p := pattern(NewSwitch[faults](1, 2), tt.rate, 200)
		if got := strings.Count(p, "x"); got < tt.min || got > tt.max {
			t.Errorf("failures of 200 Draw(%v) = %d; want %d..%d", tt.rate, got, tt.min, tt.max)
		}
	}
}

func TestSwitchDrawDeterministic(t *testing.T) {
	s := NewSwitch[faults](7, 9)
	first := pattern(s, 0.5, 64)
	s.Set(faults{})
	if got := pattern(s, 0.5, 64); got != first {
		t.Errorf("pattern after Set = %s; want %s, as after New", got, first)
	}
	if got := pattern(NewSwitch[faults](7, 9), 0.5, 64); got != first {
		t.Errorf("pattern of another Switch(7, 9) = %s; want %s", got, first)
	}
	if got := pattern(NewSwitch[faults](7, 10), 0.5, 64); got == first {
		t.Errorf("pattern of Switch(7, 10) = %s; want it to differ from stream 9's", got)
	}

	// Draws at rate 0 do not move the pattern.
	s.Set(faults{})
	pattern(s, 0, 10)
	if got := pattern(s, 0.5, 64); got != first {
		t.Errorf("pattern after 10 Draw(0) = %s; want %s", got, first)
	}
}

func TestSwitchCount(t *testing.T) {
	s := NewSwitch[faults](1, 2)
	for want := 1; want <= 3; want++ {
		if got := s.Count(); got != want {
			t.Errorf("Count() call %d = %d; want %d", want, got, want)
		}
	}
	if got := s.Counted(); got != 3 {
		t.Errorf("Counted() after 3 Count() = %d; want 3", got)
	}
	s.Set(faults{n: 1})
	if got := s.Counted(); got != 0 {
		t.Errorf("Counted() after Set = %d; want 0", got)
	}
	if got := s.Count(); got != 1 {
		t.Errorf("Count() after Set = %d; want 1: Set starts the count again", got)
	}
}

func TestSleep(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want bool
	}{
		{"no wait", context.Background(), 0, true},
		{"negative", context.Background(), -time.Second, true},
		{"short", context.Background(), time.Millisecond, true},
		{"ended", done, time.Minute, false},
		{"ended, no wait", done, 0, true},
	}
	for _, tt := range tests {
		if got := Sleep(tt.ctx, tt.d); got != tt.want {
			t.Errorf("Sleep(%s, %v) = %v; want %v", tt.name, tt.d, got, tt.want)
		}
	}
}

func TestMalformed(t *testing.T) {
	body := []byte(`{"a":1}`)
	tests := []struct {
		prefix, want string
	}{
		{XSSIPrefix, ")]}'\n" + `{"a":1}`},
		{"<html></html>\n", "<html></html>\n" + `{"a":1}`},
		{"", `{"a":1}`},
	}
	for _, tt := range tests {
		if got := string(Malformed(tt.prefix, body)); got != tt.want {
			t.Errorf("Malformed(%q, %s) = %q; want %q", tt.prefix, body, got, tt.want)
		}
	}
	if string(body) != `{"a":1}` {
		t.Errorf("Malformed changed its input to %s", body)
	}
}

func TestWriteBody(t *testing.T) {
	const body = `{"items":[1,2,3]}`
	tests := []struct {
		name       string
		status     int
		f          BodyFaults
		wantBody   string
		wantLength string
		wantTE     string
	}{
		{"plain", 200, BodyFaults{}, body, "17", ""},
		{"malformed", 200, BodyFaults{Malformed: true}, XSSIPrefix + body, "22", ""},
		{"malformed with prefix", 200, BodyFaults{Malformed: true, Prefix: "<p>"}, "<p>" + body, "20", ""},
		{"truncated", 200, BodyFaults{Truncate: true}, body[:8], "", "identity"},
		{"malformed and truncated", 200, BodyFaults{Malformed: true, Truncate: true}, (XSSIPrefix + body)[:11], "", "identity"},
		{"not a 200", 404, BodyFaults{Malformed: true, Truncate: true}, body, "17", ""},
		{"oversize", 200, BodyFaults{Oversize: 20}, body + "   ", "20", ""},
		{"oversize wins over truncated", 200, BodyFaults{Oversize: 20, Truncate: true}, body + "   ", "20", ""},
		{"oversize smaller than the body", 200, BodyFaults{Oversize: 5}, body, "17", ""},
		{"oversize, not a 200", 429, BodyFaults{Oversize: 20}, body, "17", ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Length", "999")
		WriteBody(rec, tt.status, []byte(body), tt.f)
		if rec.Code != tt.status || rec.Body.String() != tt.wantBody {
			t.Errorf("WriteBody(%s) = %d %q; want %d %q", tt.name, rec.Code, rec.Body, tt.status, tt.wantBody)
		}
		if got := rec.Header().Get("Content-Length"); got != tt.wantLength {
			t.Errorf("WriteBody(%s) Content-Length = %q; want %q", tt.name, got, tt.wantLength)
		}
		if got := rec.Header().Get("Transfer-Encoding"); got != tt.wantTE {
			t.Errorf("WriteBody(%s) Transfer-Encoding = %q; want %q", tt.name, got, tt.wantTE)
		}
	}
}

// TestBrokenBodiesOnTheWire checks what a client sees of a 200 whose body
// ends after half: of unknown length and ended, or cut short of its
// Content-Length, an unexpected EOF.
func TestBrokenBodiesOnTheWire(t *testing.T) {
	tests := []struct {
		name    string
		write   func(w http.ResponseWriter)
		wantLen int64
		wantErr error
	}{
		{"truncated", func(w http.ResponseWriter) { WriteTruncated(w, http.StatusOK, []byte("0123456789")) }, -1, nil},
		{"cut", func(w http.ResponseWriter) {
			WriteBody(w, http.StatusOK, []byte("0123456789"), BodyFaults{Cut: true, Truncate: true})
		}, 10, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.write(w) }))
			defer ts.Close()
			resp, err := ts.Client().Get(ts.URL)
			if err != nil {
				t.Fatalf("GET: %v; want the headers", err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.ContentLength != tt.wantLen || string(b) != "01234" || !errors.Is(err, tt.wantErr) {
				t.Errorf("GET = %d, length %d, %q, %v; want 200, %d, \"01234\", %v", resp.StatusCode, resp.ContentLength, b, err, tt.wantLen, tt.wantErr)
			}
		})
	}
}

// TestWriteOversizeOnTheWire checks that a huge answer is valid JSON of
// the length announced, and that a client that stops reading ends it.
func TestWriteOversizeOnTheWire(t *testing.T) {
	const size = 1 << 20
	done := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		if r.URL.Query().Has("huge") {
			WriteOversize(w, http.StatusOK, []byte(`{"a":1}`), 1<<40)
			return
		}
		WriteOversize(w, http.StatusOK, []byte(`{"a":1}`), size)
	}))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	<-done
	if err != nil || resp.ContentLength != size || len(b) != size || !json.Valid(b) {
		t.Errorf("GET = length %d, %d bytes, valid JSON %v, %v; want %d valid bytes", resp.ContentLength, len(b), json.Valid(b), err, size)
	}

	// A terabyte: the handler ends once the client hangs up.
	done = make(chan struct{})
	resp, err = ts.Client().Get(ts.URL + "?huge")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 1<<20)
	resp.Body.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("WriteOversize still writing 10s after the client hung up")
	}
}

func TestResetConn(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ResetConn(w) }))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL)
	if err == nil {
		resp.Body.Close()
		t.Errorf("GET with ResetConn = %d, no error; want a connection error", resp.StatusCode)
	}
}

func TestResetConnWithoutHijack(t *testing.T) {
	defer func() {
		if got := recover(); got != any(http.ErrAbortHandler) { //nolint:errorlint // a panic value, not a returned error

			t.Errorf("ResetConn(recorder) panic = %v; want http.ErrAbortHandler", got)
		}
	}()
	ResetConn(httptest.NewRecorder())
	t.Errorf("ResetConn(recorder) returned; want a panic")
}
