package collector

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
)

// DefaultLiveExpiry is how long a device's pushed state counts when the
// adapter sets none: a vendor's stream sends each device every 20 to 30 s,
// so a few silent periods mean the device, or the stream, went quiet.
const DefaultLiveExpiry = 180 * time.Second

// Live is a vendor's live feed, run beside the refreshers for as long as
// the source runs: a stream of device state between polls. It reports
// what it learns to f and returns when ctx ends.
type Live func(ctx context.Context, f *LiveFeed)

// LiveFeed is a source's side of its live feed. Its methods are safe for
// concurrent use.
type LiveFeed struct{ s *Source }

// live is what a source keeps of its live feed.
type live struct {
	mu         sync.Mutex
	run        Live
	stretch    map[string]float64 // collection → interval factor while healthy
	expiry     time.Duration
	states     map[string]model.DeviceState // by MAC
	conns      map[int]bool                 // connection → up
	healthy    bool
	messages   uint64
	reconnects uint64
	wake       map[string]chan struct{} // a collection's loop, to look at its timer again
	// confirm asks the collections the feed stands in for to poll at
	// their own interval, stretched or not: a device went quiet.
	confirm map[string]bool
}

// Connected reports that connection conn of the feed went up or down.
// While every connection is up the feed is healthy, and the collections it
// stands in for refresh at their stretched intervals; when one goes down
// they go back to their own at once.
func (f *LiveFeed) Connected(conn int, up bool) {
	l := &f.s.live
	l.mu.Lock()
	if l.conns == nil {
		l.conns = map[int]bool{}
	}
	l.conns[conn] = up
	healthy := len(l.conns) > 0
	for _, c := range l.conns {
		healthy = healthy && c
	}
	changed := healthy != l.healthy
	l.healthy = healthy
	l.mu.Unlock()
	if changed {
		f.healthChanged(healthy)
	}
}

// healthChanged has the collections the feed stands in for planned and
// timed again, stretched while it is healthy.
func (f *LiveFeed) healthChanged(healthy bool) {
	f.s.replan()
	f.s.wakeStretched()
	f.s.logger.Info("live feed", "healthy", healthy)
}

// Restarted reports that the feed closed its connections and opens a new
// set, which may be fewer: those it reported before are forgotten, and the
// feed is healthy again once every new one is up.
func (f *LiveFeed) Restarted() {
	l := &f.s.live
	l.mu.Lock()
	clear(l.conns)
	changed := l.healthy
	l.healthy = false
	l.mu.Unlock()
	if changed {
		f.healthChanged(false)
	}
}

// Message counts one message the feed received.
func (f *LiveFeed) Message() {
	l := &f.s.live
	l.mu.Lock()
	l.messages++
	l.mu.Unlock()
}

// Reconnecting counts one reconnection of the feed.
func (f *LiveFeed) Reconnecting() {
	l := &f.s.live
	l.mu.Lock()
	l.reconnects++
	l.mu.Unlock()
}

// Device records what the feed says of one device. The scrapes show it
// at once when it is news: the device's first state from the feed, or a
// change of whether it is up.
func (f *LiveFeed) Device(st model.DeviceState) {
	l := &f.s.live
	l.mu.Lock()
	if l.states == nil {
		l.states = map[string]model.DeviceState{}
	}
	prev, seen := l.states[st.MAC]
	if seen && prev.At.After(st.At) {
		// A later word on the device came first.
		l.mu.Unlock()
		return
	}
	l.states[st.MAC] = st
	l.mu.Unlock()
	if !seen || prev.Up != st.Up {
		f.s.cache.touch()
		f.s.rebuildSoon()
	}
}

// runLive runs the source's live feed, and forgets what it said of a
// device once that is older than the expiry, until ctx ends.
func (s *Source) runLive(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.live.run(ctx, &LiveFeed{s}) })
	wg.Go(func() {
		t := time.NewTicker(max(s.live.expiry/4, time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.expireLive()
			}
		}
	})
	wg.Wait()
}

