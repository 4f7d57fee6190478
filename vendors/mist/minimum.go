package mist

import (
	"cmp"
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// PageMinimum is the fewest calls a first refresh of every collection can
// make: a login on a cookie session, the org's discovery without org_id,
// the pages each list needs at the page size the server serves, and the
// usage. It asks each list for its first page, whose total and page size
// (X-Page-Limit, or a search's limit) it reads; tests and benchmarks hold
// refreshes to it.
func (c *Client) PageMinimum(ctx context.Context) (int, error) {
	n := 1 // usage
	if c.cfg.Token == "" {
		n++
	}
	if c.cfg.OrgID == "" {
		n++
	}
	org, err := c.org(ctx)
	if err != nil {
		return 0, err
	}
	type walk struct {
		name   string
		q      url.Values
		window time.Duration // of a search; -1 for a search over its default window
	}
	walks := []walk{
		{"stats/sites", url.Values{}, 0},
		{"stats/devices", url.Values{"type": {"all"}}, 0},
		{"clients/search", url.Values{}, time.Duration(c.cfg.ClientWindow)},
		{"alarms/search", url.Values{"status": {"open"}}, alarmWindow},
	}
	// The opt-in collections count where they are enabled.
	for _, o := range []struct {
		collection string
		walk
	}{
		{"ports", walk{"stats/ports/search", url.Values{}, -1}},
		{"vpn_peers", walk{"stats/vpn_peers/search", url.Values{}, -1}},
		{"tunnels", walk{"stats/tunnels/search", url.Values{"type": {"wan"}}, -1}},
		{"bgp_peers", walk{"stats/bgp_peers/search", url.Values{}, -1}},
		{"mxedges", walk{"stats/mxedges", url.Values{"for_site": {"any"}}, 0}},
	} {
		if c.cfg.Collections[o.collection].Enabled {
			walks = append(walks, o.walk)
		}
	}
	if c.cfg.Collections["sle"].Enabled {
		for _, f := range sleFamilies {
			walks = append(walks, walk{"insights/sites-sle", url.Values{"sle": {f}}, -2})
		}
	}
	for _, l := range walks {
		u := "/api/v1/orgs/" + url.PathEscape(org) + "/" + l.name + "?"
		endpoint := "/api/v1/orgs/{org_id}/" + l.name
		var total, size int
		fallback := 0
		if l.window < 0 {
			fallback = searchFallback
		}
		err := withFallbackLimit(c.pageSize, fallback, func(limit int) error {
			if limit > 0 {
				l.q.Set("limit", strconv.Itoa(limit))
			} else {
				l.q.Del("limit")
			}
			if l.window == -2 { // E21, paged in its body
				var p slePage
				if _, err := c.get(ctx, u+l.q.Encode(), endpoint, &p); err != nil {
					return &firstPageError{err}
				}
				total, size = p.Total, cmp.Or(p.Limit, limit, 100)
				return nil
			}
			if l.window != 0 {
				if l.window > 0 {
					l.q.Set("duration", durationParam(l.window))
				}
				var p searchPage[json.RawMessage]
				if _, err := c.get(ctx, u+l.q.Encode(), endpoint, &p); err != nil {
					return &firstPageError{err}
				}
				total, size = len(p.Results), cmp.Or(p.Limit, len(p.Results), 1)
				if p.Total != nil {
					total = *p.Total
				}
				return nil
			}
			var items []json.RawMessage
			h, err := c.get(ctx, u+l.q.Encode(), endpoint, &items)
			if err != nil {
				return &firstPageError{err}
			}
			var ok bool
			if total, ok = vendors.HeaderInt(h, "X-Page-Total"); !ok {
				total = len(items)
			}
			if size, ok = vendors.HeaderInt(h, "X-Page-Limit"); !ok || size <= 0 {
				size = max(len(items), 1)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		n += max(1, (total+size-1)/size)
	}
	return n, nil
}
