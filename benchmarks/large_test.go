package benchmarks

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/procstat"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/vendors/cxcloud"
	"github.com/nmsexporter/nms_exporter/vendors/mist"
	"github.com/nmsexporter/nms_exporter/vendors/nautobot"
	"github.com/nmsexporter/nms_exporter/web"
)

// BenchmarkLarge runs the exporter against the simulators at large size,
// each vendor alone and then all four in one process: Mist 1,000 sites,
// 10,000 devices, 100,000 clients; Prime 5,000 APs, 60,000 clients;
// CX Cloud 20,000 devices; Nautobot 20,000 devices. The simulators run in a
// process of their own, so the memory figures are the exporter's.
//
// First it reports each vendor's calls in the background loops' first
// refresh against the page-count minimum (<vendor>-first-calls and
// <vendor>-min-calls), and fails when they are more. Then, per iteration,
// it refreshes every collection of every source at once, as the background
// loops do, then scrapes /probe 200 times in all while
// every source keeps refreshing without pause. It reports:
//
//   - calls: API calls of the full refresh, all sources;
//   - refresh-s: its wall time;
//   - ratio: that wall time over the time the calls need upstream, the
//     larger of calls x median serve time / concurrency in force (summed
//     over sources refreshing side by side, taking the slowest) and the
//     pace the configured budget sets (requests a second, holds);
//   - series, scrape-p50-ms, scrape-p99-ms;
//   - peak-RSS-MiB: the exporter's peak RSS from before it started.
//
// With NMS_BENCH_HEAPPROFILE set to a file, it writes there the heap
// profile of the highest live heap. NMS_BENCH_CX_PLAN (bulk, the default,
// or lists) sets CX Cloud's plan.
func BenchmarkLarge(b *testing.B) {
	for _, vendors := range [][]string{{"mist"}, {"prime"}, {"cxcloud"}, {"nautobot"}, {"mist", "prime", "cxcloud", "nautobot"}} {
		name := vendors[0]
		if len(vendors) > 1 {
			name = "all"
		}
		b.Run(name, func(b *testing.B) { benchLarge(b, vendors) })
	}
}

// cxPlanEnv names CX Cloud's plan for BenchmarkLarge.
const cxPlanEnv = "NMS_BENCH_CX_PLAN"

// longIntervals keeps the background loops to their first refresh: the
// benchmark does its own.
var longIntervals = regexp.MustCompile(`interval: \d+s`)

func benchLarge(b *testing.B, vendors []string) {
	host := startSimHost(b, "large", false, vendors...)
	raw, err := os.ReadFile(host.config)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Parse(longIntervals.ReplaceAll(raw, []byte("interval: 24h")), host.config)
	if err != nil {
		b.Fatal(err)
	}
	if plan := os.Getenv(cxPlanEnv); plan != "" {
		if plan != config.CXCloudPlanBulk && plan != config.CXCloudPlanLists {
			b.Fatalf("%s=%q: want %s or %s", cxPlanEnv, plan, config.CXCloudPlanBulk, config.CXCloudPlanLists)
		}
		for i := range cfg.CXCloud {
			cfg.CXCloud[i].Plan = plan
		}
	}

	runtime.GC()
	debug.FreeOSMemory()
	if err := procstat.ResetPeak(); err != nil {
		b.Logf("peak RSS cannot be reset (%v); it counts from the process start", err)
	}
	stopProfile := heapProfileAtPeak(b)
	defer stopProfile()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	m := collector.NewManager(ctx, collector.Options{Logger: logger, Vendors: registry.Vendors})
	if err := m.Apply(cfg); err != nil {
		b.Fatal(err)
	}
	defer m.Stop()
	for !m.Ready() {
		time.Sleep(50 * time.Millisecond)
	}
	first := checkFirstRefresh(ctx, b, host, cfg, m)
	srv := httptest.NewServer(web.ProbeHandler(m, logger))
	defer srv.Close()

	refreshAll := func(s *collector.Source) { refreshSource(ctx, b, s) }
	var refreshWall, upstream time.Duration
	var latencies []time.Duration
	calls, series := 0, 0
	perScrape := 200 / len(m.Sources())
	for b.Loop() {
		host.reset(b)
		start := time.Now()
		var wg sync.WaitGroup
		for _, s := range m.Sources() {
			wg.Go(func() { refreshAll(s) })
		}
		wg.Wait()
		refreshWall += time.Since(start)
		st := host.stats(b)
		var need time.Duration
		for _, sc := range cfg.Sources() {
			v := sc.VendorName()
			calls += st.Calls[v]
			need = max(need, upstreamTime(sc, st.Calls[v], st.Median[v]))
		}
		upstream += need

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
			for i := range perScrape {
				t0 := time.Now()
				n, err := scrape(srv.URL+"/probe?target="+s.Name, i == 0)
				if err != nil {
					b.Fatal(err)
				}
				latencies = append(latencies, time.Since(t0))
				if i == 0 {
					series += n
				}
			}
		}
		stop()
		bg.Wait()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(calls)/n, "calls")
	b.ReportMetric(refreshWall.Seconds()/n, "refresh-s")
	b.ReportMetric(refreshWall.Seconds()/upstream.Seconds(), "ratio")
	b.ReportMetric(float64(series), "series")
	b.ReportMetric(ms(quantile(latencies, 0.5)), "scrape-p50-ms")
	b.ReportMetric(ms(quantile(latencies, 0.99)), "scrape-p99-ms")
	b.ReportMetric(procstat.MiB("VmHWM"), "peak-RSS-MiB")
	for unit, v := range first {
		b.ReportMetric(v, unit)
	}
}

