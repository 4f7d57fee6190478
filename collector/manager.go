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
// A source whose section did not change keeps running, with its data.
type Manager struct {
	opts Options

	mu      sync.RWMutex
	ctx     context.Context
	running map[string]*running
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
func (m *Manager) Apply(cfg *config.Config) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	next := map[string]*running{}
	var started []*running
	var errs []error
	for _, sc := range cfg.Sources() {
		if r, ok := m.running[sc.SourceName()]; ok && reflect.DeepEqual(r.src.cfg, sc) {
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
	for name, r := range m.running {
		if next[name] != r {
			r.cancel()
			<-r.done
			m.opts.Logger.Info("source stopped", "target", name)
		}
	}
	for _, r := range started {
		ctx, cancel := context.WithCancel(m.ctx)
		r.cancel = cancel
		go func() {
			defer close(r.done)
			r.src.Run(ctx)
			if r.src.Close != nil {
				r.src.Close()
			}
		}()
		m.opts.Logger.Info("source started", "target", r.src.Name, "vendor", r.src.Vendor)
	}
	m.running = next
	return nil
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
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.running {
		r.cancel()
		<-r.done
	}
	m.running = map[string]*running{}
}
