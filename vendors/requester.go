package vendors

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/cpuslot"
)

// Defaults for the zero values of Requester's fields.
const (
	defaultMaxRetries   = 3
	defaultBaseBackoff  = time.Second
	defaultMaxBackoff   = 30 * time.Second
	defaultMaxWait      = 60 * time.Second
	defaultMaxBodyBytes = 64 << 20
	// maxBackoffCeiling bounds MaxBackoff: a backoff near the largest
	// Duration would overflow the jitter's arithmetic.
	maxBackoffCeiling = time.Hour
)

// Recorder receives one observation per request sent.
type Recorder interface {
	// ObserveRequest gets the HTTP status as a decimal string, or "error"
	// when no complete response arrived.
	ObserveRequest(endpoint, code string, d time.Duration)
}

// Requester sends requests to one source and is the one place that retries
// them, so budget, backoff and metrics cannot be bypassed or doubled.
type Requester struct {
	Client *http.Client
	// Budget nil means unlimited.
	Budget *Budget
	// Recorder nil means none.
	Recorder    Recorder
	RateHeaders []RateHeader
	// Prepare is called on every attempt, e.g. to add auth headers or cookies.
	Prepare func(*http.Request) error
	// MaxRetries is the retries after the first attempt for 429, 500, 502,
	// 503, 504 and transport errors; 0 means 3, negative means none. With a
	// Budget, up to maxFreeRetries more follow throttling answers its pace
	// slowed down for.
	MaxRetries int
	// BaseBackoff is the first backoff; 0 means 1s. Backoff doubles per
	// retry with full jitter, capped by MaxBackoff (0 means 30s).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// MaxWait is the longest Retry-After waited for inside one Do; a longer
	// one returns the APIError (the Budget still holds later requests until
	// then). 0 means 60s.
	MaxWait time.Duration
	// MaxBodyBytes caps a response body, as decoded; 0 means 64 MiB. The
	// bodies held at once, being read or awaiting Release, stay within
	// three times it.
	MaxBodyBytes int64
	// ETags nil means no conditional requests.
	ETags *ETagStore
	// Concurrency bounds the requests in flight at once across every
	// caller of this Requester, for APIs that limit concurrent requests per
	// user; 0 means no bound. After throttling answers the Budget's pace
	// may allow fewer.
	Concurrency int
	// ThrottleTexts mark the 503s that are the vendor's rate or
	// concurrency limits rather than an outage: those whose message
	// contains one of them. Like 429s, they slow the Budget's pace, and
	// a retry the slower pace answers for spends none of MaxRetries.
	ThrottleTexts []string

	bodiesOnce sync.Once
	bodiesGate *bodyGate // bounds the bytes of the bodies held at once

	gateMu sync.Mutex
	used   int    // requests in flight
	freed  wakeup // when one ends

	sleep func(context.Context, time.Duration) error // tests replace it
}

// Request is one API call.
type Request struct {
	// Method "" means GET.
	Method string
	// URL is absolute.
	URL string
	// Endpoint is the path template used in metrics and errors.
	Endpoint string
	Header   http.Header
	Body     []byte
	// Conditional sends If-None-Match when an ETag for URL is stored and
	// reuses the stored body on 304.
	Conditional bool
	// Stream, when set, reads a 2xx answer's body as it arrives, instead
	// of the body being read whole: MaxBodyBytes and the stored ETags do
	// not apply, and the Response has no Body. A 304 (to an If-None-Match
	// in Header) is returned with NotModified and StatusCode 304, Stream
	// not called. Once Stream is called the request is not retried: its
	// error, or a cut in the body, fails the request.
	Stream func(header http.Header, body io.Reader) error
}

// Response is a successful answer. NotModified marks a stored body reused
// after a 304; StatusCode is then 200.
type Response struct {
	StatusCode  int
	Header      http.Header
	Body        []byte
	NotModified bool
	buf         *bodyBuf // Body's buffer and the bytes it holds of the gate
}

// Release returns the body's buffer for reuse; Body must not be used
// after it. Responses that are never released are simply collected.
func (r *Response) Release() {
	r.buf.release()
	r.buf, r.Body = nil, nil
}

// outcome tells Do whether and how soon a failed attempt may be retried.
type outcome struct {
	retry      bool
	retryAfter time.Duration
	status     int
	// free marks a throttling answer the Budget's pace has slowed down for
	// since the request was sent: the Budget holds the retry, which is not
	// counted.
	free bool
}