// checkFirstRefresh fails b when a vendor's calls in the exporter's first
// refresh, the background loops starting every collection within a
// second, are more than its page-count minimum. It returns both as
// metrics, to report once the loop has reset b's.
func checkFirstRefresh(ctx context.Context, b *testing.B, host *simHost, cfg *config.Config, m *collector.Manager) map[string]float64 {
	first := host.stats(b).Calls
	minimum := map[string]int{}
	for _, sc := range cfg.Sources() {
		minimum[sc.VendorName()] += pageMinimum(ctx, b, host, m, sc)
	}
	metrics := map[string]float64{}
	for v, want := range minimum {
		metrics[v+"-first-calls"], metrics[v+"-min-calls"] = float64(first[v]), float64(want)
		if first[v] > want {
			b.Errorf("%s: the first refresh made %d calls; the page-count minimum is %d", v, first[v], want)
		}
	}
	return metrics
}

// pageMinimum is the fewest calls a first refresh of a source can make, as
// the vendor's client works it out from the totals of its lists. It asks
// within the source's budget, so that the simulators' rate limits see the
// exporter's pace.
func pageMinimum(ctx context.Context, b *testing.B, host *simHost, m *collector.Manager, sc config.Source) int {
	b.Helper()
	s, ok := m.Source(sc.SourceCommon().Name)
	if !ok {
		b.Fatalf("no source %s", sc.SourceCommon().Name)
	}
	var c interface {
		PageMinimum(context.Context) (int, error)
		Close()
	}
	var err error
	extra := 0
	switch cfg := sc.(type) {
	case *config.Mist:
		mc, err := mist.New(cfg, mist.Options{Budget: s.Budget})
		if err != nil {
			b.Fatal(err)
		}
		// The stream's handshakes are calls too, made once the sites are known.
		sites, err := mc.KeptSiteIDs(ctx)
		if err != nil {
			b.Fatal(err)
		}
		extra, c = mist.StreamConnections(cfg, len(sites)), mc
	case *config.CXCloud:
		c, err = cxcloud.New(cfg, cxcloud.Options{Budget: s.Budget})
	case *config.Nautobot:
		c, err = nautobot.New(cfg, nautobot.Options{Budget: s.Budget})
	case *config.Prime:
		// No Prime collection reads another's data, so each refreshed
		// alone makes its page-count minimum, which BenchmarkRefreshLarge
		// in vendors/primeinfra holds it to.
		host.reset(b)
		for _, st := range s.Status() {
			if err := s.Refresh(ctx, st.Collection); err != nil {
				b.Fatal(err)
			}
		}
		return host.stats(b).Calls[sc.VendorName()]
	default:
		b.Fatalf("no page-count minimum for %s sources", sc.VendorName())
	}
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	n, err := c.PageMinimum(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return n + extra
}

// refreshSource refreshes every collection of s at once, as the
// background loops do.
func refreshSource(ctx context.Context, b *testing.B, s *collector.Source) {
	var wg sync.WaitGroup
	for _, st := range s.Status() {
		wg.Go(func() {
			if err := s.Refresh(ctx, st.Collection); err != nil && ctx.Err() == nil {
				b.Errorf("%s %s: %v", s.Name, st.Collection, err)
			}
		})
	}
	wg.Wait()
}

// upstreamTime is how long calls to a source must take upstream: the
// requests in flight at once each take the median serve time, and the
// budget paces them to its requests a second and holds after each burst.
func upstreamTime(sc config.Source, calls int, median time.Duration) time.Duration {
	if calls == 0 {
		return 0
	}
	c := sc.SourceCommon().Budget
	conc := max(c.Concurrency, 1)
	network := time.Duration(calls) * median / time.Duration(conc)
	var pace time.Duration
	if c.RequestsPerSecond > 0 {
		pace = time.Duration(float64(calls-1) / c.RequestsPerSecond * float64(time.Second))
	}
	if p, ok := sc.(*config.Prime); ok {
		// A burst of conc requests, then a hold, ...
		bursts := int(math.Ceil(float64(calls) / float64(conc)))
		pace = time.Duration(bursts-1)*time.Duration(p.Hold) + time.Duration(bursts)*median
	}
	return max(network, pace)
}

// scraper asks for gzip as Prometheus does, and keeps the answer as it
// comes: the latency is the exporter's, without the scraper's own
// decompressing and parsing.
var scraper = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// scrape GETs url, reading the whole answer, and counts the series in it
// when asked.
func scrape(url string, count bool) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := scraper.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", url, resp.Status)
	}
	if !count {
		_, err = io.Copy(io.Discard, resp.Body)
		return 0, err
	}
	body := io.Reader(resp.Body)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return 0, err
		}
		body = zr
	}
	c := seriesCounter{lineStart: true}
	_, err = io.Copy(&c, body)
	return c.series, err
}

// seriesCounter counts the lines that are not comments.
type seriesCounter struct {
	series    int
	lineStart bool
}

func (c *seriesCounter) Write(p []byte) (int, error) {
	for _, ch := range p {
		if c.lineStart && ch != '#' && ch != '\n' {
			c.series++
		}
		c.lineStart = ch == '\n'
	}
	return len(p), nil
}

func quantile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
