package config

import (
	"strings"
	"testing"
)

func TestSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"512KiB", 512 << 10, true},
		{"64MiB", 64 << 20, true},
		{"64MB", 64 << 20, true},
		{"1 GiB", 1 << 30, true},
		{"100B", 100, true},
		{"0", 0, true},
		{"-1MiB", 0, false},
		{"1.5MiB", 0, false},
		{"64 megabytes", 0, false},
		{"99999999999GiB", 0, false},
		{"", 0, false},
	} {
		got, ok := parseSize(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSize(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		s    Size
		want string
	}{{64 << 20, "64MiB"}, {1536, "1536"}, {3 << 10, "3KiB"}, {1 << 30, "1GiB"}, {0, "0"}} {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Size(%d).String() = %q; want %q", int64(tt.s), got, tt.want)
		}
	}
}

func TestBodySizeLimit(t *testing.T) {
	base := "nautobot:\n  - name: sot\n    base_url: https://nb.example.com\n    token: t\n"
	c, err := Parse([]byte(base+"    body_size_limit: 8MiB\n"), "x.yml")
	if err != nil || c.Nautobot[0].BodySizeLimit != 8<<20 {
		t.Fatalf("body_size_limit: 8MiB = %v, %v; want 8MiB", c, err)
	}
	for _, tt := range []struct{ value, want string }{
		{"lots", `x.yml:5: invalid size "lots"`},
		{"512", "x.yml:5: nautobot[0].body_size_limit: body_size_limit 512 is below 1KiB"},
	} {
		_, err := Parse([]byte(base+"    body_size_limit: "+tt.value+"\n"), "x.yml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("body_size_limit: %s = %v; want %q", tt.value, err, tt.want)
		}
	}
}
