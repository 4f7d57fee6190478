package collector

import (
	"sync"
	"sync/atomic"
	"time"
)

// versions numbers every change of data across all sources, so a sum of
// versions changes whenever any of them does.
var versions atomic.Uint64

// entry is what the cache knows of one collection.
type entry struct {
	data        any // last good data; kept when a refresh fails
	items       int
	success     bool // the last refresh succeeded
	attempts    int
	failures    int
	lastAttempt time.Time
	lastSuccess time.Time
	duration    time.Duration
	interval    time.Duration // in force, after stretching
	calls       int64         // upstream calls the last refresh made
	err         error
}

// cache holds each collection's last good data and the outcome of its last
// refresh. Readers get copies; data values are never changed once stored.
type cache struct {
	mu      sync.RWMutex
	entries map[string]*entry
	version atomic.Uint64 // changes whenever data changes
}

func newCache(cols []*Collection) *cache {
	c := &cache{entries: make(map[string]*entry, len(cols))}
	for _, col := range cols {
		c.entries[col.Name] = &entry{interval: col.Interval}
	}
	return c
}

func (c *cache) get(name string) entry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e, ok := c.entries[name]; ok {
		return *e
	}
	return entry{}
}

// data returns the last good data of every collection.
func (c *cache) data() map[string]any {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]any, len(c.entries))
	for n, e := range c.entries {
		out[n] = e.data
	}
	return out
}

// result records a finished refresh. A failure keeps the previous data.
func (c *cache) result(name string, at time.Time, d time.Duration, calls int64, data any, items int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[name]
	e.attempts++
	e.lastAttempt = at
	e.duration = d
	e.calls = calls
	e.err = err
	e.success = err == nil
	if err != nil {
		e.failures++
		return
	}
	e.data = data
	e.items = items
	e.lastSuccess = at.Add(d)
	c.version.Store(versions.Add(1))
}

// restore puts saved data in place before the first refresh.
func (c *cache) restore(name string, at time.Time, data any, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[name]
	e.data, e.items, e.lastSuccess, e.success = data, items, at, true
	c.version.Store(versions.Add(1))
}

func (c *cache) setInterval(name string, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[name].interval = d
}

// costs returns each collection's calls per refresh, as last measured.
func (c *cache) costs() map[string]int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]int64, len(c.entries))
	for n, e := range c.entries {
		out[n] = e.calls
	}
	return out
}
