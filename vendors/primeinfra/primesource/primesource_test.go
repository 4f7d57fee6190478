package primesource_test

import (
	"testing"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// TestPrimeClientsCountedOnce: the client families of a Prime source add
// up to the server's clients, each once: wireless clients on their APs'
// sites, wired clients from the devices' wired columns only, never a
// controller's wireless clients counted as wired.
func TestPrimeClientsCountedOnce(t *testing.T) {
	sim := newSim(t, primesim.Options{Seed: 11, Size: "small", RateLimit: -1})
	s := refreshedSource(t, sim, "    page_size: 50\n")
	mfs, err := collectortest.Scraped(t, s).Gather()
	if err != nil {
		t.Fatal(err)
	}
	sites := map[string]bool{}
	var clientSites []string
	var wireless, wired float64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch mf.GetName() {
			case "nms_site_info":
				sites[labels["site"]] = true
			case "nms_clients":
				wireless += m.GetGauge().GetValue()
				clientSites = append(clientSites, labels["site"])
				if labels["site"] == "" || labels["ssid"] == "All" {
					t.Errorf("nms_clients %v; want a site and one SSID", labels)
				}
			case "nms_prime_wired_clients":
				wired += m.GetGauge().GetValue()
			}
		}
	}
	for _, site := range clientSites {
		if !sites[site] {
			t.Errorf("nms_clients on site %q, which nms_site_info does not list", site)
		}
	}
	want := sim.Sizes()
	if int(wireless) != want.Clients {
		t.Errorf("sum of nms_clients = %v; want the server's %d wireless clients", wireless, want.Clients)
	}
	if int(wired) != want.WiredClients {
		t.Errorf("sum of nms_prime_wired_clients = %v; want the server's %d wired clients", wired, want.WiredClients)
	}
}
