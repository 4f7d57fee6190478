package mist

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// searchFallback is the limit the wired, WAN and SLE calls ask when their
// page size is refused: none, so the server's own default (100), which it
// always allows, where the maximum of search endpoints is not stated
// (mist.md 12.0) and a server may cap it lower still.
const searchFallback = 0

// Wire types of the wired, WAN, Mist Edge and SLE endpoints (mist.md
// sections 12 and 13): the fields the exporter reads, every one optional.

type portStats struct {
	SiteID             string `json:"site_id"`
	MAC                string `json:"mac"`
	PortID             string `json:"port_id"`
	Type               string `json:"type"`
	Up                 *bool  `json:"up"`
	Disabled           bool   `json:"disabled"`
	Unconfigured       bool   `json:"unconfigured"`
	Speed              *num   `json:"speed"`
	RxBytes            *num   `json:"rx_bytes"`
	TxBytes            *num   `json:"tx_bytes"`
	RxErrors           *num   `json:"rx_errors"`
	TxErrors           *num   `json:"tx_errors"`
	PowerDraw          *num   `json:"power_draw"`
	NeighborMAC        string `json:"neighbor_mac"`
	NeighborPortDesc   string `json:"neighbor_port_desc"`
	NeighborSystemName string `json:"neighbor_system_name"`
}

type vpnPeerStats struct {
	SiteID         string `json:"site_id"`
	MAC            string `json:"mac"`
	RouterName     string `json:"router_name"`
	PortID         string `json:"port_id"`
	PeerMAC        string `json:"peer_mac"`
	PeerRouterName string `json:"peer_router_name"`
	PeerPortID     string `json:"peer_port_id"`
	Up             *bool  `json:"up"`
}

type wanTunnelStats struct {
	SiteID     string `json:"site_id"`
	MAC        string `json:"mac"`
	Node       string `json:"node"`
	TunnelName string `json:"tunnel_name"`
	PeerIP     string `json:"peer_ip"`
	Up         *bool  `json:"up"`
}

type bgpStats struct {
	SiteID     string       `json:"site_id"`
	MAC        string       `json:"mac"`
	Node       string       `json:"node"`
	VRFName    string       `json:"vrf_name"`
	Neighbor   string       `json:"neighbor"`
	NeighborAS vendors.Text `json:"neighbor_as"`
	LocalAS    vendors.Text `json:"local_as"`
	Up         *bool        `json:"up"`
	State      string       `json:"state"`
	RxRoutes   *num         `json:"rx_routes"`
}

type mxedgeStats struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Model      string      `json:"model"`
	Serial     string      `json:"serial"`
	SerialNo   string      `json:"serial_no"` // [MLX]'s spelling
	MAC        string      `json:"mac"`
	SiteID     string      `json:"site_id"`
	Status     string      `json:"status"`
	Version    string      `json:"version"`
	Uptime     *num        `json:"uptime"`
	NumTunnels *num        `json:"num_tunnels"`
	CPUStat    *cpuStat    `json:"cpu_stat"`
	MemoryStat *memoryStat `json:"memory_stat"`
	// MemoryStats is the spelling of the spec's example.
	MemoryStats *memoryStat `json:"memory_stats"`
	SensorStat  *struct {
		Temperatures map[string]struct {
			Degree *num `json:"degree"`
		} `json:"temperatures"`
	} `json:"sensor_stat"`
}

// slePage is a page of E21, paged in its body.
type slePage struct {
	Limit   int                          `json:"limit"`
	Page    int                          `json:"page"`
	Total   int                          `json:"total"`
	Results []map[string]json.RawMessage `json:"results"`
}

// Port is one switch or gateway port, named by its device's MAC: the
// adapter names devices from the devices collection and filters.
type Port struct {
	MAC, Port, Type, SiteID, Site string
	Up                            *bool `json:",omitempty"`
	Disabled, Unconfigured        bool  `json:",omitempty"`
	// SpeedBytes is in bytes per second.
	SpeedBytes                              *float64 `json:",omitempty"`
	RxBytes, TxBytes                        *float64 `json:",omitempty"`
	RxErrors, TxErrors                      *float64 `json:",omitempty"`
	PoEWatts                                *float64 `json:",omitempty"`
	NeighborMAC, NeighborName, NeighborPort string   `json:",omitempty"`
}

