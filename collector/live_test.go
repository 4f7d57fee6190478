package collector

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
)

// liveSource is a source whose devices collection polls two devices, both
// up, counting its polls in polls, with a live feed run by feed.
func liveSource(t *testing.T, polls *atomic.Int64, feed Live) *Source {
	t.Helper()
	devices := Collect(NewKey[*[]model.Device]("devices"), func(context.Context) (*[]model.Device, error) {
		polls.Add(1)
		return &[]model.Device{{Name: "ap-1", MAC: "aa01", Type: "ap", Up: true, Clients: -1}, {Name: "ap-2", MAC: "aa02", Type: "ap", Up: true, Clients: -1}}, nil
	}, func(d *[]model.Device) int { return len(*d) })
	s := &Source{
		Name: "a", Vendor: "fake",
		Collections: []*Collection{{Name: "devices", Interval: 200 * time.Millisecond, Fetch: devices.fetch}},
		Render: func(out *exposition.Sink, d Data) {
			if devs, ok := Get(d, NewKey[*[]model.Device]("devices")); ok {
				exposition.Devices(out, LiveDevices(d, NewKey[*[]model.Device]("devices"), *devs))
			}
		},
	}
	s.live.run, s.live.stretch, s.live.expiry = feed, map[string]float64{"devices": 50}, 2*time.Second
	s.init(Options{Logger: slog.New(slog.DiscardHandler), Now: time.Now})
	return s
}

