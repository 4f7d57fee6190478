//go:build soak

package benchmarks

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
	"github.com/nmsexporter/nms_exporter/web"
)

// openFiles counts the process's open file descriptors.
func openFiles() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// TestSoak runs all four simulators at medium size with faults switching
// on and off every 30 s, the sources on 15 s intervals, and every source
// scraped every second, for SOAK_DURATION (default 10m). It prints
// goroutines, heap, RSS and open files each minute, and fails if they grow
// between the second minute and the end by more than a margin.
func TestSoak(t *testing.T) {
	duration := 10 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("SOAK_DURATION")); err == nil {
		duration = d
	}
	sims := map[string]*simulators.Simulator{}
	var list []*simulators.Simulator
	for _, v := range registry.Simulators.Vendors() {
		s, err := registry.Simulators.Start(v, simulators.Options{Seed: 2, Size: "medium", Step: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sims[v] = s
		list = append(list, s)
	}
	file, err := simulators.DemoConfig(t.TempDir(), list)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := collector.NewManager(ctx, collector.Options{Logger: slog.New(slog.DiscardHandler), Vendors: registry.Vendors})
	if err := m.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	srv := httptest.NewServer(web.ProbeHandler(m, slog.New(slog.DiscardHandler)))
	defer srv.Close()

	// The faults each vendor takes in turns, by the simulators' names.
	faults := map[string]map[string]string{
		"mist":     {"error_rate": "0.5", "truncate": ""},
		"prime":    {"throttle": ""},
		"cxcloud":  {"throttle": ""},
		"nautobot": {"reset": ""},
	}
	type sample struct {
		at                  time.Duration
		goroutines, files   int
		heapMiB, rssMiB     float64
		scrapes, scrapeErrs int
	}
	var samples []sample
	start := time.Now()
	scrape := time.NewTicker(time.Second)
	defer scrape.Stop()
	scrapes, errs := 0, 0
	nextFault, nextSample, faultOn := start.Add(30*time.Second), start.Add(time.Minute), false
	for time.Since(start) < duration {
		<-scrape.C
		for _, s := range m.Sources() {
			resp, err := http.Get(srv.URL + "/probe?target=" + s.Name)
			scrapes++
			if err != nil || resp.StatusCode != http.StatusOK {
				errs++
				if err == nil {
					resp.Body.Close()
				}
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if time.Now().After(nextFault) {
			faultOn = !faultOn
			for v, on := range faults {
				sims[v].ClearFaults()
				if !faultOn {
					continue
				}
				for name, value := range on {
					if err := sims[v].SetFault(name, value); err != nil {
						t.Fatal(err)
					}
				}
			}
			nextFault = nextFault.Add(30 * time.Second)
		}
		if time.Now().After(nextSample) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			samples = append(samples, sample{at: time.Since(start).Round(time.Second), goroutines: runtime.NumGoroutine(),
				files: openFiles(), heapMiB: float64(ms.HeapAlloc) / (1 << 20), rssMiB: procstat.MiB("VmRSS"),
				scrapes: scrapes, scrapeErrs: errs})
			nextSample = nextSample.Add(time.Minute)
		}
	}
	fmt.Println("| time | goroutines | heap MiB | RSS MiB | open files | scrapes (failed) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	for _, s := range samples {
		fmt.Printf("| %s | %d | %.1f | %.1f | %d | %d (%d) |\n", s.at, s.goroutines, s.heapMiB, s.rssMiB, s.files, s.scrapes, s.scrapeErrs)
	}
	if len(samples) >= 3 {
		first, last := samples[1], samples[len(samples)-1]
		if last.goroutines > first.goroutines+20 || last.files > first.files+20 || last.heapMiB > first.heapMiB*1.5+20 {
			t.Errorf("growth from %s to %s: goroutines %d→%d, open files %d→%d, heap %.1f→%.1f MiB",
				first.at, last.at, first.goroutines, last.goroutines, first.files, last.files, first.heapMiB, last.heapMiB)
		}
	}
	if errs > 0 {
		t.Errorf("%d of %d scrapes failed; a scrape never depends on the vendors", errs, scrapes)
	}
}
