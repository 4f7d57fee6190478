package vendors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// step is one scripted server answer.
type step struct {
	status int
	header map[string]string
	body   string
}

// scriptServer answers with steps in order, repeating the last one, and
// counts the requests it saw.
func scriptServer(t *testing.T, steps ...step) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i := int(hits.Add(1)) - 1
		s := steps[min(i, len(steps)-1)]
		for k, v := range s.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(s.status)
		fmt.Fprint(w, s.body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// sleepLog records the requester's backoff sleeps without sleeping.
type sleepLog struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}

func (s *sleepLog) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ds)
}

// codeLog is a Recorder keeping the codes it was given.
type codeLog struct {
	mu    sync.Mutex
	codes []string
}

func (c *codeLog) ObserveRequest(endpoint, code string, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.codes = append(c.codes, endpoint+" "+code)
}

func (c *codeLog) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.codes)
}

func TestRequesterRetries(t *testing.T) {
	tests := []struct {
		name       string
		steps      []step
		maxRetries int
		wantStatus int // 0 means success
		wantHits   int64
		wantSleeps []time.Duration // nil entries are checked against the backoff ceiling only
		wantCodes  []string
		wantText   string
	}{
		{
			name:       "5xx then success",
			steps:      []step{{status: 500}, {status: 502}, {status: 200, body: "ok"}},
			wantHits:   3,
			wantSleeps: []time.Duration{-1, -1},
			wantCodes:  []string{"/x 500", "/x 502", "/x 200"},
		},
		{
			name:       "gives up after MaxRetries",
			steps:      []step{{status: 503, body: "busy"}},
			maxRetries: 2,
			wantStatus: 503,
			wantHits:   3,
			wantSleeps: []time.Duration{-1, -1},
			wantCodes:  []string{"/x 503", "/x 503", "/x 503"},
			wantText:   "GET /x: HTTP 503: busy (after 3 attempts)",
		},
		{
			name:       "negative MaxRetries means none",
			steps:      []step{{status: 500}},
			maxRetries: -1,
			wantStatus: 500,
			wantHits:   1,
			wantCodes:  []string{"/x 500"},
		},
		{
			name:       "4xx not retried",
			steps:      []step{{status: 404, body: `{"detail":"Not found."}`}},
			wantStatus: 404,
			wantHits:   1,
			wantCodes:  []string{"/x 404"},
			wantText:   "GET /x: HTTP 404: Not found.",
		},
		{
			name:       "429 without Retry-After backs off",
			steps:      []step{{status: 429}, {status: 200}},
			wantHits:   2,
			wantSleeps: []time.Duration{-1},
			wantCodes:  []string{"/x 429", "/x 200"},
		},
		{
			name:       "429 Retry-After honoured",
			steps:      []step{{status: 429, header: map[string]string{"Retry-After": "7"}}, {status: 200}},
			wantHits:   2,
			wantSleeps: []time.Duration{7 * time.Second},
			wantCodes:  []string{"/x 429", "/x 200"},
		},
		{
			name:       "Retry-After beyond MaxWait returns at once",
			steps:      []step{{status: 429, header: map[string]string{"Retry-After": "120"}}, {status: 200}},
			wantStatus: 429,
			wantHits:   1,
			wantCodes:  []string{"/x 429"},
			wantText:   "GET /x: HTTP 429 Too Many Requests (retry after 2m0s)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := scriptServer(t, tt.steps...)
			sleeps := &sleepLog{}
			codes := &codeLog{}
			r := &Requester{
				Client:      srv.Client(),
				Recorder:    codes,
				MaxRetries:  tt.maxRetries,
				BaseBackoff: 100 * time.Millisecond,
				MaxBackoff:  150 * time.Millisecond,
				sleep:       sleeps.sleep,
			}
			resp, err := r.Do(t.Context(), Request{URL: srv.URL + "/x", Endpoint: "/x"})
			if got := StatusCode(err); got != tt.wantStatus {
				t.Errorf("StatusCode(Do) = %d (err %v); want %d", got, err, tt.wantStatus)
			}
			if tt.wantStatus == 0 && (resp == nil || resp.StatusCode != 200) {
				t.Errorf("Do = %+v, %v; want a 200 response", resp, err)
			}
			if tt.wantText != "" && (err == nil || err.Error() != tt.wantText) {
				t.Errorf("Do error = %v; want %s", err, tt.wantText)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d; want %d", got, tt.wantHits)
			}
			got := sleeps.get()
			if len(got) != len(tt.wantSleeps) {
				t.Fatalf("sleeps = %v; want %d of them", got, len(tt.wantSleeps))
			}
			for i, d := range got {
				ceiling := min(100*time.Millisecond<<i, 150*time.Millisecond)
				switch want := tt.wantSleeps[i]; {
				case want < 0 && (d < 0 || d > ceiling):
					t.Errorf("sleep #%d = %s; want within [0, %s]", i+1, d, ceiling)
				case want >= 0 && d != want:
					t.Errorf("sleep #%d = %s; want %s", i+1, d, want)
				}
			}
			if got := codes.get(); !slices.Equal(got, tt.wantCodes) {
				t.Errorf("recorded = %q; want %q", got, tt.wantCodes)
			}
		})
	}
}

