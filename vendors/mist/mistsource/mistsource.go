// Package mistsource is the Juniper Mist adapter: the collections a mist source
// offers, read back typed, and the series they render.
package mistsource

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/mist"
)

// The collections of a mist source.
var (
	mistSites   = collector.NewKey[*mist.Sites]("sites")
	mistDevices = collector.NewKey[*mist.Devices]("devices")
	mistClients = collector.NewKey[*mist.Clients]("clients")
	mistAlarms  = collector.NewKey[*mist.Alarms]("alarms")
	mistUsage   = collector.NewKey[*mist.Usage]("usage")
	mistPorts   = collector.NewKey[*mist.Ports]("ports")
	mistVPN     = collector.NewKey[*mist.Peers]("vpn_peers")
	mistTunnels = collector.NewKey[*mist.Peers]("tunnels")
	mistBGP     = collector.NewKey[*mist.Peers]("bgp_peers")
	mistEdges   = collector.NewKey[*mist.Edges]("mxedges")
	mistSLE     = collector.NewKey[*mist.SLEs]("sle")
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
	mistEdgeTunnels  = exposition.NewFamily("mist_edge_tunnels", "Tunnels a Mist Edge terminates.", "device", "site")
	mistBGPPeerInfo  = exposition.NewFamily("mist_bgp_peer_info",
		"The autonomous systems of a BGP session, value 1.", "device", "peer", "local_as", "neighbor_as")
)

// Vendor is the Juniper Mist vendor: its config key, hold cap (an hourly quota per token) and
// adapter.
var Vendor = collector.NewVendor("mist", time.Hour, build)

func build(cfg *config.Mist, env collector.Env) (*collector.Parts, error) {
	budget := env.Budget(vendors.BudgetFor(cfg.Budget))
	client, err := mist.New(cfg, mist.Options{UserAgent: env.UserAgent, Budget: budget, Recorder: env.API, Now: env.Now})
	if err != nil {
		return nil, err
	}
	kinds := []collector.Kind{
		collector.Collect(mistSites, client.Sites, func(s *mist.Sites) int { return len(s.Sites) }),
		collector.Collect(mistDevices, client.Devices, func(d *mist.Devices) int { return len(d.Devices) }),
		collector.Collect(mistClients, client.Clients, func(c *mist.Clients) int { return c.Total }),
		collector.Collect(mistAlarms, client.Alarms, func(a *mist.Alarms) int { return len(a.Alarms) }),
		collector.Collect(mistUsage, client.Usage, func(*mist.Usage) int { return 1 }),
		collector.Collect(mistPorts, client.Ports, func(p *mist.Ports) int { return len(p.Ports) }),
		collector.Collect(mistVPN, client.VPNPeers, countPeers),
		collector.Collect(mistTunnels, client.Tunnels, countPeers),
		collector.Collect(mistBGP, client.BGPPeers, countPeers),
		collector.Collect(mistEdges, client.MistEdges, func(e *mist.Edges) int { return len(e.Edges) }),
		collector.Collect(mistSLE, client.SLEs, func(s *mist.SLEs) int { return len(s.SLEs) }),
	}
	ports := cfg.Ports
	render := func(out *exposition.Sink, d collector.Data) { render(out, d, &ports) }
	p := &collector.Parts{Collections: kinds, Render: render, Budget: budget,
		Identity: cfg.URL() + " " + cfg.OrgID + " " + cfg.Email}
	p.Devices = func(d collector.Data) []model.Device {
		if d, ok := collector.Get(d, mistDevices); ok {
			return d.Devices
		}
		return nil
	}
	p.Alarms = func(d collector.Data) []model.Alarm {
		if a, ok := collector.Get(d, mistAlarms); ok {
			devices, _ := collector.Get(d, mistDevices)
			return mist.NameAlarmDevices(a.Alarms, devices)
		}
		return nil
	}
	if cfg.WebhookSecret != "" {
		p.WebhookSecret = cfg.WebhookSecret.Value()
		p.Webhook = func(ctx context.Context, body []byte, d collector.Data) (collector.WebhookResult, error) {
			sites, _ := collector.Get(d, mistSites)
			devices, _ := collector.Get(d, mistDevices)
			alarms, _ := collector.Get(d, mistAlarms)
			r, err := client.Webhook(ctx, body, sites, devices, alarms)
			if err != nil {
				return collector.WebhookResult{}, err
			}
			return collector.WebhookResult{Alarms: r.Alarms, Events: r.Events, Filtered: r.Filtered, Devices: r.Devices}, nil
		}
	}
	if cfg.Stream.Enabled {
		look := siteLook(cfg)
		p.Live = func(ctx context.Context, f *collector.LiveFeed) { stream(ctx, client, f, env, look) }
		p.LiveStretch = map[string]float64{"devices": streamStretch}
		p.LiveExpiry = time.Duration(cfg.Stream.Silence)
	}
	p.Close = client.Close
	return p, nil
}

