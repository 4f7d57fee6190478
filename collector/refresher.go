package collector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// minRefreshTimeout bounds a refresh that runs on a short interval: a slow
// API still gets this long before the attempt is abandoned.
const minRefreshTimeout = time.Minute

// Bounds of the waits between refreshes. A planned interval is a float
// product, which past 292 years overflows time.Duration: an interval of
// 2562047h stretched by the plan became -9.2e9 s, a timer set to it fires
// at once, and that collection spent the hourly quota in a loop. No plan needs more than a week: the daily quota reopens every day.
const (
	minDelay = time.Millisecond
	maxDelay = 7 * 24 * time.Hour
)

// clampDelay bounds a computed wait; NaN, from a product of nonsense,
// waits longest.
func clampDelay(d float64) time.Duration {
	switch {
	case math.IsNaN(d) || d >= float64(maxDelay):
		return maxDelay
	case d < float64(minDelay):
		return minDelay
	}
	return time.Duration(d)
}

// Run refreshes every collection on its own interval until ctx ends. Each
// collection has its own goroutine, so a slow one never delays another, and
// each source its own, so one source never stalls another.
func (s *Source) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, c := range s.Collections {
		wg.Go(func() { s.loop(ctx, c) })
	}
	if s.live.run != nil {
		wg.Go(func() { s.runLive(ctx) })
	}
	wg.Wait()
	// The next start, or the source a reload puts in its place, goes on
	// from the budget's counts.
	s.saveBudget()
}

func (s *Source) loop(ctx context.Context, c *Collection) {
	// Start soon, but spread the first calls so that collections and
	// sources do not hit the APIs in one burst.
	first := time.Duration(rand.Int64N(int64(min(max(c.Interval/10, 0), time.Second)) + 1))
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.live.wake[c.Name]:
			// The interval in force changed: wait what is left of it since
			// the last refresh began, if anything.
			e := s.cache.get(c.Name)
			if left := e.lastAttempt.Add(s.ownInterval(c.Name, e.interval)).Sub(s.now()); left > 0 && !e.lastAttempt.IsZero() {
				t.Reset(left)
				continue
			}
		case <-t.C:
		}
		err := s.Refresh(ctx, c.Name)
		t.Reset(s.nextDelay(c.Name, err))
	}
}

// nextDelay is the wait before a collection's next refresh: its interval in
// force, or until a spent quota reopens or a vendor's backoff ends, since
// trying before then would only fail again.
func (s *Source) nextDelay(collection string, err error) time.Duration {
	next := jitter(s.cache.get(collection).interval)
	var spent *vendors.BudgetError
	var backoff *vendors.BackoffError
	switch {
	case errors.As(err, &spent):
		next = max(next, clampDelay(float64(spent.Reset.Sub(s.now()))))
		s.logger.Warn("API budget spent; waiting for its reset", "collection", collection,
			"window", spent.Window, "reset", spent.Reset, "next_refresh", s.now().Add(next))
	case errors.As(err, &backoff):
		next = max(next, clampDelay(float64(backoff.For)))
	}
	return next
}

// jitter spreads an interval by ±5% so sources drift apart, within the
// bounds of a wait.
func jitter(d time.Duration) time.Duration {
	d = clampDelay(float64(d))
	spread := int64(d) / 10
	return clampDelay(float64(d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread+1))))
}

// Refresh fetches one collection now and stores the outcome. A panic in the
// fetch is recovered and recorded as a failed refresh.
func (s *Source) Refresh(ctx context.Context, name string) error {
	var c *Collection
	for _, col := range s.Collections {
		if col.Name == name {
			c = col
		}
	}
	if c == nil {
		return fmt.Errorf("source %q has no collection %q", s.Name, name)
	}
	interval := s.cache.get(name).interval
	// A refresh may take its interval, and at least as long as one request
	// may take.
	ctx, cancel := context.WithTimeout(ctx, max(interval, minRefreshTimeout, s.timeout))
	defer cancel()
	ctx, calls := vendors.CountCalls(ctx)

	start := s.now()
	data, items, err := safeFetch(ctx, c.Fetch)
	// Data got another way after the first failed are whole: they are
	// kept, and what failed is shown as the collection's error.
	var note error
	var fallback *vendors.FallbackError
	if data != nil && errors.As(err, &fallback) {
		note, err = err, nil
	}
	if s.scrub != nil {
		// A vendor may echo the credentials in its error body.
		if err != nil {
			err = s.scrub(err)
		}
		if note != nil {
			note = s.scrub(note)
		}
	}
	if limit := s.itemLimit(); err == nil && items > limit {
		// One bad answer must not put millions of series on every scrape.
		err = fmt.Errorf("collection %s: %d items, over the limit of %d (limits.items); keeping the last good data", name, items, limit)
	}
	d := s.now().Sub(start)
	if err != nil {
		note = nil
	}
	s.cache.result(name, start, d, calls.Load(), data, items, err, note)
	s.replan()
	s.saveBudget()
	if err == nil {
		// Encode the new data away from the scrapes, so none pays for it.
		s.rebuildSoon()
		// Any collection may change the alarms: a vendor's list may name
		// their sites from its devices.
		s.checkAlarms()
		if c.Decode != nil {
			s.save(name, start.Add(d), data, items)
		}
	}

	log := s.logger.With("collection", name, "duration_seconds", d.Seconds(), "calls", calls.Load())
	switch {
	case err != nil:
		log.Error("refresh failed; serving the last good data", "err", err)
	case note != nil:
		log.Warn("refresh got its data another way", "items", items, "err", note)
	default:
		log.Debug("refresh done", "items", items)
	}
	return err
}

func safeFetch(ctx context.Context, f Fetcher) (data any, items int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("refresh panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return f(ctx)
}

// replan stretches the collections' intervals when the calls they made at
// their configured intervals would spend more than the budget allows.
func (s *Source) replan() {
	if s.Budget == nil {
		for _, c := range s.Collections {
			s.cache.setInterval(c.Name, clampDelay(float64(c.Interval)*s.liveFactor(c.Name)))
		}
		return
	}
	costs := s.cache.costs()
	cfg := s.Budget.Config()
	factor := 1.0
	for _, w := range []struct {
		limit  int
		window time.Duration
	}{{cfg.PerHour, time.Hour}, {cfg.PerDay, 24 * time.Hour}} {
		if w.limit <= 0 {
			continue
		}
		allowed := float64(w.limit) * (1 - s.Reserve)
		var demand float64
		for _, c := range s.Collections {
			// A collection not yet measured counts one call a refresh.
			calls := max(costs[c.Name], 1)
			demand += float64(calls) * float64(w.window) / float64(c.Interval)
		}
		if allowed > 0 && demand/allowed > factor {
			factor = demand / allowed
		}
	}
	for _, c := range s.Collections {
		s.cache.setInterval(c.Name, clampDelay(float64(c.Interval)*factor*s.liveFactor(c.Name)).Round(time.Second))
	}
}
