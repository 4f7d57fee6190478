package nautobot

import (
	"context"
	"encoding/json"
)

// PageMinimum is the fewest calls a refresh of every collection can make:
// the status, the two IPAM counts, and the pages at the page size of the
// devices and the lists that name what they refer to (2.x), locations
// among them, or of the devices and sites (1.x). It asks each list for its
// count, a page of one each; tests and benchmarks hold refreshes to it.
func (c *Client) PageMinimum(ctx context.Context) (int, error) {
	lists := []string{
		"/api/dcim/devices/", "/api/dcim/locations/",
		"/api/extras/statuses/", "/api/extras/roles/", "/api/tenancy/tenants/", "/api/dcim/platforms/",
	}
	if c.cfg.Major() == 1 {
		lists = []string{"/api/dcim/devices/", "/api/dcim/sites/"}
	}
	n := 3 // status, prefixes, IP addresses
	for _, endpoint := range lists {
		var p page[json.RawMessage]
		if err := c.get(ctx, endpoint+"?limit=1", endpoint, &p); err != nil {
			return 0, err
		}
		n += max(1, (p.Count+c.cfg.PageSize-1)/c.cfg.PageSize)
	}
	return n, nil
}
