package vendors

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

func newFakeClock(t *testing.T, rfc3339 string) *testtool.Clock {
	t.Helper()
	start, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		t.Fatal(err)
	}
	return testtool.NewClock(start)
}

func newTestBudget(cfg BudgetConfig, c *testtool.Clock) *Budget {
	b := NewBudget(cfg, c.Now)
	b.sleep = c.Sleep
	return b
}

func TestBudgetPerSecond(t *testing.T) {
	tests := []struct {
		name  string
		cfg   BudgetConfig
		calls int
		want  []time.Duration
	}{
		{name: "no limiter", cfg: BudgetConfig{}, calls: 5, want: nil},
		{name: "default burst", cfg: BudgetConfig{PerSecond: 2}, calls: 4, want: []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}},
		{name: "burst 1", cfg: BudgetConfig{PerSecond: 1, Burst: 1}, calls: 3, want: []time.Duration{time.Second, time.Second}},
		{name: "fractional rate", cfg: BudgetConfig{PerSecond: 0.5}, calls: 2, want: []time.Duration{2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t, "2026-11-23T17:00:00Z")
			b := newTestBudget(tt.cfg, clock)
			for i := range tt.calls {
				if err := b.Acquire(t.Context()); err != nil {
					t.Fatalf("Acquire #%d = %v; want nil", i+1, err)
				}
			}
			checkThrottled(t, clock, b, tt.want)
		})
	}
}

func TestBudgetDefaultBurst(t *testing.T) {
	tests := []struct {
		cfg  BudgetConfig
		want int
	}{
		{BudgetConfig{PerSecond: 0.2}, 1},
		{BudgetConfig{PerSecond: 2.5}, 3},
		{BudgetConfig{PerSecond: 2, Burst: 5}, 5},
		{BudgetConfig{}, 0},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatFloat(tt.cfg.PerSecond, 'g', -1, 64), func(t *testing.T) {
			if got := NewBudget(tt.cfg, nil).Config().Burst; got != tt.want {
				t.Errorf("Config(%+v).Burst = %d; want %d", tt.cfg, got, tt.want)
			}
		})
	}
}

func TestBudgetQuota(t *testing.T) {
	tests := []struct {
		name       string
		cfg        BudgetConfig
		start      string
		allowed    int
		wantWindow string
		wantReset  string
	}{
		{name: "hourly", cfg: BudgetConfig{PerHour: 3}, start: "2026-11-23T17:58:00Z", allowed: 3, wantWindow: "hour", wantReset: "2026-11-23T18:00:00Z"},
		{name: "daily", cfg: BudgetConfig{PerDay: 2, PerHour: 10}, start: "2026-11-23T23:30:00Z", allowed: 2, wantWindow: "day", wantReset: "2026-11-24T00:00:00Z"},
		{name: "day spent wins over hour", cfg: BudgetConfig{PerDay: 2, PerHour: 2}, start: "2026-11-23T10:10:00Z", allowed: 2, wantWindow: "day", wantReset: "2026-11-24T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t, tt.start)
			b := newTestBudget(tt.cfg, clock)
			for i := range tt.allowed {
				if err := b.Acquire(t.Context()); err != nil {
					t.Fatalf("Acquire #%d = %v; want nil", i+1, err)
				}
			}
			err := b.Acquire(t.Context())
			var be *BudgetError
			if !errors.As(err, &be) {
				t.Fatalf("Acquire #%d = %v; want *BudgetError", tt.allowed+1, err)
			}
			reset, _ := time.Parse(time.RFC3339, tt.wantReset)
			if be.Window != tt.wantWindow || !be.Reset.Equal(reset) {
				t.Errorf("Acquire = %v; want %s budget resetting at %s", be, tt.wantWindow, tt.wantReset)
			}
			if got := b.State().Used[tt.wantWindow]; got != tt.allowed {
				t.Errorf("Used[%s] = %d; want %d (a refused call is not counted)", tt.wantWindow, got, tt.allowed)
			}

			clock.Set(reset.Add(-time.Nanosecond))
			if err := b.Acquire(t.Context()); err == nil {
				t.Errorf("Acquire just before %s = nil; want *BudgetError", tt.wantReset)
			}
			clock.Set(reset)
			if err := b.Acquire(t.Context()); err != nil {
				t.Errorf("Acquire at %s = %v; want nil", tt.wantReset, err)
			}
			st := b.State()
			if st.Used[tt.wantWindow] != 1 || st.Remaining[tt.wantWindow] != float64(tt.allowed-1) {
				t.Errorf("State() after rollover = Used %v Remaining %v; want %s used 1, remaining %d", st.Used, st.Remaining, tt.wantWindow, tt.allowed-1)
			}
			if len(clock.Slept()) != 0 {
				t.Errorf("sleeps = %v; want none (a spent quota never blocks)", clock.Slept())
			}
		})
	}
}

