package cxsim

import (
	"strconv"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Items are rendered as rows of values in model attribute order and encoded
// per request, so a field mask or a filter never needs a second copy of the
// data.

type kind uint8

const (
	kNull kind = iota
	kStr
	kInt
	kBool
	kTime // n is Unix seconds, written YYYY-MM-DDTHH:MM:SS (UTC, no zone)
	kDate // n is days since the epoch, written YYYY-MM-DD
	kList // s holds strings joined by commas, written as a JSON array
	kRaw  // s holds JSON written as it is (arrays of objects); filters skip it
)

const (
	dateTimeLayout = "2006-01-02T15:04:05"
	dateLayout     = "2006-01-02"
)

type value struct {
	s string
	n int64
	k kind
}

func vs(s string) value { return value{k: kStr, s: s} }
func vi(n int64) value  { return value{k: kInt, n: n} }
func vt(unix int64) value {
	return value{k: kTime, n: unix}
}

func vb(b bool) value {
	if b {
		return value{k: kBool, n: 1}
	}
	return value{k: kBool}
}

func vd(d int32) value {
	if d == noDate {
		return value{}
	}
	return value{k: kDate, n: int64(d)}
}

func vlist(joined string) value { return value{k: kList, s: joined} }
func vraw(json string) value    { return value{k: kRaw, s: json} }

var vnull = value{}

func appendValue(b []byte, v value) []byte {
	switch v.k {
	case kStr:
		return simkit.AppendJSONString(b, v.s)
	case kInt:
		return strconv.AppendInt(b, v.n, 10)
	case kBool:
		return strconv.AppendBool(b, v.n != 0)
	case kTime, kDate:
		b = append(b, '"')
		b = appendTime(b, v)
		return append(b, '"')
	case kList:
		b = append(b, '[')
		if v.s != "" {
			for k, s := range strings.Split(v.s, ",") {
				if k > 0 {
					b = append(b, ',')
				}
				b = simkit.AppendJSONString(b, s)
			}
		}
		return append(b, ']')
	case kRaw:
		return append(b, v.s...)
	}
	return append(b, "null"...)
}

func appendTime(b []byte, v value) []byte {
	if v.k == kDate {
		return time.Unix(v.n*day, 0).UTC().AppendFormat(b, dateLayout)
	}
	return time.Unix(v.n, 0).UTC().AppendFormat(b, dateTimeLayout)
}

// appendText writes v as a filter compares it; ok is false for null, which
// no filter value matches.
func appendText(b []byte, v value) (_ []byte, ok bool) {
	switch v.k {
	case kStr, kList:
		return append(b, v.s...), true
	case kInt:
		return strconv.AppendInt(b, v.n, 10), true
	case kBool:
		return strconv.AppendBool(b, v.n != 0), true
	case kTime, kDate:
		return appendTime(b, v), true
	}
	return b, false
}

// appendObject writes one item; mask (nil: all) selects attributes.
func appendObject(b []byte, attrs []string, row []value, mask []bool) []byte {
	b = append(b, '{')
	first := true
	for k, v := range row {
		if mask != nil && !mask[k] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, attrs[k]...)
		b = append(b, '"', ':')
		b = appendValue(b, v)
	}
	return append(b, '}')
}
