package bridge

import (
	"time"

	"github.com/nmsexporter/nms_exporter/internal/jsonstr"
)

// The alarms mode writes its alerts' JSON itself, into one buffer reused
// from batch to batch: a large source's push resends thousands of alerts a
// minute, and a map per label set and per annotation set, made and
// marshalled for each, would be most of the push's work and garbage.

// object writes one JSON object of string values, leaving out empty ones.
type object struct {
	b     []byte
	empty bool
}

func openObject(b []byte) object { return object{b: append(b, '{'), empty: true} }

// key starts a member named k whose value the caller writes.
func (o *object) key(k string) {
	if !o.empty {
		o.b = append(o.b, ',')
	}
	o.empty = false
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

// str writes the member k: v unless v is empty.
func (o *object) str(k, v string) {
	if v == "" {
		return
	}
	o.key(k)
	o.b = jsonstr.Append(o.b, v)
}

// text writes the member k with the parts of its value in turn.
func (o *object) text(k string, parts ...string) {
	o.key(k)
	o.b = append(o.b, '"')
	for _, p := range parts {
		o.b = jsonstr.AppendEscaped(o.b, p)
	}
	o.b = append(o.b, '"')
}

// time writes the member k as RFC 3339, as encoding/json writes a time.
func (o *object) time(k string, t time.Time) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = t.UTC().AppendFormat(o.b, time.RFC3339Nano)
	o.b = append(o.b, '"')
}

func (o *object) close() []byte { return append(o.b, '}') }