func TestBudgetStateConfiguredWindowsOnly(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(BudgetConfig{PerHour: 5}, clock)
	if err := b.Acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	st := b.State()
	if len(st.Used) != 1 || st.Used["hour"] != 1 {
		t.Errorf("Used = %v; want map[hour:1]", st.Used)
	}
	if len(st.Remaining) != 1 || st.Remaining["hour"] != 4 {
		t.Errorf("Remaining = %v; want map[hour:4]", st.Remaining)
	}
}

func TestBudgetVendorRemaining(t *testing.T) {
	headers := []RateHeader{
		{Window: "hour", Remaining: "X-RateLimit-Remaining-Hour", Limit: "X-RateLimit-Limit-Hour"},
		{Window: "day", Remaining: "X-RateLimit-Remaining-Day"},
	}
	tests := []struct {
		name       string
		report     func(b *Budget)
		wantWindow string
		wantReset  string
		wantLimit  float64
	}{
		{
			name: "hour header",
			report: func(b *Budget) {
				b.Observe(&http.Response{StatusCode: 200, Header: http.Header{
					"X-Ratelimit-Remaining-Hour": {"0"},
					"X-Ratelimit-Limit-Hour":     {"5000"},
				}}, headers)
			},
			wantWindow: "hour", wantReset: "2026-11-23T18:00:00Z", wantLimit: 5000,
		},
		{
			name: "day header",
			report: func(b *Budget) {
				b.Observe(&http.Response{StatusCode: 200, Header: http.Header{"X-Ratelimit-Remaining-Day": {" 0 "}}}, headers)
			},
			wantWindow: "day", wantReset: "2026-11-24T00:00:00Z",
		},
		{
			name:       "set directly",
			report:     func(b *Budget) { b.SetVendorRemaining("day", 0) },
			wantWindow: "day", wantReset: "2026-11-24T00:00:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t, "2026-11-23T17:30:00Z")
			b := newTestBudget(BudgetConfig{}, clock)
			tt.report(b)
			st := b.State()
			if v, ok := st.VendorRemaining[tt.wantWindow]; !ok || v != 0 {
				t.Errorf("VendorRemaining = %v; want %s: 0", st.VendorRemaining, tt.wantWindow)
			}
			if tt.wantLimit != 0 && st.VendorLimit[tt.wantWindow] != tt.wantLimit {
				t.Errorf("VendorLimit = %v; want %s: %g", st.VendorLimit, tt.wantWindow, tt.wantLimit)
			}
			var be *BudgetError
			if err := b.Acquire(t.Context()); !errors.As(err, &be) || be.Window != tt.wantWindow {
				t.Fatalf("Acquire = %v; want %s *BudgetError", err, tt.wantWindow)
			}
			reset, _ := time.Parse(time.RFC3339, tt.wantReset)
			clock.Set(reset)
			if err := b.Acquire(t.Context()); err != nil {
				t.Errorf("Acquire at %s = %v; want nil", tt.wantReset, err)
			}
			if st := b.State(); len(st.VendorRemaining) != 0 {
				t.Errorf("VendorRemaining after rollover = %v; want empty", st.VendorRemaining)
			}
		})
	}
}

