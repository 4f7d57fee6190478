package simkit

import "github.com/nmsexporter/nms_exporter/internal/jsonstr"

// AppendJSONString appends s as a JSON string, as encoding/json writes it
// without HTML escaping: invalid UTF-8 becomes U+FFFD.
func AppendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s) }

// AppendJSONEscaped appends s's JSON string escape, without quotes.
func AppendJSONEscaped(b []byte, s string) []byte { return jsonstr.AppendEscaped(b, s) }