// Ports is the ports collection: each port of the kept sites that the
// port filter may keep once the devices are known, and the MACs of every
// device with a port, which tell the org's switches and gateways.
type Ports struct {
	Ports  []Port
	Owners []string `json:",omitempty"`
}

// Peer is a VPN path, WAN tunnel or BGP session of the device of MAC, with
// the name the record gives its device (the router's, when the devices
// collection does not know the MAC) and Peer naming it on the device.
type Peer struct {
	MAC, Name, Peer, Site string
	Up                    bool
	ReceivedPrefixes      *float64 `json:",omitempty"`
	// LocalAS and NeighborAS are a BGP session's.
	LocalAS, NeighborAS string `json:",omitempty"`
}

// Peers is the vpn_peers, tunnels or bgp_peers collection.
type Peers struct{ Peers []Peer }

// Edge is one Mist Edge.
type Edge struct {
	Device     model.Device
	NumTunnels *float64           `json:",omitempty"`
	Health     model.DeviceHealth `json:",omitempty"`
}

// Edges is the mxedges collection.
type Edges struct{ Edges []Edge }

// SLEs is the sle collection: per site, family and metric.
type SLEs struct{ SLEs []model.SLE }

// dedup keeps the last record of each natural key, in first-seen order: a
// search over changing data can return a key twice (mist.md section 12.0).
type dedup[T any] struct {
	at    map[string]int
	items []T
}

func (d *dedup[T]) add(key string, v T) {
	if d.at == nil {
		d.at = map[string]int{}
	}
	if i, ok := d.at[key]; ok {
		d.items[i] = v
		return
	}
	d.at[key] = len(d.items)
	d.items = append(d.items, v)
}

func key(parts ...string) string { return strings.Join(parts, "\x00") }

// portSpeed reads a port's speed: Mist's example says 1000 where a filter
// example says 1000000000 (mist.md 12.1), so a value of 10^6 or more is bits
// per second, a smaller one megabits. 0 is no speed.
func portSpeed(n *num) *float64 {
	if n == nil || *n <= 0 {
		return nil
	}
	bps := float64(*n)
	if bps < 1e6 {
		bps *= 1e6
	}
	v := bps / 8
	return &v
}

