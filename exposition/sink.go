package exposition

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Family is one data metric family: what the encoders need of it. A data
// family is a gauge, or a counter where the vendor reports a cumulative
// count (interface bytes), so that rate() reads it as one.
type Family struct {
	name    string
	help    string
	labels  []string
	counter bool
	// order lists the label indexes by label name: the exposition formats,
	// like client_golang, write labels sorted by name.
	order []int
}

// NewFamily declares a data family: its name (without the namespace), its
// help and its label names. A name or label outside the legacy character
// set, or a label named twice, is a programming error and panics.
func NewFamily(name, help string, labels ...string) *Family {
	f := &Family{
		name:   Namespace + "_" + name,
		help:   help,
		labels: labels,
		order:  make([]int, len(labels)),
	}
	// The encoders write names as they are, which every Format reads
	// alike only for names in the legacy character set.
	if !model.LegacyValidation.IsValidMetricName(f.name) {
		panic(fmt.Sprintf("metric name %q is not in the legacy character set", f.name))
	}
	for i, l := range labels {
		if !model.LegacyValidation.IsValidLabelName(l) || slices.Index(labels, l) != i {
			panic(fmt.Sprintf("%s: label name %q is invalid or repeated", f.name, l))
		}
		f.order[i] = i
	}
	slices.SortFunc(f.order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	return f
}

// NewCounter declares a counter family, whose name ends in _total as
// OpenMetrics requires; any other name is a programming error and panics.
func NewCounter(name, help string, labels ...string) *Family {
	if !strings.HasSuffix(name, "_total") {
		panic(fmt.Sprintf("counter name %q does not end in _total", name))
	}
	f := NewFamily(name, help, labels...)
	f.counter = true
	return f
}

// sample is one series of a family: its label values are the ids at
// labels[at:at+len(f.labels)] of its sink, in the family's label order.
type sample struct {
	at    int
	value float64
}

// lastSeen is how many label positions a sink remembers the last value
// and id of: consecutive series mostly share their first labels (a
// device's families, one after the other), which then cost no lookup.
const lastSeen = 4

// Sink takes a source's data series as a render emits them, and encodes
// them itself: at a few hundred thousand series, client_golang's metric
// model costs more memory and time than the text it makes
// (BENCHMARKS.md, "The encoder alone"). A sink keeps each distinct label
// value once and a series' labels as ids of four bytes: a string's
// header alone is sixteen, and a render's values repeat (a device's name
// on each of its families). A render of the large Mist organisation holds
// 9 MiB so, 30 MiB with the labels kept as strings.
type Sink struct {
	families   map[*Family][]sample
	labels     []uint32          // the series' label ids, each series' in a run
	values     []string          // distinct label values, by id
	ids        map[string]uint32 // id of each value
	last       [lastSeen]string  // the label values of the last series, as given
	lastID     [lastSeen]uint32
	lastN      int       // how many of last are set
	sorted     []*Family // by name, once sort has run
	duplicates int
}

// NewSink returns an empty sink.
func NewSink() *Sink { return &Sink{families: map[*Family][]sample{}, ids: map[string]uint32{}} }

// Sizes is what a render held, for NewSinkSized to make room for the
// next render of the same source at once.
type Sizes struct {
	families map[*Family]int // series of each family
	values   int             // distinct label values
}

// NewSinkSized returns an empty sink with room for the series of each
// family and the label values in sizes (as Sizes reported of a render of
// the same source), so that a render of much the same data allocates each
// family once.
func NewSinkSized(sizes Sizes) *Sink {
	s := &Sink{families: make(map[*Family][]sample, len(sizes.families))}
	labels := 0
	for f, n := range sizes.families {
		n += n/32 + 8 // room for a little growth before a family's slice doubles
		s.families[f] = make([]sample, 0, n)
		labels += n * len(f.labels)
	}
	values := sizes.values + sizes.values/32 + 8
	s.labels = make([]uint32, 0, labels)
	s.values = make([]string, 0, values)
	s.ids = make(map[string]uint32, values)
	return s
}

// Sizes counts the series of each family and the label values, for
// NewSinkSized.
func (s *Sink) Sizes() Sizes {
	sizes := Sizes{families: make(map[*Family]int, len(s.families)), values: len(s.values)}
	for f, samples := range s.families {
		sizes.families[f] = len(samples)
	}
	return sizes
}

// Gauge adds one series to f. Labels are the family's, in its order; the
// sink keeps their values. A value that is not UTF-8 (an API's broken
// string) has its bad bytes replaced, as Prometheus refuses a scrape with
// one; it is done here so that two values mended alike count as one
// series. Labels of another number than the family's are a programming
// error and panic.
func (s *Sink) Gauge(f *Family, v float64, labels ...string) {
	if len(labels) != len(f.labels) {
		panic(fmt.Sprintf("%s: %d label values for %d labels", f.name, len(labels), len(f.labels)))
	}
	at := len(s.labels)
	for i, l := range labels {
		if i < s.lastN && l == s.last[i] {
			s.labels = append(s.labels, s.lastID[i])
			continue
		}
		id := s.id(l)
		s.labels = append(s.labels, id)
		if i < lastSeen {
			s.last[i], s.lastID[i] = l, id
		}
	}
	s.lastN = min(len(labels), lastSeen)
	s.families[f] = append(s.families[f], sample{at: at, value: v})
}

// id returns the id of a label value, mended if it is not UTF-8, giving
// it one if it has none.
func (s *Sink) id(l string) uint32 {
	if !utf8.ValidString(l) {
		l = strings.ToValidUTF8(l, "\uFFFD")
	}
	if id, ok := s.ids[l]; ok {
		return id
	}
	id := uint32(len(s.values))
	s.values = append(s.values, l)
	s.ids[l] = id
	return id
}

// Counter adds one series to a counter family, as Gauge does.
func (s *Sink) Counter(f *Family, v float64, labels ...string) { s.Gauge(f, v, labels...) }

// Sort orders the families by name, and each one's samples as
// client_golang orders them (by label values, labels by name), and drops
// and counts any series a render emitted twice. Of two, the lower value
// (by compareValues) stays, so every encoding of the same data keeps the
// same one.
func (s *Sink) Sort() {
	s.sorted = s.sorted[:0]
	for f, samples := range s.families {
		k := len(f.labels)
		bySeries := func(a, b sample) int {
			for _, i := range f.order {
				// One id per value: different ids are different values.
				if x, y := s.labels[a.at+i], s.labels[b.at+i]; x != y {
					return strings.Compare(s.values[x], s.values[y])
				}
			}
			return compareValues(a.value, b.value)
		}
		// Many renders emit a family in order already: a check is a
		// fraction of a sort.
		if !slices.IsSortedFunc(samples, bySeries) {
			slices.SortFunc(samples, bySeries)
		}
		kept := slices.CompactFunc(samples, func(a, b sample) bool {
			return slices.Equal(s.labels[a.at:a.at+k], s.labels[b.at:b.at+k])
		})
		s.duplicates += len(samples) - len(kept)
		s.families[f] = kept
		s.sorted = append(s.sorted, f)
	}
	slices.SortFunc(s.sorted, func(a, b *Family) int { return strings.Compare(a.name, b.name) })
}

// Duplicates counts the series a render emitted twice, dropped by Sort.
func (s *Sink) Duplicates() int { return s.duplicates }

// Series counts the series kept, once Sort has run.
func (s *Sink) Series() int {
	n := 0
	for _, samples := range s.families {
		n += len(samples)
	}
	return n
}

// protoFormat encodes the data families: every name is in the legacy
// character set, so no scheme would escape one, and none is asked for.
var protoFormat = expfmt.FmtProtoDelim + "; escaping=" + expfmt.Format(model.AllowUTF8)

// Encode writes the sorted series in format f: the text formats by the
// sink's own encoder, protobuf by expfmt one family at a time. The data
// come last in an answer, so OpenMetrics' "# EOF" ends them.
func (s *Sink) Encode(w io.Writer, f Format) error {
	switch f {
	case FormatProto:
		enc := expfmt.NewEncoder(w, protoFormat)
		for _, fam := range s.sorted {
			if err := enc.Encode(s.metricFamily(fam)); err != nil {
				return err
			}
		}
		return nil
	case FormatOpenMetrics:
		if err := s.writeText(w, true); err != nil {
			return err
		}
		_, err := io.WriteString(w, "# EOF\n")
		return err
	}
	return s.writeText(w, false)
}

// compareValues orders values as cmp.Compare does, and those it holds
// equal (0 and -0, NaNs) by their bits, which protobuf keeps.
func compareValues(a, b float64) int {
	if c := cmp.Compare(a, b); c != 0 {
		return c
	}
	return cmp.Compare(math.Float64bits(a), math.Float64bits(b))
}

// writeText encodes the sorted series as expfmt does: in the Prometheus
// text Format, or in OpenMetrics' when om is set (the final "# EOF" is the
// caller's, as with expfmt). The two differ for gauges only in how HELP
// escapes a double quote and how a number is written.
func (s *Sink) writeText(w io.Writer, om bool) error {
	help, value := textHelp, appendFloat
	if om {
		help, value = labelEscaper, appendOpenMetricsFloat
	}
	buf := bufio.NewWriterSize(w, 64<<10)
	for _, f := range s.sorted {
		// OpenMetrics names a counter family without its _total, which
		// its samples keep.
		family, kind := f.name, " gauge\n"
		if f.counter {
			kind = " counter\n"
			if om {
				family = strings.TrimSuffix(family, "_total")
			}
		}
		buf.WriteString("# HELP ")
		buf.WriteString(family)
		buf.WriteByte(' ')
		_, _ = help.WriteString(buf, f.help)
		buf.WriteString("\n# TYPE ")
		buf.WriteString(family)
		buf.WriteString(kind)
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
					writeLabelValue(buf, s.values[s.labels[sm.at+i]])
					buf.WriteByte('"')
				}
				buf.WriteByte('}')
			}
			buf.WriteByte(' ')
			buf.Write(value(buf.AvailableBuffer(), sm.value))
			buf.WriteByte('\n')
		}
	}
	return buf.Flush()
}

