// Package scrapetest reads /probe's answers as scrapers do, for tests: a
// gzip answer as decoders that read one member read it, and an exposition
// in any format Prometheus reads, down to its series.
package scrapetest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// OneMember decodes the first gzip member of gz, as curl and browsers do,
// and fails when anything follows it: they would drop it.
func OneMember(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if err := zr.Reset(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("more follows the first gzip member (%w): a decoder that reads one drops it", err)
	}
	return out, nil
}

// Series decodes an exposition in format f and returns each sample's
// series (as model.Metric writes it: name{label="value", ...}) with its
// value. A series written twice is an error. expfmt reads OpenMetrics
// with a generic grammar, at about 50 kB a second: keep those bodies
// small.
func Series(body []byte, f expfmt.Format) (map[string]float64, error) {
	dec := expfmt.NewDecoder(bytes.NewReader(body), f)
	var mfs []*dto.MetricFamily
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", f, err)
		}
		mfs = append(mfs, mf)
	}
	vec, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Earliest}, mfs...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(vec))
	for _, s := range vec {
		k := s.Metric.String()
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("series %s appears twice", k)
		}
		out[k] = float64(s.Value)
	}
	return out, nil
}