func TestBudgetObserveIgnoresBadValues(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	b := newTestBudget(BudgetConfig{}, clock)
	b.Observe(&http.Response{StatusCode: 200, Header: http.Header{
		"X-Remaining-Hour": {"lots"},
		"X-Remaining-Day":  {"NaN"},
		"X-Remaining-Sec":  {"4.5"},
	}}, []RateHeader{
		{Window: "hour", Remaining: "X-Remaining-Hour"},
		{Window: "day", Remaining: "X-Remaining-Day"},
		{Window: "second", Remaining: "X-Remaining-Sec"},
		{Window: "hour", Remaining: "X-Absent"},
	})
	st := b.State()
	if len(st.VendorRemaining) != 1 || st.VendorRemaining["second"] != 4.5 {
		t.Errorf("VendorRemaining = %v; want map[second:4.5]", st.VendorRemaining)
	}
	if err := b.Acquire(t.Context()); err != nil {
		t.Errorf("Acquire = %v; want nil", err)
	}
}

func TestBudgetRetryAfter(t *testing.T) {
	start, _ := time.Parse(time.RFC3339, "2026-11-23T17:30:00Z")
	tests := []struct {
		name   string
		status int
		value  string
		want   []time.Duration
	}{
		{name: "seconds on 429", status: 429, value: "30", want: []time.Duration{30 * time.Second}},
		{name: "HTTP-date on 503", status: 503, value: start.Add(90 * time.Second).Format(http.TimeFormat), want: []time.Duration{90 * time.Second}},
		{name: "date in the past", status: 429, value: start.Add(-time.Minute).Format(http.TimeFormat)},
		{name: "zero", status: 429, value: "0"},
		{name: "unparsable", status: 429, value: "soon"},
		{name: "negative", status: 429, value: "-5"},
		{name: "ignored on 200", status: 200, value: "30"},
		{name: "ignored on 500", status: 500, value: "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := testtool.NewClock(start)
			b := newTestBudget(BudgetConfig{}, clock)
			b.Observe(&http.Response{StatusCode: tt.status, Header: http.Header{"Retry-After": {tt.value}}}, nil)
			if err := b.Acquire(t.Context()); err != nil {
				t.Fatalf("Acquire = %v; want nil", err)
			}
			checkThrottled(t, clock, b, tt.want)
		})
	}
}

func TestBudgetHoldNeverShortens(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	b := newTestBudget(BudgetConfig{}, clock)
	b.Hold(clock.Now().Add(time.Minute))
	b.Hold(clock.Now().Add(time.Second))
	if err := b.Acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := clock.Slept(), []time.Duration{time.Minute}; !slices.Equal(got, want) {
		t.Errorf("sleeps = %v; want %v", got, want)
	}
}

func TestBudgetAcquireContext(t *testing.T) {
	cancelled := func(t *testing.T) context.Context {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		return ctx
	}
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	tests := []struct {
		name string
		ctx  func(t *testing.T) context.Context
		b    func() *Budget
		want error
	}{
		{
			name: "cancelled during hold",
			ctx:  cancelled,
			b: func() *Budget {
				b := newTestBudget(BudgetConfig{}, clock)
				b.Hold(clock.Now().Add(time.Second))
				return b
			},
			want: context.Canceled,
		},
		{
			name: "cancelled in limiter",
			ctx:  cancelled,
			b: func() *Budget {
				b := newTestBudget(BudgetConfig{PerSecond: 1, Burst: 1}, clock)
				b.lim.ReserveN(clock.Now(), 1) // spend the burst
				return b
			},
			want: context.Canceled,
		},
		{
			// The real sleep is in place: a hold past the deadline must fail
			// without waiting.
			name: "hold past deadline",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				t.Cleanup(cancel)
				return ctx
			},
			b: func() *Budget {
				b := NewBudget(BudgetConfig{}, nil)
				b.Hold(time.Now().Add(time.Hour))
				return b
			},
			want: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.b().Acquire(tt.ctx(t)); !errors.Is(err, tt.want) {
				t.Errorf("Acquire = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestBudgetConcurrent(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	b := newTestBudget(BudgetConfig{PerHour: 1000, PerDay: 10000}, clock)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if err := b.Acquire(t.Context()); err != nil {
					t.Error(err)
					return
				}
				b.Observe(&http.Response{StatusCode: 200, Header: http.Header{"X-Left": {"5"}}},
					[]RateHeader{{Window: "hour", Remaining: "X-Left"}})
				_ = b.State()
			}
		})
	}
	wg.Wait()
	if got := b.State().Used["day"]; got != 400 {
		t.Errorf("Used[day] = %d; want 400", got)
	}
}

