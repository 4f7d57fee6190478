package primesim

import (
	"fmt"
	"strings"
	"testing"
)

type clientItem struct {
	ID                   int64  `json:"@id"`
	APMacAddress         octets `json:"apMacAddress"`
	ConnectionType       string `json:"connectionType"`
	DeviceName           string `json:"deviceName"`
	MacAddress           octets `json:"macAddress"`
	Protocol             string `json:"protocol"`
	SecurityPolicyStatus string `json:"securityPolicyStatus"`
	SSID                 string `json:"ssid"`
	Status               string `json:"status"`
	Location             string `json:"location"`
	UpdateTime           int64  `json:"updateTime"`
	IPAddress            struct {
		Address string `json:"address"`
	} `json:"ipAddress"`
}

var protocolCols = map[string]string{
	"DOT11A": "dot11a", "DOT11AC": "dot11ac", "DOT11AX5GHZ": "dot11ax5", "DOT11N5GHZ": "dot11n5",
	"DOT11B": "dot11b", "DOT11G": "dot11g", "DOT11N2_4GNZ": "dot11n2_4", "DOT11AX2_4GHZ": "dot11ax2_4",
}

// TestClients: the Clients resource lists the clients the latest
// ClientCounts collection counts, AP by AP, SSID by SSID and protocol by
// protocol, and each switch's wired clients.
func TestClients(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5}))
	z := h.S.Sizes()
	clients := walkAll[clientItem](h, "Clients", "", 1000)
	if len(clients) != z.Clients+z.WiredClients {
		t.Fatalf("clients = %d; want %d wireless and %d wired", len(clients), z.Clients, z.WiredClients)
	}
	rows := walkAll[ccItem](h, "ClientCounts", "", 1000)
	at := rows[0].collected()
	// Tally the clients as ClientCounts rows do.
	got := map[[3]string]ccItem{}
	tally := func(k [3]string, col string, auth bool) {
		if got[k] == nil {
			got[k] = ccItem{}
		}
		got[k][col+"Count"] = float64(got[k].n(col+"Count") + 1)
		if auth {
			got[k][col+"AuthCount"] = float64(got[k].n(col+"AuthCount") + 1)
		}
	}
	ips := map[string]string{}
	for _, d := range walkAll[deviceItem](h, "Devices", "", 1000) {
		ips[d.DeviceName] = d.IPAddress
	}
	seen := map[string]bool{}
	var last int64
	for _, c := range clients {
		if c.ID <= last || seen[c.MacAddress.Octets] || seen[c.IPAddress.Address] {
			t.Fatalf("client %d (%s, %s) after %d: want ascending ids, distinct MACs and addresses", c.ID, c.MacAddress.Octets, c.IPAddress.Address, last)
		}
		last = c.ID
		seen[c.MacAddress.Octets], seen[c.IPAddress.Address] = true, true
		if c.Status != "ASSOCIATED" || c.UpdateTime != at {
			t.Errorf("client %d status %s, updateTime %d; want ASSOCIATED at %d", c.ID, c.Status, c.UpdateTime, at)
		}
		auth := c.SecurityPolicyStatus == "PASSED"
		switch c.ConnectionType {
		case "LIGHTWEIGHTWIRELESS":
			col, ok := protocolCols[c.Protocol]
			if !ok || c.SSID == "" || c.APMacAddress.Octets == "" {
				t.Fatalf("wireless client %+v", c)
			}
			tally([3]string{"ACCESSPOINT", macColon(parseHex(c.APMacAddress.Octets)), c.SSID}, col, auth)
			tally([3]string{"DEVICE", ips[c.DeviceName], c.SSID}, col, auth)
		case "WIRED":
			if c.Protocol != "DOT3" || c.SSID != "" || c.APMacAddress.Octets != "" {
				t.Fatalf("wired client %+v", c)
			}
			// Wired clients have no speed in the resource: count them whole.
			tally([3]string{"DEVICE", ips[c.DeviceName], "All"}, "wired", auth)
		default:
			t.Fatalf("client %d connectionType %q", c.ID, c.ConnectionType)
		}
	}
	for _, r := range rows {
		k := r.typeKey()
		if k[0] != "ACCESSPOINT" && k[0] != "DEVICE" || k[2] == "All" && k[0] == "ACCESSPOINT" {
			continue
		}
		g := got[k]
		if k[2] == "All" { // a switch, or a controller's aggregate
			_, _, wired := sumCols(r, false)
			_, _, wiredAuth := sumCols(r, true)
			if wired > 0 && (g.n("wiredCount") != wired || g.n("wiredAuthCount") != wiredAuth) {
				t.Errorf("switch %s: %d wired clients, %d authenticated; want %d, %d", k[1], g.n("wiredCount"), g.n("wiredAuthCount"), wired, wiredAuth)
			}
			continue
		}
		for col := range protocolCols {
			c := protocolCols[col]
			if g.n(c+"Count") != r.n(c+"Count") || g.n(c+"AuthCount") != r.n(c+"AuthCount") {
				t.Errorf("%v %s: Clients %d (%d auth); want the row's %d (%d)", k, c, g.n(c+"Count"), g.n(c+"AuthCount"), r.n(c+"Count"), r.n(c+"AuthCount"))
			}
		}
	}
	// Domains see their campus's clients; filters work.
	for _, d := range h.S.Domains()[1:] {
		n := countOf(h, "Clients", "_ctx.domain="+d)
		wireless := countOf(h, "Clients", "_ctx.domain="+d+"&connectionType=LIGHTWEIGHTWIRELESS")
		if wireless != z.PerDomain[d].Clients || n <= wireless {
			t.Errorf("Clients in %s: %d, %d wireless; want %d wireless and some wired", d, n, wireless, z.PerDomain[d].Clients)
		}
	}
	corp := 0
	for _, c := range clients {
		if c.SSID == "Corp" {
			corp++
		}
	}
	if n := countOf(h, "Clients", "ssid=Corp"); n != corp || corp == 0 {
		t.Errorf("Clients?ssid=Corp = %d; want %d", n, corp)
	}
	// One client by id, and the v3 string forms.
	c := clients[len(clients)/2]
	var one envelope[clientItem]
	h.GetOK(fmt.Sprintf("%sClients/%d.json", dataPrefix, c.ID), &one)
	if e := one.QueryResponse.Entity; len(e) != 1 || e[0].dto().MacAddress != c.MacAddress {
		t.Errorf("GET Clients/%d = %+v", c.ID, one.QueryResponse)
	}
	dto := firstDTO(t, raw(h, dataAt("v3", "Clients", ".full=true&.maxResults=1")), "clientsDTO")
	if s, ok := dto["macAddress"].(string); !ok || strings.Count(s, ":") != 5 {
		t.Errorf("v3 client macAddress %v; want a string", dto["macAddress"])
	}
	// After a step the clients follow the new collection.
	h.Clock.Add(DefaultCollectionInterval)
	h.S.Step()
	z = h.S.Sizes()
	if n := countOf(h, "Clients", ""); n != z.Clients+z.WiredClients {
		t.Errorf("clients after a step = %d; want %d", n, z.Clients+z.WiredClients)
	}
}
