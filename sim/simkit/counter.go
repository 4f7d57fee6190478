package simkit

import "sync"

// Counter counts calls in total and by path template. The zero value is
// ready to use and safe for concurrent use.
type Counter struct {
	mu     sync.Mutex
	calls  int
	byPath map[string]int
}

// Count records one call to template.
func (c *Counter) Count(template string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byPath == nil {
		c.byPath = map[string]int{}
	}
	c.calls++
	c.byPath[template]++
}

// Calls is the number of calls counted since the last Reset.
func (c *Counter) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// ByPath returns a copy of the counts by template, never nil, so callers
// may keep or change it.
func (c *Counter) ByPath() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byPath))
	for k, v := range c.byPath {
		out[k] = v
	}
	return out
}

// Reset zeroes the counts.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = 0
	c.byPath = nil
}

// Counted gives a simulator's Server, which embeds it, the Calls,
// CallsByPath and ResetCalls every simulator has, over the server's
// Counter; the Server's field says which calls it counts.
type Counted struct{ c *Counter }

// Counted returns the Calls, CallsByPath and ResetCalls of c, for a Server
// to embed.
func (c *Counter) Counted() Counted { return Counted{c} }

// Calls is the number of calls the simulator counted since the last
// ResetCalls.
func (c Counted) Calls() int { return c.c.Calls() }

// CallsByPath counts Calls by path template; the map is the caller's.
func (c Counted) CallsByPath() map[string]int { return c.c.ByPath() }

// ResetCalls zeroes Calls and CallsByPath; the simulator's other state
// (budgets, sessions, rate windows) is kept.
func (c Counted) ResetCalls() { c.c.Reset() }
