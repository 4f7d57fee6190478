package nautobotsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

var testStart = time.Date(2025, 7, 10, 6, 30, 0, 0, time.UTC)

type harness struct {
	*simtest.Harness[*Server, Credentials]
}

type result = simtest.Result

// newHarness serves a simulator on loopback with a fixed clock; requests
// carry its token and do not follow redirects.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	h := &harness{Harness: simtest.NewHarness(t, testStart, &o, &o.Now, New)}
	h.C.BaseURL = h.TS.URL
	h.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Token "+h.C.Token) }
	h.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return h
}

// request sends method path (see simtest.Harness.NewRequest).
func (h *harness) request(method, path string, hdr map[string]string) result {
	h.T.Helper()
	return h.Request(method, path, "", hdr)
}

// stable is a body with this server's address taken out, to compare bodies
// across servers.
func (h *harness) stable(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(h.C.BaseURL), []byte("http://nautobot"))
}

type page[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

type brief struct {
	ID         string `json:"id"`
	ObjectType string `json:"object_type"`
	URL        string `json:"url"`
	Display    string `json:"display"`
	Name       string `json:"name"`
}

type device2 struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Serial     string `json:"serial"`
	Location   brief  `json:"location"`
	Status     brief  `json:"status"`
	Role       brief  `json:"role"`
	Tenant     *brief `json:"tenant"`
	Platform   *brief `json:"platform"`
	PrimaryIP4 *brief `json:"primary_ip4"`
}

// count reads count from path with limit=1, as pynautobot's count() does.
func (h *harness) count(path string) int {
	h.T.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var p page[json.RawMessage]
	h.GetOK(path+sep+"limit=1", &p)
	return p.Count
}

// walk follows next links verbatim from path and returns every page.
func walk[T any](h *harness, path string) []page[T] {
	h.T.Helper()
	return simtest.Walk(h.T, h.C.BaseURL+path, func(next string) (page[T], string) {
		if !strings.HasPrefix(next, h.C.BaseURL+"/") {
			h.T.Fatalf("next link %q does not point back at %s", next, h.C.BaseURL)
		}
		var p page[T]
		h.GetOK(strings.TrimPrefix(next, h.C.BaseURL), &p)
		if p.Next == nil {
			return p, ""
		}
		return p, *p.Next
	})
}

// keysOf returns an object's keys in body order.
func keysOf(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("body %.80s is not an object", raw)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// seeds makes n mirror seeds over sites, like another vendor's devices.
func seeds(n int, sites ...string) []DeviceSeed {
	types := []string{"ap", "ap", "ap", "switch", "gateway"}
	out := make([]DeviceSeed, n)
	for i := range out {
		site, typ := sites[i%len(sites)], types[i%len(types)]
		out[i] = DeviceSeed{Serial: fmt.Sprintf("A16%08d", i), Name: fmt.Sprintf("%s-%s-%d", site, typ, i),
			Site: site, Vendor: "Juniper Mist", Type: typ}
	}
	return out
}
