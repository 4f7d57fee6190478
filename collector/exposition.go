package collector

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// rendered keeps a source's data families encoded as exposition text, for
// the version of the data they were made from. A scrape writes these bytes
// as they are: building and encoding every series belongs to the refresh,
// not to the scrape, which must stay fast however large the source.
type rendered struct {
	build    sync.Mutex // one render at a time
	mu       sync.Mutex
	key      uint64
	text     []byte
	err      error
	building bool // a background rebuild is running
	dirty    bool // the data changed while it ran
}

// textFormat is the exposition format /probe serves.
var textFormat = expfmt.NewFormat(expfmt.TypeTextPlain)

// dataText returns the encoded data families. Each refresh has them
// rebuilt in the background as soon as its data lands; a scrape that comes
// before that rebuild ends gets the previous encoding, so no scrape waits
// on a render, only the first scrape of a source that has never rendered.
func (s *Source) dataText() ([]byte, error) {
	key := s.renderKey()
	if text, err, ok := s.renderedFor(key); ok {
		return text, err
	}
	s.rendered.mu.Lock()
	text, err, have := s.rendered.text, s.rendered.err, s.rendered.text != nil || s.rendered.err != nil
	s.rendered.mu.Unlock()
	if have {
		s.rebuildSoon()
		return text, err
	}
	return s.rebuild()
}

// Settled reports whether the encoded data families show the current
// data, and has them rebuilt when they do not: a source whose render reads
// other sources' data learns of their changes only when asked.
func (s *Source) Settled() bool {
	_, _, ok := s.renderedFor(s.renderKey())
	if !ok {
		s.rebuildSoon()
	}
	return ok
}

// renderedFor returns the encoding made for key, if there is one.
func (s *Source) renderedFor(key uint64) ([]byte, error, bool) {
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	if (s.rendered.text == nil && s.rendered.err == nil) || s.rendered.key != key {
		return nil, nil, false
	}
	return s.rendered.text, s.rendered.err, true
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
			if _, err := s.rebuild(); err != nil {
				s.logger.Error("rendering the data", "err", err)
			}
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
func (s *Source) rebuild() ([]byte, error) {
	s.rendered.build.Lock()
	defer s.rendered.build.Unlock()
	key := s.renderKey()
	if text, err, ok := s.renderedFor(key); ok {
		return text, err
	}
	text, err := encodeMetrics(s.render())
	s.rendered.mu.Lock()
	defer s.rendered.mu.Unlock()
	s.rendered.key, s.rendered.text, s.rendered.err = key, text, err
	return text, err
}

// metricList collects a fixed list of metrics.
type metricList []prometheus.Metric

// Describe implements prometheus.Collector: it describes nothing, so the
// registry checks the metrics themselves as they are gathered.
func (metricList) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l {
		ch <- m
	}
}

// encodeMetrics gathers metrics through a registry, which checks them for
// duplicates and inconsistent families, and encodes them as text.
func encodeMetrics(metrics []prometheus.Metric) ([]byte, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(metricList(metrics))
	mfs, err := reg.Gather()
	if err != nil {
		return nil, fmt.Errorf("rendering the data: %w", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, textFormat)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