func TestRequesterRetryAfterHoldsBudget(t *testing.T) {
	srv, hits := scriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "7"}}, step{status: 200})
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	sleeps := &sleepLog{}
	r := &Requester{Client: srv.Client(), Budget: newTestBudget(BudgetConfig{}, clock), sleep: sleeps.sleep}
	if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); err != nil {
		t.Fatalf("Do = %v; want nil", err)
	}
	if got, want := clock.Slept(), []time.Duration{7 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("budget waits = %v; want %v (the Retry-After value)", got, want)
	}
	if got := sleeps.get(); len(got) != 0 {
		t.Errorf("requester sleeps = %v; want none (the budget hold covers it)", got)
	}
	if got := r.Budget.State().Throttled; got != 7*time.Second {
		t.Errorf("Throttled = %s; want 7s", got)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server hits = %d; want 2", got)
	}
}

func TestRequesterBudgetErrorNotRetried(t *testing.T) {
	srv, hits := scriptServer(t, step{status: 200})
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	r := &Requester{Client: srv.Client(), Budget: newTestBudget(BudgetConfig{PerHour: 1}, clock), sleep: (&sleepLog{}).sleep}
	if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); err != nil {
		t.Fatalf("Do #1 = %v; want nil", err)
	}
	_, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"})
	var be *BudgetError
	if !errors.As(err, &be) || be.Window != "hour" {
		t.Errorf("Do #2 = %v; want an hour *BudgetError", err)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server hits = %d; want 1", got)
	}
}

func TestRequesterBodyCap(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{name: "at the cap", body: strings.Repeat("a", 10)},
		{name: "over the cap", body: strings.Repeat("a", 11), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := scriptServer(t, step{status: 200, body: tt.body})
			r := &Requester{Client: srv.Client(), MaxBodyBytes: 10}
			resp, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/big"})
			if got := errors.Is(err, ErrBodyTooLarge); got != tt.wantErr {
				t.Fatalf("Do with %d-byte body = %v; want ErrBodyTooLarge %v", len(tt.body), err, tt.wantErr)
			}
			if tt.wantErr && !strings.Contains(err.Error(), "GET /big") {
				t.Errorf("Do error = %q; want it to name GET /big", err)
			}
			if !tt.wantErr && string(resp.Body) != tt.body {
				t.Errorf("Body = %q; want %q", resp.Body, tt.body)
			}
		})
	}
}

