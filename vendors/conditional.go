package vendors

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ETagEntry is a stored response for a conditional request. Its body is
// kept compressed with gzip (JSON pages shrink about tenfold) and shared:
// callers must not modify it.
type ETagEntry struct {
	ETag   string
	Gzip   []byte `json:"gzip"`
	Header http.Header
	Stored time.Time
}

// compress returns body compressed with gzip.
func compress(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return bytes.Clone(buf.Bytes())
}

// decompress reads a stored body into a pooled buffer, held of l as a body
// read from the network is: the cap holds for the decompressed bytes, so a
// stored answer that inflates past it (a limit lowered since, a doctored
// state file) fails before it fills the memory.
func decompress(ctx context.Context, z []byte, limit int64, l *bodyLease) (*bodyBuf, error) {
	defer l.done()
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		l.close()
		return nil, err
	}
	buf, err := readBody(ctx, zr, -1, limit, l)
	if errors.Is(err, ErrBodyTooLarge) {
		err = fmt.Errorf("%w (%d bytes, decompressed)", ErrBodyTooLarge, limit)
	}
	if err != nil {
		buf.release()
		return nil, err
	}
	return buf, nil
}

// ETagStore maps request URLs to their last response with an ETag, so an
// unchanged resource costs a 304 instead of a full body. It is safe for
// concurrent use.
type ETagStore struct {
	mu sync.RWMutex
	m  map[string]ETagEntry
}

// NewETagStore returns an empty store.
func NewETagStore() *ETagStore {
	return &ETagStore{m: make(map[string]ETagEntry)}
}

// Get returns the entry stored for url.
func (s *ETagStore) Get(url string) (ETagEntry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.m[url]
	return e, ok
}

// Put stores e for url, replacing any earlier entry.
func (s *ETagStore) Put(url string, e ETagEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]ETagEntry) // a zero ETagStore works too
	}
	s.m[url] = e
}

// Delete drops the entry stored for url.
func (s *ETagStore) Delete(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, url)
}

// Len returns the number of stored entries.
func (s *ETagStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// Entries returns a copy of every stored entry, for saving across restarts.
func (s *ETagStore) Entries() map[string]ETagEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]ETagEntry, len(s.m))
	for k, v := range s.m {
		out[k] = v
	}
	return out
}
