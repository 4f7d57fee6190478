// Package cpuslot bounds the background work that keeps a core busy
// (decoding API pages, encoding the series) to one core less than the
// process may use, so a scrape always finds a core free and never queues
// behind a refresh.
package cpuslot

import (
	"context"
	"runtime"
)

var slots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// Do runs f once a slot is free, or returns ctx's error if ctx ends first.
// A slot is a lock like any other: f must not wait on a lock or on
// another goroutine, and whoever calls Do must not hold a lock that a slot
// holder may wait on; otherwise two of them can wait on each other for
// good.
func Do(ctx context.Context, f func()) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	f()
	return nil
}

// Hold takes every slot and returns the function that gives them back, so
// that tests can see what waits for one.
func Hold() (release func()) {
	for range cap(slots) {
		slots <- struct{}{}
	}
	return func() {
		for range cap(slots) {
			<-slots
		}
	}
}
