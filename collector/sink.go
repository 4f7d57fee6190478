package collector

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// family is one data metric family: its Desc for the registry's checks and
// what the text encoder needs without going through one. Every data family
// is a gauge.
type family struct {
	desc   *prometheus.Desc
	name   string
	help   string
	labels []string
	// order lists the label indexes by label name: the text format, like
	// client_golang, writes labels sorted by name.
	order []int
}

func newFamily(name, help string, labels ...string) *family {
	f := &family{
		desc:   desc(name, help, labels...),
		name:   namespace + "_" + name,
		help:   help,
		labels: labels,
		order:  make([]int, len(labels)),
	}
	for i := range f.order {
		f.order[i] = i
	}
	slices.SortFunc(f.order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	return f
}

// sample is one series of a family: its label values in the family's
// label order.
type sample struct {
	labels []string
	value  float64
}

// sink takes a source's data series as a render emits them. It encodes
// them as exposition text itself: at a few hundred thousand series, const
// metrics and a registry's gathering cost more memory than the data they
// show. Collect hands the same series to client_golang instead.
type sink struct {
	families   map[*family][]sample
	duplicates int
}

func newSink() *sink { return &sink{families: map[*family][]sample{}} }

// gauge adds one series to f. Labels are the family's, in its order.
func (s *sink) gauge(f *family, v float64, labels ...string) {
	s.families[f] = append(s.families[f], sample{labels: labels, value: v})
}

// sorted returns the families by name, each with its samples ordered as
// client_golang orders them (by label values, labels by name) and any
// series a render emitted twice dropped and counted.
func (s *sink) sorted() []*family {
	fams := make([]*family, 0, len(s.families))
	for f, samples := range s.families {
		slices.SortFunc(samples, func(a, b sample) int {
			for _, i := range f.order {
				if c := cmp.Compare(a.labels[i], b.labels[i]); c != 0 {
					return c
				}
			}
			return 0
		})
		kept := slices.CompactFunc(samples, func(a, b sample) bool { return slices.Equal(a.labels, b.labels) })
		s.duplicates += len(samples) - len(kept)
		s.families[f] = kept
		fams = append(fams, f)
	}
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	return fams
}

// gzipped encodes the series as text compressed with gzip. A large
// source's text runs to tens of megabytes and compresses about tenfold;
// it is kept this way and sent this way to scrapers that take gzip, as
// Prometheus does.
func (s *sink) gzipped() ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if err := s.write(zw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write encodes the series to w in the text exposition format, as expfmt
// does.
func (s *sink) write(w io.Writer) error {
	buf := bufio.NewWriterSize(w, 64<<10)
	for _, f := range s.sorted() {
		buf.WriteString("# HELP ")
		buf.WriteString(f.name)
		buf.WriteByte(' ')
		_, _ = helpEscaper.WriteString(buf, f.help)
		buf.WriteString("\n# TYPE ")
		buf.WriteString(f.name)
		buf.WriteString(" gauge\n")
		for _, sm := range s.families[f] {
			buf.WriteString(f.name)
			if len(f.order) > 0 {
				buf.WriteByte('{')
				for n, i := range f.order {
					if n > 0 {
						buf.WriteByte(',')
					}
					buf.WriteString(f.labels[i])
					buf.WriteString(`="`)
					writeLabelValue(buf, sm.labels[i])
					buf.WriteByte('"')
				}
				buf.WriteByte('}')
			}
			buf.WriteByte(' ')
			buf.Write(appendFloat(buf.AvailableBuffer(), sm.value))
			buf.WriteByte('\n')
		}
	}
	return buf.Flush()
}

// Collect hands every series to ch as a const metric.
func (s *sink) Collect(ch chan<- prometheus.Metric) {
	for _, f := range s.sorted() {
		for _, sm := range s.families[f] {
			ch <- prometheus.MustNewConstMetric(f.desc, prometheus.GaugeValue, sm.value, validLabels(sm.labels)...)
		}
	}
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// writeLabelValue writes v escaped for the text format. A value that is
// not UTF-8 (an API's broken string) has its bad bytes replaced, as
// Prometheus would refuse the scrape.
func writeLabelValue(buf *bufio.Writer, v string) {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	if strings.ContainsAny(v, "\\\n\"") {
		labelEscaper.WriteString(buf, v)
		return
	}
	buf.WriteString(v)
}

func validLabels(labels []string) []string {
	for i, v := range labels {
		if !utf8.ValidString(v) {
			labels = slices.Clone(labels)
			labels[i] = strings.ToValidUTF8(v, "\uFFFD")
		}
	}
	return labels
}

// appendFloat formats v as the text format does.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case v == 1:
		return append(b, '1')
	case v == 0:
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
