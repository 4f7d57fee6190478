package collector

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"sync"

	"github.com/nmsexporter/nms_exporter/config"
)

// Manager runs the sources of the config in force and swaps them on reload.
// A source whose section did not change keeps running, with its data. With
// Options.Shard it runs only the sources of its shard, on every reload.
//
// Scrapes and renders read the running set under mu, which is held only to
// read or swap the set, never while waiting for a source: a stopping
// source may be waiting on work that itself reads the set.
type Manager struct {
	opts Options
	ctx  context.Context

	change  sync.Mutex // one Apply or Stop at a time
	mu      sync.RWMutex
	running map[string]*running
	// elsewhere are the configured sources other shards poll.
	elsewhere map[string]bool
}

type running struct {
	src    *Source
	cancel context.CancelFunc
	done   chan struct{}
}

// NewManager returns a manager whose sources run until ctx ends.
func NewManager(ctx context.Context, opts Options) *Manager {
	return &Manager{opts: opts, ctx: ctx, running: map[string]*running{}}
}

// Apply makes the running sources match cfg. Every new source is built
// before anything is stopped, so an error leaves the running set as it was.
// A replaced source stops before its successor starts, so the two never
// spend one budget together.
func (m *Manager) Apply(cfg *config.Config) error {
	m.change.Lock()
	defer m.change.Unlock()

	m.mu.RLock()
	current := m.running
	m.mu.RUnlock()
	next := map[string]*running{}
	elsewhere := map[string]bool{}
	var started []*running
	var errs []error
	for _, sc := range cfg.Sources() {
		if !m.opts.Shard.Owns(sc.SourceName()) {
			elsewhere[sc.SourceName()] = true
			continue
		}
		if r, ok := current[sc.SourceName()]; ok && reflect.DeepEqual(r.src.cfg, sc) {
			next[sc.SourceName()] = r
			continue
		}
		src, err := NewSource(sc, m.opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		src.peers = m.Source
		r := &running{src: src, done: make(chan struct{})}
		next[sc.SourceName()] = r
		started = append(started, r)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	m.mu.Lock()
	m.running, m.elsewhere = next, elsewhere
	m.mu.Unlock()
	for name, r := range current {
		if next[name] != r {
			r.cancel()
			<-r.done
			m.opts.Logger.Info("source stopped", "target", name)
		}
		if _, kept := next[name]; !kept {
			stateSaveErrors.DeleteLabelValues(name)
		}
	}
	for _, r := range started {
		if old, ok := current[r.src.Name]; ok {
			r.src.carryBudget(old.src)
			r.src.carryWebhooks(old.src)
		}
		m.start(r)
		m.opts.Logger.Info("source started", "target", r.src.Name, "vendor", r.src.Vendor)
		m.warnDescribedElsewhere(r.src, elsewhere)
	}
	return nil
}

// carryBudget goes on from the counts of the source this one replaces, when
// both spend the same account's quotas: a reload must not spend them twice.
func (s *Source) carryBudget(old *Source) {
	if s.Budget != nil && old.Budget != nil && s.Vendor == old.Vendor && s.Identity == old.Identity {
		s.Budget.Carry(old.Budget.Counts())
	}
}

// start runs a source until its cancel is called.
func (m *Manager) start(r *running) {
	ctx, cancel := context.WithCancel(m.ctx)
	r.cancel = cancel
	go func() {
		defer close(r.done)
		r.src.Run(ctx)
		if r.src.Close != nil {
			r.src.Close()
		}
	}()
}

// Source returns the running source with this name.
func (m *Manager) Source(name string) (*Source, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.running[name]
	if !ok {
		return nil, false
	}
	return r.src, true
}

// Sources returns the running sources sorted by name.
func (m *Manager) Sources() []*Source {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*Source, 0, len(m.running))
	for _, r := range m.running {
		out = append(out, r.src)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Ready reports whether every source has finished its first refresh attempt.
func (m *Manager) Ready() bool {
	for _, s := range m.Sources() {
		if !s.Ready() {
			return false
		}
	}
	return true
}

// Stop stops every source and waits for them.
func (m *Manager) Stop() {
	m.change.Lock()
	defer m.change.Unlock()
	m.mu.Lock()
	stopping := m.running
	m.running = map[string]*running{}
	m.mu.Unlock()
	for _, r := range stopping {
		r.cancel()
	}
	for _, r := range stopping {
		<-r.done
	}
}
