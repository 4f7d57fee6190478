package cxcloud

import (
	"context"
	"fmt"
	"net/url"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// PageMinimum is the fewest calls a refresh of every collection can make:
// the pages each list needs at the page size (token requests not counted).
// It asks each list for its total, a page of one each; tests and
// benchmarks hold refreshes to it.
func (c *Client) PageMinimum(ctx context.Context) (int, error) {
	lists := []struct {
		endpoint string
		filter   url.Values
	}{
		{"inventory/devices", nil}, {"inventory/assets", nil},
		{"productAlerts/fieldNotices", nil}, {"productAlerts/fieldNoticeBulletins", nil},
		{"productAlerts/securityAdvisories", mayBeVulnerable},
		{"productAlerts/securityAdvisoryBulletins", nil},
		{"productAlerts/hardwareEndOfLife", nil}, {"productAlerts/hardwareEndOfLifeBulletins", nil},
		{"productAlerts/softwareEndOfLife", nil}, {"productAlerts/softwareEndOfLifeBulletins", nil},
	}
	n := 0
	for _, l := range lists {
		q := url.Values{"max": {"1"}, "offset": {"0"}}
		for k, v := range l.filter {
			q[k] = v
		}
		var page struct{ Items []struct{} }
		h, err := c.get(ctx, c.base+l.endpoint+"?"+q.Encode(), "/"+l.endpoint, &page)
		if err != nil {
			return 0, err
		}
		total, ok := vendors.HeaderInt(h, "X-Total-Count")
		if !ok {
			return 0, fmt.Errorf("%s: no X-Total-Count", l.endpoint)
		}
		n += max(1, (total+c.cfg.PageSize-1)/c.cfg.PageSize)
	}
	return n, nil
}
