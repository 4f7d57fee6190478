package vendors

import (
	"cmp"
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
	// MaxHold caps how long one answer may hold the source, whatever its
	// Retry-After says: the longest window the vendor's limits count over
	// (an hour's quota, a day's). The next call after it probes whether
	// the vendor still refuses. 0 means a week.
	MaxHold time.Duration
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
	// Pace is the pace in force after the vendor's throttling answers.
	Pace Pace
}

// Pace is the pace a Budget keeps after the vendor's throttling answers
// (429, or a 503 the vendor uses for its rate or concurrency limits), by
// additive increase and multiplicative decrease as TCP does. A throttling
// answer to a call sent at the current pace halves it (see decrease), and
// holds every call of the source for the new hold. Every paceRecoverAfter
// successes in a row take one step back towards the configuration, never
// beyond it: one more request in flight and per burst, an eighth of the
// configured rate, a quarter of the hold the decrease added. A vendor that
// never throttles keeps the configured pace.
type Pace struct {
	// InFlight is the requests allowed in flight at once; 0 means no
	// Requester sharing the budget bounds them.
	InFlight int
	// Burst is the calls per burst; 0 means no bursts.
	Burst int
	// Hold is the pause after each burst, and of every request after a
	// throttling answer.
	Hold time.Duration
	// PerSecond is the limiter's rate; 0 means none.
	PerSecond float64
	// Slowed reports whether any of these is below the configuration.
	Slowed bool
	// Throttles counts the throttling answers, and Decreases the times they
	// slowed the pace.
	Throttles, Decreases int
}

// Bounds of the pace.
const (
	// paceRecoverAfter is the successes in a row that take one step back
	// towards the configured pace.
	paceRecoverAfter = 8
	// paceHoldSteps is the steps in which the hold added by a decrease is
	// taken back.
	paceHoldSteps = 4
	// paceRateSteps is the steps from no rate to the configured one.
	paceRateSteps = 8
	// maxPaceHold caps the hold, unless the configured one is longer:
	// Prime's own client backs off at most a minute
	// (shared/vendor-apis/prime.md, section 6).
	maxPaceHold = time.Minute
	// minPaceRate is one call per maxPaceHold.
	minPaceRate = 1 / 60.0
	// maxPerSecond and maxBurstHold bound the configured rate and hold.
	maxPerSecond = 1e6
	maxBurstHold = time.Hour
)

