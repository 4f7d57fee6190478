package collector_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"regexp"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// BenchmarkEncoders encodes the data of all four simulators at large size
// (BenchmarkLarge's: 280,000 series) with the sink's own encoder and with
// expfmt fed one family at a time from client_golang's model, the
// conversion included, each to a discarding buffer. It keeps the sink's
// encoder honest: BENCHMARKS.md, "The encoder alone".
func BenchmarkEncoders(b *testing.B) {
	sinks := largeSinks(b)
	series := 0
	for _, out := range sinks {
		series += out.Series()
	}
	perFamily := func(encode func(io.Writer, *dto.MetricFamily) error) func(io.Writer, *exposition.Sink) error {
		return func(w io.Writer, out *exposition.Sink) error {
			return out.EachFamily(func(mf *dto.MetricFamily) error { return encode(w, mf) })
		}
	}
	for _, tc := range []struct {
		name   string
		encode func(io.Writer, *exposition.Sink) error
	}{
		{"text/sink", func(w io.Writer, out *exposition.Sink) error { return out.Encode(w, exposition.FormatText) }},
		{"text/expfmt", perFamily(func(w io.Writer, mf *dto.MetricFamily) error { _, err := expfmt.MetricFamilyToText(w, mf); return err })},
		{"openmetrics/sink", func(w io.Writer, out *exposition.Sink) error { return out.Encode(w, exposition.FormatOpenMetrics) }},
		{"openmetrics/expfmt", perFamily(func(w io.Writer, mf *dto.MetricFamily) error {
			_, err := expfmt.MetricFamilyToOpenMetrics(w, mf)
			return err
		})},
		{"protobuf/expfmt", func(w io.Writer, out *exposition.Sink) error { return out.Encode(w, exposition.FormatProto) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			w := bufio.NewWriterSize(io.Discard, 64<<10)
			for b.Loop() {
				for _, out := range sinks {
					if err := tc.encode(w, out); err != nil {
						b.Fatal(err)
					}
				}
				_ = w.Flush()
			}
			b.ReportMetric(float64(series), "series")
		})
	}
}

// BenchmarkRender renders the data of all four simulators at large size,
// as a scrape after new data does before it encodes: the render's
// allocations are most of what the exporter allocates (BENCHMARKS.md,
// "The render").
func BenchmarkRender(b *testing.B) {
	sources := largeSources(b)
	b.ReportAllocs()
	series := 0
	for b.Loop() {
		series = 0
		for _, s := range sources {
			series += collector.Render(s).Series()
		}
	}
	b.ReportMetric(float64(series), "series")
}

// largeSinks renders the data of each of largeSources.
func largeSinks(b *testing.B) []*exposition.Sink {
	var sinks []*exposition.Sink
	for _, s := range largeSources(b) {
		sinks = append(sinks, collector.Render(s))
	}
	return sinks
}

// largeSources refreshes a source on each simulator at large size, with
// the simulated limits and the budgets lifted; they stop when b ends.
func largeSources(b *testing.B) []*collector.Source {
	b.Helper()
	var sims []*simulators.Simulator
	for _, v := range registry.Simulators.Vendors() {
		s, err := registry.Simulators.Start(v, simulators.Options{Seed: 1, Size: "large", Unlimited: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		sims = append(sims, s)
	}
	file, err := simulators.DemoConfig(b.TempDir(), sims)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	raw = regexp.MustCompile(`interval: \d+s`).ReplaceAll(raw, []byte("interval: 24h"))
	raw = regexp.MustCompile(`(?m)^  - name: (.*)\n`).ReplaceAll(raw,
		[]byte("  - name: $1\n    budget: {requests_per_second: 0, requests_per_hour: 100000000, requests_per_day: 100000000}\n"))
	cfg, err := config.Parse(raw, file)
	if err != nil {
		b.Fatal(err)
	}
	m := collector.NewManager(context.Background(), collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	if err := m.Apply(cfg); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Stop)
	for !m.Ready() {
		time.Sleep(50 * time.Millisecond)
	}
	return m.Sources()
}
