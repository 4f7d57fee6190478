package bridge

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// countingAM is an Alertmanager that reads and counts what it is sent,
// into one buffer it reuses, and keeps nothing: what is measured is the
// pusher's work.
type countingAM struct {
	requests, bytes, alerts atomic.Int64
	mu                      sync.Mutex
	buf                     bytes.Buffer
}

func (c *countingAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v2/silences" {
		_, _ = w.Write([]byte("[]"))
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Reset()
	_, _ = c.buf.ReadFrom(r.Body)
	b := c.buf.Bytes()
	c.requests.Add(1)
	c.bytes.Add(int64(len(b)))
	c.alerts.Add(int64(bytes.Count(b, []byte(`"alertname":`))))
}

// BenchmarkPushPrimeLarge pushes the alarms of the large simulated Prime
// server (20,000 alarms, 15,000 of them active, their sites joined from
// the APs and devices) to an Alertmanager on loopback, one alert per
// alarm, every severity pushed. Each op is one full push as the resend
// interval makes it: every alert written and posted in batches of
// maxBatch. "all" pushes the 15,000 (max_alerts_per_source 20000); "cap"
// the default 5,000 of them, sorted by the cap's order at each push.
//
// It reports the alerts, requests and request bytes of one push, and the
// live heap the pusher's state holds between pushes (the alarms' strings
// are the source's, shared), in all and per alert.
func BenchmarkPushPrimeLarge(b *testing.B) {
	sim, simSrv := simtest.Listen(b, primesim.New, primesim.Options{Seed: 1, Size: "large", RateLimit: -1, MaxConcurrent: -1})
	cr := sim.Credentials()
	cfg, err := config.Parse([]byte(fmt.Sprintf("prime:\n  - name: pi\n    base_url: %s\n    username: %s\n    password: %s\n    hold: 0s\n",
		simSrv.URL, cr.Username, cr.Password)), "pi.yml")
	if err != nil {
		b.Fatal(err)
	}
	src := registrytest.New(b, cfg.Sources()[0])
	for _, c := range []string{"access_points", "devices", "alarms"} {
		if err := src.Refresh(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	active := len(src.ActiveAlarms())
	if want := sim.Sizes().ActiveAlarms; active != want || active < 15000 {
		b.Fatalf("%d active alarms listed; want the simulator's %d", active, want)
	}
	sources := func() []*collector.Source { return []*collector.Source{src} }

	for _, tc := range []struct {
		name  string
		limit int
	}{{"all", 20000}, {"cap", config.DefaultMaxAlertsPerSource}} {
		b.Run(tc.name, func(b *testing.B) {
			am := &countingAM{}
			amSrv := httptest.NewServer(am)
			defer amSrv.Close()
			amCfg, err := config.Parse([]byte(fmt.Sprintf("alertmanager:\n  urls: [%s]\n  min_severity: info\n  max_alerts_per_source: %d\n",
				amSrv.URL, tc.limit)), "am.yml")
			if err != nil {
				b.Fatal(err)
			}
			newPusher := func() *Pusher {
				p, err := NewPusher(amCfg.Alertmanager, sources, NewMetrics(), slog.New(slog.DiscardHandler))
				if err != nil {
					b.Fatal(err)
				}
				// A first push an hour ago, as in a running exporter: the
				// source's other collections, not refreshed here, are
				// waited for no longer.
				p.now = func() time.Time { return time.Now().Add(-time.Hour) }
				p.Push(context.Background())
				p.now = time.Now
				return p
			}
			// The state held: several pushers' at once, each after its
			// first push, over the heap before them.
			const copies = 3
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&m0)
			kept := make([]*Pusher, copies)
			for i := range kept {
				kept[i] = newPusher()
				kept[i].Push(context.Background())
				kept[i].client.CloseIdleConnections()
			}
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&m1)
			runtime.KeepAlive(kept)
			held := (float64(m1.HeapAlloc) - float64(m0.HeapAlloc)) / copies
			clear(kept) // the copies go; the timed pusher is another

			p := newPusher()
			p.Push(context.Background())
			want := int64(min(active, tc.limit))
			am.requests.Store(0)
			am.bytes.Store(0)
			am.alerts.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p.Push(context.Background())
			}
			b.StopTimer()
			n := int64(b.N)
			if got := am.alerts.Load() / n; got != want {
				b.Fatalf("%d alerts a push; want %d", got, want)
			}
			// The bounds docs/alerts.md gives: at most 1,000 alerts a
			// request, under 1 KiB an alert sent and held, and a full
			// push well under a second.
			requests, sent := float64(am.requests.Load())/float64(n), float64(am.bytes.Load())/float64(n)
			if maxRequests := float64((want + 999) / 1000); requests > maxRequests {
				b.Errorf("%.1f requests a push of %d alerts; want at most %.0f, 1,000 alerts a request", requests, want, maxRequests)
			}
			if perAlert := sent / float64(want); perAlert > 1024 {
				b.Errorf("%.0f bytes sent an alert; want under 1 KiB", perAlert)
			}
			if perAlert := held / float64(want); perAlert > 1024 {
				b.Errorf("%.0f bytes held an alert between pushes; want under 1 KiB", perAlert)
			}
			if perPush := b.Elapsed() / time.Duration(n); perPush > time.Second {
				b.Errorf("a push of %d alerts took %s; want under a second", want, perPush)
			}
			b.ReportMetric(float64(want), "alerts/push")
			b.ReportMetric(float64(am.requests.Load())/float64(n), "requests/push")
			b.ReportMetric(float64(am.bytes.Load())/float64(n)/(1<<20), "sent-MiB/push")
			b.ReportMetric(held/(1<<20), "held-MiB")
			b.ReportMetric(held/float64(want), "held-B/alert")
		})
	}
}