// pace is the state behind Pace. Calls carry the generation they were sent
// at: a throttling answer to a call sent before the latest decrease was
// already answered for by it, so it does not halve the pace again.
type pace struct {
	ceiling  int // the largest Requester.Concurrency sharing the budget
	inFlight int // 0: the ceiling
	burst    int
	hold     time.Duration
	holdStep time.Duration // taken back from hold per step
	rate     float64

	gen       uint64 // decreases so far
	okInGen   int    // successes of calls sent at the current generation
	streak    int    // of those, in a row since the last throttle or step
	throttles int
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
	pace            pace
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
	// Configs are validated; these bounds keep the arithmetic below from
	// overflowing whatever comes in.
	if !(cfg.PerSecond > 0) || math.IsInf(cfg.PerSecond, 1) {
		cfg.PerSecond = 0
	}
	cfg.PerSecond = min(cfg.PerSecond, maxPerSecond)
	if cfg.PerSecond > 0 && cfg.Burst <= 0 {
		cfg.Burst = max(1, int(math.Ceil(cfg.PerSecond)))
	}
	cfg.BurstHold = min(max(cfg.BurstHold, 0), maxBurstHold)
	if cfg.MaxHold <= 0 || cfg.MaxHold > maxRetryAfter {
		cfg.MaxHold = maxRetryAfter
	}
	b := &Budget{
		cfg:             cfg,
		now:             now,
		sleep:           SleepContext,
		vendorRemaining: make(map[string]windowValue),
		vendorLimit:     make(map[string]windowValue),
		pace:            pace{burst: cfg.BurstSize, hold: cfg.BurstHold, rate: cfg.PerSecond},
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
	_, err := b.acquire(ctx)
	return err
}

// acquire is Acquire, returning the pace's generation the call is sent at.
func (b *Budget) acquire(ctx context.Context) (uint64, error) {
	if err := b.waitHold(ctx); err != nil {
		return 0, err
	}
	var res *rate.Reservation
	if b.lim != nil {
		now := b.now()
		res = b.lim.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			if err := b.wait(ctx, d); err != nil {
				res.CancelAt(b.now())
				return 0, fmt.Errorf("waiting for the rate limiter: %w", err)
			}
		}
	}

	b.mu.Lock()
	now := b.now()
	if b.holdUntil.After(now) {
		// A burst filled up, or a throttling answer came, while this call
		// waited: it waits for the new hold too.
		b.mu.Unlock()
		if res != nil {
			res.CancelAt(now)
		}
		return b.acquire(ctx)
	}
	defer b.mu.Unlock()
	b.roll(now)
	if err := b.spent(now); err != nil {
		if res != nil {
			// The call is not made, so its limiter token goes back.
			res.CancelAt(now)
		}
		return 0, err
	}
	b.hourUsed++
	b.dayUsed++
	if p := &b.pace; p.burst > 0 {
		if now.Sub(b.lastCall) >= p.hold {
			b.burst = 0
		}
		b.burst++
		if b.burst >= p.burst {
			b.burst = 0
			b.holdUntil = later(b.holdUntil, now.Add(p.hold))
		}
	}
	b.lastCall = now
	return b.pace.gen, nil
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

// Hold makes Acquire wait until the given time, or MaxHold from now if
// sooner; an earlier hold never shortens a later one.
func (b *Budget) Hold(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if limit := b.now().Add(b.cfg.MaxHold); until.After(limit) {
		until = limit
	}
	if until.After(b.holdUntil) {
		b.holdUntil = until
	}
}

// inFlight returns the requests a Requester whose Concurrency is ceiling
// may have in flight at the current pace; 0 means no bound. The largest
// ceiling of the Requesters sharing the budget is the pace's.
func (b *Budget) inFlight(ceiling int) int {
	if ceiling <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pace.ceiling = max(b.pace.ceiling, ceiling)
	if b.pace.inFlight > 0 {
		return min(ceiling, b.pace.inFlight)
	}
	return ceiling
}

// succeeded records a success of a call sent at generation gen; enough of
// them in a row take the pace one step back towards the configuration.
func (b *Budget) succeeded(gen uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := &b.pace
	if gen != p.gen || !b.slowed() {
		return
	}
	p.okInGen++
	p.streak++
	if p.streak < paceRecoverAfter {
		return
	}
	p.streak = 0
	if p.inFlight > 0 {
		p.inFlight++
		if p.inFlight >= p.ceiling {
			p.inFlight = 0
		}
	}
	p.burst = min(p.burst+1, b.cfg.BurstSize)
	p.hold = max(p.hold-p.holdStep, b.cfg.BurstHold)
	if b.lim != nil {
		b.setRate(min(p.rate+b.cfg.PerSecond/paceRateSteps, b.cfg.PerSecond))
	}
}

// throttle records a throttling answer to a call sent at generation gen.
// The pace is halved, and every call of the source held for its hold,
// when the call was sent at the current pace and that pace let some call
// through (or is the first): a throttling answer to a call sent before
// the last decrease was answered for by it, and a vendor that lets
// nothing through is not made slower by each refusal. It reports whether
// the pace is slower than when the call was sent, and so holds its retry.
func (b *Budget) throttle(gen uint64, base time.Duration) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := &b.pace
	p.throttles++
	p.streak = 0
	if gen == p.gen && (p.gen == 0 || p.okInGen > 0) && b.decrease(base) {
		p.gen++
		p.okInGen = 0
		b.holdUntil = later(b.holdUntil, b.now().Add(p.hold))
	}
	return gen != p.gen
}

