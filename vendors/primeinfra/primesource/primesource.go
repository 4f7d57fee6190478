// Package primesource is the Cisco Prime Infrastructure adapter: the collections a prime source
// offers, read back typed, and the series they render.
package primesource

import (
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra"
)

// The collections of a primeinfra source.
var (
	primeAccessPoints = collector.NewKey[*primeinfra.AccessPoints]("access_points")
	primeDevices      = collector.NewKey[*primeinfra.Devices]("devices")
	primeClients      = collector.NewKey[*primeinfra.Clients]("clients")
	primeAlarms       = collector.NewKey[*primeinfra.Alarms]("alarms")
)

// Prime-only families.
var (
	primeAPControllerDesc = exposition.NewFamily("prime_ap_controller_info",
		"The wireless controller each Prime access point is joined to, value 1.", "device", "serial", "controller")
	primeWiredClientsDesc = exposition.NewFamily("prime_wired_clients", "Wired clients Prime counts on a device.", "device")
	primeClientSampleDesc = exposition.NewFamily("prime_client_counts_timestamp_seconds",
		"When Prime took the client count sample the client families show, in unix seconds.")
	primeAlarmsAckedDesc = exposition.NewFamily("prime_alarms_acknowledged",
		"Active alarms an operator has acknowledged in Prime, by severity and category.", "severity", "category")
	primeDomainDesc = exposition.NewFamily("prime_virtual_domain_info", "The virtual domain Prime answers for, value 1.", "domain")
)

// Vendor is the Cisco Prime Infrastructure vendor: its config key, hold cap (limits over a window of seconds) and
// adapter.
var Vendor = collector.NewVendor("prime", time.Minute, build)

func build(cfg *config.Prime, env collector.Env) (*collector.Parts, error) {
	pace := vendors.BudgetFor(cfg.Budget)
	// piapi's way with Prime's rate limiting: a burst of as many requests
	// as may run at once, then a hold.
	pace.BurstSize = cfg.Budget.Concurrency
	pace.BurstHold = time.Duration(cfg.Hold)
	budget := env.Budget(pace)
	client, err := primeinfra.New(cfg, primeinfra.Options{UserAgent: env.UserAgent, Budget: budget, Recorder: env.API})
	if err != nil {
		return nil, err
	}
	kinds := []collector.Kind{
		collector.Collect(primeAccessPoints, client.AccessPoints, func(a *primeinfra.AccessPoints) int { return len(a.Devices) }),
		collector.Collect(primeDevices, client.Devices, func(d *primeinfra.Devices) int { return len(d.Devices) }),
		collector.Collect(primeClients, client.Clients, func(c *primeinfra.Clients) int { return c.Total }),
		collector.Collect(primeControllers, client.Controllers, func(c *primeinfra.Controllers) int { return len(c.Controllers) }),
		collector.Collect(primeInventory, client.Inventory, countInventory),
		collector.Collect(primeRogues, client.Rogues, func(r *primeinfra.Rogues) int { return r.Total }),
		collector.Collect(primeRadios, client.Radios, func(r *primeinfra.Radios) int { return len(r.Radios) }),
		collector.Collect(primeAlarms, client.Alarms, func(a *primeinfra.Alarms) int { return len(a.Alarms) }),
	}
	ifaces := cfg.Interfaces
	p := &collector.Parts{Collections: kinds, Budget: budget,
		Identity: cfg.BaseURL + " " + cfg.VirtualDomain + " " + cfg.Username}
	p.Render = func(out *exposition.Sink, d collector.Data) { render(out, d, &ifaces) }
	p.Alarms = primeAlarmList
	p.Devices = func(d collector.Data) []model.Device {
		var out []model.Device
		if a, ok := collector.Get(d, primeAccessPoints); ok {
			out = append(out, a.Devices...)
		}
		return append(out, primeDeviceList(d)...)
	}
	p.Close = client.Close
	return p, nil
}

// primeAlarmList gives Prime's alarms the site of their device: the
// collections refresh apart, so the join is made from whatever each has
// last fetched.
func primeAlarmList(d collector.Data) []model.Alarm {
	a, ok := collector.Get(d, primeAlarms)
	if !ok {
		return nil
	}
	sites := map[string]string{}
	if d, ok := collector.Get(d, primeDevices); ok {
		for _, dev := range d.Devices {
			sites[dev.Name] = dev.Site
		}
	}
	if aps, ok := collector.Get(d, primeAccessPoints); ok {
		for _, d := range aps.Devices {
			sites[d.Name] = d.Site
		}
	}
	if len(sites) == 0 {
		return a.Alarms
	}
	// A copy: the snapshot is shared, and the join changes with the other
	// collections; the order, by id, stays.
	out := make([]model.Alarm, len(a.Alarms))
	for i, al := range a.Alarms {
		al.Site = sites[al.Device]
		out[i] = al
	}
	return out
}

// primeClientCounts puts Prime's per-AP client counts on their APs' sites, from
// whatever the access point collection last fetched; an AP it does not
// know yet counts without a site.
func primeClientCounts(c *primeinfra.Clients, a *primeinfra.AccessPoints) []model.ClientCount {
	counts := map[model.ClientCount]int{}
	for _, r := range c.Radios {
		var site string
		if a != nil {
			site = a.RadioSites[r.Radio]
		}
		counts[model.ClientCount{Site: site, SSID: r.SSID, Band: r.Band}] += r.Count
	}
	out := make([]model.ClientCount, 0, len(counts))
	for k, n := range counts {
		k.Count = n
		out = append(out, k)
	}
	model.SortClientCounts(out)
	return out
}

func render(out *exposition.Sink, d collector.Data, ifaces *config.PrimeInterfaces) {
	aps, _ := collector.Get(d, primeAccessPoints)
	if a := aps; a != nil {
		for _, site := range a.Sites {
			out.Gauge(exposition.SiteInfo, 1, site, site)
		}
		exposition.Devices(out, a.Devices)
		for _, d := range a.Devices {
			if ctl := a.Controllers[d.Name]; ctl != "" {
				out.Gauge(primeAPControllerDesc, 1, d.Name, d.Serial, ctl)
			}
		}
		if a.Domain != "" {
			out.Gauge(primeDomainDesc, 1, a.Domain)
		}
	}
	var names map[string]string
	if devs, ok := collector.Get(d, primeDevices); ok {
		exposition.Devices(out, primeDeviceList(d))
		names = devs.Names
	}
	renderInventory(out, d, ifaces)
	if c, ok := collector.Get(d, primeClients); ok {
		exposition.Clients(out, primeClientCounts(c, aps))
		for _, w := range c.Wired {
			name := names[w.Address]
			if name == "" {
				name = w.Address
			}
			out.Gauge(primeWiredClientsDesc, float64(w.Count), name)
		}
		if !c.CollectedAt.IsZero() {
			out.Gauge(primeClientSampleDesc, float64(c.CollectedAt.Unix()))
		}
	}
	if a, ok := collector.Get(d, primeAlarms); ok {
		type key struct{ severity, category string }
		acked := map[key]int{}
		for _, al := range a.Alarms {
			if al.Acked {
				acked[key{al.Severity, al.Category}]++
			}
		}
		for k, n := range acked {
			out.Gauge(primeAlarmsAckedDesc, float64(n), k.severity, k.category)
		}
	}
	renderControllers(out, d)
	renderRogues(out, d, aps)
	renderRadios(out, d)
}
