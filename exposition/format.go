// Package exposition encodes the exporter's data series in every format
// /probe serves (Prometheus text, OpenMetrics, delimited protobuf), keeps
// them as compressed streams a scrape writes as they are, and holds the
// families every vendor shares.
package exposition

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/common/expfmt"
)

// Namespace prefixes every metric the exporter exposes.
const Namespace = "nms"

// Format is an exposition format /probe serves.
type Format int

// The formats, and how many there are.
const (
	FormatText        Format = iota // Prometheus text 0.0.4
	FormatOpenMetrics               // OpenMetrics 1.0.0 (and 0.0.1, written alike)
	FormatProto                     // delimited protobuf
	NumFormats
)

// offered are the formats /probe negotiates, in promhttp's order of
// preference with OpenMetrics enabled, less the protobuf text forms meant
// for debugging.
var offered = []expfmt.Format{expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtProtoDelim, expfmt.FmtText}

// Negotiate picks the Format of an answer from the request's Accept, as
// promhttp does. The Content-Type it returns carries the escaping scheme
// asked for; every name the exporter has reads the same in each.
func Negotiate(h http.Header) (Format, expfmt.Format) {
	ct := expfmt.NegotiateAccept(h, offered...)
	switch ct.FormatType() {
	case expfmt.TypeOpenMetrics:
		return FormatOpenMetrics, ct
	case expfmt.TypeProtoDelim:
		return FormatProto, ct
	}
	return FormatText, ct
}

// AcceptsGzip reports whether to answer in gzip, reading Accept-Encoding
// as RFC 9110 section 12.5.3 does: a coding is acceptable when named, or
// matched by "*", with a q above 0; identity is acceptable unless refused,
// and least preferred when not named. When gzip is refused the answer is
// plain even if identity is refused too, as promhttp answers: a scraper is
// better served by its data than by a 406.
func AcceptsGzip(h http.Header) bool {
	gzipQ, identityQ, anyQ := -1.0, -1.0, -1.0
	for _, v := range h.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			if params = strings.TrimSpace(params); params != "" {
				name, value, _ := strings.Cut(params, "=")
				w, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if !strings.EqualFold(strings.TrimSpace(name), "q") || err != nil || w < 0 || w > 1 {
					continue // malformed: ignored
				}
				q = w
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "identity":
				identityQ = q
			case "*":
				anyQ = q
			}
		}
	}
	if gzipQ < 0 {
		gzipQ = anyQ
	}
	if identityQ < 0 && anyQ >= 0 {
		identityQ = anyQ
	}
	return gzipQ > 0 && gzipQ >= identityQ
}
