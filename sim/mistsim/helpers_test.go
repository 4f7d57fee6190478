package mistsim

import (
	"net/http"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// testStart is a fixed instant; tests that cross an hour move from here.
var testStart = time.Date(2025, 7, 10, 6, 30, 0, 0, time.UTC)

type harness struct {
	*simtest.Harness[*Server, Credentials]
}

type result = simtest.Result

// newHarness serves a simulator on loopback with a fixed clock; requests
// carry its token.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	h := &harness{Harness: simtest.NewHarness(t, testStart, &o, &o.Now, New)}
	h.C.BaseURL = h.TS.URL
	h.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Token "+h.C.Token) }
	return h
}

func (h *harness) org(suffix string) string { return "/api/v1/orgs/" + h.C.OrgID + suffix }

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
	h.T.Helper()
	return simtest.Walk(h.T, path, func(path string) (searchBody[T], string) {
		var p searchBody[T]
		h.GetOK(path, &p)
		if p.Next == nil {
			return p, ""
		}
		return p, *p.Next
	})
}
