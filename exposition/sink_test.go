package exposition

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// emitted is one series as a render hands it to the sink.
type emitted struct {
	f      *Family
	value  float64
	labels []string
}

// clientGolang encodes series as client_golang would serve them: const
// metrics in a registry, gathered, and written by expfmt. Bad UTF-8 is
// mended and a series emitted twice kept once, with its lower value by
// compareValues, as the sink promises; the rest is the library's own.
func clientGolang(t testing.TB, series []emitted, f expfmt.Format) []byte {
	t.Helper()
	type key struct {
		f      *Family
		labels string
	}
	kept := map[key]emitted{}
	var order []key
	for _, e := range series {
		labels := make([]string, len(e.labels))
		for i, l := range e.labels {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
		k := key{e.f, strings.Join(labels, "\xff")}
		if old, ok := kept[k]; ok && compareValues(old.value, e.value) <= 0 {
			continue
		} else if !ok {
			order = append(order, k)
		}
		kept[k] = emitted{f: e.f, value: e.value, labels: labels}
	}
	descs := map[*Family]*prometheus.Desc{}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(collectorFunc(func(ch chan<- prometheus.Metric) {
		for _, k := range order {
			e := kept[k]
			d, ok := descs[e.f]
			if !ok {
				d = prometheus.NewDesc(e.f.name, e.f.help, e.f.labels, nil)
				descs[e.f] = d
			}
			vt := prometheus.GaugeValue
			if e.f.counter {
				vt = prometheus.CounterValue
			}
			ch <- prometheus.MustNewConstMetric(d, vt, e.value, e.labels...)
		}
	}))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("client_golang refuses the series: %v", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, f)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.(expfmt.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// collectorFunc is an unchecked collector: it describes nothing.
type collectorFunc func(chan<- prometheus.Metric)

func (c collectorFunc) Describe(chan<- *prometheus.Desc)    {}
func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c(ch) }

// sinkOf is a sorted sink of series, their labels copied as a render's
// are.
func sinkOf(series []emitted) *Sink {
	out := NewSink()
	for _, e := range series {
		out.Gauge(e.f, e.value, slices.Clone(e.labels)...)
	}
	out.Sort()
	return out
}

// checkEncoders has the sink encode series in every Format and requires
// byte-identical output from client_golang and expfmt.
func checkEncoders(t testing.TB, series []emitted) {
	t.Helper()
	out := sinkOf(series)
	for _, tc := range []struct {
		format Format
		want   expfmt.Format
	}{
		{FormatText, expfmt.FmtText},
		{FormatOpenMetrics, expfmt.FmtOpenMetrics_1_0_0},
		{FormatProto, expfmt.FmtProtoDelim},
	} {
		var got bytes.Buffer
		if err := out.Encode(&got, tc.format); err != nil {
			t.Fatal(err)
		}
		if want := clientGolang(t, series, tc.want); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: the sink's encoding differs from client_golang's:\n%s", tc.want, firstDifference(got.Bytes(), want))
		}
	}
}

// firstDifference shows where two encodings part.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-120)
	return fmt.Sprintf("at byte %d\ngot:  %q\nwant: %q", i, got[from:min(len(got), i+120)], want[from:min(len(want), i+120)])
}

func TestSinkMatchesClientGolang(t *testing.T) {
	zebra := NewFamily("zebra_info", "Last by name.\nWith a \\ newline and a \"quote\".", "name", "a_label", "site")
	alpha := NewFamily("alpha_value", "First by name.")
	values := NewFamily("value", "Values.", "v")
	bytesTotal := NewCounter("bytes_total", "A counter: OpenMetrics names its family without _total.", "if")
	series := []emitted{
		{bytesTotal, 12345678901, []string{"ge-0/0/1"}},
		{bytesTotal, 0, []string{"ge-0/0/0"}},
		{zebra, 1, []string{"b", `quote " and \ slash`, "x"}},
		{zebra, 1, []string{"a", "line\nbreak", "y"}},
		{zebra, 1, []string{"a", "line\nbreak", "x"}},
		{zebra, 1, []string{"a", "", ""}},
		{zebra, 1, []string{"a ", "x", "x"}},
		{zebra, 5, []string{"dup", "x", "x"}},
		{zebra, 3, []string{"dup", "x", "x"}},
		{zebra, 0, []string{"zero", "x", "x"}},
		{zebra, math.Copysign(0, -1), []string{"zero", "x", "x"}}, // the same in text, not in protobuf
		{zebra, 1, []string{"bad\xffname", "\xfe", "x"}},
		{zebra, 2, []string{"bad\xfename", "\xff", "x"}}, // the same series once mended
		{alpha, 1234567.25, nil},
	}
	for i, v := range []float64{0, math.Copysign(0, -1), -0.5, 1, -1, 2, 1e21, 3e-9, 42, 1e15, 123456789012345678,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()} {
		series = append(series, emitted{values, v, []string{strconv.Itoa(i)}})
	}
	checkEncoders(t, series)
}

