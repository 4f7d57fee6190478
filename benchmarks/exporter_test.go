package benchmarks

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/web"
)

// hostConfig reads the config the simulator process wrote, with every
// interval set to a day (the benchmarks refresh on their own) and then
// rewritten as a benchmark needs.
func hostConfig(b *testing.B, host *simHost, rewrite func(raw []byte) []byte) *config.Config {
	b.Helper()
	raw, err := os.ReadFile(host.config)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Parse(rewrite(longIntervals.ReplaceAll(raw, []byte("interval: 24h"))), host.config)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// startExporter runs the sources of cfg until the benchmark ends, and
// serves their /probe once every source has tried its first refresh.
func startExporter(ctx context.Context, b *testing.B, cfg *config.Config) (*collector.Manager, *httptest.Server) {
	b.Helper()
	logger := slog.New(slog.DiscardHandler)
	m := collector.NewManager(ctx, collector.Options{Logger: logger, Vendors: registry.Vendors})
	if err := m.Apply(cfg); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Stop)
	for !m.Ready() {
		time.Sleep(50 * time.Millisecond)
	}
	srv := httptest.NewServer(web.ProbeHandler(m, logger))
	b.Cleanup(srv.Close)
	return m, srv
}
