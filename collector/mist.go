package collector

import (
	"context"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/mist"
)

// The collections of a mist source.
var (
	mistSites   = NewKey[*mist.Sites]("sites")
	mistDevices = NewKey[*mist.Devices]("devices")
	mistClients = NewKey[*mist.Clients]("clients")
	mistAlarms  = NewKey[*mist.Alarms]("alarms")
	mistUsage   = NewKey[*mist.Usage]("usage")
)

// Mist-only families.
var (
	mistSiteDevicesDesc          = exposition.NewFamily("mist_site_devices", "Devices assigned to a Mist site, by type.", "site", "device_type")
	mistSiteDevicesConnectedDesc = exposition.NewFamily("mist_site_devices_connected",
		"Devices of a Mist site connected to the cloud, by type.", "site", "device_type")
	mistSiteClientsDesc    = exposition.NewFamily("mist_site_clients", "Clients Mist counts on a site.", "site")
	mistDeviceLastSeenDesc = exposition.NewFamily("mist_device_last_seen_timestamp_seconds",
		"When Mist last heard from the device, in unix seconds.", "device", "serial", "site")
	mistAPIUsageDesc = exposition.NewFamily("mist_api_usage_requests",
		"Calls Mist counted against the token in the current hour, from every tool using it.")
	mistAPILimitDesc = exposition.NewFamily("mist_api_usage_limit", "The token's hourly call limit, as Mist reports it.")
)

func newMistSource(cfg *config.Mist, opts Options, api *APIStats) (*Source, error) {
	budget := newBudget(vendors.BudgetConfig{
		PerSecond: cfg.Budget.RequestsPerSecond,
		PerHour:   cfg.Budget.RequestsPerHour,
		PerDay:    cfg.Budget.RequestsPerDay,
	}, opts)
	client, err := mist.New(cfg, mist.Options{UserAgent: opts.UserAgent, Budget: budget, Recorder: api, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	kinds := []kind{
		collect(mistSites, client.Sites, func(s *mist.Sites) int { return len(s.Sites) }),
		collect(mistDevices, client.Devices, func(d *mist.Devices) int { return len(d.Devices) }),
		collect(mistClients, client.Clients, func(c *mist.Clients) int { return c.Total }),
		collect(mistAlarms, client.Alarms, func(a *mist.Alarms) int { return a.Total }),
		collect(mistUsage, client.Usage, func(*mist.Usage) int { return 1 }),
	}
	s := &Source{Render: renderMist, Budget: budget, Reserve: cfg.Budget.Reserve,
		Identity: cfg.URL() + " " + cfg.OrgID + " " + cfg.Email}
	s.DeviceList = func(d Data) []model.Device {
		if d, ok := Get(d, mistDevices); ok {
			return d.Devices
		}
		return nil
	}
	s.AlarmList = func(d Data) []model.AlarmCount {
		if a, ok := Get(d, mistAlarms); ok {
			return a.Counts
		}
		return nil
	}
	if cfg.WebhookSecret != "" {
		s.WebhookSecret = cfg.WebhookSecret.Value()
		s.Webhook = func(ctx context.Context, body []byte, d Data) (WebhookResult, error) {
			sites, _ := Get(d, mistSites)
			devices, _ := Get(d, mistDevices)
			r, err := client.Webhook(ctx, body, sites, devices)
			if err != nil {
				return WebhookResult{}, err
			}
			return WebhookResult{Alarms: r.Alarms, Events: r.Events, Filtered: r.Filtered}, nil
		}
	}
	s.Close = client.Close
	s.addCollections(&cfg.Common, kinds)
	return s, nil
}

func renderMist(out *exposition.Sink, d Data) {
	if s, ok := Get(d, mistSites); ok {
		for _, site := range s.Sites {
			out.Gauge(exposition.SiteInfo, 1, site.ID, site.Name)
			out.Gauge(mistSiteClientsDesc, float64(site.Clients), site.Name)
			for _, t := range []string{"ap", "switch", "gateway"} {
				out.Gauge(mistSiteDevicesDesc, float64(site.Devices[t]), site.Name, t)
				out.Gauge(mistSiteDevicesConnectedDesc, float64(site.Connected[t]), site.Name, t)
			}
		}
	}
	if d, ok := Get(d, mistDevices); ok {
		exposition.Devices(out, d.Devices)
		for _, dev := range d.Devices {
			if dev.LastSeen > 0 {
				out.Gauge(mistDeviceLastSeenDesc, dev.LastSeen, dev.Name, dev.Serial, dev.Site)
			}
		}
	}
	if c, ok := Get(d, mistClients); ok {
		exposition.Clients(out, c.Counts)
	}
	if u, ok := Get(d, mistUsage); ok {
		out.Gauge(mistAPIUsageDesc, u.Requests)
		out.Gauge(mistAPILimitDesc, u.Limit)
	}
}
