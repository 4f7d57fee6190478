package exposition

import (
	"net/http"
	"testing"
)

// TestAcceptsGzip reads Accept-Encoding as RFC 9110 does.
func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZip"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate, br"}, false},
		{[]string{"deflate", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=0, identity"}, false},
		{[]string{"gzip;q=0, identity;q=0"}, false}, // nothing acceptable: plain, as promhttp
		{[]string{"identity"}, false},
		{[]string{"identity;q=0"}, false},
		{[]string{"gzip, identity;q=0"}, true},
		{[]string{"gzip;q=0.5"}, true}, // identity unnamed: the last choice
		{[]string{"gzip;q=0.5, identity;q=1"}, false},
		{[]string{"gzip;q=0.8, identity;q=0.8"}, true},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"gzip;q=nope"}, false}, // malformed: ignored
	} {
		h := http.Header{}
		for _, v := range tc.header {
			h.Add("Accept-Encoding", v)
		}
		if got := AcceptsGzip(h); got != tc.want {
			t.Errorf("AcceptsGzip(Accept-Encoding: %q) = %v; want %v", tc.header, got, tc.want)
		}
	}
}
