package nautobot

import (
	"context"
	"encoding/json"
	"strconv"
)

// PageMinimum is the fewest calls a refresh of every collection can make:
// the status, the two IPAM counts, and the pages of the devices and the
// lists that name what they refer to (2.x), locations among them, or of
// the devices and sites (1.x), at the page size the server serves: the
// page_size, or its MAX_PAGE_SIZE when lower. It reads each list's count
// and page size from its first page; tests and benchmarks hold refreshes
// to it.
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
		if err := c.get(ctx, endpoint+"?limit="+strconv.Itoa(c.cfg.PageSize), endpoint, &p); err != nil {
			return 0, err
		}
		size := c.cfg.PageSize
		if len(p.Results) < p.Count {
			size = max(len(p.Results), 1)
		}
		n += max(1, (p.Count+size-1)/size)
	}
	return n, nil
}
