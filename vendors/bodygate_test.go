package vendors

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gzipBomb is n zero bytes compressed: a few kilobytes per megabyte.
func gzipBomb(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(zero))
		if _, err := zw.Write(zero[:k]); err != nil {
			t.Fatal(err)
		}
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostileServer serves a gzip bomb at /bomb, which the transport inflates
// as it reads, and a chunked body that never ends at /endless.
func hostileServer(t testing.TB, bomb []byte) *httptest.Server {
	t.Helper()
	chunk := bytes.Repeat([]byte(`{"a":1},`), 4<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(bomb)
		case "/endless":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("["))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// peakHeap samples the heap while f runs and returns its peak above the
// heap before. The collector runs often meanwhile, so that the peak is
// what is held rather than garbage.
func peakHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return max(peak.Load(), base) - base
}

// TestHostileBodiesBoundMemory: twenty pages of one source answered at
// once with a gzip bomb or an endless chunked body each fail with the
// size cap, and the heap holds a few caps' worth, not one cap or more per
// page (718 MB for a 64 MiB cap before).
func TestHostileBodiesBoundMemory(t *testing.T) {
	const limit = 4 << 20
	srv := hostileServer(t, gzipBomb(t, 64<<20))
	hc, err := NewHTTPClient(HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Requester{Client: hc, MaxBodyBytes: limit, MaxRetries: -1}
	errs := make(chan error, 20)
	peak := peakHeap(func() {
		var wg sync.WaitGroup
		for i := range 20 {
			path := []string{"/bomb", "/endless"}[i%2]
			wg.Go(func() {
				var v any
				_, err := r.GetJSON(context.Background(), srv.URL+path, path, &v)
				errs <- err
			})
		}
		wg.Wait()
	})
	close(errs)
	bombs := 0
	for err := range errs {
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("GetJSON() = %v; want the size cap", err)
		}
		if err != nil && strings.Contains(err.Error(), "decompressed") {
			bombs++
		}
	}
	if bombs != 10 {
		t.Errorf("%d errors say the body was decompressed; want the 10 of the bombs", bombs)
	}
	if bound := uint64(12 * limit); peak > bound {
		t.Errorf("heap peaked %d MiB above its start; want at most %d MiB (3 caps of 4 MiB)", peak>>20, bound>>20)
	}
	t.Logf("heap peak: %d MiB above the start", peak>>20)
}

// gateWatch reads zeros, n of them or without end, and counts the reads
// that found the gate holding more than its size.
type gateWatch struct {
	g    *bodyGate
	n    int // < 0: without end
	over *atomic.Int64
}

func (w *gateWatch) Read(p []byte) (int, error) {
	w.g.mu.Lock()
	if w.g.used > w.g.size {
		w.over.Add(1)
	}
	w.g.mu.Unlock()
	if w.n == 0 {
		return 0, io.EOF
	}
	k := len(p)
	if w.n > 0 {
		k = min(k, w.n)
		w.n -= k
	}
	clear(p[:k])
	return k, nil
}

// TestBodyGateNeverDeadlocks: bodies of every size, endless ones among
// them, read at once through one gate all end, and never hold more than
// the gate together.
func TestBodyGateNeverDeadlocks(t *testing.T) {
	const limit = 100 << 10
	g := newBodyGate(limit)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var over atomic.Int64
	var wg sync.WaitGroup
	for i := range 32 {
		n := []int{-1, limit, limit - 1, 3 * firstRead, 10, 0}[i%6]
		wg.Go(func() {
			l := g.lease()
			b, err := readBody(ctx, &gateWatch{g: g, n: n, over: &over}, -1, limit, l)
			l.done()
			defer b.release()
			switch {
			case n < 0 && !errors.Is(err, ErrBodyTooLarge), n >= 0 && (err != nil || len(b.bytes()) != n):
				t.Errorf("body of %d bytes: %d read, %v", n, len(b.bytes()), err)
			}
			time.Sleep(time.Millisecond) // decoding
		})
	}
	wg.Wait()
	if over.Load() > 0 || g.used != 0 || len(g.reading) != 0 {
		t.Errorf("gate over its size %d times, %d bytes and %d readers left; want 0, 0, 0", over.Load(), g.used, len(g.reading))
	}
}

// TestStoredBodyCappedDecompressed: a stored answer that inflates past the
// cap fails as a body from the network does.
func TestStoredBodyCappedDecompressed(t *testing.T) {
	g := newBodyGate(1 << 20)
	_, err := decompress(context.Background(), gzipBomb(t, 8<<20), 1<<20, g.lease())
	if !errors.Is(err, ErrBodyTooLarge) || g.used != 0 {
		t.Errorf("decompress(8 MiB bomb, 1 MiB cap) = %v with %d bytes held; want the size cap and none", err, g.used)
	}
	body, err := decompress(context.Background(), compress([]byte(`{"ok":true}`)), 1<<20, g.lease())
	if err != nil || string(body.bytes()) != `{"ok":true}` {
		t.Fatalf("decompress() = %q, %v", body.bytes(), err)
	}
	body.release()
	if g.used != 0 {
		t.Errorf("%d bytes held after release; want 0", g.used)
	}
}

// TestNotModifiedNeverDeadlocks: answers of 304 read at once, each of
// whose empty bodies came in a pooled buffer of the cap, all end: a
// request gives back its answer's bytes before it takes those of the
// stored body, so no request holds bytes while it waits for more.
func TestNotModifiedNeverDeadlocks(t *testing.T) {
	const limit, pages = 64 << 10, 8
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"page":` + strings.TrimPrefix(r.URL.Path, "/") + `}`))
	}))
	t.Cleanup(srv.Close)
	r := &Requester{Client: srv.Client(), MaxBodyBytes: limit, MaxRetries: -1, ETags: NewETagStore()}
	get := func(ctx context.Context, i int) error {
		var v any
		_, err := r.GetJSON(ctx, srv.URL+"/"+string(rune('0'+i)), "/page", &v)
		return err
	}
	for i := range pages {
		if err := get(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 5 {
		for range 4 * pages {
			b := make([]byte, 0, limit)
			putBuf(&b)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var wg sync.WaitGroup
		for i := range pages {
			wg.Go(func() {
				if err := get(ctx, i); err != nil {
					t.Errorf("round %d, page %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		cancel()
	}
	if g := r.bodies(); g.used != 0 || len(g.reading) != 0 {
		t.Errorf("%d bytes and %d readers left in the gate; want 0, 0", g.used, len(g.reading))
	}
}