// Ports fetches every switch and gateway port of the kept sites, sending
// only the limit: E26's filters differ between spec versions (mist.md 12.0).
func (c *Client) Ports(ctx context.Context) (*Ports, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, err
	}
	filtered := idx.filtered()
	var d dedup[Port]
	owners := map[string]bool{}
	err = orgSearch(ctx, c, "stats/ports/search", 0, searchFallback, url.Values{}, func(items []portStats) {
		for _, p := range items {
			if p.MAC == "" || p.PortID == "" || !idx.keeps(p.SiteID, filtered) {
				continue
			}
			owners[p.MAC] = true
			if !mayKeep(&c.cfg.Ports, p) {
				// Never kept, whatever the devices say: not held between refreshes.
				continue
			}
			d.add(key(p.MAC, p.PortID), Port{
				MAC: p.MAC, Port: p.PortID, Type: p.Type, SiteID: p.SiteID, Site: idx.siteName(p.SiteID),
				Up: p.Up, Disabled: p.Disabled, Unconfigured: p.Unconfigured, SpeedBytes: portSpeed(p.Speed),
				RxBytes: p.RxBytes.float(1), TxBytes: p.TxBytes.float(1), RxErrors: p.RxErrors.float(1),
				TxErrors: p.TxErrors.float(1), PoEWatts: p.PowerDraw.float(1),
				NeighborMAC: p.NeighborMAC, NeighborName: p.NeighborSystemName, NeighborPort: p.NeighborPortDesc,
			})
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(d.items, func(a, b Port) int { return cmp.Or(cmp.Compare(a.MAC, b.MAC), cmp.Compare(a.Port, b.Port)) })
	return &Ports{Ports: d.items, Owners: slices.Sorted(maps.Keys(owners))}, nil
}

// mayKeep reports whether the port filter f can keep p, before the devices
// collection names its device and type: a port the filter drops by its own
// fields alone (its name, up or down, no neighbour where one is needed).
func mayKeep(f *config.MistPorts, p portStats) bool {
	if !f.MatchName(p.PortID) || (f.UpOnly && (p.Up == nil || !*p.Up)) {
		return false
	}
	switch f.Keep {
	case config.KeepUplinks:
		// A gateway's port, or one whose neighbour may be a switch or gateway.
		return p.NeighborMAC != "" || p.Type != "switch"
	case config.KeepNeighbors:
		return p.NeighborMAC != "" || p.NeighborSystemName != ""
	}
	return true
}

// peerLabel names a peer on its device from the parts of its natural key
// that are set.
func peerLabel(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// peers walks one of the WAN searches into peers, keyed by what keyOf
// returns; a record without an up state is left out, never read as down.
func peers[T any](ctx context.Context, c *Client, name string, q url.Values, each func(T) (string, *Peer)) (*Peers, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, err
	}
	filtered := idx.filtered()
	var d dedup[Peer]
	err = orgSearch(ctx, c, name, 0, searchFallback, q, func(items []T) {
		for _, it := range items {
			k, p := each(it)
			if p == nil || !idx.keeps(p.Site, filtered) {
				continue
			}
			p.Site = idx.siteName(p.Site)
			d.add(k, *p)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(d.items, func(a, b Peer) int { return cmp.Or(cmp.Compare(a.MAC, b.MAC), cmp.Compare(a.Peer, b.Peer)) })
	return &Peers{Peers: d.items}, nil
}

// VPNPeers fetches the gateways' VPN paths (E28). A path is named by the
// local port, the peer router and its port: two paths between the same
// routers differ in their ports.
func (c *Client) VPNPeers(ctx context.Context) (*Peers, error) {
	return peers(ctx, c, "stats/vpn_peers/search", url.Values{}, func(v vpnPeerStats) (string, *Peer) {
		if v.Up == nil || v.MAC == "" {
			return "", nil
		}
		peer := cmp.Or(v.PeerRouterName, v.PeerMAC)
		return key(v.MAC, v.PortID, v.PeerMAC, v.PeerPortID),
			&Peer{MAC: v.MAC, Name: v.RouterName, Peer: peerLabel(v.PortID, peer, v.PeerPortID), Site: v.SiteID, Up: *v.Up}
	})
}

// Tunnels fetches the gateways' WAN tunnels (E30 with type=wan; its default
// is the APs' tunnels to Mist Edges), over the endpoint's own 5-minute
// window.
func (c *Client) Tunnels(ctx context.Context) (*Peers, error) {
	return peers(ctx, c, "stats/tunnels/search", url.Values{"type": {"wan"}}, func(t wanTunnelStats) (string, *Peer) {
		if t.Up == nil || t.MAC == "" {
			return "", nil
		}
		return key(t.MAC, t.Node, t.TunnelName, t.PeerIP),
			&Peer{MAC: t.MAC, Peer: peerLabel(t.Node, t.TunnelName, t.PeerIP), Site: t.SiteID, Up: *t.Up}
	})
}

// BGPPeers fetches the BGP sessions (E32). A session is up when up says so,
// or, without up, when its state is established.
func (c *Client) BGPPeers(ctx context.Context) (*Peers, error) {
	return peers(ctx, c, "stats/bgp_peers/search", url.Values{}, func(b bgpStats) (string, *Peer) {
		if b.MAC == "" || b.Neighbor == "" || (b.Up == nil && b.State == "") {
			return "", nil
		}
		up := b.State == "established"
		if b.Up != nil {
			up = *b.Up
		}
		vrf := b.VRFName
		if vrf == "default" {
			vrf = ""
		}
		return key(b.MAC, b.Node, b.VRFName, b.Neighbor), &Peer{
			MAC: b.MAC, Peer: peerLabel(b.Node, vrf, b.Neighbor), Site: b.SiteID, Up: up,
			ReceivedPrefixes: b.RxRoutes.float(1), LocalAS: string(b.LocalAS), NeighborAS: string(b.NeighborAS),
		}
	})
}

// MistEdges fetches the org's and sites' Mist Edges (E34, a paged list).
func (c *Client) MistEdges(ctx context.Context) (*Edges, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, err
	}
	filtered := idx.filtered()
	var d dedup[Edge]
	err = orgList(ctx, c, "stats/mxedges", url.Values{"for_site": {"any"}}, func(items []mxedgeStats) {
		for _, m := range items {
			if !idx.keeps(m.SiteID, filtered) {
				continue
			}
			dev := model.Device{
				Name: cmp.Or(m.Name, m.MAC, m.ID), Serial: cmp.Or(m.Serial, m.SerialNo), MAC: m.MAC, Model: m.Model,
				Version: m.Version, Type: "controller", SiteID: m.SiteID, Up: m.Status == "connected", Clients: -1,
			}
			if m.SiteID != "" {
				dev.Site = idx.siteName(m.SiteID)
			}
			if m.Uptime != nil {
				dev.Uptime = float64(*m.Uptime)
			}
			h := model.DeviceHealth{Device: dev.Name}
			if b := m.CPUStat.busy(); b != nil {
				v := *b / 100
				h.CPU = &v
			}
			if mem := cmp.Or(m.MemoryStat, m.MemoryStats); mem != nil {
				h.Memory = mem.Usage.float(0.01)
			}
			if m.SensorStat != nil {
				for sensor, t := range m.SensorStat.Temperatures {
					h.Temperatures = appendTemperature(h.Temperatures, sensor, t.Degree)
				}
				slices.SortFunc(h.Temperatures, func(a, b model.Temperature) int { return cmp.Compare(a.Sensor, b.Sensor) })
			}
			d.add(cmp.Or(m.ID, m.MAC, m.Name), Edge{Device: dev, NumTunnels: m.NumTunnels.float(1), Health: h})
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(d.items, func(a, b Edge) int { return cmp.Compare(a.Device.Name, b.Device.Name) })
	return &Edges{Edges: d.items}, nil
}

// sleFamilies are the values of E21's sle; without one its answer is
// undocumented (mist.md section 13).
var sleFamilies = []string{"wifi", "wired", "wan"}

// SLEs fetches each site's service-level ratios of every SLE family: one
// call per family and page, over the endpoint's default window (its
// interval's effect is undocumented, so none is sent). Every numeric key of
// a result but site_id and the num_* counts is a metric; a key left out is
// no data.
func (c *Client) SLEs(ctx context.Context) (*SLEs, error) {
	idx, org, err := c.orgSites(ctx)
	if err != nil {
		return nil, err
	}
	filtered := idx.filtered()
	seen := map[string]int{}
	out := &SLEs{}
	for _, family := range sleFamilies {
		err := withFallbackLimit(c.pageSize, searchFallback, func(limit int) error {
			return c.slePages(ctx, org, family, limit, func(r map[string]json.RawMessage) {
				var site string
				if json.Unmarshal(r["site_id"], &site) != nil || site == "" || !idx.keeps(site, filtered) {
					return
				}
				for metric, raw := range r {
					var v float64
					if metric == "site_id" || strings.HasPrefix(metric, "num_") || json.Unmarshal(raw, &v) != nil {
						continue
					}
					s := model.SLE{Site: idx.siteName(site), SLE: family, Metric: metric, Ratio: v}
					k := key(site, family, metric)
					if i, ok := seen[k]; ok {
						out.SLEs[i] = s
						continue
					}
					seen[k] = len(out.SLEs)
					out.SLEs = append(out.SLEs, s)
				}
			})
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out.SLEs, func(a, b model.SLE) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.SLE, b.SLE), cmp.Compare(a.Metric, b.Metric))
	})
	return out, nil
}

// slePages walks E21 for one family, paged in its body: page+1 while
// page*limit < total.
func (c *Client) slePages(ctx context.Context, org, family string, limit int, each func(map[string]json.RawMessage)) error {
	const endpoint = "/api/v1/orgs/{org_id}/insights/sites-sle"
	for page := 1; ; page++ {
		if page > maxPages {
			return fmt.Errorf("GET %s?sle=%s: more than %d pages", endpoint, family, maxPages)
		}
		q := url.Values{"sle": {family}, "page": {strconv.Itoa(page)}}
		if limit > 0 {
			q.Set("limit", strconv.Itoa(limit))
		}
		var p slePage
		if _, err := c.get(ctx, "/api/v1/orgs/"+url.PathEscape(org)+"/insights/sites-sle?"+q.Encode(), endpoint, &p); err != nil {
			if page == 1 {
				return &firstPageError{err}
			}
			return err
		}
		for _, r := range p.Results {
			each(r)
		}
		size := cmp.Or(p.Limit, limit, 100)
		if len(p.Results) == 0 || page*size >= p.Total {
			return nil
		}
	}
}

// Interfaces returns the ports the filter keeps, named by their devices:
// a device's name from the devices collection (byMAC), else its MAC. A
// port's device type is the devices collection's, else the port's own.
//
// keep uplinks keeps every configured gateway port and the switch ports
// whose LLDP neighbour is a switch or gateway of the org, known from the
// devices collection or as the owner of a port: the links between the org's
// own devices and its WAN edge, a few per site where all ports are
// hundreds.
func (p *Ports) Interfaces(f *config.MistPorts, byMAC DeviceIndex) []model.Interface {
	infra := map[string]bool{}
	for mac, d := range byMAC {
		if d.Type == "switch" || d.Type == "gateway" {
			infra[mac] = true
		}
	}
	for _, mac := range p.Owners {
		infra[mac] = true
	}
	for _, pt := range p.Ports {
		infra[pt.MAC] = true
	}
	var out []model.Interface
	for _, pt := range p.Ports {
		typ := pt.Type
		name := pt.MAC
		if d, ok := byMAC[pt.MAC]; ok {
			typ, name = d.Type, d.Name
		}
		if !f.KeepsType(typ) || !f.MatchName(pt.Port) || (f.UpOnly && (pt.Up == nil || !*pt.Up)) {
			continue
		}
		switch f.Keep {
		case config.KeepUplinks:
			gatewayPort := typ == "gateway" && !pt.Disabled && !pt.Unconfigured
			if !gatewayPort && !(typ == "switch" && infra[pt.NeighborMAC]) {
				continue
			}
		case config.KeepNeighbors:
			if pt.NeighborMAC == "" && pt.NeighborName == "" {
				continue
			}
		}
		i := model.Interface{
			Device: name, Interface: pt.Port, Site: pt.Site, Up: pt.Up, SpeedBytes: pt.SpeedBytes,
			ReceiveBytes: pt.RxBytes, TransmitBytes: pt.TxBytes, ReceiveErrors: pt.RxErrors, TransmitErrors: pt.TxErrors,
			PoEWatts: pt.PoEWatts, NeighborInterface: pt.NeighborPort,
		}
		if pt.NeighborMAC != "" || pt.NeighborName != "" {
			i.Neighbor = pt.NeighborName
			if d, ok := byMAC[pt.NeighborMAC]; ok && i.Neighbor == "" {
				i.Neighbor = d.Name
			}
			i.Neighbor = cmp.Or(i.Neighbor, pt.NeighborMAC)
		}
		out = append(out, i)
	}
	return out
}

// Named returns the peers with their devices named: the devices
// collection's name, else the record's, else the MAC.
func (p *Peers) Named(byMAC DeviceIndex) []model.Peer {
	out := make([]model.Peer, 0, len(p.Peers))
	for _, pr := range p.Peers {
		name := cmp.Or(pr.Name, pr.MAC)
		if d, ok := byMAC[pr.MAC]; ok {
			name = d.Name
		}
		out = append(out, model.Peer{Device: name, Peer: pr.Peer, Site: pr.Site, Up: pr.Up, ReceivedPrefixes: pr.ReceivedPrefixes})
	}
	return out
}

// DeviceIndex finds the devices collection's devices by MAC.
type DeviceIndex map[string]*model.Device

// Index indexes the devices by MAC, for a render to name ports and peers.
func (devices *Devices) Index() DeviceIndex {
	if devices == nil {
		return nil
	}
	out := make(DeviceIndex, len(devices.Devices))
	for i := range devices.Devices {
		out[devices.Devices[i].MAC] = &devices.Devices[i]
	}
	return out
}