// maxFreeRetries bounds the retries of one request that throttling answers
// do not count.
const maxFreeRetries = 8

// Do sends req, retrying 429, 5xx and transport errors, and returns a 2xx
// response or an error: *APIError for other statuses, *BudgetError when the
// budget is spent, *RedirectError for a redirect it would not follow, an
// error wrapping ctx.Err() when ctx ends.
func (r *Requester) Do(ctx context.Context, req Request) (*Response, error) {
	resp, err := r.send(ctx, req)
	if resp != nil && resp.buf != nil {
		// The caller keeps the body as long as it likes: it is no longer
		// counted among those in flight.
		resp.buf.lease.close()
	}
	return resp, err
}

// send is Do, with the body's bytes held of the gate until Release.
func (r *Requester) send(ctx context.Context, req Request) (*Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if err := checkURL(req.URL); err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.Endpoint, err)
	}
	retries := r.MaxRetries
	switch {
	case retries == 0:
		retries = defaultMaxRetries
	case retries < 0:
		retries = 0
	}
	sleep := r.sleep
	if sleep == nil {
		sleep = SleepContext
	}
	free := 0
	for attempt := 0; ; attempt++ {
		resp, out, err := r.attempt(ctx, req)
		if err == nil {
			return resp, nil
		}
		if !out.retry {
			return nil, err
		}
		if out.free && retries > 0 && free < maxFreeRetries {
			free++
		}
		if attempt-free >= retries {
			if attempt > 0 {
				return nil, fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return nil, err
		}
		wait := out.retryAfter
		if wait > r.maxWait() {
			return nil, err
		}
		switch {
		case out.free:
			// The Budget holds every request of the source at the slower
			// pace, or for the Retry-After if longer; a hold past the
			// deadline ends the request with the vendor's answer.
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < r.Budget.holdLeft() {
				return nil, err
			}
			continue
		case wait > 0 && r.Budget != nil && holdsOn(out.status):
			// Budget.Observe turned this Retry-After into a hold that the
			// next Acquire waits out, for every request of the source.
			continue
		case wait <= 0:
			wait = r.backoff(attempt - free)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s: %w", req.Method, req.Endpoint, err)
		}
	}
}

