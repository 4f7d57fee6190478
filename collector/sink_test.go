package collector

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestSinkTextMatchesClientGolang checks the sink's own encoder against
// client_golang's registry and expfmt on the same series: what Prometheus
// reads must not change with the encoder.
func TestSinkTextMatchesClientGolang(t *testing.T) {
	zebra := newFamily("zebra_info", "Last by name.\nWith a \\ newline.", "name", "a_label", "site")
	alpha := newFamily("alpha_value", "First by name.")
	out := newSink()
	out.gauge(zebra, 1, "b", `quote " and \ slash`, "x")
	out.gauge(zebra, 1, "a", "line\nbreak", "y")
	out.gauge(zebra, 1, "a", "line\nbreak", "x")
	out.gauge(zebra, 1, "a", "", "")
	out.gauge(zebra, 1, "a ", "x", "x")
	out.gauge(alpha, 1234567.25)
	values := newFamily("value", "Values.", "v")
	for i, v := range []float64{0, -0.5, 1e21, 3e-9, 42, math.Inf(1), math.Inf(-1), math.NaN()} {
		out.gauge(values, v, strconv.Itoa(i))
	}
	got := out.text()

	reg := prometheus.NewRegistry()
	reg.MustRegister(out)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	enc := expfmt.NewEncoder(&want, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != want.String() {
		t.Errorf("sink text:\n%s\nclient_golang:\n%s", got, want.String())
	}
}

// text is the sink's encoding, uncompressed.
func (s *sink) text() []byte {
	var buf bytes.Buffer
	_ = s.write(&buf)
	return buf.Bytes()
}

// Describe lets the test register a sink.
func (s *sink) Describe(chan<- *prometheus.Desc) {}

func TestSinkDropsDuplicatesAndMendsUTF8(t *testing.T) {
	f := newFamily("device_test", "Devices.", "device")
	out := newSink()
	out.gauge(f, 1, "ap-1")
	out.gauge(f, 2, "ap-1")
	out.gauge(f, 1, "bad\xffname")
	text := string(out.text())
	if out.duplicates != 1 {
		t.Errorf("duplicates = %d; want 1", out.duplicates)
	}
	if strings.Count(text, `device="ap-1"`) != 1 {
		t.Errorf("a duplicate series was written twice:\n%s", text)
	}
	if !strings.Contains(text, "bad\uFFFDname") {
		t.Errorf("invalid UTF-8 not replaced:\n%s", text)
	}
	// The text must parse as Prometheus would read it.
	p := expfmt.NewTextParser(model.LegacyValidation)
	if _, err := p.TextToMetricFamilies(strings.NewReader(text)); err != nil {
		t.Errorf("the text does not parse: %v\n%s", err, text)
	}
}
