package mistsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// testStart is a fixed instant; tests that cross an hour move from here.
var testStart = time.Date(2025, 7, 10, 6, 30, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	c     Credentials
	clock *simtest.Clock
}

// newHarness serves a simulator on loopback with a fixed clock.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	s, ts, clock := simtest.Serve(t, testStart, &o, &o.Now, New)
	c := s.Credentials()
	c.BaseURL = ts.URL
	return &harness{t: t, s: s, ts: ts, c: c, clock: clock}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// request sends method path with the harness token unless hdr overrides
// Authorization ("" removes it).
func (h *harness) request(method, path string, body string, hdr map[string]string) result {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.c.BaseURL+path, rd)
	if err != nil {
		h.t.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	req.Header.Set("Authorization", "Token "+h.c.Token)
	simtest.SetHeaders(req, hdr)
	st, header, b := simtest.Do(h.t, h.ts.Client(), req)
	return result{st, header, b}
}

func (h *harness) get(path string) result {
	h.t.Helper()
	return h.request("GET", path, "", nil)
}

// getOK gets path, requires 200 and decodes the body into v.
func (h *harness) getOK(path string, v any) result {
	h.t.Helper()
	r := h.get(path)
	simtest.DecodeOK(h.t, "GET "+path, r.status, r.body, v)
	return r
}

func (h *harness) org(suffix string) string { return "/api/v1/orgs/" + h.c.OrgID + suffix }

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

type searchBody[T any] struct {
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Limit   int     `json:"limit"`
	Total   int     `json:"total"`
	Results []T     `json:"results"`
	Next    *string `json:"next"`
}

type clientItem struct {
	MAC       string  `json:"mac"`
	SiteID    string  `json:"site_id"`
	LastAP    string  `json:"last_ap"`
	LastSSID  string  `json:"last_ssid"`
	Band      string  `json:"band"`
	Timestamp float64 `json:"timestamp"`
}

type alarmItem struct {
	ID        string   `json:"id"`
	SiteID    string   `json:"site_id"`
	Type      string   `json:"type"`
	Group     string   `json:"group"`
	Severity  string   `json:"severity"`
	Status    string   `json:"status"`
	Count     *int     `json:"count"`
	Timestamp *float64 `json:"timestamp"`
	LastSeen  *float64 `json:"last_seen"`
	APs       []string `json:"aps"`
	Switches  []string `json:"switches"`
	Hostnames []string `json:"hostnames"`
}

type deviceItem struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	MAC        string  `json:"mac"`
	Name       string  `json:"name"`
	SiteID     string  `json:"site_id"`
	Status     string  `json:"status"`
	Uptime     float64 `json:"uptime"`
	NumClients *int    `json:"num_clients"`
	RadioStat  map[string]struct {
		NumClients int `json:"num_clients"`
	} `json:"radio_stat"`
}

type siteStatsItem struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	NumAP               int    `json:"num_ap"`
	NumAPConnected      int    `json:"num_ap_connected"`
	NumSwitch           int    `json:"num_switch"`
	NumSwitchConnected  int    `json:"num_switch_connected"`
	NumGateway          int    `json:"num_gateway"`
	NumGatewayConnected int    `json:"num_gateway_connected"`
	NumDevices          int    `json:"num_devices"`
	NumDevicesConnected int    `json:"num_devices_connected"`
	NumClients          int    `json:"num_clients"`
}

// walk follows next links from path and returns every page.
func walk[T any](h *harness, path string) []searchBody[T] {
	h.t.Helper()
	var pages []searchBody[T]
	for path != "" {
		var p searchBody[T]
		h.getOK(path, &p)
		pages = append(pages, p)
		path = ""
		if p.Next != nil {
			path = *p.Next
		}
		if len(pages) > 10000 {
			h.t.Fatalf("walk of %s did not end", path)
		}
	}
	return pages
}