func TestBudgetBursts(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(BudgetConfig{BurstSize: 3, BurstHold: time.Second}, clock)
	for i := range 7 {
		if err := b.Acquire(t.Context()); err != nil {
			t.Fatalf("Acquire #%d = %v", i+1, err)
		}
	}
	// Three calls, a hold, three calls, a hold, one call.
	if got, want := clock.Slept(), []time.Duration{time.Second, time.Second}; !slices.Equal(got, want) {
		t.Errorf("sleeps = %v; want %v", got, want)
	}
	// A pause as long as the hold starts a new burst: no wait.
	clock.Set(clock.Now().Add(time.Second))
	for i := range 2 {
		if err := b.Acquire(t.Context()); err != nil {
			t.Fatalf("Acquire after a pause #%d = %v", i+1, err)
		}
	}
	if got := len(clock.Slept()); got != 2 {
		t.Errorf("sleeps after a pause = %d; want none added", got-2)
	}
}

// throttleOnce records one throttling answer to a call sent at the current
// pace, after a success at it, so the pace is halved.
func throttleOnce(b *Budget) {
	gen := uint64(b.Pace().Decreases)
	b.succeeded(gen)
	b.throttle(gen, time.Second)
}

func TestPaceDecreasesOnThrottle(t *testing.T) {
	tests := []struct {
		name    string
		cfg     BudgetConfig
		ceiling int
		want    Pace
	}{
		{
			name: "bursts without a hold get one", cfg: BudgetConfig{BurstSize: 8}, ceiling: 8,
			want: Pace{InFlight: 4, Burst: 8, Hold: time.Second},
		},
		{
			name: "bursts with a hold get smaller", cfg: BudgetConfig{BurstSize: 5, BurstHold: time.Second}, ceiling: 5,
			want: Pace{InFlight: 2, Burst: 2, Hold: time.Second},
		},
		{
			name: "rate halves", cfg: BudgetConfig{PerSecond: 10}, ceiling: 4,
			want: Pace{InFlight: 2, Hold: time.Second, PerSecond: 5},
		},
		{
			name: "without a Concurrency nothing bounds the requests in flight", cfg: BudgetConfig{PerSecond: 8},
			want: Pace{Hold: time.Second, PerSecond: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t, "2026-11-23T17:00:00Z")
			b := newTestBudget(tt.cfg, clock)
			if got := b.inFlight(tt.ceiling); got != tt.ceiling {
				t.Fatalf("inFlight(%d) before any throttling = %d; want %[1]d", tt.ceiling, got)
			}
			if !b.throttle(0, time.Second) {
				t.Errorf("throttle(0) = false; want true: the pace is slower than the call was sent at")
			}
			tt.want.Slowed, tt.want.Throttles, tt.want.Decreases = true, 1, 1
			if got := b.Pace(); got != tt.want {
				t.Errorf("Pace() after a throttling answer = %+v; want %+v", got, tt.want)
			}
			if got := b.State().Pace; got != tt.want {
				t.Errorf("State().Pace = %+v; want %+v", got, tt.want)
			}
			if got := b.inFlight(tt.ceiling); tt.ceiling > 0 && got != tt.want.InFlight {
				t.Errorf("inFlight(%d) = %d; want %d", tt.ceiling, got, tt.want.InFlight)
			}
			// Every call of the source waits out the hold.
			if err := b.Acquire(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := clock.Slept(); len(got) == 0 || got[0] != time.Second {
				t.Errorf("waits after a throttling answer = %v; want a first one of the 1s hold", got)
			}
		})
	}
}

