package vendors

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blockedFetch is a fetch that counts its calls and returns n once release
// is closed, or the ctx error if its ctx ends first; started receives a
// value as each call begins.
func blockedFetch(calls *atomic.Int64, started chan<- struct{}, release <-chan struct{}) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		n := calls.Add(1)
		started <- struct{}{}
		select {
		case <-release:
			return n, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func TestFlightSharesOneFetch(t *testing.T) {
	var f Flight[int64]
	var calls atomic.Int64
	started, release := make(chan struct{}, 10), make(chan struct{})
	fetch := blockedFetch(&calls, started, release)
	var wg sync.WaitGroup
	got := make([]int64, 5)
	wg.Go(func() { got[0], _ = f.Do(context.Background(), fetch) })
	<-started
	for i := 1; i < len(got); i++ {
		wg.Go(func() { got[i], _ = f.Last(context.Background(), fetch) })
	}
	time.Sleep(20 * time.Millisecond) // the others are waiting
	close(release)
	wg.Wait()
	if calls.Load() != 1 || slices.ContainsFunc(got, func(v int64) bool { return v != 1 }) {
		t.Errorf("5 callers at once: %d fetches, results %v; want 1 fetch, all 1", calls.Load(), got)
	}
	if v, err := f.Last(context.Background(), fetch); v != 1 || err != nil || calls.Load() != 1 {
		t.Errorf("Last() = %d, %v after %d fetches; want the last result 1 without a fetch", v, err, calls.Load())
	}
}

func TestFlightWaiterLeavesWithItsContext(t *testing.T) {
	var f Flight[int64]
	var calls atomic.Int64
	started, release := make(chan struct{}, 10), make(chan struct{})
	defer close(release)
	fetch := blockedFetch(&calls, started, release)
	go func() { _, _ = f.Do(context.Background(), fetch) }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Do(ctx, fetch); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do() with a context ending while it waits = %v; want its deadline", err)
	}
}

func TestFlightCancelledLeaderDoesNotPoison(t *testing.T) {
	var f Flight[int64]
	var calls atomic.Int64
	started, release := make(chan struct{}, 10), make(chan struct{})
	fetch := blockedFetch(&calls, started, release)
	ctx, cancel := context.WithCancel(context.Background())
	leader := make(chan error)
	go func() { _, err := f.Do(ctx, fetch); leader <- err }()
	<-started
	waiter := make(chan int64)
	go func() { v, _ := f.Last(context.Background(), fetch); waiter <- v }()
	time.Sleep(20 * time.Millisecond) // the waiter is waiting
	cancel()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled leader's Do() = %v; want context.Canceled", err)
	}
	<-started // the waiter fetches for itself
	close(release)
	if v := <-waiter; v != 2 {
		t.Errorf("waiter after the leader was cancelled got %d; want its own fetch's 2", v)
	}
	if v, err := f.Last(context.Background(), fetch); v != 2 || err != nil {
		t.Errorf("Last() later = %d, %v; want 2", v, err)
	}
}

func TestFlightPanicReleasesWaiters(t *testing.T) {
	var f Flight[int]
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		defer func() { _ = recover() }()
		_, _ = f.Do(context.Background(), func(context.Context) (int, error) {
			close(started)
			<-release
			panic("boom")
		})
	}()
	<-started
	waiter := make(chan int)
	go func() {
		v, _ := f.Do(context.Background(), func(context.Context) (int, error) { return 7, nil })
		waiter <- v
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	select {
	case v := <-waiter:
		if v != 7 {
			t.Errorf("waiter after a panicking fetch got %d; want its own fetch's 7", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter still waiting after the fetch in flight panicked")
	}
}

func TestFlightKeepsLastGoodResult(t *testing.T) {
	var f Flight[int]
	ctx := context.Background()
	_, _ = f.Do(ctx, func(context.Context) (int, error) { return 1, nil })
	if _, err := f.Do(ctx, func(context.Context) (int, error) { return 0, errors.New("down") }); err == nil {
		t.Error("Do() with a failing fetch = nil error")
	}
	if v, err := f.Last(ctx, func(context.Context) (int, error) { return 3, nil }); v != 1 || err != nil {
		t.Errorf("Last() after a failure = %d, %v; want the last good result 1", v, err)
	}
}

func TestFlightRefreshTakesLastOnlyFirst(t *testing.T) {
	var f Flight[int]
	var started atomic.Bool
	ctx := context.Background()
	n := 0
	fetch := func(context.Context) (int, error) { n++; return n, nil }
	_, _ = f.Last(ctx, fetch) // another collection's, just before
	for i, want := range []int{1, 2, 3} {
		if v, _ := f.Refresh(ctx, &started, fetch); v != want {
			t.Errorf("Refresh() call %d = %d; want %d", i+1, v, want)
		}
	}
}
