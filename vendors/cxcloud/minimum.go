package cxcloud

import (
	"context"
	"net/url"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// PageMinimum is the fewest calls a refresh of every collection can make:
// the pages each list needs at the page size the server picks (token
// requests not counted). It reads each list's total and page size (the
// total and max headers) from its first page, asking for one field only;
// tests and benchmarks hold refreshes to it.
func (c *Client) PageMinimum(ctx context.Context) (int, error) {
	type list struct {
		endpoint, field string
		filter          url.Values
	}
	lists := []list{
		{"inventory/devices", "deviceId", nil}, {"inventory/assets", "physicalAssetId", nil},
		{"collectors", "applianceId", nil},
		{"productAlerts/fieldNotices", "deviceId", nil}, {"productAlerts/fieldNoticeBulletins", "fieldNoticeId", nil},
		{"productAlerts/securityAdvisories", "deviceId", mayBeVulnerable},
		{"productAlerts/securityAdvisoryBulletins", "securityAdvisoryColdId", nil},
		{"productAlerts/hardwareEndOfLife", "deviceId", nil}, {"productAlerts/hardwareEndOfLifeBulletins", "hardwareEndOfLifeId", nil},
		{"productAlerts/softwareEndOfLife", "deviceId", nil}, {"productAlerts/softwareEndOfLifeBulletins", "softwareEndOfLifeId", nil},
	}
	// The collections added since count where they are enabled.
	if c.cfg.Collections["contracts"].Enabled {
		lists = append(lists, list{"contract/serials", "serialNumber", nil})
	}
	if c.cfg.Collections["resets"].Enabled {
		lists = append(lists, list{"deviceReset/lastResetDetails", "deviceId", nil},
			list{"deviceReset/resetHistory", "deviceId", nil})
	}
	n := 0
	for _, l := range lists {
		q := url.Values{"fields": {l.field}}
		for k, v := range l.filter {
			q[k] = v
		}
		var page struct{ Items []struct{} }
		h, err := c.get(ctx, c.base+l.endpoint+"?"+q.Encode(), "/"+l.endpoint, &page)
		if err != nil {
			return 0, err
		}
		total, ok := vendors.HeaderInt(h, "total")
		if !ok {
			n++ // no total: the first page is the list
			continue
		}
		size, ok := vendors.HeaderInt(h, "max")
		if !ok || size <= 0 {
			size = max(len(page.Items), 1)
		}
		n += max(1, (total+size-1)/size)
	}
	return n, nil
}
