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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/vendors/simulators"
)

// large starts the four simulators at large size: Mist 1,000 sites, 10,000
// devices, 100,000 clients; Prime 5,000 APs, 60,000 clients, 20,000
// alarms; CX Cloud 20,000 devices; Nautobot 20,000 devices.
func large(b *testing.B) (map[string]*simulators.Simulator, string) {
	b.Helper()
	sims := map[string]*simulators.Simulator{}
	for _, v := range []string{"mist", "prime", "cxcloud", "nautobot"} {
		s, err := simulators.Start(v, simulators.Options{Seed: 1, Size: "large"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		sims[v] = s
	}
	dir := b.TempDir()
	file, err := simulators.DemoConfig(dir, []*simulators.Simulator{sims["mist"], sims["prime"], sims["cxcloud"], sims["nautobot"]})
	if err != nil {
		b.Fatal(err)
	}
	return sims, file
}

func quantile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// BenchmarkAllLarge runs all four large sources in one process. Per
// iteration it refreshes every collection of every source (the sources in
// parallel), then scrapes each source's /probe 50 times (200 in all) while every
// source keeps refreshing. It reports the refresh wall time, the series
// each scrape serves, the scrape latency p50 and p99 across all scrapes,
// and the peak RSS; the simulators run in the same process, so sim-MiB is
// the RSS once they are built, before the exporter starts.
func BenchmarkAllLarge(b *testing.B) {
	sims, file := large(b)
	runtime.GC()
	simRSS := procstat.MiB("VmRSS")
	cfg, err := config.Load(file)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := collector.NewManager(ctx, collector.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := m.Apply(cfg); err != nil {
		b.Fatal(err)
	}
	defer m.Stop()
	srv := httptest.NewServer(collector.ProbeHandler(m, slog.New(slog.DiscardHandler)))
	defer srv.Close()

	refreshAll := func(s *collector.Source) {
		for _, st := range s.Status() {
			_ = s.Refresh(ctx, st.Collection)
		}
	}
	var refreshWall time.Duration
	var latencies []time.Duration
	series := 0
	b.ResetTimer()
	for b.Loop() {
		for _, s := range sims {
			s.ResetCalls()
		}
		start := time.Now()
		var wg sync.WaitGroup
		for _, s := range m.Sources() {
			wg.Go(func() { refreshAll(s) })
		}
		wg.Wait()
		refreshWall += time.Since(start)

		// Scrapes while every source refreshes again.
		busy, stop := context.WithCancel(ctx)
		var bg sync.WaitGroup
		for _, s := range m.Sources() {
			bg.Go(func() {
				for busy.Err() == nil {
					refreshAll(s)
				}
			})
		}
		series = 0
		for _, s := range m.Sources() {
			for i := range 50 {
				t0 := time.Now()
				resp, err := http.Get(srv.URL + "/probe?target=" + s.Name)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				latencies = append(latencies, time.Since(t0))
				if i == 0 {
					for _, l := range strings.Split(string(body), "\n") {
						if l != "" && l[0] != '#' {
							series++
						}
					}
				}
			}
		}
		stop()
		bg.Wait()
	}
	b.StopTimer()
	report := fmt.Sprintf("calls in the last refreshes:")
	for v, s := range sims {
		report += fmt.Sprintf(" %s=%d", v, s.Calls())
	}
	fmt.Fprintln(os.Stderr, report)
	b.ReportMetric(refreshWall.Seconds()/float64(b.N), "refresh-s")
	b.ReportMetric(float64(series), "series")
	b.ReportMetric(float64(quantile(latencies, 0.5).Microseconds())/1000, "scrape-p50-ms")
	b.ReportMetric(float64(quantile(latencies, 0.99).Microseconds())/1000, "scrape-p99-ms")
	b.ReportMetric(simRSS, "sim-MiB")
	b.ReportMetric(procstat.MiB("VmHWM"), "peak-RSS-MiB")
}
