package vendors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// Text is a JSON string an API may also send as a number: Mist's bgp_as
// is anyOf string and integer, and CX Cloud's own examples show
// fieldNoticeId both ways. A number keeps the digits it came with; null
// leaves the value as it was.
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	// The decoder has checked b; a string without escapes and in valid
	// UTF-8 is its bytes, read without a decoder of its own (ids come by
	// the hundred thousand in a bulk answer).
	if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		*t = Text(b[1 : len(b)-1])
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		*t = Text(s)
		return err
	}
	if len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9') {
		// A number, which the decoder has checked: its digits as they came,
		// as json.Number keeps them.
		*t = Text(b)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		// A type error, which the decoder names the field of.
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("%.40s", b), Type: reflect.TypeFor[Text]()}
	}
	*t = Text(n)
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }
