package collector

import (
	"context"
	"fmt"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/mist"
)

// Mist-only families.
var (
	mistSiteDevicesDesc          = newFamily("mist_site_devices", "Devices assigned to a Mist site, by type.", "site", "device_type")
	mistSiteDevicesConnectedDesc = newFamily("mist_site_devices_connected",
		"Devices of a Mist site connected to the cloud, by type.", "site", "device_type")
	mistSiteClientsDesc    = newFamily("mist_site_clients", "Clients Mist counts on a site.", "site")
	mistDeviceLastSeenDesc = newFamily("mist_device_last_seen_timestamp_seconds",
		"When Mist last heard from the device, in unix seconds.", "device", "serial", "site")
	mistAPIUsageDesc = newFamily("mist_api_usage_requests",
		"Calls Mist counted against the token in the current hour, from every tool using it.")
	mistAPILimitDesc = newFamily("mist_api_usage_limit", "The token's hourly call limit, as Mist reports it.")
)

func newMistSource(sc config.Source, opts Options, api *APIStats) (*Source, error) {
	cfg, ok := sc.(*config.Mist)
	if !ok {
		return nil, fmt.Errorf("config section is %T, not Mist", sc)
	}
	budget := newBudget(vendors.BudgetConfig{
		PerSecond: cfg.Budget.RequestsPerSecond,
		PerHour:   cfg.Budget.RequestsPerHour,
		PerDay:    cfg.Budget.RequestsPerDay,
	}, opts)
	client, err := mist.New(cfg, mist.Options{UserAgent: opts.UserAgent, Budget: budget, Recorder: api, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	kinds := map[string]kind{
		"sites":   typed(client.Sites, func(s *mist.Sites) int { return len(s.Sites) }),
		"devices": typed(client.Devices, func(d *mist.Devices) int { return len(d.Devices) }),
		"clients": typed(client.Clients, func(c *mist.Clients) int { return c.Total }),
		"alarms":  typed(client.Alarms, func(a *mist.Alarms) int { return a.Total }),
		"usage":   typed(client.Usage, func(*mist.Usage) int { return 1 }),
	}
	s := &Source{Render: renderMist, Budget: budget, Reserve: cfg.Budget.Reserve,
		Identity: cfg.URL() + " " + cfg.OrgID + " " + cfg.Email}
	s.DeviceList = func(data map[string]any) []model.Device {
		if d, ok := data["devices"].(*mist.Devices); ok {
			return d.Devices
		}
		return nil
	}
	s.AlarmList = func(data map[string]any) []model.AlarmCount {
		if a, ok := data["alarms"].(*mist.Alarms); ok {
			return a.Counts
		}
		return nil
	}
	if cfg.WebhookSecret != "" {
		s.WebhookSecret = cfg.WebhookSecret.Value()
		s.Webhook = func(ctx context.Context, body []byte, data map[string]any) (WebhookResult, error) {
			sites, _ := data["sites"].(*mist.Sites)
			devices, _ := data["devices"].(*mist.Devices)
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

func renderMist(out *sink, data map[string]any) {
	if s, ok := data["sites"].(*mist.Sites); ok {
		for _, site := range s.Sites {
			out.gauge(siteInfoDesc, 1, site.ID, site.Name)
			out.gauge(mistSiteClientsDesc, float64(site.Clients), site.Name)
			for _, t := range []string{"ap", "switch", "gateway"} {
				out.gauge(mistSiteDevicesDesc, float64(site.Devices[t]), site.Name, t)
				out.gauge(mistSiteDevicesConnectedDesc, float64(site.Connected[t]), site.Name, t)
			}
		}
	}
	if d, ok := data["devices"].(*mist.Devices); ok {
		renderDevices(out, d.Devices)
		for _, dev := range d.Devices {
			if dev.LastSeen > 0 {
				out.gauge(mistDeviceLastSeenDesc, dev.LastSeen, dev.Name, dev.Serial, dev.Site)
			}
		}
	}
	if c, ok := data["clients"].(*mist.Clients); ok {
		renderClients(out, c.Counts)
	}
	if u, ok := data["usage"].(*mist.Usage); ok {
		out.gauge(mistAPIUsageDesc, u.Requests)
		out.gauge(mistAPILimitDesc, u.Limit)
	}
}
