package benchmarks

import (
	"context"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/procstat"
)

// unpaced lifts a source's own budget, so the cycles run back to back.
var unpaced = regexp.MustCompile(`(?m)^  - name: (demo-\w+-1)\n`)

// BenchmarkRefreshCycles refreshes all four sources (medium size, the
// simulated limits and the budget's pacing lifted) NMS_BENCH_CYCLES times
// (1,000), each full refresh followed by a scrape of every source, and
// reports the heap after a GC, the goroutines and the RSS after the 100th
// cycle and after the last: growth between them is a leak.
func BenchmarkRefreshCycles(b *testing.B) {
	cycles := 1000
	if v, err := strconv.Atoi(os.Getenv("NMS_BENCH_CYCLES")); err == nil && v > 100 {
		cycles = v
	}
	host := startSimHost(b, "medium", true, "mist", "prime", "cxcloud", "nautobot")
	cfg := hostConfig(b, host, func(raw []byte) []byte {
		raw = unpaced.ReplaceAll(raw, []byte("  - name: $1\n    budget: {requests_per_second: 0, requests_per_hour: 100000000, requests_per_day: 100000000}\n"))
		return regexp.MustCompile(`(?m)^(    username: .*\n)`).ReplaceAll(raw, []byte("${1}    hold: 0s\n"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, srv := startExporter(ctx, b, cfg)

	type sample struct {
		heap, rss  float64
		goroutines int
	}
	measure := func() sample {
		// Twice: pooled buffers outlive one collection.
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return sample{heap: float64(ms.HeapAlloc) / (1 << 20), rss: procstat.MiB("VmRSS"), goroutines: runtime.NumGoroutine()}
	}
	var at100, last sample
	for b.Loop() {
		for i := 1; i <= cycles; i++ {
			for _, s := range m.Sources() {
				refreshSource(ctx, b, s)
			}
			for _, s := range m.Sources() {
				if _, err := scrape(srv.URL+"/probe?target="+s.Name, false); err != nil {
					b.Fatal(err)
				}
			}
			if i == 100 {
				at100 = measure()
			}
		}
		last = measure()
	}
	b.ReportMetric(at100.heap, "heap-MiB-100th")
	b.ReportMetric(last.heap, "heap-MiB-last")
	b.ReportMetric(float64(at100.goroutines), "goroutines-100th")
	b.ReportMetric(float64(last.goroutines), "goroutines-last")
	b.ReportMetric(at100.rss, "RSS-MiB-100th")
	b.ReportMetric(last.rss, "RSS-MiB-last")
	b.ReportMetric(float64(cycles), "cycles")
}