// EachFamily calls f with each family in client_model's form, in name
// order, once Sort has run: what expfmt and client_golang's tools read.
func (s *Sink) EachFamily(f func(*dto.MetricFamily) error) error {
	for _, fam := range s.sorted {
		if err := f(s.metricFamily(fam)); err != nil {
			return err
		}
	}
	return nil
}

// metricFamily returns f's sorted series in client_golang's model, for
// expfmt's encoders. The model points into the sink, so it is valid
// while the sink is; it is made one family at a time, in few allocations,
// as the largest runs to a hundred thousand series.
func (s *Sink) metricFamily(f *Family) *dto.MetricFamily {
	samples := s.families[f]
	k := len(f.labels)
	metrics := make([]dto.Metric, len(samples))
	var gauges []dto.Gauge
	var counters []dto.Counter
	typ := dto.MetricType_GAUGE
	if f.counter {
		counters, typ = make([]dto.Counter, len(samples)), dto.MetricType_COUNTER
	} else {
		gauges = make([]dto.Gauge, len(samples))
	}
	pairs := make([]dto.LabelPair, len(samples)*k)
	pointers := make([]*dto.LabelPair, len(samples)*k)
	mf := &dto.MetricFamily{Name: &f.name, Help: &f.help, Type: typ.Enum(),
		Metric: make([]*dto.Metric, len(samples))}
	for i := range samples {
		sm := &samples[i]
		m := &metrics[i]
		if f.counter {
			counters[i].Value = &sm.value
			m.Counter = &counters[i]
		} else {
			gauges[i].Value = &sm.value
			m.Gauge = &gauges[i]
		}
		m.Label = pointers[i*k : (i+1)*k : (i+1)*k]
		for n, j := range f.order {
			p := &pairs[i*k+n]
			p.Name, p.Value = &f.labels[j], &s.values[s.labels[sm.at+j]]
			m.Label[n] = p
		}
		mf.Metric[i] = m
	}
	return mf
}

var (
	textHelp     = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// writeLabelValue writes v escaped for the text formats.
func writeLabelValue(buf *bufio.Writer, v string) {
	if strings.ContainsAny(v, "\\\n\"") {
		_, _ = labelEscaper.WriteString(buf, v)
		return
	}
	buf.WriteString(v)
}

// appendFloat formats v as the text Format does.
func appendFloat(b []byte, v float64) []byte {
	switch v {
	case 1:
		return append(b, '1')
	case 0:
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendOpenMetricsFloat formats v as OpenMetrics does: a whole number
// keeps a ".0".
func appendOpenMetricsFloat(b []byte, v float64) []byte {
	switch {
	case v == 0:
		return append(b, "0.0"...)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	n := len(b)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	if !bytes.ContainsAny(b[n:], "e.") {
		b = append(b, '.', '0')
	}
	return b
}
