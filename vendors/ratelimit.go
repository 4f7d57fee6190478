package vendors

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// BudgetConfig is the request budget of one source.
type BudgetConfig struct {
	// PerSecond is the local limiter rate; 0 means none.
	PerSecond float64
	// Burst is the limiter burst; 0 means max(1, ceil(PerSecond)).
	Burst int
	// PerHour is the quota per UTC wall-clock hour [HH:00, HH+1:00); 0 means none.
	PerHour int
	// PerDay is the quota per UTC day; 0 means none.
	PerDay int
	// BurstSize and BurstHold make calls go in bursts: after BurstSize calls
	// the next waits BurstHold, as clients of APIs that throttle bursts do.
	// A pause of BurstHold starts a new burst. 0 means no bursts.
	BurstSize int
	BurstHold time.Duration
}

// RateHeader names the response headers in which a vendor reports what is
// left of one of its windows.
type RateHeader struct {
	// Window is "second", "hour" or "day".
	Window string
	// Remaining is the header giving what the vendor says is left,
	// e.g. "X-RateLimit-Remaining-Day".
	Remaining string
	// Limit optionally names the header with the window's limit.
	Limit string
}

// BudgetState is a snapshot of a Budget for metrics.
type BudgetState struct {
	// Remaining is the configured quota minus the calls counted in the
	// current window, per configured window ("hour", "day").
	Remaining map[string]float64
	// VendorRemaining holds the last values the vendor's headers (or
	// SetVendorRemaining) gave in the current window.
	VendorRemaining map[string]float64
	// VendorLimit holds the last window limits the vendor's headers gave in
	// the current window.
	VendorLimit map[string]float64
	// Used is the calls counted in the current window, per configured window.
	Used map[string]int
	// Throttled is the cumulative time Acquire spent waiting.
	Throttled time.Duration
}

// Budget is the request budget of one source, shared by all its requests:
// a per-second limiter, Retry-After holds and hourly and daily quotas, both
// our own and what the vendor reports. It is safe for concurrent use.
type Budget struct {
	cfg   BudgetConfig
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	lim   *rate.Limiter // nil without a per-second rate

	mu              sync.Mutex
	holdUntil       time.Time
	hourStart       time.Time
	dayStart        time.Time
	hourUsed        int
	dayUsed         int
	vendorRemaining map[string]windowValue
	vendorLimit     map[string]windowValue
	throttled       time.Duration
	burst           int       // calls in the current burst
	lastCall        time.Time // when the last call was counted
}

// windowValue is a vendor-reported number and the window it belongs to, so
// it can be forgotten when the window rolls over.
type windowValue struct {
	start time.Time
	v     float64
}

// NewBudget returns a Budget for cfg; now nil means time.Now.
func NewBudget(cfg BudgetConfig, now func() time.Time) *Budget {
	if now == nil {
		now = time.Now
	}
	if cfg.PerSecond > 0 && cfg.Burst <= 0 {
		cfg.Burst = max(1, int(math.Ceil(cfg.PerSecond)))
	}
	b := &Budget{
		cfg:             cfg,
		now:             now,
		sleep:           sleepContext,
		vendorRemaining: make(map[string]windowValue),
		vendorLimit:     make(map[string]windowValue),
	}
	if cfg.PerSecond > 0 {
		b.lim = rate.NewLimiter(rate.Limit(cfg.PerSecond), cfg.Burst)
	}
	return b
}

// SetSleep replaces how the budget waits, for a simulated clock; call it
// before the budget is used.
func (b *Budget) SetSleep(sleep func(context.Context, time.Duration) error) { b.sleep = sleep }

// Config returns the configuration in effect, with the default burst filled in.
func (b *Budget) Config() BudgetConfig { return b.cfg }

