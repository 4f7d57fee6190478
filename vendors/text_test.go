package vendors

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{`"65001"`: "65001", `"a\"b\u00e9"`: `a"bé`, "\"caf\xe9\"": "caf\ufffd", `"é"`: "é", `4200000001`: "4200000001", `1.5e3`: "1.5e3", `null`: "kept", `""`: ""} {
		v := struct{ T Text }{"kept"}
		if err := json.Unmarshal([]byte(`{"T":`+in+`}`), &v); err != nil || v.T != Text(want) {
			t.Errorf("Text of %s = %q, %v; want %q", in, v.T, err, want)
		}
	}
	var v struct{ T Text }
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`{"T":true}`), &v); err == nil || !errors.As(err, &te) || te.Field != "T" {
		t.Errorf("Text of true = %v; want a type error naming the field", err)
	}
}
