package cxsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// testStart is a fixed instant, a quarter into a second so that second
// windows are visibly aligned to the clock.
var testStart = time.Date(2025, 7, 10, 6, 30, 0, 250_000_000, time.UTC)

type harness struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	c     Credentials
	clock *simtest.Clock
	token string
}

// newHarness serves a simulator on loopback with a fixed clock and a
// generous rate limit unless o sets one.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	if o.PerSecond == 0 {
		o.PerSecond = 1 << 20
	}
	s, ts, clock := simtest.Serve(t, testStart, &o, &o.Now, New)
	c := s.Credentials()
	c.BaseURL = ts.URL + c.BasePath()
	c.TokenURL = ts.URL + c.TokenPath()
	h := &harness{t: t, s: s, ts: ts, c: c, clock: clock}
	h.token = h.newToken()
	return h
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(req *http.Request) result {
	h.t.Helper()
	st, header, b := simtest.Do(h.t, h.ts.Client(), req)
	return result{st, header, b}
}

// postToken posts a token request body with the given content type.
func (h *harness) postToken(body, contentType string) result {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.c.TokenURL, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return h.do(req)
}

// tokenBody is the documented token request.
func tokenBody(id, secret, scope string) string {
	b, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": id, "secret": secret, "scope": scope})
	return string(b)
}

func (h *harness) newToken() string {
	h.t.Helper()
	r := h.postToken(tokenBody(h.c.ClientID, h.c.ClientSecret, Scope), "application/json")
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &tok) != nil || tok.AccessToken == "" {
		h.t.Fatalf("token request = %d %s; want 200 with an accessToken", r.status, r.body)
	}
	return tok.AccessToken
}

// request gets path (under /us/bcs/v2/ unless it starts with "/") with the
// harness token unless hdr overrides Authorization ("" removes it).
func (h *harness) request(method, path string, hdr map[string]string) result {
	h.t.Helper()
	u := h.c.BaseURL + "/" + path
	if strings.HasPrefix(path, "/") {
		u = h.ts.URL + path
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		h.t.Fatalf("NewRequest(%s %s): %v", method, u, err)
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	simtest.SetHeaders(req, hdr)
	return h.do(req)
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

// items gets a list and returns its items as generic objects.
func (h *harness) items(path string) []map[string]any {
	h.t.Helper()
	var body struct {
		Items []map[string]any `json:"items"`
	}
	h.getOK(path, &body)
	if body.Items == nil {
		h.t.Fatalf("GET %s: no items array", path)
	}
	return body.Items
}

// all walks a list as the SDK does (_get_all_items): no offset on the
// first request, then offset = the offset header (1 when absent) + max,
// while that is at most total.
func (h *harness) all(path string) []map[string]any {
	h.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []map[string]any
	next := -1
	for pages := 0; ; pages++ {
		p := path
		if next >= 0 {
			p += sep + "offset=" + strconv.Itoa(next)
		}
		var body struct {
			Items []map[string]any `json:"items"`
		}
		r := h.getOK(p, &body)
		out = append(out, body.Items...)
		offset, err := strconv.Atoi(r.header.Get("offset"))
		if err != nil {
			offset = 1
		}
		most, _ := strconv.Atoi(r.header.Get("max"))
		total, _ := strconv.Atoi(r.header.Get("total"))
		if next = offset + most; next > total {
			return out
		}
		if pages > 100000 {
			h.t.Fatalf("GET %s: paging does not end", path)
		}
	}
}

// paging reads a list answer's offset, max and total headers.
func paging(r result) (offset, most, total int) {
	offset, _ = strconv.Atoi(r.header.Get("offset"))
	most, _ = strconv.Atoi(r.header.Get("max"))
	total, _ = strconv.Atoi(r.header.Get("total"))
	return offset, most, total
}

func messageOf(t *testing.T, b []byte) string {
	t.Helper()
	var m struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Message == nil {
		t.Fatalf("error body %q is not a {\"message\"} object: %v", b, err)
	}
	return *m.Message
}

var listPaths = []string{
	"deviceReset/lastResetDetails", "deviceReset/resetHistory", "contract/serials",
	"inventory/devices", "inventory/assets", "collectors",
	"productAlerts/fieldNotices", "productAlerts/fieldNoticeBulletins",
	"productAlerts/securityAdvisories", "productAlerts/securityAdvisoryBulletins",
	"productAlerts/hardwareEndOfLife", "productAlerts/hardwareEndOfLifeBulletins",
	"productAlerts/softwareEndOfLife", "productAlerts/softwareEndOfLifeBulletins",
}
