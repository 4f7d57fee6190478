package collector

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/mist"
)

// Cross-vendor data families: one Desc each, shared by every vendor.
var (
	siteInfoDesc   = desc("site_info", "One series per site, location or virtual domain.", "site_id", "site")
	deviceInfoDesc = desc("device_info", "One series per managed device, value 1.",
		"device", "serial", "mac", "model", "device_type", "site", "version")
	deviceUpDesc = desc("device_up", "1 when the device is connected or reachable, else 0.",
		"device", "serial", "device_type", "site")
	deviceUptimeDesc = desc("device_uptime_seconds", "Device uptime, where the API reports it.",
		"device", "serial", "site")
	clientsDesc   = desc("clients", "Connected wireless clients.", "site", "ssid", "band")
	apClientsDesc = desc("ap_clients", "Connected clients per access point.", "device", "site")
	alarmsDesc    = desc("alarms_active",
		"Active (not cleared) alarms with these labels; device is empty for site-wide alarms.",
		"site", "device", "severity", "category")
)

// Mist-only families.
var (
	mistSiteDevicesDesc          = desc("mist_site_devices", "Devices assigned to a Mist site, by type.", "site", "device_type")
	mistSiteDevicesConnectedDesc = desc("mist_site_devices_connected",
		"Devices of a Mist site connected to the cloud, by type.", "site", "device_type")
	mistSiteClientsDesc    = desc("mist_site_clients", "Clients Mist counts on a site.", "site")
	mistDeviceLastSeenDesc = desc("mist_device_last_seen_timestamp_seconds",
		"When Mist last heard from the device, in unix seconds.", "device", "serial", "site")
	mistAPIUsageDesc = desc("mist_api_usage_requests",
		"Calls Mist counted against the token in the current hour, from every tool using it.")
	mistAPILimitDesc = desc("mist_api_usage_limit", "The token's hourly call limit, as Mist reports it.")
)

var mistDescs = []*prometheus.Desc{
	siteInfoDesc, deviceInfoDesc, deviceUpDesc, deviceUptimeDesc, clientsDesc, apClientsDesc, alarmsDesc,
	mistSiteDevicesDesc, mistSiteDevicesConnectedDesc, mistSiteClientsDesc, mistDeviceLastSeenDesc,
	mistAPIUsageDesc, mistAPILimitDesc,
}

func newMistSource(sc config.Source, opts Options, api *APIStats) (*Source, error) {
	cfg, ok := sc.(*config.Mist)
	if !ok {
		return nil, fmt.Errorf("config section is %T, not Mist", sc)
	}
	budget := newBudget(cfg.Budget, opts.Now)
	client, err := mist.New(cfg, mist.Options{UserAgent: opts.UserAgent, Budget: budget, Recorder: api, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	fetchers := map[string]Fetcher{
		"sites": func(ctx context.Context) (any, int, error) {
			s, err := client.Sites(ctx)
			if err != nil {
				return nil, 0, err
			}
			return s, len(s.Sites), nil
		},
		"devices": func(ctx context.Context) (any, int, error) {
			d, err := client.Devices(ctx)
			if err != nil {
				return nil, 0, err
			}
			return d, len(d.Devices), nil
		},
		"clients": func(ctx context.Context) (any, int, error) {
			c, err := client.Clients(ctx)
			if err != nil {
				return nil, 0, err
			}
			return c, c.Total, nil
		},
		"alarms": func(ctx context.Context) (any, int, error) {
			a, err := client.Alarms(ctx)
			if err != nil {
				return nil, 0, err
			}
			return a, a.Total, nil
		},
		"usage": func(ctx context.Context) (any, int, error) {
			u, err := client.Usage(ctx)
			if err != nil {
				return nil, 0, err
			}
			return u, 1, nil
		},
	}
	s := &Source{Render: renderMist, Describe: mistDescs, Budget: budget, Reserve: cfg.Budget.Reserve}
	for _, name := range cfg.Enabled() {
		s.Collections = append(s.Collections, &Collection{
			Name: name, Interval: time.Duration(cfg.Collections[name].Interval), Fetch: fetchers[name],
		})
	}
	return s, nil
}

func newBudget(b config.Budget, now func() time.Time) *vendors.Budget {
	return vendors.NewBudget(vendors.BudgetConfig{
		PerSecond: b.RequestsPerSecond,
		PerHour:   b.RequestsPerHour,
		PerDay:    b.RequestsPerDay,
	}, now)
}

func renderMist(ch chan<- prometheus.Metric, data map[string]any) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if s, ok := data["sites"].(*mist.Sites); ok {
		for _, site := range s.Sites {
			gauge(siteInfoDesc, 1, site.ID, site.Name)
			gauge(mistSiteClientsDesc, float64(site.Clients), site.Name)
			for _, t := range []string{"ap", "switch", "gateway"} {
				gauge(mistSiteDevicesDesc, float64(site.Devices[t]), site.Name, t)
				gauge(mistSiteDevicesConnectedDesc, float64(site.Connected[t]), site.Name, t)
			}
		}
	}
	if d, ok := data["devices"].(*mist.Devices); ok {
		for _, dev := range d.Devices {
			gauge(deviceInfoDesc, 1, dev.Name, dev.Serial, dev.MAC, dev.Model, dev.Type, dev.Site, dev.Version)
			gauge(deviceUpDesc, boolValue(dev.Connected), dev.Name, dev.Serial, dev.Type, dev.Site)
			if dev.Connected {
				gauge(deviceUptimeDesc, dev.Uptime, dev.Name, dev.Serial, dev.Site)
			}
			if dev.LastSeen > 0 {
				gauge(mistDeviceLastSeenDesc, dev.LastSeen, dev.Name, dev.Serial, dev.Site)
			}
			if dev.Clients >= 0 {
				gauge(apClientsDesc, float64(dev.Clients), dev.Name, dev.Site)
			}
		}
	}
	if c, ok := data["clients"].(*mist.Clients); ok {
		for _, cc := range c.Counts {
			gauge(clientsDesc, float64(cc.Count), cc.Site, cc.SSID, cc.Band)
		}
	}
	if a, ok := data["alarms"].(*mist.Alarms); ok {
		for _, ac := range a.Counts {
			gauge(alarmsDesc, float64(ac.Count), ac.Site, ac.Device, ac.Severity, ac.Category)
		}
	}
	if u, ok := data["usage"].(*mist.Usage); ok {
		gauge(mistAPIUsageDesc, u.Requests)
		gauge(mistAPILimitDesc, u.Limit)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