// FuzzEncoders feeds random families to the sink and to client_golang:
// names and help of every length, label values with every escape, bad
// UTF-8 and empty values, up to 40 labels, values of every kind, series
// emitted twice. Every Format must come out byte for byte the same.
func FuzzEncoders(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEncoders(t, fuzzSeries(&byteSource{b: data}))
	})
}

// addFuzzSeeds adds the seeds of the targets that read fuzzSeries: a
// word, every escape and bad UTF-8, and long runs of extreme choices.
func addFuzzSeeds(f *testing.F) {
	f.Add([]byte("seed"))
	f.Add([]byte{3, 40, 7, 200, 1, '\\', '"', '\n', 0xff, 0xfe, 0xc3, 0x28, 9, 9, 9, 9})
	f.Add(bytes.Repeat([]byte{0, 1, 2, 3, 250, 251, 252, 253, 254, 255}, 40))
}

// fuzzSeries makes families and series from the fuzzer's bytes.
func fuzzSeries(src *byteSource) []emitted {
	var series []emitted
	for i := range 1 + src.next()%4 {
		labels := make([]string, src.next()%41)
		for j := range labels {
			labels[j] = fmt.Sprintf("%s_%d", src.name(), j)
		}
		fam := NewFamily(fmt.Sprintf("f%d_%s", i, src.name()), src.text(), labels...)
		for range src.next() % 24 {
			values := make([]string, len(labels))
			for j := range values {
				values[j] = src.text()
			}
			series = append(series, emitted{fam, src.value(), values})
			if src.next()%5 == 0 {
				// The same series again, maybe with another value.
				series = append(series, emitted{fam, src.value(), values})
			}
		}
	}
	return series
}

// byteSource reads a fuzzer's bytes as choices; past the end every
// choice is 0.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) next() int {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return int(s.b[s.i-1])
}

// name is a short legacy name part: letters, digits and underscores.
func (s *byteSource) name() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
	b := []byte{'n'}
	for range s.next() % 8 {
		b = append(b, chars[s.next()%len(chars)])
	}
	return string(b)
}

// text is a label value or help: pieces that need escaping or mending,
// and raw bytes.
func (s *byteSource) text() string {
	pieces := []string{"", "a", "ap-1", `\`, `"`, "\n", `\n`, "\xff", "\xc3", "é", "\u2028", " ", "{}", ",=", "#", "\x00", "\t", "\r"}
	var b strings.Builder
	for range s.next() % 5 {
		if n := s.next(); n < 200 {
			b.WriteString(pieces[n%len(pieces)])
			continue
		}
		for range s.next() % 8 {
			b.WriteByte(byte(s.next()))
		}
	}
	return b.String()
}

func (s *byteSource) value() float64 {
	values := []float64{0, 1, -1, math.NaN(), math.Inf(1), math.Inf(-1), 0.1, 1e21, 1e-7, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Copysign(0, -1), 42, 1e15, 1e16}
	if n := s.next(); n < 200 {
		return values[n%len(values)]
	}
	var bits uint64
	for range 8 {
		bits = bits<<8 | uint64(s.next())
	}
	return math.Float64frombits(bits)
}

func TestSinkDropsDuplicatesAndMendsUTF8(t *testing.T) {
	f := NewFamily("device_test", "Devices.", "device")
	out := NewSink()
	out.Gauge(f, 2, "ap-1")
	out.Gauge(f, 1, "ap-1")
	out.Gauge(f, 1, "bad\xffname")
	out.Gauge(f, 1, "bad\xfename")
	out.Sort()
	var buf bytes.Buffer
	if err := out.Encode(&buf, FormatText); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if out.duplicates != 2 {
		t.Errorf("duplicates = %d; want 2", out.duplicates)
	}
	if !strings.Contains(text, `device="ap-1"} 1`+"\n") || strings.Count(text, `device="ap-1"`) != 1 {
		t.Errorf("a series emitted twice should be written once, with its lower value:\n%s", text)
	}
	if strings.Count(text, "bad\uFFFDname") != 1 {
		t.Errorf("invalid UTF-8 should be replaced, and two values mended alike written once:\n%s", text)
	}
	// The text must parse as Prometheus would read it.
	p := expfmt.NewTextParser(model.LegacyValidation)
	if _, err := p.TextToMetricFamilies(strings.NewReader(text)); err != nil {
		t.Errorf("the text does not parse: %v\n%s", err, text)
	}
}

func TestNewFamilyRefusesNamesTheEncodersCannotWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []string
	}{
		{"dotted.name", nil},
		{"ok", []string{"bad-label"}},
		{"ok", []string{"site", "site"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewFamily(%q, %q) did not panic", tc.name, tc.labels)
				}
			}()
			NewFamily(tc.name, "Help.", tc.labels...)
		})
	}
}

func TestNewCounterWantsTotal(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error(`NewCounter("bytes") did not panic; want a panic for a counter without _total`)
		}
	}()
	NewCounter("bytes", "No suffix.")
}
