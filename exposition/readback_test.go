package exposition

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// checkReadBack has the sink encode series, reads its text back, and
// requires every format made from what was read to be what the sink made:
// byte for byte, but in protobuf the sign of a zero and the payload of a
// NaN, which the text does not carry.
func checkReadBack(t testing.TB, series []emitted) {
	t.Helper()
	out := sinkOf(series)
	text, err := Deflate(func(w io.Writer) error { return out.Encode(w, FormatText) }, 0)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadBack(text)
	if err != nil {
		t.Fatalf("ReadBack: %v", err)
	}
	for f := range NumFormats {
		var want, got bytes.Buffer
		if err := out.Encode(&want, f); err != nil {
			t.Fatal(err)
		}
		if err := back.Encode(&got, f); err != nil {
			t.Fatal(err)
		}
		if f == FormatProto {
			w, g := protoFamilies(t, &want), protoFamilies(t, &got)
			if w != g {
				t.Fatalf("protobuf read back differs:\n%s\nwant\n%s", g, w)
			}
			continue
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("format %d read back differs:\n%s", f, firstDifference(got.Bytes(), want.Bytes()))
		}
	}
}

// protoFamilies decodes delimited protobuf, every zero made +0 and every
// NaN the same NaN, and writes it out whole.
func protoFamilies(t testing.TB, r io.Reader) string {
	t.Helper()
	dec := expfmt.NewDecoder(r, expfmt.NewFormat(expfmt.TypeProtoDelim))
	var out bytes.Buffer
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); errors.Is(err, io.EOF) {
			return out.String()
		} else if err != nil {
			t.Fatal(err)
		}
		for _, m := range mf.Metric {
			var v *float64
			switch {
			case m.Gauge != nil:
				v = m.Gauge.Value
			case m.Counter != nil:
				v = m.Counter.Value
			}
			if v != nil {
				switch {
				case math.IsNaN(*v):
					*v = math.NaN()
				case *v == 0:
					*v = 0
				}
			}
		}
		fmt.Fprintln(&out, mf.String())
	}
}

func TestReadBack(t *testing.T) {
	zebra := NewFamily("zebra_info", "Last by name.\nWith a \\ newline, a \\n and a \"quote\".", "name", "a_label", "site")
	alpha := NewFamily("alpha_value", "First by name.")
	values := NewFamily("value", "Values.", "v")
	empty := NewFamily("empty_info", "No series this time.", "x")
	bytesTotal := NewCounter("bytes_total", "A counter.", "if")
	series := []emitted{
		{bytesTotal, 12345678901, []string{"ge-0/0/1"}},
		{zebra, 1, []string{"b", `quote " and \ slash, a ="`, "x"}},
		{zebra, 1, []string{"a", "line\nbreak \\n", "y"}},
		{zebra, 1, []string{"a", "", ""}},
		{zebra, 1, []string{"bad\xffname", "\xfe", "\t\r\x00\u2028"}},
		{alpha, 1234567.25, nil},
	}
	for i, v := range []float64{0, math.Copysign(0, -1), -0.5, 1, 2, 1e21, 3e-9, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Float64frombits(0x7ff8000000000042)} {
		series = append(series, emitted{values, v, []string{fmt.Sprint(i)}})
	}
	checkReadBack(t, series)

	// A family a sized sink holds with no series: its HELP and TYPE alone.
	s := NewSinkSized(Sizes{families: map[*Family]int{empty: 3, alpha: 1}})
	s.Gauge(alpha, 1)
	s.Sort()
	text, _ := Deflate(func(w io.Writer) error { return s.Encode(w, FormatText) }, 0)
	back, err := ReadBack(text)
	if err != nil {
		t.Fatal(err)
	}
	for f := range NumFormats {
		var want, got bytes.Buffer
		_ = s.Encode(&want, f)
		_ = back.Encode(&got, f)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("format %d with an empty family read back differs:\n%s", f, firstDifference(got.Bytes(), want.Bytes()))
		}
	}
}

// FuzzReadBack reads back the text of random families, as FuzzEncoders
// makes them.
func FuzzReadBack(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReadBack(t, fuzzSeries(&byteSource{b: data}))
	})
}
