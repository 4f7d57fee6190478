package collector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/internal/cpuslot"
)

// format is an exposition format /probe serves.
type format int

const (
	formatText        format = iota // Prometheus text 0.0.4
	formatOpenMetrics               // OpenMetrics 1.0.0 (and 0.0.1, written alike)
	formatProto                     // delimited protobuf
	numFormats
)

// offered are the formats /probe negotiates, in promhttp's order of
// preference with OpenMetrics enabled, less the protobuf text forms meant
// for debugging.
var offered = []expfmt.Format{expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtProtoDelim, expfmt.FmtText}

// negotiate picks the format of an answer from the request's Accept, as
// promhttp does. The Content-Type it returns carries the escaping scheme
// asked for; every name the exporter has reads the same in each.
func negotiate(h http.Header) (format, expfmt.Format) {
	ct := expfmt.NegotiateAccept(h, offered...)
	switch ct.FormatType() {
	case expfmt.TypeOpenMetrics:
		return formatOpenMetrics, ct
	case expfmt.TypeProtoDelim:
		return formatProto, ct
	}
	return formatText, ct
}

// acceptsGzip reports whether to answer in gzip, reading Accept-Encoding
// as RFC 9110 section 12.5.3 does: a coding is acceptable when named, or
// matched by "*", with a q above 0; identity is acceptable unless refused,
// and least preferred when not named. When gzip is refused the answer is
// plain even if identity is refused too, as promhttp answers: a scraper is
// better served by its data than by a 406.
func acceptsGzip(h http.Header) bool {
	gzipQ, identityQ, anyQ := -1.0, -1.0, -1.0
	for _, v := range h.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			if params = strings.TrimSpace(params); params != "" {
				name, value, _ := strings.Cut(params, "=")
				w, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if !strings.EqualFold(strings.TrimSpace(name), "q") || err != nil || w < 0 || w > 1 {
					continue // malformed: ignored
				}
				q = w
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "identity":
				identityQ = q
			case "*":
				anyQ = q
			}
		}
	}
	if gzipQ < 0 {
		gzipQ = anyQ
	}
	if identityQ < 0 && anyQ >= 0 {
		identityQ = anyQ
	}
	return gzipQ > 0 && gzipQ >= identityQ
}

// rendered keeps a source's data families encoded, each format as a
// compressed stream, for the version of the data they were made from. A
// scrape writes these bytes as they are: building and encoding every
// series belongs to the refresh, not to the scrape, which must stay fast
// however large the source.
type rendered struct {
	build sync.Mutex // one render at a time
	mu    sync.Mutex
	key   uint64
	view  view                  // the source's collections the data was made from
	out   [numFormats]*deflated // nil: not made for this version
	want  [numFormats]bool      // formats scrapers have asked for: each render makes them all
	sizes [numFormats]int       // the last stream's length in each format
	// building: a background rebuild is running; dirty: the data changed
	// while it ran.
	building, dirty bool
	// good is what the encodings in out were made from, nil for none (an
	// empty render, when the first one was refused).
	good *renderInput
	// err is why the render of the data of failKey was refused, nil when
	// the last render was not; out still holds the last good one.
	err     error
	failKey uint64
}

// current reports whether the data of key has been rendered, or refused.
// The caller holds mu.
func (r *rendered) current(key uint64) bool {
	return r.key == key || (r.err != nil && r.failKey == key)
}

// renderError is why the source's last render was refused, nil if it was
// not.
func (s *Source) renderError() error {
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
func (s *Source) served(f format) (view, *deflated) {
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
	ok := s.rendered.out[formatText] != nil && s.rendered.current(key)
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
			s.rebuild(formatText)
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

// rebuild renders the current data and encodes it in every format asked
// for, unless a render that finished while it waited already did; for the
// same data it encodes only the formats missing. It gathers what it reads
// before it takes a core, and holds no lock but its own while it waits for
// one. A render over the source's series limit is refused: the last good
// encodings stay, and the formats they lack are made from what they were
// made from. It returns the encoding in f and the view it was made from.
func (s *Source) rebuild(f format) (view, *deflated) {
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
// is missing, which another pass makes from the last good render.
func (s *Source) rebuildFrom(in *renderInput, f format) (view, *deflated, bool) {
	key, gathered := in.key, in.view
	s.rendered.mu.Lock()
	if s.rendered.err != nil && s.rendered.failKey == key {
		// The same data again: rendering it would be refused again.
		in, key = s.rendered.good, s.rendered.key
	}
	same := s.rendered.out[formatText] != nil && s.rendered.key == key
	var todo []format
	for g := range numFormats {
		if (s.rendered.want[g] || g == formatText) && (!same || s.rendered.out[g] == nil) {
			todo = append(todo, g)
		}
	}
	sizes, haveGood := s.rendered.sizes, s.rendered.out[formatText] != nil
	s.rendered.mu.Unlock()

	var made [numFormats]*deflated
	var errs [numFormats]error
	var refused error
	duplicates := 0
	if len(todo) > 0 {
		// Nothing cancels a render: whoever waits for it needs its result.
		_ = cpuslot.Do(context.Background(), func() {
			out := newSink()
			if in != nil {
				out = s.renderFrom(in)
			}
			duplicates = out.duplicates
			if n, limit := out.series(), s.seriesLimit(); n > limit {
				refused = fmt.Errorf("render: %d series, over the limit of %d (limits.series); serving the last good render", n, limit)
				if haveGood {
					return
				}
				// Nothing good to serve: the health alone, with no data.
				out = newSink()
			}
			for _, g := range todo {
				made[g], errs[g] = deflate(func(w io.Writer) error { return out.encode(w, g) }, sizes[g])
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
		if s.rendered.out[formatText] != nil {
			return s.rendered.view, s.rendered.out[f], s.rendered.out[f] == nil
		}
		in = nil
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
		s.rendered.key, s.rendered.good, s.rendered.out = key, in, made
		s.rendered.view = gathered
		if in != nil {
			s.rendered.view = in.view
		}
	}
	for _, g := range todo {
		s.rendered.out[g], s.rendered.sizes[g] = made[g], len(made[g].z)
	}
	return s.rendered.view, s.rendered.out[f], false
}
