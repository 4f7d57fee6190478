package mistsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// keyCursor is a search_after of the wired and WAN searches: the natural
// key of the last record served, e.g. ["0912f561b653", "ge-0/0/1"] (the
// form of the spec's E26 example).
func parseKeyCursor(q url.Values) ([]string, bool) {
	v := q.Get("search_after")
	if v == "" {
		return nil, true
	}
	var key []string
	if err := json.Unmarshal([]byte(v), &key); err != nil || len(key) == 0 {
		return nil, false
	}
	return key, true
}

// parseKeyedSearch reads a wired or WAN search's window (defDuration when
// neither duration nor start is given), limit and cursor.
func parseKeyedSearch(rc *reqCtx, defDuration string) (searchParams, []string, *response) {
	q := rc.r.URL.Query()
	if q.Get("duration") == "" && q.Get("start") == "" {
		q.Set("duration", defDuration)
	}
	sp, errResp := parseWindowLimit(rc, q)
	if errResp != nil {
		return sp, nil, errResp
	}
	key, ok := parseKeyCursor(q)
	if !ok {
		r := badRequest("invalid search_after %q", q.Get("search_after"))
		return sp, nil, &r
	}
	return sp, key, nil
}

// keySearchAfter is key as search_after carries it.
func keySearchAfter(key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		b, _ := json.Marshal(k)
		parts[i] = string(b)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// keyed is one wired or WAN search over n records sorted by key.
type keyed struct {
	n      int
	key    func(i int) []string
	match  func(i int) bool
	render func(i int) any
	noNext bool // the answer never carries next (Options.BGPNoNext)
}

// search serves a page of k after the cursor, under the paging faults as
// the other searches are.
func (k keyed) search(rc *reqCtx, defDuration string) response {
	sp, after, errResp := parseKeyedSearch(rc, defDuration)
	if errResp != nil {
		return *errResp
	}
	start := 0
	if after != nil {
		start = sort.Search(k.n, func(i int) bool { return cmpKeys(k.key(i), after) > 0 })
	}
	total := 0
	for i := range k.n {
		if k.match(i) {
			total++
		}
	}
	shrink := rc.shrink && after != nil
	res, reported, more := page(total, sp.limit, shrink, start, k.n, func(i int) int { return i }, k.match, func() int {
		n := 0
		for i := range start {
			if k.match(i) {
				n++
			}
		}
		return n
	})
	out := make([]any, len(res))
	for j, i := range res {
		out[j] = k.render(i)
	}
	body := searchJSON{Start: secsNum(sp.win.startMs), End: secsNum(sp.win.endMs), Limit: sp.limit, Total: reported, Results: out}
	if !k.noNext {
		switch {
		case rc.loop:
			body.Next = rc.r.URL.RequestURI()
		case more:
			body.Next = nextURI(rc, sp.win, sp.limit, keySearchAfter(k.key(res[len(res)-1])))
		case rc.endless:
			// Past the end: a cursor after the last one, new on every page.
			last := after
			if len(res) > 0 {
				last = k.key(res[len(res)-1])
			}
			if last == nil {
				last = []string{""}
			}
			last = slices.Clone(last)
			last[len(last)-1] += "~"
			body.Next = nextURI(rc, sp.win, sp.limit, keySearchAfter(last))
		}
	}
	return jsonResp(http.StatusOK, body)
}

// multiMAC reads a comma-separated MAC filter.
func multiMAC(q url.Values, name string) []string {
	var out []string
	for _, m := range multi(q, name) {
		out = append(out, normMAC(m))
	}
	return out
}

// portTypes reads E26's type and device_type (the newer spelling): the
// device types asked for, nil for all.
func portTypes(q url.Values) ([]string, *response) {
	var out []string
	for _, name := range []string{"type", "device_type"} {
		for _, t := range multi(q, name) {
			switch t {
			case "all":
				return nil, nil
			case "switch", "gateway", "ap", "ble", "mxedge", "nac":
				out = append(out, t)
			default:
				r := badRequest("invalid %s %q: must be one of all, ap, ble, gateway, mxedge, nac, switch", name, t)
				return nil, &r
			}
		}
	}
	return out, nil
}

// portFilter is E26's and E27's filters that the simulator applies; the
// others are accepted and ignored.
func (s *Server) portFilter(rc *reqCtx) (func(pi int) bool, *response) {
	q := rc.r.URL.Query()
	types, errResp := portTypes(q)
	if errResp != nil {
		return nil, errResp
	}
	macs, ids, nbrs := multiMAC(q, "mac"), multi(q, "port_id"), multiMAC(q, "neighbor_mac")
	site := q.Get("site_id")
	var up *bool
	if q.Get("up") != "" {
		b, err := parseBool(q, "up", false)
		if err != nil {
			r := badRequest("%v", err)
			return nil, &r
		}
		up = &b
	}
	w := s.w
	return func(pi int) bool {
		p := &w.net.ports[pi]
		d := &w.devs[p.dev]
		nbr := ""
		if p.nbr >= 0 {
			nbr = w.devs[p.nbr].mac
		}
		return in(types, d.typ.String()) && in(macs, d.mac) && in(ids, p.id) && in(nbrs, nbr) &&
			(site == "" || w.siteID(d.site) == site) && (up == nil || *up == w.portUp(p))
	}, nil
}

// handlePortSearch is E26: switch and gateway ports, by (mac, port_id).
func handlePortSearch(s *Server, rc *reqCtx) response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	match, errResp := s.portFilter(rc)
	if errResp != nil {
		return *errResp
	}
	return keyed{
		n:      len(w.net.ports),
		key:    func(i int) []string { p := &w.net.ports[i]; return []string{w.devs[p.dev].mac, p.id} },
		match:  match,
		render: func(i int) any { return w.portJSON(int32(i), rc.nowMs, rc.opts, false) },
	}.search(rc, "1d")
}