// attempt sends req once.
func (r *Requester) attempt(ctx context.Context, req Request) (*Response, outcome, error) {
	fail := func(err error) (*Response, outcome, error) {
		return nil, outcome{}, fmt.Errorf("%s %s: %w", req.Method, req.Endpoint, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		// The URL was checked, so this is the method; the error text has no URL.
		return fail(err)
	}
	for k, v := range req.Header {
		hreq.Header[k] = slices.Clone(v)
	}
	if r.Prepare != nil {
		if err := r.Prepare(hreq); err != nil {
			return fail(fmt.Errorf("preparing request: %w", err))
		}
	}
	var stored ETagEntry
	var haveStored bool
	if req.Conditional && r.ETags != nil {
		stored, haveStored = r.ETags.Get(req.URL)
		if haveStored {
			hreq.Header.Set("If-None-Match", stored.ETag)
		}
	}

	if err := r.enter(ctx); err != nil {
		return fail(err)
	}
	defer r.leave()
	// The budget is asked last, just before sending: a request that
	// waited for a slot must still wait out a Retry-After that came in
	// the meantime.
	var gen uint64 // the pace the request is sent at
	if r.Budget != nil {
		if gen, err = r.Budget.acquire(ctx); err != nil {
			return fail(err)
		}
	}
	countCall(ctx)
	start := time.Now()
	hc := *r.client()
	hc.CheckRedirect = r.redirectPolicy(req.Endpoint, &start, hc.CheckRedirect)
	resp, err := hc.Do(hreq)
	if err != nil {
		r.record(req.Endpoint, "error", time.Since(start))
		return nil, r.transportOutcome(ctx, err), r.transportError(ctx, req, hreq, err)
	}
	if req.Stream != nil && (resp.StatusCode >= 200 && resp.StatusCode < 300 || resp.StatusCode == http.StatusNotModified) {
		return r.stream(ctx, req, hreq, resp, start, gen)
	}
	limit := r.maxBodyBytes()
	if resp.ContentLength > limit {
		// Announced over the cap: not worth reading.
		resp.Body.Close()
		r.record(req.Endpoint, strconv.Itoa(resp.StatusCode), time.Since(start))
		if r.Budget != nil {
			r.Budget.Observe(resp, r.RateHeaders)
		}
		return fail(fmt.Errorf("%w (%d bytes; the answer announced %d)", ErrBodyTooLarge, limit, resp.ContentLength))
	}
	lease := r.bodies().lease()
	buf, err := readBody(ctx, resp.Body, resp.ContentLength, limit, lease)
	lease.done()
	resp.Body.Close()
	over := errors.Is(err, ErrBodyTooLarge)
	if err != nil && !over {
		buf.release()
		r.record(req.Endpoint, "error", time.Since(start))
		return nil, r.transportOutcome(ctx, err), r.transportError(ctx, req, hreq, err)
	}
	data := buf.bytes()
	keep := false // whether data is handed on in a Response
	defer func() {
		if !keep {
			buf.release()
		}
	}()
	r.record(req.Endpoint, strconv.Itoa(resp.StatusCode), time.Since(start))
	if r.Budget != nil {
		r.Budget.Observe(resp, r.RateHeaders)
	}
	if over {
		if resp.Uncompressed {
			return fail(fmt.Errorf("%w (%d bytes, decompressed)", ErrBodyTooLarge, limit))
		}
		return fail(fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, limit))
	}

	if r.Budget != nil && (resp.StatusCode < 300 || resp.StatusCode == http.StatusNotModified) {
		r.Budget.succeeded(gen)
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if req.Conditional && r.ETags != nil {
			// A cut or spoilt body must not be kept: every 304 after it would
			// serve it again until the data changed.
			if etag := resp.Header.Get("ETag"); etag != "" && json.Valid(data) {
				r.ETags.Put(req.URL, ETagEntry{
					ETag:   etag,
					Gzip:   compress(data),
					Header: resp.Header.Clone(),
					Stored: time.Now(),
				})
			}
		}
		keep = true
		return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data, buf: buf}, outcome{}, nil
	case resp.StatusCode == http.StatusNotModified && haveStored:
		// The answer's buffer goes back first: held while the stored body
		// waits for bytes, it would keep them from the other requests.
		buf.release()
		body, err := decompress(ctx, stored.Gzip, limit, r.bodies().lease())
		if err != nil {
			// A stored body that cannot be read is of no use: fetch anew.
			r.ETags.Delete(req.URL)
			return nil, outcome{retry: ctx.Err() == nil}, fmt.Errorf("%s %s: the stored answer for a 304 is unreadable: %w", req.Method, req.Endpoint, err)
		}
		// The stored header keeps what the body's decoding may need, such as
		// paging totals.
		return &Response{
			StatusCode:  http.StatusOK,
			Header:      stored.Header.Clone(),
			Body:        body.bytes(),
			NotModified: true,
			buf:         body,
		}, outcome{}, nil
	}
	apiErr := &APIError{
		Method:     req.Method,
		Endpoint:   req.Endpoint,
		StatusCode: resp.StatusCode,
		Detail:     parseDetail(data),
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc, err := resp.Location(); err == nil {
			apiErr.Location = hideURL(loc)
		}
	}
	if d, ok := retryAfter(resp.Header, r.now()); ok {
		apiErr.RetryAfter = d
	}
	out := outcome{retry: apiErr.Temporary(), retryAfter: apiErr.RetryAfter, status: resp.StatusCode}
	if r.Budget != nil && r.throttling(apiErr) {
		out.free = r.Budget.throttle(gen, r.baseBackoff())
	}
	return nil, out, apiErr
}

