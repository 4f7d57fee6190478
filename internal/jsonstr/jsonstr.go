// Package jsonstr writes JSON strings into a buffer, for the code that
// writes its JSON by hand to spare a map and a marshal per object: the alert
// bridge's pushes and the simulators' large pages. It imports only the
// standard library, so that the simulators may share it.
package jsonstr

import "unicode/utf8"

// Append appends s as a JSON string, as encoding/json writes it without
// HTML escaping: invalid UTF-8 becomes U+FFFD.
func Append(b []byte, s string) []byte {
	b = append(b, '"')
	return append(AppendEscaped(b, s), '"')
}

// AppendEscaped appends s's JSON string escape, without quotes.
func AppendEscaped(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
