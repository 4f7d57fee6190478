package nautobotsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

var testStart = time.Date(2025, 7, 10, 6, 30, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	c     Credentials
	clock *simtest.Clock
	cl    *http.Client // does not follow redirects
}

// newHarness serves a simulator on loopback with a fixed clock.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	s, ts, clock := simtest.Serve(t, testStart, &o, &o.Now, New)
	c := s.Credentials()
	c.BaseURL = ts.URL
	cl := ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &harness{t: t, s: s, ts: ts, c: c, clock: clock, cl: cl}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// request sends method path with the harness token; hdr overrides headers
// ("" removes one).
func (h *harness) request(method, path string, hdr map[string]string) result {
	h.t.Helper()
	req, err := http.NewRequest(method, h.c.BaseURL+path, nil)
	if err != nil {
		h.t.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	req.Header.Set("Authorization", "Token "+h.c.Token)
	simtest.SetHeaders(req, hdr)
	st, header, b := simtest.Do(h.t, h.cl, req)
	return result{st, header, b}
}

// stable is a body with this server's address taken out, to compare bodies
// across servers.
func (h *harness) stable(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(h.c.BaseURL), []byte("http://nautobot"))
}

func (h *harness) get(path string) result {
	h.t.Helper()
	return h.request("GET", path, nil)
}

// getOK gets path, requires 200 and decodes the body into v.
func (h *harness) getOK(path string, v any) result {
	h.t.Helper()
	r := h.get(path)
	simtest.DecodeOK(h.t, "GET "+path, r.status, r.body, v)
	return r
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
	h.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var p page[json.RawMessage]
	h.getOK(path+sep+"limit=1", &p)
	return p.Count
}

// walk follows next links verbatim from path and returns every page.
func walk[T any](h *harness, path string) []page[T] {
	h.t.Helper()
	var pages []page[T]
	next := h.c.BaseURL + path
	for next != "" {
		if !strings.HasPrefix(next, h.c.BaseURL+"/") {
			h.t.Fatalf("next link %q does not point back at %s", next, h.c.BaseURL)
		}
		var p page[T]
		h.getOK(strings.TrimPrefix(next, h.c.BaseURL), &p)
		pages = append(pages, p)
		next = ""
		if p.Next != nil {
			next = *p.Next
		}
		if len(pages) > 10000 {
			h.t.Fatalf("walk of %s did not end", path)
		}
	}
	return pages
}

func detailOf(t *testing.T, b []byte) string {
	t.Helper()
	var d struct {
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("error body %q is not JSON: %v", b, err)
	}
	return d.Detail
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
