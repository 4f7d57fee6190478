package collector

import (
	"sync"

	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/internal/cpuslot"
)

// rendered keeps a source's data families encoded as exposition text and
// compressed with gzip, for the version of the data they were made from. A
// scrape writes these bytes as they are: building and encoding every series
// belongs to the refresh, not to the scrape, which must stay fast however
// large the source.
type rendered struct {
	build    sync.Mutex // one render at a time
	mu       sync.Mutex
	key      uint64
	text     []byte // gzip; nil until the first render
	building bool   // a background rebuild is running
	dirty    bool   // the data changed while it ran
}

// textFormat is the exposition format /probe serves.
var textFormat = expfmt.NewFormat(expfmt.TypeTextPlain)

// dataText returns the encoded data families, compressed with gzip. Each refresh has them
// rebuilt in the background as soon as its data lands; a scrape that comes
// before that rebuild ends gets the previous encoding, so no scrape waits
// on a render, only the first scrape of a source that has never rendered.
func (s *Source) dataText() []byte {
	if text, ok := s.renderedFor(s.renderKey()); ok {
		return text
	}
	s.rendered.mu.Lock()
	text := s.rendered.text
	s.rendered.mu.Unlock()
	if text != nil {
		s.rebuildSoon()
		return text
	}
	return s.rebuild()
}

// Settled reports whether the encoded data families show the current
// data, and has them rebuilt when they do not: a source whose render reads
// other sources' data learns of their changes only when asked.
func (s *Source) Settled() bool {
	_, ok := s.renderedFor(s.renderKey())
	if !ok {
		s.rebuildSoon()
	}
	return ok
}

// renderedFor returns the encoding made for key, if there is one.
func (s *Source) renderedFor(key uint64) ([]byte, bool) {
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	if s.rendered.text == nil || s.rendered.key != key {
		return nil, false
	}
	return s.rendered.text, true
}

// rebuildSoon has the data families rebuilt in the background. Changes
// that come while a rebuild runs make one more, not one each: a burst of
// refreshes costs two renders.
func (s *Source) rebuildSoon() {
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	if s.rendered.building {
		s.rendered.dirty = true
		return
	}
	s.rendered.building = true
	go func() {
		for {
			s.rebuild()
			s.rendered.mu.Lock()
			if !s.rendered.dirty {
				s.rendered.building = false
				s.rendered.mu.Unlock()
				return
			}
			s.rendered.dirty = false
			s.rendered.mu.Unlock()
		}
	}()
}

// rebuild renders and encodes the data families of the current data,
// unless a render that finished while it waited already did.
func (s *Source) rebuild() []byte {
	s.rendered.build.Lock()
	defer s.rendered.build.Unlock()
	key := s.renderKey()
	if text, ok := s.renderedFor(key); ok {
		return text
	}
	var out *sink
	var text []byte
	var err error
	cpuslot.Do(func() {
		out = s.render()
		text, err = out.gzipped()
	})
	if err != nil {
		// Compressing into memory fails only if the process does; keep
		// serving the last encoding.
		s.logger.Error("encoding the data", "err", err)
		s.rendered.mu.Lock()
		defer s.rendered.mu.Unlock()
		return s.rendered.text
	}
	if out.duplicates > 0 {
		// A series emitted twice is kept once; the rest of the data stands.
		s.logger.Warn("dropped duplicate series from the data", "series", out.duplicates)
	}
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	s.rendered.key, s.rendered.text = key, text
	return text
}
