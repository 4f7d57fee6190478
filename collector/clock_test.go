package collector

import (
	"context"
	"sync"
	"time"
)

// simClock is a simulated clock: sleeping moves it on at once, and so does
// every request the simulator serves, by a typical API latency. With pages
// fetched in parallel, concurrent sleeps each move the one clock, so the
// local limiter's spacing does not hold on it; the 150 ms a request takes
// keeps arrivals under CX Cloud's 10 a second, so a simulated day measures
// the day's plan. The per-second limiter has its own tests in vendors.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}
