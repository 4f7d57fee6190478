package vendors

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/nmsexporter/nms_exporter/model"
)

// Interner hands out one copy of each distinct string: the first it was
// given. JSON decoding makes a new copy of every string of every record,
// so records that repeat a value (a site, a category, a severity) each
// hold their own until they are made to share one.
type Interner map[string]string

// String returns the copy of s the interner holds, making s that copy if
// it holds none.
func (in Interner) String(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// ShareAlarmStrings has the alarms share one copy of each value of the
// fields that repeat from alarm to alarm, in place: at 20,000 alarms the
// copies decoding made would hold more than the records themselves. The
// id and the text, each alarm's own, are left as they are.
func ShareAlarmStrings(as []model.Alarm) {
	in := Interner{}
	for i := range as {
		a := &as[i]
		a.Site, a.Device = in.String(a.Site), in.String(a.Device)
		a.Severity, a.VendorSeverity = in.String(a.Severity), in.String(a.VendorSeverity)
		a.Category, a.Type = in.String(a.Category), in.String(a.Type)
		a.AckedBy, a.URL = in.String(a.AckedBy), in.String(a.URL)
	}
}

// SavedAlarms reads back the alarms an alarms collection saved, their
// repeated strings shared, as a refresh makes them. It refuses what an
// earlier version saved in their place, counts under the field legacy:
// those would read as no alarms at all.
func SavedAlarms(b []byte, legacy string) ([]model.Alarm, error) {
	var v struct{ Alarms []model.Alarm }
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	if v.Alarms == nil {
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(b, &fields)
		for name := range fields {
			// Matched as decoding into a struct field matches it.
			if strings.EqualFold(name, legacy) {
				return nil, errors.New("alarm counts saved by an earlier version, without their alarms")
			}
		}
	}
	ShareAlarmStrings(v.Alarms)
	return v.Alarms, nil
}
