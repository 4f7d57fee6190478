package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/internal/cpuslot"
)

// rendered keeps a source's data families encoded, each format as a
// compressed stream, for the version of the data they were made from. A
// scrape writes these bytes as they are: building and encoding every
// series belongs to the refresh, not to the scrape, which must stay fast
// however large the source.
type rendered struct {
	build sync.Mutex // one render at a time
	mu    sync.Mutex
	key   uint64
	view  view                                        // the source's collections the data was made from
	out   [exposition.NumFormats]*exposition.Deflated // nil: not made for this version
	want  [exposition.NumFormats]bool                 // formats scrapers have asked for: each render makes them all
	sizes [exposition.NumFormats]int                  // the last stream's length in each format
	// building: a background rebuild is running; dirty: the data changed
	// while it ran.
	building, dirty bool
	// cost is how long the last render and its encodings took, in
	// nanoseconds, not counting the waits for a core: what paces rebuilds.
	cost atomic.Int64
	// err is why the render of the data of failKey was refused, nil when
	// the last render was not; out still holds the last good one, and a
	// format it lacks is made from its text (exposition.ReadBack): the
	// data it was made from are not kept, as between a refresh and the
	// next render they would be held beside the new.
	err     error
	failKey uint64
}

// rebuildPace is how many times as long as a rebuild took the next one
// waits when the data changed while it ran; maxRebuildPause bounds the
// wait, so that data on a busy machine are never long behind.
const (
	rebuildPace     = 3
	maxRebuildPause = 5 * time.Second
)

// current reports whether the data of key has been rendered, or refused.
// The caller holds mu.
func (r *rendered) current(key uint64) bool {
	return r.key == key || (r.err != nil && r.failKey == key)
}

// RenderError is why the source's last render was refused, nil if it was
// not.
func (s *Source) RenderError() error {
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	return s.rendered.err
}

// served returns the data families encoded in format f and the view of
// the source's collections that their health must be reported from. Each
// refresh has the data rebuilt in the background as soon as it lands; a
// scrape that comes before that rebuild ends gets the previous encoding
// with the health it was made with, so no scrape waits on a render (only
// the first of a source, and the first in each format) and none shows a
// collection's success before its series. A nil encoding means it failed.
func (s *Source) served(f exposition.Format) (view, *exposition.Deflated) {
	s.expirePushed()
	cur := s.cache.view()
	key := s.renderKey()
	s.rendered.mu.Lock()
	current, rv, out := s.rendered.current(key), s.rendered.view, s.rendered.out[f]
	s.rendered.want[f] = true
	s.rendered.mu.Unlock()
	if out == nil {
		return s.rebuild(f)
	}
	if !current {
		s.rebuildSoon()
	}
	if rv.version == cur.version {
		// The same data: its health as it is now, a failed refresh since
		// included.
		return cur, out
	}
	return rv, out
}

// Settled reports whether the encoded data families show the current
// data, and has them rebuilt when they do not: a source whose render reads
// other sources' data learns of their changes only when asked.
func (s *Source) Settled() bool {
	s.expirePushed()
	key := s.renderKey()
	s.rendered.mu.Lock()
	ok := s.rendered.out[exposition.FormatText] != nil && s.rendered.current(key)
	s.rendered.mu.Unlock()
	if !ok {
		s.rebuildSoon()
	}
	return ok
}

// rebuildSoon has the data families rebuilt in the background. Changes
// that come while a rebuild runs make one more, not one each: a burst of
// refreshes costs two renders. Data that keep changing (a large refresh
// landing collection by collection, a live feed) are rebuilt at most a
// quarter of the time: a rebuild waits three times as long as the last
// one took, so that renders leave the core background work shares to the
// refreshes, whose decoding is the rest of it (BENCHMARKS.md, "Renders
// paced"). Waits for the core do not count: on a busy machine they would
// slow the data, not the CPU.
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
			s.rebuild(exposition.FormatText)
			s.rendered.mu.Lock()
			if !s.rendered.dirty {
				s.rendered.building = false
				s.rendered.mu.Unlock()
				return
			}
			s.rendered.dirty = false
			s.rendered.mu.Unlock()
			time.Sleep(min(rebuildPace*time.Duration(s.rendered.cost.Load()), maxRebuildPause))
		}
	}()
}

