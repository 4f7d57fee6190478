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
	*simtest.Harness[*Server, Credentials]
	token string
}

type result = simtest.Result

// newHarness serves a simulator on loopback with a fixed clock and a
// generous rate limit unless o sets one; requests carry a token it issued,
// and paths not starting with / are under the base path.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	if o.PerSecond == 0 {
		o.PerSecond = 1 << 20
	}
	h := &harness{Harness: simtest.NewHarness(t, testStart, &o, &o.Now, New)}
	h.C.BaseURL = h.TS.URL + h.C.BasePath()
	h.C.TokenURL = h.TS.URL + h.C.TokenPath()
	h.URL = func(path string) string {
		if strings.HasPrefix(path, "/") {
			return h.TS.URL + path
		}
		return h.C.BaseURL + "/" + path
	}
	h.token = h.newToken()
	h.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+h.token) }
	return h
}

// postToken posts a token request body with the given content type.
func (h *harness) postToken(body, contentType string) result {
	h.T.Helper()
	req, _ := http.NewRequest("POST", h.C.TokenURL, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return h.Do(req)
}

// issueToken gets an access token from s in process, without a listener.
func issueToken(tb testing.TB, s *Server) string {
	tb.Helper()
	c := s.Credentials()
	req := httptest.NewRequest("POST", tokenPath, strings.NewReader(tokenBody(c.ClientID, c.ClientSecret, Scope)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		tb.Fatalf("token = %d %s; want an access token", rec.Code, rec.Body)
	}
	return tok.AccessToken
}

// tokenBody is the documented token request.
func tokenBody(id, secret, scope string) string {
	b, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": id, "secret": secret, "scope": scope})
	return string(b)
}

func (h *harness) newToken() string {
	h.T.Helper()
	r := h.postToken(tokenBody(h.C.ClientID, h.C.ClientSecret, Scope), "application/json")
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &tok) != nil || tok.AccessToken == "" {
		h.T.Fatalf("token request = %d %s; want 200 with an accessToken", r.Status, r.Body)
	}
	return tok.AccessToken
}

// request sends method path (see newHarness).
func (h *harness) request(method, path string, hdr map[string]string) result {
	h.T.Helper()
	return h.Request(method, path, "", hdr)
}

// items gets a list and returns its items as generic objects.
func (h *harness) items(path string) []map[string]any {
	h.T.Helper()
	var body struct {
		Items []map[string]any `json:"items"`
	}
	h.GetOK(path, &body)
	if body.Items == nil {
		h.T.Fatalf("GET %s: no items array", path)
	}
	return body.Items
}

// all walks a list as the SDK does (_get_all_items): no offset on the
// first request, then offset = the offset header (1 when absent) + max,
// while that is at most total.
func (h *harness) all(path string) []map[string]any {
	h.T.Helper()
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
		r := h.GetOK(p, &body)
		out = append(out, body.Items...)
		offset, err := strconv.Atoi(r.Header.Get("offset"))
		if err != nil {
			offset = 1
		}
		most, _ := strconv.Atoi(r.Header.Get("max"))
		total, _ := strconv.Atoi(r.Header.Get("total"))
		if next = offset + most; next > total {
			return out
		}
		if pages > 100000 {
			h.T.Fatalf("GET %s: paging does not end", path)
		}
	}
}

// paging reads a list answer's offset, max and total headers.
func paging(r result) (offset, most, total int) {
	offset, _ = strconv.Atoi(r.Header.Get("offset"))
	most, _ = strconv.Atoi(r.Header.Get("max"))
	total, _ = strconv.Atoi(r.Header.Get("total"))
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