// TestPaceOneDecreasePerEvent: the answers to calls sent before a decrease
// were answered for by it, and a vendor that lets nothing through is not
// made slower by each refusal.
func TestPaceOneDecreasePerEvent(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(BudgetConfig{BurstSize: 8, PerSecond: 16}, clock)
	b.inFlight(8)
	b.throttle(0, time.Second)
	for range 5 {
		if !b.throttle(0, time.Second) {
			t.Errorf("throttle of a call sent before the decrease = false; want true")
		}
	}
	for range 5 {
		if b.throttle(1, time.Second) {
			t.Errorf("throttle of a call sent at the current pace = true; want false")
		}
	}
	want := Pace{InFlight: 4, Burst: 8, Hold: time.Second, PerSecond: 8, Slowed: true, Throttles: 11, Decreases: 1}
	if got := b.Pace(); got != want {
		t.Errorf("Pace() after a storm = %+v; want %+v: one decrease", got, want)
	}
	b.succeeded(1)
	b.throttle(1, time.Second)
	if got := b.Pace(); got.Decreases != 2 || got.InFlight != 2 || got.Burst != 4 || got.PerSecond != 4 {
		t.Errorf("Pace() after a success and a throttling answer = %+v; want a second decrease", got)
	}
}

func TestPaceRecoversGradually(t *testing.T) {
	cfg := BudgetConfig{BurstSize: 8, BurstHold: 200 * time.Millisecond, PerSecond: 16}
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(cfg, clock)
	b.inFlight(8)
	for range 3 {
		throttleOnce(b)
	}
	low := b.Pace()
	// The first decrease lengthens the hold to the 1s base, the others
	// halve the bursts.
	if want := (Pace{InFlight: 1, Burst: 2, Hold: time.Second, PerSecond: 2, Slowed: true, Throttles: 3, Decreases: 3}); low != want {
		t.Fatalf("Pace() after three decreases = %+v; want %+v", low, want)
	}
	gen := uint64(low.Decreases)
	prev := low
	steps := 0
	for i := 1; prev.Slowed; i++ {
		if i > 100*paceRecoverAfter {
			t.Fatalf("Pace() = %+v after %d successes; want the configuration back", prev, i)
		}
		b.succeeded(gen)
		got := b.Pace()
		if i%paceRecoverAfter != 0 {
			if got != prev {
				t.Fatalf("success #%d changed the pace from %+v to %+v; want a step every %d successes only", i, prev, got, paceRecoverAfter)
			}
			continue
		}
		steps++
		if got.InFlight > prev.InFlight+1 || got.Burst > prev.Burst+1 || got.PerSecond > prev.PerSecond+cfg.PerSecond/paceRateSteps {
			t.Errorf("step %d from %+v to %+v; want at most one more in flight and per burst and an eighth of the rate", steps, prev, got)
		}
		if got.InFlight > 8 || got.Burst > cfg.BurstSize || got.Hold < cfg.BurstHold || got.PerSecond > cfg.PerSecond {
			t.Errorf("step %d: %+v; want nothing beyond the configuration", steps, got)
		}
		prev = got
	}
	if want := (Pace{InFlight: 8, Burst: 8, Hold: 200 * time.Millisecond, PerSecond: 16, Throttles: 3, Decreases: 3}); prev != want {
		t.Errorf("Pace() recovered = %+v; want the configuration %+v", prev, want)
	}
	if steps != 7 {
		t.Errorf("recovered in %d steps; want 7, one more in flight each", steps)
	}
	for range 5 * paceRecoverAfter {
		b.succeeded(gen)
	}
	if got := b.Pace(); got != prev {
		t.Errorf("Pace() after more successes = %+v; want it to stay at %+v", got, prev)
	}
}

