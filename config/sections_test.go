package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEveryVendorSectionIsListed: each vendor's list in Config is in the
// table that lists, validates and names sources, so a vendor added to the
// file format cannot be skipped by validation.
func TestEveryVendorSectionIsListed(t *testing.T) {
	var keys []string
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		f := ct.Field(i)
		if f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
			continue
		}
		if reflect.PointerTo(f.Type.Elem()).Implements(reflect.TypeFor[Source]()) {
			keys = append(keys, strings.Split(f.Tag.Get("yaml"), ",")[0])
		}
	}
	if !slices.Equal(keys, Vendors()) {
		t.Errorf("vendor sections of Config = %v; the table lists %v", keys, Vendors())
	}
	for _, s := range sections {
		for _, src := range s.sources(&Config{Mist: []Mist{{}}, Prime: []Prime{{}}, CXCloud: []CXCloud{{}}, Nautobot: []Nautobot{{}}}) {
			if src.VendorName() != s.key {
				t.Errorf("section %q lists a source of vendor %q", s.key, src.VendorName())
			}
		}
	}
}
