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
	// note is what failed in a successful refresh that got its data
	// another way; nil when nothing did.
	note error
}

// cache holds each collection's last good data and the outcome of its last
// refresh. Readers get copies; data values are never changed once stored.
type cache struct {
	mu      sync.RWMutex
	entries map[string]*entry
	version uint64 // changes whenever data changes
}

// view is every collection of a source as of one version of its data:
// what a render reads, and what the scrapes that serve that render report
// as health, so that health never speaks of data the scrape lacks.
type view struct {
	version uint64
	entries map[string]entry
}

// data returns the last good data of every collection.
func (v view) data() Data { return Data{entries: v.entries} }

// withoutData is v without the collections' data: the health it reports.
func (v view) withoutData() view {
	out := view{version: v.version, entries: make(map[string]entry, len(v.entries))}
	for n, e := range v.entries {
		e.data = nil
		out.entries[n] = e
	}
	return out
}

// view returns the collections as they are now.
func (c *cache) view() view {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v := view{version: c.version, entries: make(map[string]entry, len(c.entries))}
	for n, e := range c.entries {
		v.entries[n] = *e
	}
	return v
}

// dataVersion changes whenever the data does.
func (c *cache) dataVersion() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.version
}

// touch marks a change of what a render reads that is not a collection's
// data, such as alarms pushed by webhook.
func (c *cache) touch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version = versions.Add(1)
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
func (c *cache) data() Data { return c.view().data() }

// result records a finished refresh. A failure keeps the previous data;
// note is what failed in a success, if anything.
func (c *cache) result(name string, at time.Time, d time.Duration, calls int64, data any, items int, err, note error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[name]
	e.attempts++
	e.lastAttempt = at
	e.duration = d
	e.calls = calls
	e.err = err
	e.note = note
	e.success = err == nil
	if err != nil {
		e.failures++
		return
	}
	e.data = data
	e.items = items
	e.lastSuccess = at.Add(d)
	c.version = versions.Add(1)
}

// restore puts saved data in place before the first refresh.
func (c *cache) restore(name string, at time.Time, data any, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[name]
	e.data, e.items, e.lastSuccess, e.success = data, items, at, true
	c.version = versions.Add(1)
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