// streamStretch is how much longer the devices collection waits between
// polls while the stream is up: the stream tells of each device every
// 20 to 30 s, and a poll every ten of its intervals still catches what it
// does not say (a device it never mentions, a name or a site changed).
const streamStretch = 10

// stream follows the device stream of the kept sites until ctx ends. It
// looks at the kept sites again as often as the sites are walked (at least
// once a minute; the last walk answers, with no call): when they changed,
// a site added or one the filter now keeps, the stream starts again on the
// new list, so that a new site's devices are followed too.
func stream(ctx context.Context, client *mist.Client, f *collector.LiveFeed, env collector.Env, look time.Duration) {
	logger := env.Log
	h := streamHandler{f, logger}
	sites, ok := firstSites(ctx, client, logger)
	for ok {
		sctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- client.Stream(sctx, sites, h) }()
		next, changed, err := sitesChange(ctx, client, sites, look, done)
		stop()
		if err != nil {
			logger.Warn("device stream not started", "err", err)
			return
		}
		if !changed {
			return // ctx ended
		}
		if err := <-done; err != nil {
			logger.Warn("device stream not started again", "err", err)
			return
		}
		logger.Info("device stream follows the kept sites again", "sites", len(next), "were", len(sites))
		f.Restarted()
		sites = next
	}
}

// firstSites waits for the first walk of the sites, trying again with
// backoff, and reports false when ctx ends first.
func firstSites(ctx context.Context, client *mist.Client, logger *slog.Logger) ([]string, bool) {
	for wait := time.Second; ; wait = min(2*wait, 5*time.Minute) {
		sites, err := client.KeptSiteIDs(ctx)
		if err == nil {
			return sites, true
		}
		logger.Debug("device stream waits for the site list", "err", err)
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(wait):
		}
	}
}

// sitesChange waits, looking at the kept sites every look, until they
// differ from sites (it returns the new list, perhaps empty, and true) or
// the stream ends: with the error it could not start with, or with ctx.
func sitesChange(ctx context.Context, client *mist.Client, sites []string, look time.Duration, done <-chan error) ([]string, bool, error) {
	t := time.NewTicker(look)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			return nil, false, err
		case <-t.C:
			now, err := client.KeptSiteIDs(ctx)
			if err == nil && !slices.Equal(now, sites) {
				return now, true, nil
			}
		}
	}
}

// siteLook is how often the stream looks at the kept sites: as often as
// the sites collection refreshes, and at least once a minute.
func siteLook(cfg *config.Mist) time.Duration {
	look := time.Minute
	if c, ok := cfg.Collections["sites"]; ok && c.Enabled && c.Interval > 0 {
		look = min(look, time.Duration(c.Interval))
	}
	return look
}

// streamHandler hands what the stream brings to the source's live feed.
type streamHandler struct {
	f      *collector.LiveFeed
	logger *slog.Logger
}

func (h streamHandler) Connected(conn int, up bool) { h.f.Connected(conn, up) }

// Update reads a message: a device that sends its stats is up, unless
// the message says it disconnected.
func (h streamHandler) Update(u mist.DeviceUpdate) {
	h.f.Message()
	up := u.Status == nil || *u.Status != "disconnected"
	h.f.Device(model.DeviceState{MAC: u.MAC, Up: up, At: u.Received})
}