// runLiveSource runs a liveSource until the test ends, and returns it
// with its feed once its first poll is rendered.
func runLiveSource(t *testing.T, polls *atomic.Int64) (*Source, *LiveFeed) {
	t.Helper()
	feeds := make(chan *LiveFeed, 1)
	s := liveSource(t, polls, func(ctx context.Context, f *LiveFeed) {
		feeds <- f
		<-ctx.Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	f := <-feeds
	waitFor(t, "the first poll", func() bool { return polls.Load() > 0 && s.Settled() })
	return s, f
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// scrapeHas reports whether a scrape holds line as a whole line.
func scrapeHas(s *Source, line string) bool {
	return collectortest.HasLine(collectortest.Probe(s, nil).Body.String(), line)
}

// TestLiveFeedShowsDeviceStateAtOnce: a device the feed says is down shows
// down on the next scrape, without a poll; while the feed is healthy the
// devices collection refreshes at its stretched interval; when the feed
// goes down the polls resume at the collection's own interval.
func TestLiveFeedShowsDeviceStateAtOnce(t *testing.T) {
	var polls atomic.Int64
	s, f := runLiveSource(t, &polls)

	f.Connected(0, true)
	if got := s.Status()[0].Interval; got != 10*time.Second {
		t.Errorf("devices interval with the feed healthy = %v; want 10s (200ms × 50)", got)
	}
	f.Message()
	f.Device(model.DeviceState{MAC: "aa02", Up: false, At: time.Now()})
	waitFor(t, "ap-2 down on the scrape", func() bool {
		return scrapeHas(s, `nms_device_up{device="ap-2",device_type="ap",serial="",site=""} 0`)
	})
	if !scrapeHas(s, `nms_device_up{device="ap-1",device_type="ap",serial="",site=""} 1`) {
		t.Errorf("ap-1, which the feed said nothing of, is not shown up as polled")
	}
	if !scrapeHas(s, "nms_stream_connected 1") || !scrapeHas(s, "nms_stream_messages_total 1") {
		t.Errorf("scrape lacks the stream's health:\n%s", collectortest.Probe(s, nil).Body)
	}
	before := polls.Load()
	time.Sleep(600 * time.Millisecond)
	if n := polls.Load() - before; n > 0 {
		t.Errorf("%d polls in 600 ms with the feed healthy; want none at the stretched 10 s", n)
	}

	f.Reconnecting()
	f.Connected(0, false)
	waitFor(t, "a poll once the feed went down", func() bool { return polls.Load() > before })
	if got := s.Status()[0].Interval; got != 200*time.Millisecond {
		t.Errorf("devices interval with the feed down = %v; want its own 200ms", got)
	}
	waitFor(t, "the poll's state shown again", func() bool {
		return scrapeHas(s, `nms_device_up{device="ap-2",device_type="ap",serial="",site=""} 1`)
	})
	if !scrapeHas(s, "nms_stream_connected 0") || !scrapeHas(s, "nms_stream_reconnects_total 1") {
		t.Errorf("scrape lacks the stream's health:\n%s", collectortest.Probe(s, nil).Body)
	}
}

// TestLiveFeedRestartedOnFewerConnections: a feed that closes its two
// connections and starts again on one is healthy, and its collections
// stretched, once that one is up; the old second connection no longer
// counts.
func TestLiveFeedRestartedOnFewerConnections(t *testing.T) {
	var polls atomic.Int64
	s, f := runLiveSource(t, &polls)
	f.Connected(0, true)
	f.Connected(1, true)
	if !scrapeHas(s, "nms_stream_connected 1") {
		t.Fatalf("feed not healthy with both connections up:\n%s", collectortest.Probe(s, nil).Body)
	}
	f.Connected(0, false)
	f.Connected(1, false)
	f.Restarted()
	if !scrapeHas(s, "nms_stream_connected 0") {
		t.Errorf("feed healthy while restarting")
	}
	f.Connected(0, true)
	if !scrapeHas(s, "nms_stream_connected 1") {
		t.Errorf("feed not healthy with its one new connection up:\n%s", collectortest.Probe(s, nil).Body)
	}
	if got := s.Status()[0].Interval; got != 10*time.Second {
		t.Errorf("devices interval after the restart = %v; want 10s (200ms × 50)", got)
	}
}

// TestLiveStatesExpire: what the feed said of a device stops counting after
// the expiry, and the polls ask again.
func TestLiveStatesExpire(t *testing.T) {
	var polls atomic.Int64
	s, f := runLiveSource(t, &polls)
	f.Connected(0, true)
	f.Device(model.DeviceState{MAC: "aa01", Up: false, At: time.Now()})
	waitFor(t, "ap-1 down on the scrape", func() bool {
		return scrapeHas(s, `nms_device_up{device="ap-1",device_type="ap",serial="",site=""} 0`)
	})
	before := polls.Load()
	// The expiry is 2 s, swept every second.
	waitFor(t, "ap-1's pushed state expired", func() bool {
		return scrapeHas(s, `nms_device_up{device="ap-1",device_type="ap",serial="",site=""} 1`)
	})
	waitFor(t, "a poll after the expiry", func() bool { return polls.Load() > before })
}

// TestLiveStateBeforeThePollIsOld: a state the feed sent before the last
// poll began does not override it.
func TestLiveStateBeforeThePollIsOld(t *testing.T) {
	var polls atomic.Int64
	s := liveSource(t, &polls, func(ctx context.Context, _ *LiveFeed) { <-ctx.Done() })
	f := &LiveFeed{s}
	f.Device(model.DeviceState{MAC: "aa01", Up: false, At: time.Now().Add(-time.Second)})
	if err := s.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	collectortest.WaitSettled(t, s)
	if !scrapeHas(s, `nms_device_up{device="ap-1",device_type="ap",serial="",site=""} 1`) {
		t.Errorf("a state older than the poll overrode it:\n%s", collectortest.Probe(s, nil).Body)
	}
}

// TestWebhookDeviceStates: a webhook's device event shows on the next
// scrape, and one dated outside the window is dropped as an alarm event
// would be.
func TestWebhookDeviceStates(t *testing.T) {
	var polls atomic.Int64
	s := liveSource(t, &polls, nil)
	s.live.run = nil // a source with webhooks and no stream
	var next []model.DeviceState
	s.Webhook = func(context.Context, []byte, Data) (WebhookResult, error) {
		return WebhookResult{Devices: next, Events: len(next)}, nil
	}
	if err := s.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	next = []model.DeviceState{{MAC: "aa01", Up: false, At: now}, {MAC: "aa02", Up: false, At: now.Add(-time.Hour)}}
	res, err := s.AcceptWebhook(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Dropped[DropStale] != 1 {
		t.Errorf("dropped %v; want the hour-old event dropped as stale", res.Dropped)
	}
	waitFor(t, "ap-1 down on the scrape", func() bool {
		return scrapeHas(s, `nms_device_up{device="ap-1",device_type="ap",serial="",site=""} 0`)
	})
	if !scrapeHas(s, `nms_device_up{device="ap-2",device_type="ap",serial="",site=""} 1`) {
		t.Errorf("the stale event changed ap-2:\n%s", collectortest.Probe(s, nil).Body)
	}
	if strings.Contains(collectortest.Probe(s, nil).Body.String(), "nms_stream_connected") {
		t.Errorf("a source without a stream shows nms_stream_connected")
	}
	// An older word on ap-1, come late, does not undo the newer one.
	next = []model.DeviceState{{MAC: "aa01", Up: true, At: now.Add(-time.Second)}}
	if _, err := s.AcceptWebhook(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	collectortest.WaitSettled(t, s)
	if !scrapeHas(s, `nms_device_up{device="ap-1",device_type="ap",serial="",site=""} 0`) {
		t.Errorf("an older event undid a newer one:\n%s", collectortest.Probe(s, nil).Body)
	}
}