// Acquire takes one call from the budget. It waits out any Retry-After hold
// and the per-second limiter, then returns a *BudgetError at once if the
// hourly or daily quota is spent: waiting up to an hour would only stall the
// refresh, whose caller keeps its last data instead. A wait that would pass
// ctx's deadline fails at once.
func (b *Budget) Acquire(ctx context.Context) error {
	if err := b.waitHold(ctx); err != nil {
		return err
	}
	var res *rate.Reservation
	if b.lim != nil {
		now := b.now()
		res = b.lim.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			if err := b.wait(ctx, d); err != nil {
				res.CancelAt(b.now())
				return fmt.Errorf("waiting for the rate limiter: %w", err)
			}
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.roll(now)
	if err := b.spent(now); err != nil {
		if res != nil {
			// The call is not made, so its limiter token goes back.
			res.CancelAt(now)
		}
		return err
	}
	b.hourUsed++
	b.dayUsed++
	if b.cfg.BurstSize > 0 {
		if now.Sub(b.lastCall) >= b.cfg.BurstHold {
			b.burst = 0
		}
		b.burst++
		if b.burst >= b.cfg.BurstSize {
			b.burst = 0
			b.holdUntil = later(b.holdUntil, now.Add(b.cfg.BurstHold))
		}
	}
	b.lastCall = now
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// waitHold sleeps until the latest Retry-After hold has passed; a response
// seen meanwhile may extend it.
func (b *Budget) waitHold(ctx context.Context) error {
	for {
		b.mu.Lock()
		d := b.holdUntil.Sub(b.now())
		b.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := b.wait(ctx, d); err != nil {
			return fmt.Errorf("waiting for Retry-After: %w", err)
		}
	}
}

// wait sleeps for d and counts it as throttled time. Like rate.Limiter.Wait
// it fails at once when d would pass the context's deadline.
func (b *Budget) wait(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("%s wait would pass the deadline: %w", d, context.DeadlineExceeded)
	}
	start := b.now()
	err := b.sleep(ctx, d)
	waited := d
	if err != nil {
		waited = min(max(b.now().Sub(start), 0), d)
	}
	b.mu.Lock()
	b.throttled += waited
	b.mu.Unlock()
	return err
}

// spent returns the BudgetError of the window that reopens last, since an
// hour rolling over does not help while the day is spent. b.mu must be held.
func (b *Budget) spent(now time.Time) error {
	if (b.cfg.PerDay > 0 && b.dayUsed >= b.cfg.PerDay) || b.vendorSpent("day", now) {
		return &BudgetError{Window: "day", Reset: b.dayStart.AddDate(0, 0, 1)}
	}
	if (b.cfg.PerHour > 0 && b.hourUsed >= b.cfg.PerHour) || b.vendorSpent("hour", now) {
		return &BudgetError{Window: "hour", Reset: b.hourStart.Add(time.Hour)}
	}
	return nil
}

// vendorSpent reports whether the vendor said nothing is left of window in
// the current window. b.mu must be held.
func (b *Budget) vendorSpent(window string, now time.Time) bool {
	v, ok := b.vendorRemaining[window]
	return ok && v.start.Equal(windowStart(window, now)) && v.v <= 0
}

// roll resets the counters and forgets vendor values of windows that have
// rolled over. b.mu must be held.
func (b *Budget) roll(now time.Time) {
	if s := windowStart("hour", now); !s.Equal(b.hourStart) {
		b.hourStart, b.hourUsed = s, 0
	}
	if s := windowStart("day", now); !s.Equal(b.dayStart) {
		b.dayStart, b.dayUsed = s, 0
	}
	for _, m := range []map[string]windowValue{b.vendorRemaining, b.vendorLimit} {
		for w, v := range m {
			if !v.start.Equal(windowStart(w, now)) {
				delete(m, w)
			}
		}
	}
}

// windowStart returns the UTC wall-clock start of window around t; unknown
// windows get the zero time, so their values never expire.
func windowStart(window string, t time.Time) time.Time {
	t = t.UTC()
	switch window {
	case "second":
		return t.Truncate(time.Second)
	case "hour":
		return t.Truncate(time.Hour)
	case "day":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// Observe records what a response says about the budget: a Retry-After on
// 429 or 503 holds every later Acquire, and each configured RateHeader's
// values are kept for the current window. Unparsable values are ignored.
func (b *Budget) Observe(resp *http.Response, headers []RateHeader) {
	if resp == nil {
		return
	}
	now := b.now()
	if holdsOn(resp.StatusCode) {
		if d, ok := retryAfter(resp.Header, now); ok {
			b.Hold(now.Add(d))
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	for _, h := range headers {
		start := windowStart(h.Window, now)
		if v, ok := headerFloat(resp.Header, h.Remaining); ok {
			b.vendorRemaining[h.Window] = windowValue{start: start, v: v}
		}
		if v, ok := headerFloat(resp.Header, h.Limit); ok {
			b.vendorLimit[h.Window] = windowValue{start: start, v: v}
		}
	}
}

// SetVendorRemaining records what the vendor says is left of window, for
// vendors that report it in a body or a separate call.
func (b *Budget) SetVendorRemaining(window string, remaining float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.roll(now)
	b.vendorRemaining[window] = windowValue{start: windowStart(window, now), v: remaining}
}

// Hold makes Acquire wait until the given time; an earlier hold never
// shortens a later one.
func (b *Budget) Hold(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until.After(b.holdUntil) {
		b.holdUntil = until
	}
}

// State returns the current accounting.
func (b *Budget) State() BudgetState {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(b.now())
	st := BudgetState{
		Remaining:       make(map[string]float64),
		VendorRemaining: make(map[string]float64),
		VendorLimit:     make(map[string]float64),
		Used:            make(map[string]int),
		Throttled:       b.throttled,
	}
	if b.cfg.PerHour > 0 {
		st.Used["hour"] = b.hourUsed
		st.Remaining["hour"] = float64(max(b.cfg.PerHour-b.hourUsed, 0))
	}
	if b.cfg.PerDay > 0 {
		st.Used["day"] = b.dayUsed
		st.Remaining["day"] = float64(max(b.cfg.PerDay-b.dayUsed, 0))
	}
	for w, v := range b.vendorRemaining {
		st.VendorRemaining[w] = v.v
	}
	for w, v := range b.vendorLimit {
		st.VendorLimit[w] = v.v
	}
	return st
}

// holdsOn reports whether a Retry-After on this status holds the budget.
func holdsOn(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// maxRetryAfter keeps a hostile Retry-After from overflowing time.Duration.
const maxRetryAfter = 7 * 24 * time.Hour

// retryAfter parses Retry-After as delta-seconds or an HTTP-date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// headerFloat parses a numeric header; absent or unparsable means false.
func headerFloat(h http.Header, name string) (float64, bool) {
	if name == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(h.Get(name)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// sleepContext sleeps for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