func TestGetJSON(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantDecode bool
		want       int
	}{
		{name: "valid", status: 200, body: `{"a":3}`, want: 3},
		{name: "no content", status: 204},
		{name: "truncated", status: 200, body: `{"a":3`, wantDecode: true},
		{name: "malformed", status: 200, body: `{"a":}`, wantDecode: true},
		{name: "trailing garbage", status: 200, body: `{"a":3} {"a":4}`, wantDecode: true},
		{name: "wrong type", status: 200, body: `{"a":"three"}`, wantDecode: true},
		{name: "empty", status: 200, body: ``, wantDecode: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := scriptServer(t, step{status: tt.status, body: tt.body})
			r := &Requester{Client: srv.Client()}
			var v struct {
				A int `json:"a"`
			}
			_, err := r.GetJSON(t.Context(), srv.URL+"/v?key=s3cret", "/v", &v)
			var de *DecodeError
			if got := errors.As(err, &de); got != tt.wantDecode {
				t.Fatalf("GetJSON(%q) = %v; want DecodeError %v", tt.body, err, tt.wantDecode)
			}
			if tt.wantDecode {
				if de.Endpoint != "/v" || !strings.HasPrefix(err.Error(), "decoding response of /v") {
					t.Errorf("GetJSON(%q) = %q; want it to name /v", tt.body, err)
				}
				return
			}
			if v.A != tt.want {
				t.Errorf("GetJSON(%q) decoded a = %d; want %d", tt.body, v.A, tt.want)
			}
		})
	}
}

func TestRequesterContextCancel(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	codes := &codeLog{}
	sleeps := &sleepLog{}
	r := &Requester{Client: srv.Client(), Recorder: codes, sleep: sleeps.sleep}
	ctx, cancel := context.WithCancel(t.Context())
	ctx, calls := CountCalls(ctx)
	go func() {
		<-started
		cancel()
	}()
	_, err := r.Do(ctx, Request{URL: srv.URL + "/slow", Endpoint: "/slow"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Do = %v; want context.Canceled", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("calls = %d; want 1 (no retry)", got)
	}
	if got, want := codes.get(), []string{"/slow error"}; !slices.Equal(got, want) {
		t.Errorf("recorded = %q; want %q", got, want)
	}
	if got := sleeps.get(); len(got) != 0 {
		t.Errorf("sleeps = %v; want none", got)
	}
}

func TestRequesterTransportErrorHidesQuery(t *testing.T) {
	// A closed server's address refuses connections.
	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()

	tests := []struct {
		name       string
		maxRetries int
		prepare    func(*http.Request) error
		wantCalls  int64
	}{
		{name: "no retries", maxRetries: -1, wantCalls: 1},
		{name: "retried", maxRetries: 2, wantCalls: 3},
		{
			name:       "secret added by Prepare",
			maxRetries: -1,
			prepare: func(r *http.Request) error {
				r.URL.RawQuery += "&sig=t0ken"
				return nil
			},
			wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes := &codeLog{}
			r := &Requester{Recorder: codes, MaxRetries: tt.maxRetries, Prepare: tt.prepare, sleep: (&sleepLog{}).sleep}
			ctx, calls := CountCalls(t.Context())
			_, err := r.Do(ctx, Request{URL: addr + "/api/x?api_key=s3cret", Endpoint: "/api/x"})
			if err == nil {
				t.Fatal("Do = nil; want a transport error")
			}
			msg := err.Error()
			for _, leak := range []string{"s3cret", "api_key", "t0ken", addr} {
				if strings.Contains(msg, leak) {
					t.Errorf("Do error = %q; want no %q in it", msg, leak)
				}
			}
			if !strings.HasPrefix(msg, "GET /api/x: ") {
				t.Errorf("Do error = %q; want it to start with GET /api/x: ", msg)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d; want %d", got, tt.wantCalls)
			}
			// One "error" observation per attempt: a range over no
			// observations would pass with none recorded.
			if got, want := codes.get(), slices.Repeat([]string{"/api/x error"}, int(tt.wantCalls)); !slices.Equal(got, want) {
				t.Errorf("recorded = %q; want %q", got, want)
			}
		})
	}
}

