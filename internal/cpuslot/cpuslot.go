// Package cpuslot bounds the background work that keeps a core busy
// (decoding API pages, encoding the series) to one core less than the
// process may use, so a scrape always finds a core free and never queues
// behind a refresh.
package cpuslot

import "runtime"

var slots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// Do runs f once a slot is free.
func Do(f func()) {
	slots <- struct{}{}
	defer func() { <-slots }()
	f()
}
