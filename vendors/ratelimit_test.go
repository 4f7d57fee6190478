package vendors

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock whose Sleep advances it at once.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock(t *testing.T, rfc3339 string) *fakeClock {
	t.Helper()
	start, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeClock{t: start}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.slept)
}

func newTestBudget(cfg BudgetConfig, c *fakeClock) *Budget {
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
			if got := clock.Slept(); !slices.Equal(got, tt.want) {
				t.Errorf("sleeps = %v; want %v", got, tt.want)
			}
			var total time.Duration
			for _, d := range tt.want {
				total += d
			}
			if got := b.State().Throttled; got != total {
				t.Errorf("Throttled = %s; want %s", got, total)
			}
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
			clock := &fakeClock{t: start}
			b := newTestBudget(BudgetConfig{}, clock)
			b.Observe(&http.Response{StatusCode: tt.status, Header: http.Header{"Retry-After": {tt.value}}}, nil)
			if err := b.Acquire(t.Context()); err != nil {
				t.Fatalf("Acquire = %v; want nil", err)
			}
			if got := clock.Slept(); !slices.Equal(got, tt.want) {
				t.Errorf("sleeps after Retry-After %q = %v; want %v", tt.value, got, tt.want)
			}
			var want time.Duration
			for _, d := range tt.want {
				want += d
			}
			if got := b.State().Throttled; got != want {
				t.Errorf("Throttled = %s; want %s", got, want)
			}
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
	clock := newFakeClock(t, "2026-11-23T17:30:00Z")
	tests := []struct {
		name string
		ctx  func(t *testing.T) context.Context
		b    func() *Budget
		want error
	}{
		{
			name: "cancelled during hold",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx
			},
			b: func() *Budget {
				b := newTestBudget(BudgetConfig{}, clock)
				b.Hold(clock.Now().Add(time.Second))
				return b
			},
			want: context.Canceled,
		},
		{
			name: "cancelled in limiter",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx
			},
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