func TestRequesterConditional(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("If-None-Match"))
		mu.Unlock()
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("X-Total", "1")
		fmt.Fprint(w, `{"a":1}`)
	}))
	t.Cleanup(srv.Close)

	store := NewETagStore()
	r := &Requester{Client: srv.Client(), ETags: store}
	req := Request{URL: srv.URL + "/c", Endpoint: "/c", Conditional: true}
	first, err := r.Do(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified {
		t.Errorf("first Do NotModified = true; want false")
	}
	second, err := r.Do(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.StatusCode != 200 || string(second.Body) != `{"a":1}` {
		t.Errorf("second Do = %+v; want the stored body, status 200, NotModified", second)
	}
	if got := second.Header.Get("X-Total"); got != "1" {
		t.Errorf("second Do header X-Total = %q; want the stored 1", got)
	}
	var v struct{ A int }
	if _, err := r.GetJSON(t.Context(), req.URL, req.Endpoint, &v); err != nil || v.A != 1 {
		t.Errorf("GetJSON after 304 = %v, a=%d; want nil, a=1", err, v.A)
	}
	mu.Lock()
	got := slices.Clone(seen)
	mu.Unlock()
	if want := []string{"", `"v1"`, `"v1"`}; !slices.Equal(got, want) {
		t.Errorf("If-None-Match sent = %q; want %q", got, want)
	}
	if store.Len() != 1 {
		t.Errorf("ETags.Len() = %d; want 1", store.Len())
	}

	// Without Conditional the stored ETag is not sent.
	if _, err := r.Do(t.Context(), Request{URL: req.URL, Endpoint: req.Endpoint}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	last := seen[len(seen)-1]
	mu.Unlock()
	if last != "" {
		t.Errorf("If-None-Match on an unconditional request = %q; want none", last)
	}
}

func TestCountCallsNested(t *testing.T) {
	srv, _ := scriptServer(t, step{status: 500}, step{status: 200})
	r := &Requester{Client: srv.Client(), sleep: (&sleepLog{}).sleep}
	outerCtx, outer := CountCalls(t.Context())
	innerCtx, inner := CountCalls(outerCtx)
	if _, err := r.Do(innerCtx, Request{URL: srv.URL, Endpoint: "/"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Do(outerCtx, Request{URL: srv.URL, Endpoint: "/"}); err != nil {
		t.Fatal(err)
	}
	if got := inner.Load(); got != 2 {
		t.Errorf("inner calls = %d; want 2 (one retry)", got)
	}
	if got := outer.Load(); got != 3 {
		t.Errorf("outer calls = %d; want 3", got)
	}
}

func TestRequesterPrepareAndHeaders(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := new(strings.Builder)
		_, _ = fmt.Fprint(buf, r.Method, " ", r.Header.Get("X-Test"), " ")
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		buf.Write(b[:n])
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		bodies = append(bodies, buf.String())
		n = len(auth)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(srv.Close)
	prepared := 0
	r := &Requester{
		Client: srv.Client(),
		Prepare: func(req *http.Request) error {
			prepared++
			req.Header.Set("Authorization", fmt.Sprintf("Token %d", prepared))
			return nil
		},
		sleep: (&sleepLog{}).sleep,
	}
	_, err := r.Do(t.Context(), Request{
		Method: http.MethodPost, URL: srv.URL, Endpoint: "/",
		Header: http.Header{"X-Test": {"yes"}}, Body: []byte(`{"q":1}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"Token 1", "Token 2"}; !slices.Equal(auth, want) {
		t.Errorf("Authorization per attempt = %q; want %q", auth, want)
	}
	if want := []string{`POST yes {"q":1}`, `POST yes {"q":1}`}; !slices.Equal(bodies, want) {
		t.Errorf("requests = %q; want %q (body resent on retry)", bodies, want)
	}

	failing := &Requester{Client: srv.Client(), Prepare: func(*http.Request) error { return errors.New("no token") }}
	if _, err := failing.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); err == nil || !strings.Contains(err.Error(), "no token") {
		t.Errorf("Do with failing Prepare = %v; want the Prepare error", err)
	}
}

func TestRequesterInvalidURL(t *testing.T) {
	tests := []string{"/relative?key=s3cret", "ftp://host/x?key=s3cret", "http://[::1?key=s3cret"}
	for _, u := range tests {
		t.Run(u, func(t *testing.T) {
			ctx, calls := CountCalls(t.Context())
			_, err := (&Requester{}).Do(ctx, Request{URL: u, Endpoint: "/x"})
			if err == nil || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Do(%q) = %v; want an error without the query", u, err)
			}
			if calls.Load() != 0 {
				t.Errorf("calls = %d; want 0", calls.Load())
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	r := &Requester{BaseBackoff: time.Second, MaxBackoff: 5 * time.Second}
	for attempt, ceiling := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		for range 20 {
			if d := r.backoff(attempt); d < 0 || d > ceiling {
				t.Errorf("backoff(%d) = %s; want within [0, %s]", attempt, d, ceiling)
			}
		}
	}
	if d := r.backoff(100); d > 5*time.Second {
		t.Errorf("backoff(100) = %s; want at most 5s", d)
	}
	// A ceiling near the largest Duration would overflow the jitter.
	r = &Requester{BaseBackoff: math.MaxInt64, MaxBackoff: math.MaxInt64}
	for attempt := range 70 {
		if d := r.backoff(attempt); d < 0 || d > maxBackoffCeiling {
			t.Fatalf("backoff(%d) with the largest durations = %s; want within [0, %s]", attempt, d, maxBackoffCeiling)
		}
	}
}

func TestRequesterConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	r := &Requester{Client: srv.Client(), Concurrency: 3}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := peak.Load(); got > 3 || got < 2 {
		t.Errorf("peak requests in flight = %d; want at most 3 (and the bound reached)", got)
	}
}

func TestRequesterDoesNotKeepABrokenBody(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		if n == 1 {
			_, _ = w.Write([]byte(`{"a": 1, "b": [1, 2`)) // cut short
			return
		}
		_, _ = w.Write([]byte(`{"a": 1}`))
	}))
	defer srv.Close()
	r := &Requester{Client: srv.Client(), ETags: NewETagStore()}
	var v struct{ A int }
	if _, err := r.GetJSON(t.Context(), srv.URL, "/x", &v); err == nil {
		t.Fatalf("GetJSON of a cut body = nil; want a decode error")
	}
	if _, err := r.GetJSON(t.Context(), srv.URL, "/x", &v); err != nil || v.A != 1 {
		t.Errorf("GetJSON after a cut body = %v, a=%d; want the whole body fetched again", err, v.A)
	}
}

// TestRequesterUnreadableStoredBody: a stored answer that cannot be read
// back (a damaged state file) is dropped and the resource fetched anew.
func TestRequesterUnreadableStoredBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v2"`)
		fmt.Fprint(w, `{"a":2}`)
	}))
	t.Cleanup(srv.Close)
	store := NewETagStore()
	store.Put(srv.URL+"/c", ETagEntry{ETag: `"v1"`, Gzip: []byte("not gzip")})
	r := &Requester{Client: srv.Client(), ETags: store, MaxRetries: 1}
	var v struct{ A int }
	if _, err := r.GetJSON(t.Context(), srv.URL+"/c", "/c", &v); err != nil || v.A != 2 {
		t.Fatalf("GetJSON = %v, a=%d; want nil, a=2 from a fresh fetch", err, v.A)
	}
	if e, _ := store.Get(srv.URL + "/c"); e.ETag != `"v2"` {
		t.Errorf("stored ETag = %q; want the fresh \"v2\"", e.ETag)
	}
}

// TestRequesterRefusesAnnouncedOversizeBody: a body whose Content-Length
// is over the cap fails at once, unread.
func TestRequesterRefusesAnnouncedOversizeBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(1<<20))
		_, _ = w.Write([]byte("aaaaa")) // below the cap: reading would wait for the rest
		w.(http.Flusher).Flush()
		select { // the rest never comes while the client waits for it
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	r := &Requester{Client: srv.Client(), MaxBodyBytes: 10, MaxRetries: -1}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err := r.Do(ctx, Request{URL: srv.URL, Endpoint: "/big"})
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("Do = %v; want ErrBodyTooLarge without reading the body", err)
	}
}

// TestRequesterWaitingForASlotHonoursRetryAfter: a request that waited for
// a slot while another got a 429 waits out its Retry-After too.
func TestRequesterWaitingForASlotHonoursRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var refusedAt, secondAt time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			time.Sleep(100 * time.Millisecond) // the second request waits for the slot meanwhile
			mu.Lock()
			refusedAt = time.Now()
			mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		mu.Lock()
		secondAt = time.Now()
		mu.Unlock()
		fmt.Fprint(w, "{}")
	}))
	t.Cleanup(srv.Close)
	r := &Requester{Client: srv.Client(), Budget: NewBudget(BudgetConfig{}, nil), Concurrency: 1, MaxRetries: -1}
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = r.Do(t.Context(), Request{URL: srv.URL + "/first", Endpoint: "/first"}) })
	time.Sleep(20 * time.Millisecond)
	if _, err := r.Do(t.Context(), Request{URL: srv.URL + "/second", Endpoint: "/second"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if gap := secondAt.Sub(refusedAt); gap < 900*time.Millisecond {
		t.Errorf("the waiting request was sent %v after the 429; want after its Retry-After of 1s", gap)
	}
}

// primeThrottle is the text of one of Prime's throttling 503s.
const primeThrottle = "NBI Rate limit for user nms exceeded (More than 5 in 1000 ms)"

func TestRequesterThrottlingAnswersSlowThePace(t *testing.T) {
	tests := []struct {
		name        string
		first       step
		wantWaits   []time.Duration // the budget's
		wantSleeps  int             // the requester's own backoffs
		wantThrottl int
	}{
		{name: "429", first: step{status: 429}, wantWaits: []time.Duration{100 * time.Millisecond}, wantThrottl: 1},
		{name: "503 with a throttling text", first: step{status: 503, body: primeThrottle}, wantWaits: []time.Duration{100 * time.Millisecond}, wantThrottl: 1},
		{name: "503 outage", first: step{status: 503, body: "busy"}, wantSleeps: 1},
		{name: "500", first: step{status: 500, body: primeThrottle}, wantSleeps: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := scriptServer(t, tt.first, step{status: 200, body: "{}"})
			clock := newFakeClock(t, "2026-11-23T17:30:00Z")
			sleeps := &sleepLog{}
			r := &Requester{
				Client: srv.Client(), Budget: newTestBudget(BudgetConfig{}, clock), Concurrency: 4,
				ThrottleTexts: []string{"NBI Rate limit for user"}, BaseBackoff: 100 * time.Millisecond, sleep: sleeps.sleep,
			}
			if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); err != nil {
				t.Fatalf("Do = %v; want nil", err)
			}
			if got := clock.Slept(); !slices.Equal(got, tt.wantWaits) {
				t.Errorf("budget waits = %v; want %v: a throttling answer holds every request for the pace", got, tt.wantWaits)
			}
			if got := len(sleeps.get()); got != tt.wantSleeps {
				t.Errorf("requester backoffs = %d; want %d", got, tt.wantSleeps)
			}
			p := r.Budget.Pace()
			if p.Throttles != tt.wantThrottl || p.Slowed != (tt.wantThrottl > 0) {
				t.Errorf("Pace() = %+v; want %d throttling answers and slowed %v", p, tt.wantThrottl, tt.wantThrottl > 0)
			}
			if want := map[bool]int{true: 2, false: 4}[tt.wantThrottl > 0]; p.InFlight != want {
				t.Errorf("Pace().InFlight = %d; want %d", p.InFlight, want)
			}
			if got := hits.Load(); got != 2 {
				t.Errorf("server hits = %d; want 2", got)
			}
		})
	}
}

