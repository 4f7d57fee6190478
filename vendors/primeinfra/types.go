package primeinfra

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Wire types: the fields the exporter reads, with the API's JSON names.

// envelope is a data resource's list answer with .full=true. An empty
// list has no entity key, whatever its @responseType says.
type envelope[E any] struct {
	QueryResponse struct {
		First  flexInt `json:"@first"`
		Last   flexInt `json:"@last"`
		Count  flexInt `json:"@count"`
		Domain string  `json:"@domain"`
		Entity list[E] `json:"entity"`
	} `json:"queryResponse"`
}

// flexInt is a number v4 sends as a JSON number and older versions as a
// numeric string; set tells an absent value (such as @count under
// .nocount) from zero.
type flexInt struct {
	n   int64
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = flexInt{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not an integer", b)
	}
	*f = flexInt{n: n, set: true}
	return nil
}

// int returns the value, or def when absent.
func (f flexInt) int(def int) int {
	if !f.set {
		return def
	}
	return int(f.n)
}

// list is a JSON list that older versions send as a bare object when it
// holds one element.
type list[E any] []E

func (l *list[E]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '{':
		var e E
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		*l = list[E]{e}
		return nil
	}
	return json.Unmarshal(b, (*[]E)(l))
}

// flexString accepts what v1 sends as a plain string and v4 as an object:
// {"octets": ...} for MACs, {"address": ...} for IPs, {"value": ...} for
// enumerations; a number is kept as its text, as an enumeration of
// numbers (a channel) may come as one.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	// A string without escapes, or a number, as the decoder would read it
	// without a decoder of its own: a page holds thousands.
	if s, ok := plainString(b); ok && utf8.ValidString(s) {
		*f = flexString(s)
		return nil
	}
	if isNumber(b) {
		*f = flexString(b)
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*f = flexString(n)
		return nil
	}
	var o struct {
		Octets  string `json:"octets"`
		Address string `json:"address"`
		Value   string `json:"value"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*f = flexString(o.Octets + o.Address + o.Value)
	return nil
}

// macSeparators are what a MAC may be written with. One Replacer for
// every call: building one costs 6 kB, per MAC of every page.
var macSeparators = strings.NewReplacer(":", "", "-", "", ".", "")

// mac returns a MAC as twelve lowercase hex digits, whatever separators it
// came with.
func (f flexString) mac() string {
	return strings.ToLower(macSeparators.Replace(string(f)))
}

type apEntity struct {
	DTO struct {
		Name               string     `json:"name"`
		SerialNumber       string     `json:"serialNumber"`
		Model              string     `json:"model"`
		EthernetMac        flexString `json:"ethernetMac"`
		MacAddress         flexString `json:"macAddress"` // the base radio MAC: ClientCounts' key
		ReachabilityStatus string     `json:"reachabilityStatus"`
		ClientCount        int        `json:"clientCount"`
		UpTime             float64    `json:"upTime"` // 1/100 s
		SoftwareVersion    string     `json:"softwareVersion"`
		LocationHierarchy  string     `json:"locationHierarchy"`
		LocationHeirarchy  string     `json:"locationHeirarchy"` // spelled so before v3
		MapLocation        string     `json:"mapLocation"`
		UnifiedApInfo      struct {
			ControllerName string `json:"controllerName"`
		} `json:"unifiedApInfo"`
	} `json:"accessPointDetailsDTO"`
}

type deviceEntity struct {
	DTO struct {
		DeviceID        flexInt    `json:"deviceId"`
		DeviceName      string     `json:"deviceName"`
		DeviceType      string     `json:"deviceType"`
		IPAddress       flexString `json:"ipAddress"`
		Location        string     `json:"location"`
		ProductFamily   string     `json:"productFamily"`
		Reachability    string     `json:"reachability"`
		SoftwareVersion string     `json:"softwareVersion"`
	} `json:"devicesDTO"`
}

type clientCountEntity struct {
	DTO clientCount `json:"clientCountsDTO"`
}

type clientCount struct {
	Type           string `json:"type"`
	Key            string `json:"key"`
	Subkey         string `json:"subkey"`
	CollectionTime int64  `json:"collectionTime"` // epoch ms
	Count          int    `json:"count"`
	// 5 GHz
	Dot11aCount   int `json:"dot11aCount"`
	Dot11acCount  int `json:"dot11acCount"`
	Dot11n5Count  int `json:"dot11n5Count"`
	Dot11ax5Count int `json:"dot11ax5Count"`
	// 6 GHz, from Prime 3.10
	Dot11ax6Count int `json:"dot11ax6Count"`
	// 2.4 GHz
	Dot11bCount    int `json:"dot11bCount"`
	Dot11gCount    int `json:"dot11gCount"`
	Dot11n24Count  int `json:"dot11n2_4Count"`
	Dot11ax24Count int `json:"dot11ax2_4Count"`
	// wired
	Wired10MCount  int `json:"wired10MCount"`
	Wired100MCount int `json:"wired100MCount"`
	Wired1GCount   int `json:"wired1GCount"`
	Wired10GCount  int `json:"wired10GCount"`
}

// alarmEntity is an Alarms entity (data/prime-v4-dto-fields.json,
// resource Alarms). Prime omits null attributes: any may be absent.
type alarmEntity struct {
	DTO struct {
		ID                    flexInt   `json:"@id"`
		AlarmID               flexInt   `json:"alarmId"`
		Severity              string    `json:"severity"`
		AcknowledgementStatus bool      `json:"acknowledgementStatus"`
		Category              alarmEnum `json:"category"`
		Condition             alarmEnum `json:"condition"`
		DeviceName            string    `json:"deviceName"`
		Source                string    `json:"source"`
		Message               string    `json:"message"`
		AlarmFoundAt          isoDate   `json:"alarmFoundAt"`
		LastUpdatedAt         isoDate   `json:"lastUpdatedAt"`
		TimeStamp             isoDate   `json:"timeStamp"`
	} `json:"alarmsDTO"`
}

// dto is an entity's DTO, read from the key its @dtoType names: the key's
// spelling is not known for every resource (cpiapi guesses
// "rFLoadStatsDTO" and "rfLoadStatsDTO"), and cpiapi found @dtoType
// naming another key than the one sent, so failing that, the entity's one
// key ending in DTO (shared/vendor-apis/prime.md, section 3).
type dto[T any] struct {
	DTO T
}

func (d *dto[T]) UnmarshalJSON(b []byte) error {
	// An entity's members are found where they lie, the DTO decoded
	// once: read into a map, each entity was copied and scanned twice.
	var buf [8]member
	ms, ok := objectMembers(b, buf[:0])
	if !ok {
		// Not read so (a key with an escape, a key twice, many keys, not
		// an object): as a map, which says what is wrong.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		ms = ms[:0]
		for k, v := range m {
			ms = append(ms, member{k, v})
		}
	}
	var typ string
	if raw, ok := memberValue(ms, "@dtoType"); ok {
		if s, plain := plainString(raw); plain && utf8.ValidString(s) {
			typ = s
		} else if err := json.Unmarshal(raw, &typ); err != nil {
			return fmt.Errorf("@dtoType: %w", err)
		}
	}
	raw, ok := memberValue(ms, typ)
	if !ok || typ == "" {
		var keys []string
		for _, m := range ms {
			if k := m.key; !strings.HasPrefix(k, "@") && strings.HasSuffix(strings.ToLower(k), "dto") {
				keys = append(keys, k)
			}
		}
		if len(keys) != 1 {
			return fmt.Errorf("entity has no DTO under its @dtoType %q and %d keys ending in DTO", typ, len(keys))
		}
		raw, _ = memberValue(ms, keys[0])
	}
	if err := json.Unmarshal(raw, &d.DTO); err != nil {
		return fmt.Errorf("%s: %w", cmp.Or(typ, "DTO"), err)
	}
	return nil
}

// member is one member of a JSON object: its key, and its value as it
// lies in the object's text.
type member struct {
	key   string
	value []byte
}

// memberValue returns the value of the member named key.
func memberValue(ms []member, key string) ([]byte, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// objectMembers appends the members of the JSON object b, which the
// decoder has checked, to ms without decoding their values, up to its
// capacity. ok is false where a map would not read them as they lie: b
// is not an object, a key has an escape or is not UTF-8, a key comes
// twice, or there are more members than ms holds.
func objectMembers(b []byte, ms []member) (_ []member, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return ms, true
	}
	for {
		keyEnd, ok := stringEnd(b, i)
		if !ok {
			return nil, false
		}
		key := b[i+1 : keyEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) || len(ms) == cap(ms) {
			return nil, false
		}
		if _, seen := memberValue(ms, string(key)); seen {
			return nil, false
		}
		i = skipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipSpace(b, i+1)
		end, ok := valueEnd(b, i)
		if !ok {
			return nil, false
		}
		ms = append(ms, member{string(key), b[i:end]})
		i = skipSpace(b, end)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return ms, true
		default:
			return nil, false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index past the JSON string that starts at b[i].
func stringEnd(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the index past the JSON value that starts at b[i].
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := stringEnd(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	// A number, true, false or null: up to what ends it.
	j := i
	for ; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j, j > i
		}
	}
	return j, j > i
}

// isNumber reports whether b, a JSON value the decoder has checked, is a
// number.
func isNumber(b []byte) bool { return len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9') }

// isoDate is one of Prime's ISO dates ("2020-07-27T17:28:02.000Z"), in
// UTC; zero when absent. A date in a form it does not read is left zero too, as
// not known: an alarm is not dropped over its date.
type isoDate struct{ time.Time }

// isoLayouts are the forms an ISO date is read in: the DTO catalogue's,
// and the same with a numeric zone, as Java writes it.
var isoLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"}

func (d *isoDate) UnmarshalJSON(b []byte) error {
	s, ok := plainString(b)
	if !ok {
		if err := json.Unmarshal(b, &s); err != nil {
			// Not a string: the decoder names the field.
			return &json.UnmarshalTypeError{Value: fmt.Sprintf("%.40s", b), Type: reflect.TypeFor[isoDate]()}
		}
	}
	d.Time = time.Time{}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			d.Time = t.UTC()
			break
		}
	}
	return nil
}

// epochMs is a time Prime sends as epoch milliseconds (collectionTime),
// as a number, a numeric string, or, as its v4 documents type it, a date.
type epochMs int64

func (t *epochMs) UnmarshalJSON(b []byte) error {
	var f flexInt
	if err := json.Unmarshal(b, &f); err == nil {
		*t = epochMs(f.n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s is not a time", b)
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("%q is neither epoch milliseconds nor a date", s)
	}
	*t = epochMs(at.UnixMilli())
	return nil
}

// rogueAlarm is a RogueApAlarms entity's DTO: an alarm with the rogue's
// details, whose keys no Cisco document gives; the classification and the
// location are read under each spelling seen or guessed.
type rogueAlarm struct {
	ID         flexInt `json:"@id"`
	AlarmID    int64   `json:"alarmId"`
	Severity   string  `json:"severity"`
	DeviceName string  `json:"deviceName"`
	Details    struct {
		ClassificationType flexString `json:"classificationType"`
		Classification     flexString `json:"classification"`
		Location           string     `json:"location"`
		MapLocation        string     `json:"mapLocation"`
	} `json:"rogueApAlarmDetails"`
}

// radioDetail is a RadioDetails entity's DTO (cpiapi's v4 catalogue).
type radioDetail struct {
	APName        string     `json:"apName"`
	BaseRadioMac  flexString `json:"baseRadioMac"`
	SlotID        flexInt    `json:"slotId"`
	AdminStatus   string     `json:"adminStatus"`
	OperStatus    string     `json:"operStatus"`
	ChannelNumber flexString `json:"channelNumber"` // ChannelNumberEnum: "_36"
	ChannelWidth  flexString `json:"channelWidth"`  // ChannelBandwidthEnum: "40 MHz"
	ClientCount   flexInt    `json:"clientCount"`
	TxPowerOutput flexInt    `json:"txPowerOutput"` // dBm, since a 2017 release
	RadioBand     string     `json:"radioBand"`     // "2.4 GHz", "5 GHz", since 3.6
	RadioType     string     `json:"radioType"`     // UnifiedRadioTypeEnum: "802.11a/n/ac"
}

// loadStat is an RFLoadStats entity's DTO: a radio's load in one sample.
type loadStat struct {
	MacAddress         flexString `json:"macAddress"` // the base radio's
	SlotID             flexInt    `json:"slotId"`
	CollectionTime     epochMs    `json:"collectionTime"`
	ChannelUtilization flexInt    `json:"channelUtilization"` // percent
	TxUtilization      flexInt    `json:"txUtilization"`
	ClientCount        flexInt    `json:"clientCount"`
}

// alarmEnum is an alarm's category or condition: v4's {"ordinal",
// "value"} object, or the value alone, as flexString reads it, without
// the decoder's work for the plain string form.
type alarmEnum string

func (e *alarmEnum) UnmarshalJSON(b []byte) error {
	if s, ok := plainString(b); ok {
		*e = alarmEnum(s)
		return nil
	}
	var f flexString
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	*e = alarmEnum(f)
	return nil
}

// plainString returns a JSON string that has no escapes, without the
// decoder's work; ok is false for anything else. Alarms carry several
// such strings each, tens of thousands a refresh.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || bytes.IndexByte(b, '\\') >= 0 {
		return "", false
	}
	return string(b[1 : len(b)-1]), true
}