// rebuild renders the current data and encodes it in every format asked
// for, unless a render that finished while it waited already did; for the
// same data it encodes only the formats missing. It gathers what it reads
// before it takes a core, and holds no lock but its own while it waits for
// one. A render over the source's series limit is refused: the last good
// encodings stay, and the formats they lack are made from their text. It
// returns the encoding in f and the view it was made from.
func (s *Source) rebuild(f exposition.Format) (view, *exposition.Deflated) {
	s.rendered.build.Lock()
	defer s.rendered.build.Unlock()
	in := s.gather()
	v, out, again := s.rebuildFrom(in, f)
	if again {
		// Refused, and the last good render lacks f: made from it now.
		v, out, _ = s.rebuildFrom(in, f)
	}
	return v, out
}

// rebuildFrom is rebuild's work on what was gathered, under the build
// lock. It reports whether the render was refused while the encoding in f
// is missing, which another pass makes from the last good render's text.
func (s *Source) rebuildFrom(in *renderInput, f exposition.Format) (view, *exposition.Deflated, bool) {
	key, gathered := in.key, in.view
	s.rendered.mu.Lock()
	// kept is the last good render's text, when the formats to make are
	// made from it.
	var kept *exposition.Deflated
	if s.rendered.err != nil && s.rendered.failKey == key {
		// The same data again: rendering it would be refused again.
		kept, key = s.rendered.out[exposition.FormatText], s.rendered.key
	}
	same := s.rendered.out[exposition.FormatText] != nil && s.rendered.key == key
	var todo []exposition.Format
	for g := range exposition.NumFormats {
		if (s.rendered.want[g] || g == exposition.FormatText) && (!same || s.rendered.out[g] == nil) {
			todo = append(todo, g)
		}
	}
	sizes, haveGood := s.rendered.sizes, s.rendered.out[exposition.FormatText] != nil
	s.rendered.mu.Unlock()

	var made [exposition.NumFormats]*exposition.Deflated
	var errs [exposition.NumFormats]error
	var refused error
	duplicates := 0
	if len(todo) > 0 {
		// Nothing cancels a render: whoever waits for it needs its result.
		_ = cpuslot.Do(context.Background(), func() {
			start := time.Now()
			defer func() { s.rendered.cost.Store(int64(time.Since(start))) }()
			var out *exposition.Sink
			if kept != nil {
				var err error
				if out, err = exposition.ReadBack(kept); err != nil {
					for _, g := range todo {
						errs[g] = err
					}
					return
				}
			} else {
				out = s.renderFrom(in)
			}
			duplicates = out.Duplicates()
			if n, limit := out.Series(), s.seriesLimit(); n > limit {
				refused = fmt.Errorf("render: %d series, over the limit of %d (limits.series); serving the last good render", n, limit)
				if haveGood {
					return
				}
				// Nothing good to serve: the health alone, with no data.
				out = exposition.NewSink()
			}
			for _, g := range todo {
				made[g], errs[g] = exposition.Deflate(func(w io.Writer) error { return out.Encode(w, g) }, sizes[g])
			}
		})
	}

	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	if duplicates > 0 {
		// A series emitted twice is kept once; the rest of the data stands.
		s.logger.Warn("dropped duplicate series from the data", "series", duplicates)
	}
	if refused != nil {
		if s.rendered.err == nil || s.rendered.failKey != key {
			s.logger.Error("render refused", "err", refused)
		}
		s.rendered.err, s.rendered.failKey = refused, key
		if s.rendered.out[exposition.FormatText] != nil {
			return s.rendered.view, s.rendered.out[f], s.rendered.out[f] == nil
		}
	}
	for _, g := range todo {
		if errs[g] != nil {
			// Compressing into memory fails only if the process does; keep
			// serving the last encoding.
			s.logger.Error("encoding the data", "format", g, "err", errs[g])
			return s.rendered.view, s.rendered.out[f], false
		}
	}
	if !same {
		if refused == nil {
			s.rendered.err = nil
		}
		// The health the encodings are served with: not the data, which
		// the cache holds while they are current.
		s.rendered.key, s.rendered.out, s.rendered.view = key, made, gathered.withoutData()
	}
	for _, g := range todo {
		s.rendered.out[g], s.rendered.sizes[g] = made[g], made[g].Len()
	}
	return s.rendered.view, s.rendered.out[f], false
}

// Scrape returns what a scrape in format f (content type ct) serves: the
// health families as of now, encoded again only when they changed, and
// the data families encoded and compressed when the data last changed.
// Both come from one view of the source's data, so the health never
// reports what the data lacks.
func (s *Source) Scrape(f exposition.Format, ct expfmt.Format) (*exposition.Head, *exposition.Deflated, error) {
	v, data := s.served(f)
	if data == nil {
		return nil, nil, errors.New("encoding the data failed")
	}
	h, err := s.health(v, ct)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding source health: %w", err)
	}
	return h, data, nil
}