// TestRequesterThrottledRetryNotCounted: a throttling answer that the pace
// has slowed down for since the request was sent does not spend a retry;
// one it could not slow down for does, and none is free when retries are
// off.
func TestRequesterThrottledRetryNotCounted(t *testing.T) {
	for _, tt := range []struct {
		name       string
		maxRetries int
		wantHits   int64
		wantErr    bool
	}{
		{name: "one retry", maxRetries: 1, wantHits: 3},
		{name: "no retries", maxRetries: -1, wantHits: 1, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t, "2026-11-23T17:30:00Z")
			b := newTestBudget(BudgetConfig{}, clock)
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				switch hits.Add(1) {
				case 1: // slows the pace
				case 2:
					// Meanwhile another request got through at the slower
					// pace, and then a throttling answer that slowed it again.
					b.succeeded(1)
					b.throttle(1, time.Second)
				default:
					fmt.Fprint(w, "{}")
					return
				}
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprint(w, primeThrottle)
			}))
			t.Cleanup(srv.Close)
			r := &Requester{Client: srv.Client(), Budget: b, MaxRetries: tt.maxRetries, ThrottleTexts: []string{"NBI Rate limit"}, sleep: (&sleepLog{}).sleep}
			_, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"})
			if (err != nil) != tt.wantErr || (err != nil && StatusCode(err) != 503) {
				t.Errorf("Do = %v; want error %v", err, tt.wantErr)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d; want %d", got, tt.wantHits)
			}
		})
	}
}

