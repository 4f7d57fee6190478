package collector

import (
	"context"
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
	view     view   // the source's collections the text was made from
	text     []byte // gzip; nil until the first render
	building bool   // a background rebuild is running
	dirty    bool   // the data changed while it ran
}

// textFormat is the exposition format /probe serves.
var textFormat = expfmt.NewFormat(expfmt.TypeTextPlain)

// served returns the encoded data families, compressed with gzip, and the
// view of the source's collections that their health must be reported
// from. Each refresh has the data rebuilt in the background as soon as it
// lands; a scrape that comes before that rebuild ends gets the previous
// encoding with the health it was made with, so no scrape waits on a
// render (only the first of a source that has never rendered) and none
// shows a collection's success before its series.
func (s *Source) served() (view, []byte) {
	cur := s.cache.view()
	s.rendered.mu.Lock()
	key, rv, text := s.rendered.key, s.rendered.view, s.rendered.text
	s.rendered.mu.Unlock()
	if text == nil {
		return s.rebuild()
	}
	if key != s.renderKey() {
		s.rebuildSoon()
	}
	if rv.version == cur.version {
		// The same data: its health as it is now, a failed refresh since
		// included.
		return cur, text
	}
	return rv, text
}

// Settled reports whether the encoded data families show the current
// data, and has them rebuilt when they do not: a source whose render reads
// other sources' data learns of their changes only when asked.
func (s *Source) Settled() bool {
	s.rendered.mu.Lock()
	ok := s.rendered.text != nil && s.rendered.key == s.renderKey()
	s.rendered.mu.Unlock()
	if !ok {
		s.rebuildSoon()
	}
	return ok
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
// unless a render that finished while it waited already did. It gathers
// what it reads before it takes a core, and holds no lock but its own
// while it waits for one.
func (s *Source) rebuild() (view, []byte) {
	s.rendered.build.Lock()
	defer s.rendered.build.Unlock()
	in := s.gather()
	s.rendered.mu.Lock()
	if s.rendered.text != nil && s.rendered.key == in.key {
		defer s.rendered.mu.Unlock()
		return s.rendered.view, s.rendered.text
	}
	s.rendered.mu.Unlock()
	var out *sink
	var text []byte
	var err error
	// Nothing cancels a render: whoever waits for it needs its result.
	_ = cpuslot.Do(context.Background(), func() {
		out = s.renderFrom(in)
		text, err = out.gzipped()
	})
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	if err != nil {
		// Compressing into memory fails only if the process does; keep
		// serving the last encoding.
		s.logger.Error("encoding the data", "err", err)
		return s.rendered.view, s.rendered.text
	}
	if out.duplicates > 0 {
		// A series emitted twice is kept once; the rest of the data stands.
		s.logger.Warn("dropped duplicate series from the data", "series", out.duplicates)
	}
	s.rendered.key, s.rendered.view, s.rendered.text = in.key, in.view, text
	return in.view, text
}
