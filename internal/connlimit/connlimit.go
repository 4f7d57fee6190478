// Package connlimit bounds the connections an HTTP server keeps open. A
// flood of idle keep-alive clients, or of clients that send their headers
// a byte at a time, would otherwise hold every file descriptor the process
// has, and a normal scrape would wait until it timed out.
package connlimit

import (
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// reserve is the file descriptors left to everything but served
// connections: upstream connections, state files, the listeners.
const reserve = 128

// Max returns want, lowered so that served connections leave reserve
// descriptors of the process's limit free.
func Max(want int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(want+reserve) {
		return max(int(lim.Cur)-reserve, 16)
	}
	return want
}

// Limiter keeps at most max connections open: when a new one comes past
// that, it closes the one that has waited longest doing nothing, an idle
// keep-alive connection first, else one that has not yet sent a whole
// request. A connection serving a request is never closed.
type Limiter struct {
	max   int
	mu    sync.Mutex
	conns map[net.Conn]*conn
}

type conn struct {
	state http.ConnState
	since time.Time
}

// New returns a limiter of max connections; set its ConnState as the
// server's.
func New(maxConns int) *Limiter {
	return &Limiter{max: maxConns, conns: map[net.Conn]*conn{}}
}

// ConnState is the http.Server hook.
func (l *Limiter) ConnState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateNew:
		l.conns[c] = &conn{state: st, since: time.Now()}
		for len(l.conns) > l.max {
			if !l.evict(c) {
				break
			}
		}
	case http.StateActive, http.StateIdle:
		if e, ok := l.conns[c]; ok {
			e.state, e.since = st, time.Now()
		}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, c)
	}
}

// evict closes the oldest idle connection, else the oldest that has sent
// no whole request, other than keep; it reports whether it closed one.
func (l *Limiter) evict(keep net.Conn) bool {
	var victim net.Conn
	var oldest *conn
	for _, want := range []http.ConnState{http.StateIdle, http.StateNew} {
		for c, e := range l.conns {
			if c != keep && e.state == want && (oldest == nil || e.since.Before(oldest.since)) {
				victim, oldest = c, e
			}
		}
		if victim != nil {
			break
		}
	}
	if victim == nil {
		return false
	}
	// Closed now, it leaves the map when the server reports it closed;
	// until then it must not be picked again.
	delete(l.conns, victim)
	_ = victim.Close()
	return true
}

// Open returns the connections being tracked.
func (l *Limiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// InFlight answers 503 to requests beyond n at once, as promhttp's
// MaxRequestsInFlight does, so that a burst of scrapers cannot make every
// one of them slow; n <= 0 is no limit.
func InFlight(n int, h http.Handler) http.Handler {
	if n <= 0 {
		return h
	}
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			h.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests at once; try again", http.StatusServiceUnavailable)
		}
	})
}
