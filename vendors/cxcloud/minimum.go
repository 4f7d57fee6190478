package cxcloud

import (
	"context"
	"net/url"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// pagedList is a list PageMinimum counts the pages of, asking for one
// field.
type pagedList struct {
	endpoint, field string
	filter          url.Values
}

// PageMinimum is the fewest calls a refresh of every collection can make:
// the pages each list needs at the page size the server picks (token
// requests not counted); under the bulk plan, the one bulk/alerts call and
// the pages of the collectors. It reads each list's total and page size
// (the total and max headers) from its first page, asking for one field
// only; tests and benchmarks hold refreshes to it.
func (c *Client) PageMinimum(ctx context.Context) (int, error) {
	if c.bulkPlan {
		n, err := c.pages(ctx, []pagedList{{"collectors", "applianceId", nil}})
		return 1 + n, err
	}
	lists := []pagedList{
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
		lists = append(lists, pagedList{"contract/serials", "serialNumber", nil})
	}
	if c.cfg.Collections["resets"].Enabled {
		lists = append(lists, pagedList{"deviceReset/lastResetDetails", "deviceId", nil},
			pagedList{"deviceReset/resetHistory", "deviceId", nil})
	}
	return c.pages(ctx, lists)
}

// pages is the pages lists need.
func (c *Client) pages(ctx context.Context, lists []pagedList) (int, error) {
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
