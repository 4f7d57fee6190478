package primeinfra

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// dtoByMap reads an entity as dto did through a map of its members: what
// dto must still do, found where they lie.
func dtoByMap[T any](b []byte) (T, error) {
	var d T
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return d, err
	}
	var typ string
	if raw, ok := m["@dtoType"]; ok {
		if err := json.Unmarshal(raw, &typ); err != nil {
			return d, fmt.Errorf("@dtoType: %w", err)
		}
	}
	raw, ok := m[typ]
	if !ok || typ == "" {
		var keys []string
		for k := range m {
			if !strings.HasPrefix(k, "@") && strings.HasSuffix(strings.ToLower(k), "dto") {
				keys = append(keys, k)
			}
		}
		if len(keys) != 1 {
			return d, fmt.Errorf("entity has no DTO under its @dtoType %q and %d keys ending in DTO", typ, len(keys))
		}
		raw = m[keys[0]]
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("%s: %w", cmp.Or(typ, "DTO"), err)
	}
	return d, nil
}

// TestDTOReadsAsAMapWould: an entity's DTO is read as reading its
// members into a map read it, in every form an entity may take: the
// @dtoType naming the key or not, keys in any case, values of every kind
// around the DTO (strings holding braces and quotes, nested lists), a key
// twice, escapes, many keys, whitespace, and what is no entity.
func TestDTOReadsAsAMapWould(t *testing.T) {
	type detail struct {
		Name  string     `json:"name"`
		MAC   flexString `json:"macAddress"`
		Slots []int      `json:"slots"`
	}
	for _, entity := range []string{
		`{"@dtoType":"radioDetailsDTO","@id":"12","radioDetailsDTO":{"name":"ap-1","macAddress":{"octets":"AA:BB"},"slots":[0,1]}}`,
		`{"radioDetailsDTO":{"name":"ap-1"},"@dtoType":"radioDetailsDTO"}`,
		` { "@id" : 12 , "@dtoType" : "rfLoadStatsDTO" , "rFLoadStatsDTO" : { "name" : "ap-2" } } `,
		`{"@dtoType":"rFLoadStatsDTO","rFLoadStatsDTO":{"name":"ap-3"},"@url":"https://pi/{x}\"]}"}`,
		`{"@dtoType":null,"xDTO":{"name":"ap-4"}}`,
		`{"@dtoType":5,"xDTO":{"name":"ap-4"}}`,
		`{"@dtoType":"nope","aDTO":{"name":"a"},"bDTO":{"name":"b"}}`,
		`{"@dtoType":"","aDTO":{"name":"a"},"other":[{"x":"}"},[1,2],true,null,-1.5e3]}`,
		`{"@dtoType":"aDTO","aDTO":{"name":"first"},"aDTO":{"name":"second"}}`,
		`{"@dtoType":"a\u0044TO","aDTO":{"name":"escaped type"}}`,
		`{"@dtoType":"aDTO","a\u0044TO":{"name":"escaped key"}}`,
		`{"@dtoType":"aDTO","aDTO":{"name":"x\"y\\z"},"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8}`,
		`{"@dtoType":"aDTO","aDTO":{"name":7}}`,
		`{"@dtoType":"aDTO","aDTO":"text"}`,
		`{}`,
		`[{"aDTO":{}}]`,
		`"aDTO"`,
		`null`,
	} {
		t.Run(entity, func(t *testing.T) {
			want, wantErr := dtoByMap[detail]([]byte(entity))
			var got dto[detail]
			err := json.Unmarshal([]byte(entity), &got)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || fmt.Sprint(got.DTO) != fmt.Sprint(want) {
				t.Errorf("dto = %+v, %v; want %+v, %v", got.DTO, err, want, wantErr)
			}
		})
	}
}

// TestFlexStringReadsAsTheDecoderWould: a string or number read without
// a decoder of its own reads as the decoder read it.
func TestFlexStringReadsAsTheDecoderWould(t *testing.T) {
	for _, v := range []string{`"AA:BB"`, `""`, `"a\"b"`, `"caf\u00e9"`, "\"bad \xff byte\"", `36`, `-1.50`, `1e3`, `null`,
		`{"octets":"aa:bb"}`, `{"address":"10.0.0.1"}`, `true`} {
		var got flexString
		err := json.Unmarshal([]byte(v), &got)
		var want string
		var wantErr error
		var s string
		var n json.Number
		switch {
		case json.Unmarshal([]byte(v), &s) == nil:
			want = s
		case json.Unmarshal([]byte(v), &n) == nil:
			want = string(n)
		default:
			var o struct {
				Octets  string `json:"octets"`
				Address string `json:"address"`
				Value   string `json:"value"`
			}
			wantErr = json.Unmarshal([]byte(v), &o)
			want = o.Octets + o.Address + o.Value
		}
		if string(got) != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s read as %q, %v; want %q, %v", v, got, err, want, wantErr)
		}
	}
}
