package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// replay answers each request as the handler first answered it, from
// memory: what is measured is then the client's work, not the simulator's.
type replay struct {
	h    http.Handler
	mu   sync.Mutex
	seen map[string]*httptest.ResponseRecorder
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	rec, ok := r.seen[req.URL.RequestURI()]
	if !ok {
		rec = httptest.NewRecorder()
		r.h.ServeHTTP(rec, req)
		r.seen[req.URL.RequestURI()] = rec
	}
	r.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// BenchmarkPrimeAlarmsLarge measures the per-alarm records of the large
// simulated Prime server (20,000 alarms, 15,000 of them active, in 15
// pages of 1,000), its answers recorded once and replayed from memory
// over loopback:
//
//   - fetch: one refresh of the alarms collection: the pages fetched and
//     decoded, each alarm made a record, their repeated strings shared,
//     the list sorted by id;
//   - list: the first read of the source's active alarms after a refresh
//     (later reads of the same data are free): the join with the sites of
//     the APs and devices, the merge with webhooks, the counts and the
//     hash that tells a change.
//
// It reports the live heap the collection's data and the source's list
// hold, after a collection, in all and per alarm.
func BenchmarkPrimeAlarmsLarge(b *testing.B) {
	sim, err := primesim.New(primesim.Options{Seed: 1, Size: "large", RateLimit: -1, MaxConcurrent: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(&replay{h: sim, seen: map[string]*httptest.ResponseRecorder{}})
	defer srv.Close()
	cr := sim.Credentials()
	cfg, err := config.Parse([]byte(fmt.Sprintf("prime:\n  - name: pi\n    base_url: %s\n    username: %s\n    password: %s\n    hold: 0s\n",
		srv.URL, cr.Username, cr.Password)), "pi.yml")
	if err != nil {
		b.Fatal(err)
	}
	newSource := func() *collector.Source {
		s, err := collector.NewSource(cfg.Sources()[0], collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	s := newSource()
	fetch := func(name string) (any, int) {
		for _, c := range s.Collections {
			if c.Name == name {
				data, items, err := c.Fetch(ctx)
				if err != nil {
					b.Fatal(err)
				}
				return data, items
			}
		}
		b.Fatalf("no collection %s", name)
		return nil, 0
	}
	// The sites of the APs and devices, which the list joins, and the
	// alarms (the pages recorded).
	kept := map[string]any{}
	for _, name := range []string{"access_points", "devices", "alarms"} {
		data, items := fetch(name)
		kept[name] = data
		collector.CacheResult(s, name, time.Now(), 0, 1, data, items, nil)
	}
	active := sim.Sizes().ActiveAlarms
	data := kept["alarms"]
	var items int
	for _, st := range s.Status() {
		if st.Collection == "alarms" {
			items = st.Items
		}
	}
	if list := s.ActiveAlarms(); len(list) != active || items != active {
		b.Fatalf("%d alarms listed, %d fetched; want the %d active", len(list), items, active)
	}
	// What the data and the list hold, measured over several copies kept
	// at once: what the HTTP client's and the server's buffers hold comes
	// and goes by the megabyte. The list is measured on sources of their
	// own, which hold none yet.
	const copies = 4
	held := func(prepare func() func() any) float64 {
		makes := make([]func() any, copies)
		for i := range makes {
			makes[i] = prepare()
		}
		kept := make([]any, copies)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m0)
		for i, make := range makes {
			kept[i] = make()
		}
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m1)
		runtime.KeepAlive(kept)
		return (float64(m1.HeapAlloc) - float64(m0.HeapAlloc)) / copies
	}
	dataHeld := held(func() func() any { return func() any { d, _ := fetch("alarms"); return d } })
	listHeld := held(func() func() any {
		fresh := newSource()
		for name, data := range kept {
			collector.CacheResult(fresh, name, time.Now(), 0, 1, data, 1, nil)
		}
		return func() any { return fresh.ActiveAlarms() }
	})

	b.Run("fetch", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fetch("alarms")
		}
		b.ReportMetric(float64(active), "alarms")
		b.ReportMetric(dataHeld/(1<<20), "held-MiB")
		b.ReportMetric(dataHeld/float64(active), "held-B/alarm")
	})
	b.Run("list", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// The same data again: a new version, whose list is made anew.
			collector.CacheResult(s, "alarms", time.Now(), 0, 1, data, items, nil)
			if got := s.ActiveAlarms(); len(got) != active {
				b.Fatalf("%d alarms; want %d", len(got), active)
			}
		}
		b.ReportMetric(listHeld/(1<<20), "held-MiB")
		b.ReportMetric(listHeld/float64(active), "held-B/alarm")
	})
}
