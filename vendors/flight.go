package vendors

import (
	"context"
	"sync"
	"sync/atomic"
)

// Flight shares a fetch among the callers that need it at once: a source's
// collections start together, and two of them walking the same list would
// spend its pages twice. It also keeps the last good result for callers that
// may use one. The zero value is ready to use.
type Flight[T any] struct {
	mu   sync.Mutex
	call *flightCall[T] // the fetch in flight, if any
	last T
	ok   bool // last holds a good result
}

type flightCall[T any] struct {
	done chan struct{}
	val  T
	err  error
	// retry tells the callers that waited that the result is not theirs:
	// the leader's ctx ended or fetch panicked.
	retry bool
}

// Do returns what fetch returns: from the call in flight if there is one,
// else from a call it makes with ctx. A caller stops waiting when its ctx
// ends. When the call in flight fails because its own caller's ctx ended,
// the callers still waiting make another.
func (f *Flight[T]) Do(ctx context.Context, fetch func(context.Context) (T, error)) (T, error) {
	return f.do(ctx, false, fetch)
}

// Last returns the last good result, or what Do returns if there is none.
func (f *Flight[T]) Last(ctx context.Context, fetch func(context.Context) (T, error)) (T, error) {
	return f.do(ctx, true, fetch)
}

// Refresh is for a collection refreshing the data, whose calls started
// counts: the first returns what Last does and later ones what Do does.
// The collections of a source start within a second of each other, so
// another may have fetched the data just before the first refresh; later
// refreshes must fetch anew.
func (f *Flight[T]) Refresh(ctx context.Context, started *atomic.Bool, fetch func(context.Context) (T, error)) (T, error) {
	return f.do(ctx, started.CompareAndSwap(false, true), fetch)
}

func (f *Flight[T]) do(ctx context.Context, last bool, fetch func(context.Context) (T, error)) (T, error) {
	for {
		f.mu.Lock()
		if last && f.ok {
			v := f.last
			f.mu.Unlock()
			return v, nil
		}
		c := f.call
		if c == nil {
			c = &flightCall[T]{done: make(chan struct{}), retry: true}
			f.call = c
			f.mu.Unlock()
			return f.lead(ctx, c, fetch)
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-c.done:
		}
		if !c.retry {
			return c.val, c.err
		}
	}
}

// lead makes the call; retry stays true if fetch panics, so that nobody
// waits for a result that never comes.
func (f *Flight[T]) lead(ctx context.Context, c *flightCall[T], fetch func(context.Context) (T, error)) (T, error) {
	defer func() {
		f.mu.Lock()
		f.call = nil
		if !c.retry && c.err == nil {
			f.last, f.ok = c.val, true
		}
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fetch(ctx)
	c.retry = c.err != nil && ctx.Err() != nil
	return c.val, c.err
}
