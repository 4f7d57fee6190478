package benchmarks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/procstat"
)

// BenchmarkScrapers runs all four sources at large size, each refreshing
// every collection every second (or as soon as the last refresh ends),
// and scrapes them with 1, 10 and 50 scrapers at once, each asking for
// gzip as Prometheus does, reading whole answers back to back and taking
// the targets in turn, for NMS_BENCH_SCRAPE_TIME (20s) per count. It
// reports for each count the scrape-p50-ms, scrape-p99-ms, scrapes-per-s
// and the process's peak-RSS-MiB from the count's start (the scrapers
// run in the exporter's process; the simulators in their own).
func BenchmarkScrapers(b *testing.B) {
	span := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("NMS_BENCH_SCRAPE_TIME")); err == nil {
		span = d
	}
	host := startSimHost(b, "large", false, "mist", "prime", "cxcloud", "nautobot")
	cfg := hostConfig(b, host, func(raw []byte) []byte { return raw })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, srv := startExporter(ctx, b, cfg)
	var targets []string
	for _, s := range m.Sources() {
		targets = append(targets, srv.URL+"/probe?target="+s.Name)
		for !s.Settled() {
			time.Sleep(50 * time.Millisecond)
		}
	}

	var refreshing sync.WaitGroup
	defer func() {
		cancel()
		refreshing.Wait()
	}()
	for _, s := range m.Sources() {
		refreshing.Go(func() {
			for ctx.Err() == nil {
				next := time.Now().Add(time.Second)
				refreshSource(ctx, b, s)
				select {
				case <-time.After(time.Until(next)):
				case <-ctx.Done():
				}
			}
		})
	}

	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("scrapers-%d", n), func(b *testing.B) {
			var latencies []time.Duration
			for b.Loop() {
				runtime.GC()
				debug.FreeOSMemory()
				if err := procstat.ResetPeak(); err != nil {
					b.Logf("peak RSS cannot be reset (%v); it counts from the process start", err)
				}
				latencies = scrapeTogether(b, targets, n, span)
			}
			b.ReportMetric(ms(quantile(latencies, 0.5)), "scrape-p50-ms")
			b.ReportMetric(ms(quantile(latencies, 0.99)), "scrape-p99-ms")
			b.ReportMetric(float64(len(latencies))/span.Seconds(), "scrapes-per-s")
			b.ReportMetric(procstat.MiB("VmHWM"), "peak-RSS-MiB")
		})
	}
}

// scrapeTogether runs n scrapers for span and returns every scrape's
// latency, the whole answer read.
func scrapeTogether(b *testing.B, targets []string, n int, span time.Duration) []time.Duration {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	stop := time.Now().Add(span)
	for i := range n {
		wg.Go(func() {
			var mine []time.Duration
			for j := i; time.Now().Before(stop); j++ {
				t0 := time.Now()
				if err := scrapeOnce(targets[j%len(targets)]); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

// keepAlive asks for gzip and leaves the answer compressed, as the
// scrape in BenchmarkLarge does, and keeps a connection per scraper, as
// Prometheus keeps one per target.
var keepAlive = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}

// scrapeOnce GETs url in gzip and reads the whole answer.
func scrapeOnce(url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := keepAlive.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		return fmt.Errorf("%s: %s, Content-Encoding %q", url, resp.Status, resp.Header.Get("Content-Encoding"))
	}
	return nil
}