// stream hands a 2xx body to req.Stream as it arrives. The request is
// recorded once the body is read: with its status, or "error" when the
// body was cut, no complete answer having arrived.
func (r *Requester) stream(ctx context.Context, req Request, hreq *http.Request, resp *http.Response, start time.Time, gen uint64) (*Response, outcome, error) {
	defer resp.Body.Close()
	if r.Budget != nil {
		r.Budget.Observe(resp, r.RateHeaders)
		r.Budget.succeeded(gen)
	}
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header, NotModified: resp.StatusCode == http.StatusNotModified}
	if out.NotModified {
		r.record(req.Endpoint, strconv.Itoa(resp.StatusCode), time.Since(start))
		return out, outcome{}, nil
	}
	body := &streamBody{r: resp.Body}
	err := req.Stream(resp.Header, body)
	switch {
	case body.err != nil:
		r.record(req.Endpoint, "error", time.Since(start))
		return nil, outcome{}, r.transportError(ctx, req, hreq, body.err)
	case err != nil:
		r.record(req.Endpoint, strconv.Itoa(resp.StatusCode), time.Since(start))
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, outcome{}, fmt.Errorf("%s %s: %w", req.Method, req.Endpoint, ctxErr)
		}
		return nil, outcome{}, fmt.Errorf("%s %s: %w", req.Method, req.Endpoint, err)
	}
	r.record(req.Endpoint, strconv.Itoa(resp.StatusCode), time.Since(start))
	return out, outcome{}, nil
}

// streamBody keeps the first error reading a streamed body, other than its
// end: a cut the reader must not take for the end of the data.
type streamBody struct {
	r   io.Reader
	err error
}

func (b *streamBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// throttling reports whether an answer is the vendor's rate or concurrency
// limit: a 429, or a 503 with one of ThrottleTexts. A plain 5xx outage is
// not.
func (r *Requester) throttling(e *APIError) bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable:
		for _, t := range r.ThrottleTexts {
			if t != "" && strings.Contains(e.Detail, t) {
				return true
			}
		}
	}
	return false
}

// Close drops the idle connections to the source, when it stops.
func (r *Requester) Close() { r.client().CloseIdleConnections() }

// bodies returns the gate of the bodies held at once.
func (r *Requester) bodies() *bodyGate {
	r.bodiesOnce.Do(func() { r.bodiesGate = newBodyGate(r.maxBodyBytes()) })
	return r.bodiesGate
}

// redirectPolicy wraps the client's redirect policy: a hop goes only where
// the request went (scheme, host and port), since the credentials ride
// along, and counts as a call like any other, in the budget, the calls of
// the refresh and the metrics. start is when the hop before was sent.
func (r *Requester) redirectPolicy(endpoint string, start *time.Time, policy func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(next *http.Request, via []*http.Request) error {
		if policy != nil {
			if err := policy(next, via); err != nil {
				return err
			}
		}
		if err := sameOrigin(next, via); err != nil {
			return err
		}
		if next.Response != nil {
			r.record(endpoint, strconv.Itoa(next.Response.StatusCode), time.Since(*start))
		}
		if r.Budget != nil {
			if _, err := r.Budget.acquire(next.Context()); err != nil {
				return err
			}
		}
		countCall(next.Context())
		*start = time.Now()
		return nil
	}
}

// enter waits for a slot among the requests in flight: Concurrency, or
// fewer while the Budget's pace is slowed. Each call must be followed by
// leave.
func (r *Requester) enter(ctx context.Context) error {
	for {
		limit := r.Concurrency
		if r.Budget != nil {
			limit = r.Budget.inFlight(limit)
		}
		r.gateMu.Lock()
		if limit <= 0 || r.used < limit {
			r.used++
			r.gateMu.Unlock()
			return nil
		}
		if err := r.freed.unlockAndWait(ctx, &r.gateMu); err != nil {
			return err
		}
	}
}

// leave frees the slot enter took and wakes the requests waiting for one.
func (r *Requester) leave() {
	r.gateMu.Lock()
	defer r.gateMu.Unlock()
	r.used--
	r.freed.wake()
}

// transportOutcome retries transport errors except a done context, a
// certificate the server will present again, a redirect that would be
// refused again and a budget a redirect found spent.
func (r *Requester) transportOutcome(ctx context.Context, err error) outcome {
	var redirect *RedirectError
	var spent *BudgetError
	return outcome{retry: ctx.Err() == nil && !isCertError(err) && !errors.As(err, &redirect) && !errors.As(err, &spent)}
}

// transportError names the endpoint instead of the URL, whose query may carry
// credentials, and wraps ctx.Err() when the context ended the request.
func (r *Requester) transportError(ctx context.Context, req Request, hreq *http.Request, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.Endpoint, ctxErr)
	}
	err = unwrapped[*url.Error](err)
	msg := err.Error()
	// Prepare may have added credentials to the URL, so scrub both forms.
	for _, u := range []string{hreq.URL.String(), req.URL} {
		msg = strings.ReplaceAll(msg, u, req.Endpoint)
		if i := strings.IndexByte(u, '?'); i >= 0 {
			msg = strings.ReplaceAll(msg, u[i:], "")
		}
	}
	return &requestError{msg: fmt.Sprintf("%s %s: %s", req.Method, req.Endpoint, msg), err: err}
}

