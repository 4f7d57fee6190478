package primesim

import (
	"bytes"
	"encoding/json"
)

// view is one request's look at the world: the API version decides value
// forms, and it keeps what the request computes once.
type view struct {
	s     *Server
	w     *world
	ver   int // 1..4
	nowMs int64

	devAlarms [][nSeverities]int // per device, built on first use
	ctrlTally []ctrlTally        // per controller, built on first use

	// HistoricalClientCounts rows are numbered k*stride+j: row j of the
	// k-th kept collection. histK and histRows cache the last one read.
	histK    int
	histRows []ccEntry

	loadIdx []int32 // the radios RFLoadStats lists, built on first use
}

const nSeverities = len(severityNames)

// num is an @id or envelope number, a string where the version sends
// strings.
func (v *view) num(n int64) jnum { return jnum{n, v.s.strNum[v.ver]} }

// mac is a MAC address: an octets object in v4 (and where
// Options.ObjectMACsAt says), else a colon-separated string.
func (v *view) mac(m uint64) any {
	if v.ver >= 4 || v.s.objMAC[v.ver] {
		return macJSON{macOctets(m)}
	}
	return macColon(m)
}

// enum is an enumeration's value: an {"ordinal", "value"} object, or the
// value alone where Options.StringEnumsAt says.
func (v *view) enum(ordinal int, value string) any {
	if v.s.strEnum[v.ver] {
		return value
	}
	return enumJSON{ordinal, value}
}

// inet is an IP address: an address object in v4, else a string.
func (v *view) inet(ip string) any {
	if v.ver >= 4 {
		return inetJSON{ip}
	}
	return ip
}

// deviceAlarms counts each device's alarms by severity, for the v1 and v2
// Devices fields.
func (v *view) deviceAlarms() [][nSeverities]int {
	if v.devAlarms == nil {
		v.devAlarms = make([][nSeverities]int, len(v.w.devs))
		for k := range v.w.alarms {
			if a := &v.w.alarms[k]; a.dev >= 0 {
				v.devAlarms[a.dev][a.sev]++
			}
		}
	}
	return v.devAlarms
}

// histStride is the room a collection has in the HistoricalClientCounts
// row numbering.
func (v *view) histStride() int { return int(v.w.cc.slots) }

// histRow resolves a HistoricalClientCounts row number.
func (v *view) histRow(i int) (*ccEntry, int64) {
	k, j := i/v.histStride(), i%v.histStride()
	c := v.w.cc.colls[k]
	if v.histRows == nil || v.histK != k {
		v.histK, v.histRows = k, v.w.collRows(c)
	}
	return &v.histRows[j], c.atMs
}

// marshalEntity writes an entity whose DTO key is head.DTOType, without
// escaping the '>' of map locations.
func marshalEntity(head entityHead, dto any) ([]byte, error) {
	return marshalEntityAs(head, head.DTOType, dto)
}

// marshalEntityAs writes an entity with its DTO under key, whatever its
// @dtoType says.
func marshalEntityAs(head entityHead, key string, dto any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var err error
	value := func(x any) {
		if err == nil {
			err = enc.Encode(x)
			buf.Truncate(buf.Len() - 1) // Encode's newline
		}
	}
	buf.WriteString(`{"@dtoType":`)
	value(head.DTOType)
	buf.WriteString(`,"@type":`)
	value(head.Type)
	buf.WriteString(`,"@url":`)
	value(head.URL)
	buf.WriteByte(',')
	value(key)
	buf.WriteByte(':')
	value(dto)
	buf.WriteByte('}')
	return buf.Bytes(), err
}