// TestPaceBounds: the pace never goes below one request, a burst of one
// and a nonzero rate, nor holds longer than a minute, however often the
// vendor throttles; the hold it takes back never leaves it below the
// configuration.
func TestPaceBounds(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(BudgetConfig{BurstSize: 3, BurstHold: -time.Second, PerSecond: 1}, clock)
	b.inFlight(3)
	for range 40 {
		throttleOnce(b)
	}
	got := b.Pace()
	if got.InFlight != 1 || got.Burst != 1 || got.Hold != maxPaceHold || got.PerSecond != minPaceRate {
		t.Errorf("Pace() after 40 decreases = %+v; want 1 in flight, bursts of 1, a %s hold and %g a second", got, maxPaceHold, minPaceRate)
	}
	if got.Decreases >= 40 {
		t.Errorf("Decreases = %d; want the pace to stop changing at its bounds", got.Decreases)
	}
	gen := uint64(got.Decreases)
	for range 1000 {
		b.succeeded(gen)
		if p := b.Pace(); p.Hold < 0 || p.Burst < 1 || p.InFlight < 1 || p.PerSecond <= 0 {
			t.Fatalf("Pace() while recovering = %+v; want no zero or negative values", p)
		}
	}
	if got := b.Pace(); got.Slowed || got.Hold != 0 || got.Burst != 3 || got.InFlight != 3 || got.PerSecond != 1 {
		t.Errorf("Pace() recovered = %+v; want a hold of 0 (the negative one clamped), bursts of 3, 3 in flight, 1 a second", got)
	}

	// A configured hold beyond the cap is kept, never shortened.
	b = newTestBudget(BudgetConfig{BurstSize: 1, BurstHold: 2 * time.Minute}, clock)
	for range 3 {
		throttleOnce(b)
	}
	if got := b.Pace().Hold; got != 2*time.Minute {
		t.Errorf("Pace().Hold with a configured hold of 2m = %s; want 2m", got)
	}
}

// TestPaceUnchangedWithoutThrottling: a vendor that never throttles keeps
// the configured pace.
func TestPaceUnchangedWithoutThrottling(t *testing.T) {
	cfg := BudgetConfig{BurstSize: 4, BurstHold: time.Second, PerSecond: 5}
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(cfg, clock)
	for range 50 {
		if err := b.Acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
		b.succeeded(0)
		if got := b.inFlight(6); got != 6 {
			t.Fatalf("inFlight(6) = %d; want 6", got)
		}
	}
	if got, want := b.Pace(), (Pace{InFlight: 6, Burst: 4, Hold: time.Second, PerSecond: 5}); got != want {
		t.Errorf("Pace() = %+v; want the configuration %+v", got, want)
	}
}

// TestBudgetHoldThatCameWhileWaiting: a call that waited for the limiter
// while a hold was set (a burst filled up, a throttling answer came) waits
// for that hold too.
func TestBudgetHoldThatCameWhileWaiting(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:00:00Z")
	b := newTestBudget(BudgetConfig{PerSecond: 1, Burst: 1}, clock)
	start := clock.Now()
	if err := b.Acquire(t.Context()); err != nil { // spends the burst
		t.Fatal(err)
	}
	var once sync.Once
	b.sleep = func(ctx context.Context, d time.Duration) error {
		once.Do(func() { b.Hold(start.Add(5 * time.Second)) })
		return clock.Sleep(ctx, d)
	}
	if err := b.Acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(start); got != 5*time.Second {
		t.Errorf("the call went at +%s; want +5s, when the hold set during its wait ended", got)
	}
}

// TestHugeRetryAfterHoldsAtMostMaxHold: one 429 with Retry-After:
// 999999999 holds the source for the vendor's longest window, not the week
// it was capped at, and the next call after it probes.
func TestHugeRetryAfterHoldsAtMostMaxHold(t *testing.T) {
	srv, hits := scriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "999999999"}}, step{status: 200, body: "{}"})
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	r := &Requester{Client: srv.Client(), Budget: newTestBudget(BudgetConfig{MaxHold: time.Hour}, clock), MaxRetries: -1}
	var v struct{}
	if _, err := r.GetJSON(t.Context(), srv.URL, "/", &v); StatusCode(err) != 429 {
		t.Fatalf("GetJSON #1 = %v; want the 429", err)
	}
	if _, err := r.GetJSON(t.Context(), srv.URL, "/", &v); err != nil {
		t.Fatalf("GetJSON #2 = %v; want the probe answered", err)
	}
	if got, want := clock.Slept(), []time.Duration{time.Hour}; !slices.Equal(got, want) {
		t.Errorf("held %v; want %v, MaxHold", got, want)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server hits = %d; want 2", got)
	}
}

