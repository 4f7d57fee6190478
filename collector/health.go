package collector

import (
	"bytes"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/exposition"
)

// healthState is what a scrape's health families show, taken once: the
// collections as of the served data's view, the budget, and the count of
// upstream requests that the API's counters stand for.
type healthState struct {
	status          []Status
	budget          bool
	remaining       map[string]float64
	vendorRemaining map[string]float64
	throttled       time.Duration
	requests        int64
	renderErr       string // why the last render was refused; "" if it was not
	live            liveHealth
}

func (s *Source) healthState(v view) healthState {
	st := healthState{status: s.statusOf(v), requests: s.API.Total(), live: s.liveHealth()}
	if err := s.RenderError(); err != nil {
		st.renderErr = err.Error()
	}
	if s.Budget != nil {
		b := s.Budget.State()
		st.budget, st.remaining, st.vendorRemaining, st.throttled = true, b.Remaining, b.VendorRemaining, b.Throttled
	}
	return st
}

func (h healthState) equal(o healthState) bool {
	return slices.Equal(h.status, o.status) && h.budget == o.budget && maps.Equal(h.remaining, o.remaining) &&
		maps.Equal(h.vendorRemaining, o.vendorRemaining) && h.throttled == o.throttled && h.requests == o.requests &&
		h.renderErr == o.renderErr && h.live == o.live
}

// healthCache keeps a source's health families as last encoded in each
// format, until what they show changes. Gathering, encoding and
// compressing them was two thirds of a scrape's own work, and between
// refreshes they stay the same scrape after scrape.
type healthCache struct {
	mu   sync.Mutex
	last map[expfmt.Format]encodedHealth
}

type encodedHealth struct {
	state healthState
	head  *exposition.Head
}

// health returns the health families as of v encoded in ct, from the
// cache when they show the same.
func (s *Source) health(v view, ct expfmt.Format) (*exposition.Head, error) {
	st := s.healthState(v)
	s.healthCache.mu.Lock()
	last, ok := s.healthCache.last[ct]
	s.healthCache.mu.Unlock()
	if ok && last.state.equal(st) {
		return last.head, nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(healthFamilies{api: s.API, state: st})
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// An OpenMetrics answer's "# EOF" ends the data, which come last.
	enc := expfmt.NewEncoder(&buf, ct)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return nil, err
		}
	}
	h, err := exposition.NewHead(buf.Bytes())
	if err != nil {
		return nil, err
	}
	s.healthCache.mu.Lock()
	defer s.healthCache.mu.Unlock()
	if s.healthCache.last == nil {
		s.healthCache.last = map[expfmt.Format]encodedHealth{}
	}
	s.healthCache.last[ct] = encodedHealth{state: st, head: h}
	return h, nil
}