// handlePortCount is E27: ports counted by distinct (default mac).
func handlePortCount(s *Server, rc *reqCtx) response {
	distinct, _, errResp := countParams(rc, "mac", []string{"mac", "port_id", "site_id", "type", "up", "speed", "neighbor_mac", "port_usage"})
	if errResp != nil {
		return *errResp
	}
	sp, _, errResp := parseKeyedSearch(rc, "1d")
	if errResp != nil {
		return *errResp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	match, errResp := s.portFilter(rc)
	if errResp != nil {
		return *errResp
	}
	counts := map[string]int{}
	for i := range w.net.ports {
		if !match(i) {
			continue
		}
		p := w.portJSON(int32(i), rc.nowMs, rc.opts, false)
		var k string
		switch distinct {
		case "mac":
			k = p.MAC
		case "port_id":
			k = p.PortID
		case "site_id":
			k = p.SiteID
		case "type":
			k = p.Type
		case "up":
			k = strconv.FormatBool(p.Up)
		case "speed":
			k = strconv.FormatInt(p.Speed, 10)
		case "neighbor_mac":
			k = p.NeighborMAC
		case "port_usage":
			k = p.PortUsage
		}
		if k != "" {
			counts[k]++
		}
	}
	return countResp(distinct, sp.win, sp.limit, counts)
}

// handleVPNSearch is E28: both ends of every VPN path.
func handleVPNSearch(s *Server, rc *reqCtx) response {
	q := rc.r.URL.Query()
	types := multi(q, "type")
	for _, t := range types {
		if t != "ipsec" && t != "svr" {
			return badRequest("invalid type %q: must be ipsec or svr", t)
		}
	}
	macs, site := multiMAC(q, "mac"), q.Get("site_id")
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	recs := w.net.vpnRecs
	return keyed{
		n:   len(recs),
		key: func(i int) []string { return w.vpnKey(recs[i]) },
		match: func(i int) bool {
			v := w.vpnJSON(recs[i], rc.nowMs, rc.opts, false)
			return in(types, v.Type) && in(macs, v.MAC) && (site == "" || v.SiteID == site)
		},
		render: func(i int) any { return w.vpnJSON(recs[i], rc.nowMs, rc.opts, false) },
	}.search(rc, "1d")
}

// handleTunnelSearch is E30: AP-to-Mist-Edge tunnels by default, gateway
// WAN tunnels with type=wan; the window defaults to 5 minutes.
func handleTunnelSearch(s *Server, rc *reqCtx) response {
	q := rc.r.URL.Query()
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	switch t := q.Get("type"); t {
	case "", "wxtunnel":
		site, cluster, ids, aps := q.Get("site_id"), q.Get("mxcluster_id"), multi(q, "wxtunnel_id"), multiMAC(q, "ap")
		return keyed{
			n:   len(w.net.wx),
			key: func(i int) []string { return []string{w.net.wx[i].id} },
			match: func(i int) bool {
				t := &w.net.wx[i]
				ap := &w.devs[t.ap]
				return (site == "" || w.siteID(ap.site) == site) && (cluster == "" || w.net.edges[t.edge].clusterID == cluster) &&
					in(ids, t.id) && in(aps, ap.mac)
			},
			render: func(i int) any { return w.mxTunnelJSON(i, rc.nowMs) },
		}.search(rc, "5m")
	case "wan":
		macs, names, peers, site := multiMAC(q, "mac"), multi(q, "tunnel_name"), multi(q, "peer_ip"), q.Get("site_id")
		up := q.Get("up")
		return keyed{
			n:   len(w.net.wan),
			key: func(i int) []string { return w.wanKey(&w.net.wan[i]) },
			match: func(i int) bool {
				t := &w.net.wan[i]
				d := &w.devs[t.gw]
				return in(macs, d.mac) && in(names, t.name) && in(peers, t.peerIP) && (site == "" || w.siteID(d.site) == site) &&
					(up == "" || up == strconv.FormatBool(t.up() && d.connected))
			},
			render: func(i int) any { return w.wanTunnelJSON(i, rc.nowMs, false) },
		}.search(rc, "5m")
	default:
		return badRequest("invalid type %q: must be wxtunnel or wan", t)
	}
}

// handleBGPSearch is E32; the spec declares no next, which
// Options.BGPNoNext follows.
func handleBGPSearch(s *Server, rc *reqCtx) response {
	q := rc.r.URL.Query()
	macs, nbrs, vrfs, site := multiMAC(q, "mac"), multiMAC(q, "neighbor_mac"), multi(q, "vrf_name"), q.Get("site_id")
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	return keyed{
		n:   len(w.net.bgp),
		key: func(i int) []string { return w.bgpKey(&w.net.bgp[i]) },
		match: func(i int) bool {
			b := &w.net.bgp[i]
			d := &w.devs[b.gw]
			return in(macs, d.mac) && in(nbrs, b.neighborMAC) && in(vrfs, b.vrf) && (site == "" || w.siteID(d.site) == site)
		},
		render: func(i int) any { return w.bgpJSON(i, rc.nowMs, rc.opts, false) },
		noNext: rc.opts.BGPNoNext,
	}.search(rc, "1d")
}

// handleMxEdges is E34: a list (array, X-Page-* headers); for_site is any
// when absent.
func handleMxEdges(s *Server, rc *reqCtx) response {
	fs := rc.query("for_site")
	switch fs {
	case "", "any", "true", "false":
	default:
		return badRequest("invalid for_site %q: must be one of any, true, false", fs)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	var idx []int
	for i := range w.net.edges {
		if fs == "" || fs == "any" || fs == strconv.FormatBool(w.net.edges[i].forSite) {
			idx = append(idx, i)
		}
	}
	return pageOf(rc, len(idx), rowsOf(func(i int) mxEdgeJSON { return w.mxEdgeJSON(idx[i], rc.nowMs, rc.opts) }))
}

// handleMxEdge is E35: one Mist Edge by id.
func handleMxEdge(s *Server, rc *reqCtx) response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	for i := range w.net.edges {
		if w.net.edges[i].id == rc.params[1] {
			return jsonResp(http.StatusOK, w.mxEdgeJSON(i, rc.nowMs, rc.opts))
		}
	}
	return detail(http.StatusNotFound, msgNotFound)
}

// handleSitesSLE is E21: one result per site with data, paged in the body
// (page, limit, total).
func handleSitesSLE(s *Server, rc *reqCtx) response {
	q := rc.r.URL.Query()
	sle := q.Get("sle")
	switch sle {
	case "wifi", "wired", "wan":
	case "":
		if rc.opts.SLERequired {
			return badRequest("sle is required: one of wan, wifi, wired")
		}
		sle = "wifi"
	default:
		return badRequest("invalid sle %q: must be one of wan, wifi, wired", sle)
	}
	win, err := parseWindow(q, rc.nowMs)
	if err != nil {
		return badRequest("%v", err)
	}
	interval := int64(3600)
	if v := q.Get("interval"); v != "" {
		d, err := parseDuration(v)
		if err != nil || d <= 0 {
			return badRequest("invalid interval %q", v)
		}
		interval = int64(d.Seconds())
	}
	limit, pg, err := parsePaging(rc, q)
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	var all []kv
	for si := range w.sites {
		if r := w.sleResult(si, sle); r != nil {
			all = append(all, r)
		} else if rc.opts.SLEEmptySites {
			var only kv
			only.add("site_id", w.sites[si].id)
			all = append(all, only)
		}
	}
	offset := len(all)
	if pg-1 <= len(all)/max(1, limit) {
		offset = (pg - 1) * limit
	}
	lo, hi, total := simkit.Window(len(all), offset, limit, rc.shrink, rc.endless)
	return jsonResp(http.StatusOK, struct {
		Start    float64 `json:"start"`
		End      float64 `json:"end"`
		Interval int64   `json:"interval"`
		Limit    int     `json:"limit"`
		Page     int     `json:"page"`
		Total    int     `json:"total"`
		Results  []kv    `json:"results"`
	}{secsNum(win.startMs), secsNum(win.endMs), interval, limit, pg, total, append([]kv{}, all[lo:hi]...)})
}