// expireLive forgets the device states past their expiry. A device that
// went quiet may be down without the feed saying so: the collections the
// feed stands in for are asked again, no sooner than their own interval
// after their last refresh.
func (s *Source) expireLive() {
	now := s.now()
	l := &s.live
	l.mu.Lock()
	n := len(l.states)
	maps.DeleteFunc(l.states, func(_ string, st model.DeviceState) bool { return !now.Before(st.At.Add(l.expiry)) })
	expired := n != len(l.states)
	if expired {
		if l.confirm == nil {
			l.confirm = map[string]bool{}
		}
		for name := range l.stretch {
			l.confirm[name] = true
		}
	}
	l.mu.Unlock()
	if expired {
		s.cache.touch()
		s.rebuildSoon()
		s.wakeStretched()
	}
}

// liveFactor is how much a collection's interval is stretched now: by its
// factor while the feed is healthy, else not at all.
func (s *Source) liveFactor(collection string) float64 {
	l := &s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.stretch[collection]; ok && l.healthy {
		return f
	}
	return 1
}

// ownInterval is the interval a woken collection waits since its last
// refresh: the one in force, or unstretched when the feed asked for a
// confirming poll.
func (s *Source) ownInterval(collection string, inForce time.Duration) time.Duration {
	l := &s.live
	l.mu.Lock()
	confirm := l.confirm[collection]
	delete(l.confirm, collection)
	f, ok := l.stretch[collection]
	healthy := l.healthy
	l.mu.Unlock()
	if confirm && ok && healthy && f > 0 {
		return time.Duration(float64(inForce) / f)
	}
	return inForce
}

// wakeStretched has the loops of the collections the feed stands in for
// look at their timers again.
func (s *Source) wakeStretched() {
	for name := range s.live.stretch {
		if ch, ok := s.live.wake[name]; ok {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// LiveDevices returns devices, as the collection from polled them, with
// what the live feed or a webhook said of each since that collection's
// last poll began, and within its expiry: d is the render's data, whose
// feed states were taken with it. The cache's devices are copied only
// when the feed changes one.
func LiveDevices[T any](d Data, from Key[T], devices []model.Device) []model.Device {
	if len(d.live) == 0 {
		return devices
	}
	e := d.entries[from.name]
	pollStart := e.lastSuccess.Add(-e.duration)
	out, copied := devices, false
	for i, dev := range devices {
		if st, ok := d.live[dev.MAC]; ok && st.At.After(pollStart) && st.Up != dev.Up {
			if !copied {
				out, copied = slices.Clone(devices), true
			}
			out[i].Up = st.Up
		}
	}
	return out
}

// liveStates copies the device states within their expiry, for a render.
func (s *Source) liveStates() map[string]model.DeviceState {
	l := &s.live
	now := s.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.states) == 0 {
		return nil
	}
	out := make(map[string]model.DeviceState, len(l.states))
	for mac, st := range l.states {
		if now.Before(st.At.Add(l.expiry)) {
			out[mac] = st
		}
	}
	return out
}

// The live feed's families, on /probe of a source that has one.
var (
	streamConnectedDesc = desc("stream_connected",
		"1 while every connection of the source's live stream is up, else 0.")
	streamMessagesDesc = desc("stream_messages_total",
		"Messages received on the source's live stream.")
	streamReconnectsDesc = desc("stream_reconnects_total",
		"Times the source's live stream reconnected.")
)

// liveHealth is the live feed's part of a scrape's health.
type liveHealth struct {
	on                   bool
	healthy              bool
	messages, reconnects uint64
}

func (s *Source) liveHealth() liveHealth {
	l := &s.live
	if l.run == nil {
		return liveHealth{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return liveHealth{on: true, healthy: l.healthy, messages: l.messages, reconnects: l.reconnects}
}

func (h liveHealth) collect(ch chan<- prometheus.Metric) {
	if !h.on {
		return
	}
	ch <- prometheus.MustNewConstMetric(streamConnectedDesc, prometheus.GaugeValue, exposition.BoolValue(h.healthy))
	ch <- prometheus.MustNewConstMetric(streamMessagesDesc, prometheus.CounterValue, float64(h.messages))
	ch <- prometheus.MustNewConstMetric(streamReconnectsDesc, prometheus.CounterValue, float64(h.reconnects))
}
