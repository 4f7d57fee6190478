package simkit

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Switch holds a simulator's fault settings of type F together with the
// seeded draw that decides which requests fail at an error rate. It is
// safe for concurrent use.
type Switch[F any] struct {
	mu     sync.Mutex
	f      F
	seed   int64
	stream uint64
	rnd    *rand.Rand
	n      int // calls counted since the last Set
}

// NewSwitch returns a Switch with the zero F in force and its draw at the
// start of the PCG stream (seed, stream).
func NewSwitch[F any](seed int64, stream uint64) *Switch[F] {
	return &Switch[F]{seed: seed, stream: stream, rnd: NewRand(seed, stream)}
}

// Set puts f in force and restarts the draw from the seed, so the same
// request sequence after the same Set gets the same errors.
func (s *Switch[F]) Set(f F) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
	s.rnd = NewRand(s.seed, s.stream)
	s.n = 0
}

// Count counts one call under the settings in force and returns the calls
// counted since the last Set, this one included, for faults that start
// after a number of calls.
func (s *Switch[F]) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

// Counted returns the calls counted since the last Set, without counting
// one.
func (s *Switch[F]) Counted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Get returns the settings in force.
func (s *Switch[F]) Get() F {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f
}

// Draw reports whether a request fails at rate (0..1). A rate of 0 or less
// never fails and leaves the draw where it is, so requests served without
// an error rate do not shift the pattern.
func (s *Switch[F]) Draw(rate float64) bool {
	if rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64() < rate
}

// Faulted gives a simulator's Server, which embeds it, the SetFaults and
// Faults every simulator has, over the server's Switch.
type Faulted[F any] struct{ sw *Switch[F] }

// Faulted returns the SetFaults and Faults of s, for a Server to embed.
func (s *Switch[F]) Faulted() Faulted[F] { return Faulted[F]{s} }

// SetFaults switches faults; safe to call while requests are served. The
// error-rate draw restarts from the seed, so the same request sequence
// after the same SetFaults gets the same errors.
func (c Faulted[F]) SetFaults(f F) { c.sw.Set(f) }

// Faults returns the faults in force.
func (c Faulted[F]) Faults() F { return c.sw.Get() }

// Applies reports whether faults limited to prefix apply to path; an
// empty prefix means every path.
func Applies(prefix, path string) bool {
	return prefix == "" || strings.HasPrefix(path, prefix)
}

// Sleep waits d unless ctx ends first; it reports false when ctx ended,
// so the handler can give up on a client that went away.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// ResetConn drops the connection without an answer.
func ResetConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Without hijacking (HTTP/2), aborting the handler resets the stream.
	panic(http.ErrAbortHandler)
}

// WriteTruncated sends status and the first half of body without a length
// and lets the server close the connection: with neither Content-Length
// nor chunking the client cannot tell the cut from the end, as when a
// connection breaks mid-body.
func WriteTruncated(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Transfer-Encoding", "identity") // close-delimited, not chunked
	w.WriteHeader(status)
	_, _ = w.Write(body[:len(body)/2])
}

// WriteOversize sends status and body padded with spaces to size bytes,
// with that Content-Length: still valid JSON when body is, only larger
// than a client may accept. The padding is written as it goes, so a huge
// size costs the simulator no memory, and a client that stops reading
// ends the answer.
func WriteOversize(w http.ResponseWriter, status int, body []byte, size int64) {
	w.Header().Set("Content-Length", strconv.FormatInt(max(size, int64(len(body))), 10))
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		return
	}
	pad := make([]byte, min(max(size-int64(len(body)), 0), 64<<10))
	for i := range pad {
		pad[i] = ' '
	}
	for left := size - int64(len(body)); left > 0; {
		n := min(left, int64(len(pad)))
		if _, err := w.Write(pad[:n]); err != nil {
			return
		}
		left -= n
	}
}

// WriteCut sends status and a Content-Length for the whole body, then the
// first half of it, and drops the connection: a reset in the middle of the
// body, which the client sees as an unexpected EOF.
func WriteCut(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	ResetConn(w)
}

// XSSIPrefix is the anti-hijacking prefix some proxies put in front of
// JSON; no JSON decoder accepts a body that starts with it.
const XSSIPrefix = ")]}'\n"

// Malformed returns body with prefix in front, leaving body unchanged.
func Malformed(prefix string, body []byte) []byte {
	return append([]byte(prefix), body...)
}

// BodyFaults are the faults that spoil an answer that was fully served.
type BodyFaults struct {
	Malformed bool   // put Prefix in front of the body
	Truncate  bool   // send half the body, then close (see WriteTruncated)
	Prefix    string // what Malformed puts in front ("" = XSSIPrefix)
	// Oversize, when larger than the body, pads it with spaces to this many
	// bytes (see WriteOversize); Truncate and Cut are then ignored.
	Oversize int64
	// Cut sends half the body under its full Content-Length, then drops
	// the connection (see WriteCut); Truncate is then ignored.
	Cut bool
}

// WriteBody sends status and body with a Content-Length; for a 200 the
// body faults apply first. Headers already set on w are kept.
func WriteBody(w http.ResponseWriter, status int, body []byte, f BodyFaults) {
	if status == http.StatusOK {
		if f.Malformed {
			p := f.Prefix
			if p == "" {
				p = XSSIPrefix
			}
			body = Malformed(p, body)
		}
		if f.Oversize > int64(len(body)) {
			WriteOversize(w, status, body, f.Oversize)
			return
		}
		if f.Cut {
			WriteCut(w, status, body)
			return
		}
		if f.Truncate {
			WriteTruncated(w, status, body)
			return
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Headers are a rendered answer's headers of its own, made on first use:
// most answers have none.
type Headers struct{ h http.Header }

// Header returns the headers, to set.
func (x *Headers) Header() http.Header {
	if x.h == nil {
		x.h = http.Header{}
	}
	return x.h
}

// CopyTo puts the headers on h.
func (x *Headers) CopyTo(h http.Header) {
	for k, v := range x.h {
		h[k] = v
	}
}
