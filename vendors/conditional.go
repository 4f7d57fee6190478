package vendors

import (
	"net/http"
	"sync"
	"time"
)

// ETagEntry is a stored response for a conditional request. Its Body is
// shared: callers must not modify it.
type ETagEntry struct {
	ETag   string
	Body   []byte
	Header http.Header
	Stored time.Time
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