// TestRequesterPacedConcurrency: after a throttling answer the requests in
// flight are halved; successes give the slots back one at a time.
func TestRequesterPacedConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int64
	var refused atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !refused.Swap(true) {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); {
			p = peak.Load()
		}
		// Stay until a third request arrives, which the halved pace must
		// not let happen; the limit only keeps the test short when it holds.
		for deadline := time.Now().Add(100 * time.Millisecond); inFlight.Load() < 3 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		fmt.Fprint(w, "{}")
	}))
	t.Cleanup(srv.Close)
	r := &Requester{Client: srv.Client(), Budget: NewBudget(BudgetConfig{}, nil), Concurrency: 4, MaxRetries: -1, BaseBackoff: time.Millisecond}
	if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); StatusCode(err) != 429 {
		t.Fatalf("Do = %v; want the 429", err)
	}
	var wg sync.WaitGroup
	for range paceRecoverAfter - 1 {
		wg.Go(func() {
			if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := peak.Load(); got > 2 {
		t.Errorf("peak requests in flight after a 429 = %d; want at most 2, half the Concurrency of 4", got)
	}
	if got := r.Budget.Pace().InFlight; got != 2 {
		t.Errorf("Pace().InFlight after %d successes = %d; want still 2", paceRecoverAfter-1, got)
	}
	if _, err := r.Do(t.Context(), Request{URL: srv.URL, Endpoint: "/"}); err != nil {
		t.Fatal(err)
	}
	if got := r.Budget.Pace().InFlight; got != 3 {
		t.Errorf("Pace().InFlight after %d successes = %d; want 3, one slot back", paceRecoverAfter, got)
	}
}

// TestRequesterThrottleHoldPastDeadline: a hold the context cannot wait
// out ends the request with the vendor's answer.
func TestRequesterThrottleHoldPastDeadline(t *testing.T) {
	srv, hits := scriptServer(t, step{status: 429}, step{status: 200})
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	r := &Requester{Client: srv.Client(), Budget: newTestBudget(BudgetConfig{}, clock), BaseBackoff: time.Minute, sleep: (&sleepLog{}).sleep}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := r.Do(ctx, Request{URL: srv.URL, Endpoint: "/"}); StatusCode(err) != 429 {
		t.Errorf("Do with a minute's hold and 30s left = %v; want the 429", err)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server hits = %d; want 1", got)
	}
}
