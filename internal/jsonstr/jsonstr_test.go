package jsonstr

import "testing"

func TestAppend(t *testing.T) {
	for in, want := range map[string]string{
		"plain": `"plain"`, `a"b\c`: `"a\"b\\c"`, "x\n\r\ty": `"x\n\r\ty"`, "\x01": `"\u0001"`,
		"<&>": `"<&>"`, "é": `"é"`, "bad\xffutf8": `"bad\ufffdutf8"`,
	} {
		if got := string(Append(nil, in)); got != want {
			t.Errorf("Append(%q) = %s; want %s", in, got, want)
		}
	}
}