// decrease halves the pace, within its bounds, and reports whether it
// changed: half the requests in flight, half the rate, and half the calls
// per burst or, bursts being of one call or none, twice the hold. A hold
// shorter than base becomes base instead, which slows bursts already. b.mu
// must be held.
func (b *Budget) decrease(base time.Duration) bool {
	p := &b.pace
	before := *p
	if p.ceiling > 0 {
		p.inFlight = max(1, cmp.Or(p.inFlight, p.ceiling)/2)
	}
	floor := min(max(base, time.Millisecond), maxPaceHold)
	switch {
	case p.hold < floor:
		p.hold = floor
	case p.burst > 1:
		p.burst /= 2
	default:
		p.hold = min(2*p.hold, max(maxPaceHold, b.cfg.BurstHold))
	}
	p.holdStep = max((p.hold-b.cfg.BurstHold)/paceHoldSteps, time.Millisecond)
	if b.lim != nil {
		b.setRate(max(p.rate/2, min(minPaceRate, b.cfg.PerSecond)))
	}
	return p.inFlight != before.inFlight || p.burst != before.burst || p.hold != before.hold || p.rate != before.rate
}

// setRate sets the limiter's rate and a burst in proportion. b.mu must be
// held.
func (b *Budget) setRate(r float64) {
	b.pace.rate = r
	now := b.now()
	b.lim.SetLimitAt(now, rate.Limit(r))
	b.lim.SetBurstAt(now, max(1, int(math.Ceil(float64(b.cfg.Burst)*r/b.cfg.PerSecond))))
}

// slowed reports whether the pace is below the configuration. b.mu must be
// held.
func (b *Budget) slowed() bool {
	p := &b.pace
	return p.inFlight > 0 || p.burst < b.cfg.BurstSize || p.hold > b.cfg.BurstHold || p.rate < b.cfg.PerSecond
}

// holdLeft is how long the current hold has to run.
func (b *Budget) holdLeft() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.holdUntil.Sub(b.now()), 0)
}

// Pace returns the pace in force.
func (b *Budget) Pace() Pace {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.paceLocked()
}

func (b *Budget) paceLocked() Pace {
	p := &b.pace
	out := Pace{
		InFlight: p.ceiling, Burst: p.burst, Hold: p.hold, PerSecond: p.rate,
		Slowed: b.slowed(), Throttles: p.throttles, Decreases: int(p.gen),
	}
	if p.inFlight > 0 {
		out.InFlight = p.inFlight
	}
	return out
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
		Pace:            b.paceLocked(),
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

// BudgetCounts are the calls a Budget counted in its current hour and day:
// what a restart or a reload carries over, so that it does not spend the
// quotas twice.
type BudgetCounts struct {
	HourStart time.Time `json:"hour_start"`
	HourUsed  int       `json:"hour_used"`
	DayStart  time.Time `json:"day_start"`
	DayUsed   int       `json:"day_used"`
}

// Counts returns the calls counted in the current hour and day.
func (b *Budget) Counts() BudgetCounts {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(b.now())
	return BudgetCounts{HourStart: b.hourStart, HourUsed: b.hourUsed, DayStart: b.dayStart, DayUsed: b.dayUsed}
}

// Carry takes on the counts of an earlier budget for the same account,
// those of windows still current: each count becomes the larger of the
// two, since a reloaded source's saved counts and its predecessor's may
// hold the same calls.
func (b *Budget) Carry(c BudgetCounts) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(b.now())
	if c.HourStart.Equal(b.hourStart) {
		b.hourUsed = max(b.hourUsed, c.HourUsed)
	}
	if c.DayStart.Equal(b.dayStart) {
		b.dayUsed = max(b.dayUsed, c.DayUsed)
	}
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

// SleepContext sleeps for d or until ctx is done, and returns ctx's error
// in the second case.
func SleepContext(ctx context.Context, d time.Duration) error {
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