// TestBudgetBoundsOutOfRangeConfig: values past any sense neither panic nor
// overflow the holds and rates computed from them.
func TestBudgetBoundsOutOfRangeConfig(t *testing.T) {
	for _, cfg := range []BudgetConfig{
		{PerSecond: math.NaN(), BurstSize: 2, BurstHold: math.MaxInt64},
		{PerSecond: math.Inf(1), BurstHold: -time.Second},
		{PerSecond: -5, MaxHold: math.MaxInt64},
		{PerSecond: 1e300, BurstSize: 1, BurstHold: math.MaxInt64 / 2},
	} {
		clock := newFakeClock(t, "2026-11-23T17:30:00Z")
		b := newTestBudget(cfg, clock)
		got := b.Config()
		if math.IsNaN(got.PerSecond) || got.PerSecond < 0 || got.PerSecond > maxPerSecond || got.BurstHold < 0 || got.BurstHold > maxBurstHold ||
			got.MaxHold <= 0 || got.MaxHold > maxRetryAfter {
			t.Errorf("NewBudget(%+v).Config() = %+v; want every value within its bounds", cfg, got)
		}
		for range 40 {
			throttleOnce(b)
		}
		if p := b.Pace(); p.Hold < 0 || p.Hold > maxBurstHold {
			t.Errorf("NewBudget(%+v): hold after 40 throttles = %s; want within [0, %s]", cfg, p.Hold, maxBurstHold)
		}
		b.Hold(clock.Now().Add(math.MaxInt64))
		if d := b.holdLeft(); d <= 0 || d > maxRetryAfter {
			t.Errorf("NewBudget(%+v): the longest hold = %s; want within (0, %s]", cfg, d, maxRetryAfter)
		}
	}
}

// TestBudgetCarry: counts carried to a new budget continue within their
// windows and are dropped once those have rolled over.
func TestBudgetCarry(t *testing.T) {
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	cfg := BudgetConfig{PerHour: 100, PerDay: 1000}
	first := newTestBudget(cfg, clock)
	for range 7 {
		if err := first.Acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	remaining := func(b *Budget) [2]float64 {
		st := b.State()
		return [2]float64{st.Remaining["hour"], st.Remaining["day"]}
	}

	clock.Set(clock.Now().Add(15 * time.Minute))
	second := newTestBudget(cfg, clock)
	second.Carry(first.Counts())
	second.Carry(BudgetCounts{HourStart: first.Counts().HourStart, HourUsed: 3}) // smaller: the larger count stays
	if got, want := remaining(second), [2]float64{93, 993}; got != want {
		t.Errorf("remaining after carrying 7 calls = %v; want %v", got, want)
	}
	_ = second.Acquire(t.Context())

	clock.Set(clock.Now().Add(30 * time.Minute)) // 18:15, the same day
	third := newTestBudget(cfg, clock)
	third.Carry(second.Counts())
	if got, want := remaining(third), [2]float64{100, 992}; got != want {
		t.Errorf("remaining in the next hour = %v; want %v", got, want)
	}
	stale := third.Counts()
	clock.Set(clock.Now().Add(24 * time.Hour))
	fourth := newTestBudget(cfg, clock)
	fourth.Carry(stale)
	if got, want := remaining(fourth), [2]float64{100, 1000}; got != want {
		t.Errorf("remaining the next day = %v; want %v", got, want)
	}
}

// checkThrottled checks the budget slept exactly want and counted all of
// it as throttled.
func checkThrottled(t *testing.T, clock *testtool.Clock, b *Budget, want []time.Duration) {
	t.Helper()
	if got := clock.Slept(); !slices.Equal(got, want) {
		t.Errorf("sleeps = %v; want %v", got, want)
	}
	var total time.Duration
	for _, d := range want {
		total += d
	}
	if got := b.State().Throttled; got != total {
		t.Errorf("Throttled = %s; want %s", got, total)
	}
}