// requestError keeps the cause for errors.Is and errors.As while its text is
// scrubbed of the request URL.
type requestError struct {
	msg string
	err error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

// isCertError reports a TLS verification failure, which retrying cannot fix.
func isCertError(err error) bool {
	var (
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
	)
	return errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &he) || errors.As(err, &cie)
}

// checkURL rejects URLs the transport would fail on every retry. Its errors
// leave the URL out.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid request URL: %w", unwrapped[*url.Error](err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("invalid request URL: not an absolute http or https URL")
	}
	return nil
}

// GetJSON GETs url and decodes its 2xx body into v. Bad, truncated or
// trailing JSON returns a *DecodeError. Requests are conditional when the
// Requester has an ETag store.
func (r *Requester) GetJSON(ctx context.Context, rawURL, endpoint string, v any) (http.Header, error) {
	resp, err := r.send(ctx, Request{
		URL:         rawURL,
		Endpoint:    endpoint,
		Header:      http.Header{"Accept": {"application/json"}},
		Conditional: r.ETags != nil,
	})
	if err != nil {
		return nil, err
	}
	defer resp.Release()
	if resp.StatusCode == http.StatusNoContent {
		return resp.Header, nil
	}
	if werr := cpuslot.Do(ctx, func() { err = json.Unmarshal(resp.Body, v) }); werr != nil {
		return resp.Header, werr
	}
	if err != nil {
		return resp.Header, &DecodeError{Endpoint: endpoint, Err: err}
	}
	return resp.Header, nil
}

// backoff returns a full-jitter delay for the given retry: uniform in
// [0, min(MaxBackoff, BaseBackoff*2^attempt)], so clients hit by the same
// outage spread out.
func (r *Requester) backoff(attempt int) time.Duration {
	base, ceiling := r.baseBackoff(), r.MaxBackoff
	if ceiling <= 0 {
		ceiling = defaultMaxBackoff
	}
	ceiling = min(ceiling, maxBackoffCeiling)
	d := min(base, ceiling)
	for range attempt {
		if d >= ceiling/2 {
			d = ceiling
			break
		}
		d *= 2
	}
	return rand.N(d + 1)
}

// baseBackoff is the first backoff, and the shortest hold after a
// throttling answer.
func (r *Requester) baseBackoff() time.Duration {
	if r.BaseBackoff <= 0 {
		return defaultBaseBackoff
	}
	return r.BaseBackoff
}

func (r *Requester) client() *http.Client {
	if r.Client == nil {
		return http.DefaultClient
	}
	return r.Client
}

func (r *Requester) maxWait() time.Duration {
	if r.MaxWait <= 0 {
		return defaultMaxWait
	}
	return r.MaxWait
}

func (r *Requester) maxBodyBytes() int64 {
	if r.MaxBodyBytes <= 0 {
		return defaultMaxBodyBytes
	}
	return r.MaxBodyBytes
}

// now follows the budget's clock so an HTTP-date Retry-After and the hold
// it becomes agree.
func (r *Requester) now() time.Time {
	if r.Budget != nil {
		return r.Budget.now()
	}
	return time.Now()
}

func (r *Requester) record(endpoint, code string, d time.Duration) {
	if r.Recorder != nil {
		r.Recorder.ObserveRequest(endpoint, code, d)
	}
}

// callsKey is the context key of the call counters.
type callsKey struct{}

// CountCalls derives a context whose Requester attempts are counted into the
// returned counter, and into those of any outer CountCalls.
func CountCalls(ctx context.Context) (context.Context, *atomic.Int64) {
	outer, _ := ctx.Value(callsKey{}).([]*atomic.Int64)
	c := new(atomic.Int64)
	return context.WithValue(ctx, callsKey{}, append(slices.Clip(outer), c)), c
}

// countCall increments every counter in ctx.
func countCall(ctx context.Context) {
	counters, _ := ctx.Value(callsKey{}).([]*atomic.Int64)
	for _, c := range counters {
		c.Add(1)
	}
}