func (h streamHandler) SubscribeFailed(channel, detail string) {
	h.logger.Warn("device stream refused a site", "channel", channel, "detail", detail)
}

func (h streamHandler) BadFrame(err error) {
	h.logger.Debug("device stream frame not read", "err", err)
}

func (h streamHandler) Reconnecting(conn int, err error, wait time.Duration) {
	h.f.Reconnecting()
	h.logger.Info("device stream reconnecting", "conn", conn, "err", err, "wait", wait)
}

func countPeers(p *mist.Peers) int { return len(p.Peers) }

func render(out *exposition.Sink, d collector.Data, ports *config.MistPorts) {
	if s, ok := collector.Get(d, mistSites); ok {
		for _, site := range s.Sites {
			out.Gauge(exposition.SiteInfo, 1, site.ID, site.Name)
			out.Gauge(mistSiteClientsDesc, float64(site.Clients), site.Name)
			for _, t := range []string{"ap", "switch", "gateway"} {
				out.Gauge(mistSiteDevicesDesc, float64(site.Devices[t]), site.Name, t)
				out.Gauge(mistSiteDevicesConnectedDesc, float64(site.Connected[t]), site.Name, t)
			}
		}
	}
	devices, ok := collector.Get(d, mistDevices)
	if ok {
		// What a webhook or the stream said since the last poll shows now.
		exposition.Devices(out, collector.LiveDevices(d, mistDevices, devices.Devices))
		for _, dev := range devices.Devices {
			if dev.LastSeen > 0 {
				out.Gauge(mistDeviceLastSeenDesc, dev.LastSeen, dev.Name, dev.Serial, dev.Site)
			}
		}
		exposition.Radios(out, devices.Radios)
		exposition.DeviceHealths(out, devices.Health)
	}
	renderNetwork(out, d, devices, ports)
	if c, ok := collector.Get(d, mistClients); ok {
		exposition.Clients(out, c.Counts)
	}
	if u, ok := collector.Get(d, mistUsage); ok {
		out.Gauge(mistAPIUsageDesc, u.Requests)
		out.Gauge(mistAPILimitDesc, u.Limit)
	}
}

// renderNetwork renders the wired, WAN, Mist Edge and SLE collections,
// naming devices from the devices collection.
func renderNetwork(out *exposition.Sink, d collector.Data, devices *mist.Devices, ports *config.MistPorts) {
	byMAC := devices.Index()
	if p, ok := collector.Get(d, mistPorts); ok {
		exposition.Interfaces(out, p.Interfaces(ports, byMAC))
	}
	for _, f := range []struct {
		key    collector.Key[*mist.Peers]
		family *exposition.Family
	}{{mistVPN, exposition.VPNPeerUp}, {mistTunnels, exposition.TunnelUp}, {mistBGP, exposition.BGPPeerUp}} {
		p, ok := collector.Get(d, f.key)
		if !ok {
			continue
		}
		named := p.Named(byMAC)
		exposition.Peers(out, f.family, named)
		for i, pr := range p.Peers {
			if pr.LocalAS != "" || pr.NeighborAS != "" {
				out.Gauge(mistBGPPeerInfo, 1, named[i].Device, pr.Peer, pr.LocalAS, pr.NeighborAS)
			}
		}
	}
	if e, ok := collector.Get(d, mistEdges); ok {
		devs := make([]model.Device, 0, len(e.Edges))
		health := make([]model.DeviceHealth, 0, len(e.Edges))
		for _, edge := range e.Edges {
			devs = append(devs, edge.Device)
			health = append(health, edge.Health)
			if edge.NumTunnels != nil {
				out.Gauge(mistEdgeTunnels, *edge.NumTunnels, edge.Device.Name, edge.Device.Site)
			}
		}
		exposition.Devices(out, devs)
		exposition.DeviceHealths(out, health)
	}
	if s, ok := collector.Get(d, mistSLE); ok {
		exposition.SLEs(out, s.SLEs)
	}
}
