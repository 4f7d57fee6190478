package vendors

import (
	"context"
	"io"
	"slices"
	"sync"
)

// bodyGate bounds the bytes that the response bodies of one source hold at
// once, from the first byte read until they are decoded. Without it a
// hostile or broken upstream that answers every page in flight with a body
// at the cap multiplies the cap by the requests in flight.
//
// A body takes bytes as its buffer grows. The oldest body still being read
// may fill the gate; the others leave it room to grow to the cap. So the
// oldest can always finish without waiting on a body that itself waits,
// and bodies cannot deadlock on one another.
type bodyGate struct {
	mu      sync.Mutex
	size    int64 // bytes all bodies may hold together
	room    int64 // bytes all but the oldest reader leave free
	used    int64
	reading []*bodyLease // bodies being read, oldest first
	freed   wakeup       // when bytes come back or the oldest changes
}

// newBodyGate returns a gate for bodies of at most limit bytes. A body
// growing to the cap holds its old buffer and the new one while it copies,
// up to twice the cap: the oldest reader has that much room, and the
// others share one cap.
func newBodyGate(limit int64) *bodyGate {
	return &bodyGate{size: 3 * limit, room: 2 * limit}
}

// bodyLease is the bytes one body holds. A nil lease holds nothing and
// waits for nothing.
type bodyLease struct {
	g    *bodyGate
	held int64
}

// lease registers a body about to be read.
func (g *bodyGate) lease() *bodyLease {
	l := &bodyLease{g: g}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reading = append(g.reading, l)
	return l
}

// grow waits until n more bytes fit, then takes them.
func (l *bodyLease) grow(ctx context.Context, n int64) error {
	if l == nil {
		return nil
	}
	g := l.g
	for {
		g.mu.Lock()
		free := g.size - g.used
		if len(g.reading) == 0 || g.reading[0] != l {
			free -= g.room
		}
		if n <= free {
			g.used += n
			l.held += n
			g.mu.Unlock()
			return nil
		}
		if err := g.freed.unlockAndWait(ctx, &g.mu); err != nil {
			return err
		}
	}
}

// give returns n bytes, as when a grown buffer replaces a smaller one.
func (l *bodyLease) give(n int64) {
	if l == nil || n <= 0 {
		return
	}
	g := l.g
	g.mu.Lock()
	defer g.mu.Unlock()
	n = min(n, l.held)
	l.held -= n
	g.used -= n
	g.freed.wake()
}

// done marks the body read; it keeps its bytes until close, and the next
// oldest reader may fill the gate.
func (l *bodyLease) done() {
	if l == nil {
		return
	}
	g := l.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if i := slices.Index(g.reading, l); i >= 0 {
		g.reading = slices.Delete(g.reading, i, i+1)
		g.freed.wake()
	}
}

// close returns every byte the body holds.
func (l *bodyLease) close() {
	if l == nil {
		return
	}
	l.done()
	l.give(l.held)
}

// Buffers of bodies. A large refresh reads hundreds of pages of a megabyte
// or more; read into fresh slices, they were most of what the exporter
// allocated, and the garbage collector's work competed with scrapes.
var bodies sync.Pool // of *[]byte

// maxPooledBody is the largest buffer kept for reuse.
const maxPooledBody = 1 << 20

// firstRead is the buffer a body of unknown length starts in.
const firstRead = 32 << 10

// bodyBuf is a body read into a buffer whose bytes its lease holds.
type bodyBuf struct {
	p     *[]byte
	lease *bodyLease
}

// bytes returns the body read.
func (b *bodyBuf) bytes() []byte {
	if b == nil || b.p == nil {
		return nil
	}
	return *b.p
}

// release returns the buffer for reuse and its bytes to the gate; the
// bytes must not be used after it.
func (b *bodyBuf) release() {
	if b == nil {
		return
	}
	putBuf(b.p)
	b.p = nil
	b.lease.close()
}

// readBody reads r to its end into a buffer that starts at the
// Content-Length where the server sent one and grows by doubling to limit
// and no further, each size taken from l first: the cap holds for the
// bytes as decoded (a gzip bomb, an endless chunked body) before they are
// buffered. A body past limit returns ErrBodyTooLarge. The buffer comes
// back with any error, for the caller to release.
func readBody(ctx context.Context, r io.Reader, contentLength, limit int64, l *bodyLease) (*bodyBuf, error) {
	n := min(int64(firstRead), limit)
	if contentLength >= 0 {
		n = min(contentLength, limit)
	}
	b := &bodyBuf{lease: l}
	var err error
	if b.p, err = takeBuf(ctx, n, limit, l); err != nil {
		return b, err
	}
	for {
		buf := *b.p
		if len(buf) < cap(buf) {
			k, err := r.Read(buf[len(buf):cap(buf)])
			*b.p = buf[:len(buf)+k]
			switch {
			case err == io.EOF:
				return b, nil
			case err != nil:
				return b, err
			}
			continue
		}
		// Full: one more byte tells the end from a body that goes on.
		var one [1]byte
		if k, err := io.ReadFull(r, one[:]); k == 0 {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if int64(len(buf)) >= limit {
			return b, ErrBodyTooLarge
		}
		next, err := takeBuf(ctx, min(max(2*int64(cap(buf)), firstRead), limit), limit, l)
		if err != nil {
			return b, err
		}
		*next = append(append(*next, buf...), one[0])
		putBuf(b.p)
		l.give(int64(cap(buf)))
		b.p = next
	}
}

// takeBuf returns an empty buffer of at least n bytes and at most most,
// its capacity taken from l before any is allocated.
func takeBuf(ctx context.Context, n, most int64, l *bodyLease) (*[]byte, error) {
	p, _ := bodies.Get().(*[]byte)
	if p != nil && (int64(cap(*p)) < n || int64(cap(*p)) > most) {
		bodies.Put(p)
		p = nil
	}
	if p != nil {
		n = int64(cap(*p))
	}
	if err := l.grow(ctx, n); err != nil {
		putBuf(p)
		return nil, err
	}
	if p == nil {
		b := make([]byte, 0, n)
		p = &b
	}
	*p = (*p)[:0]
	return p, nil
}

func putBuf(p *[]byte) {
	if p != nil && cap(*p) <= maxPooledBody {
		*p = (*p)[:0]
		bodies.Put(p)
	}
}
