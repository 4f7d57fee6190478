// Package cxcloud polls Cisco CX Cloud (BCS Operational Insights) for one
// tenant: inventory, field notices, security advisories and end-of-life
// milestones, within 10 requests a second and 10,000 a day. Every request
// names only the fields the exporter uses and revalidates with
// If-None-Match, so unchanged data costs a 304 and no body.
package cxcloud

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// maxPages stops a walk whose total keeps growing.
const maxPages = 1000

// RateHeaders are the headers in which CX Cloud reports what is left of its
// limits.
var RateHeaders = []vendors.RateHeader{
	{Window: "second", Remaining: "X-RateLimit-Remaining-Second", Limit: "X-RateLimit-Limit-Second"},
	{Window: "day", Remaining: "X-RateLimit-Remaining-Day", Limit: "X-RateLimit-Limit-Day"},
}

// Options are the client's collaborators.
type Options struct {
	UserAgent string
	Budget    *vendors.Budget
	Recorder  vendors.Recorder
	ETags     *vendors.ETagStore
	Now       func() time.Time
}

// Client talks to one CX Cloud tenant.
type Client struct {
	cfg   *config.CXCloud
	base  string
	req   *vendors.Requester
	token *tokenSource
	now   func() time.Time

	// inventory is shared by the inventory collection and the serial
	// numbers of the eox collection.
	inventory        vendors.Flight[inventoryWalk]
	inventoryStarted atomic.Bool // the inventory collection has refreshed
}

// New returns a client for the tenant a config section names.
func New(cfg *config.CXCloud, o Options) (*Client, error) {
	hc, err := vendors.ClientFor(&cfg.Common, o.UserAgent)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ETags == nil {
		o.ETags = vendors.NewETagStore()
	}
	maxRetries := vendors.Retries(cfg.Budget.MaxRetries)
	c := &Client{cfg: cfg, base: cfg.URL() + "/", now: o.Now}
	c.token = &tokenSource{
		url: cfg.TokenURL, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret.Value(), now: o.Now,
		req: &vendors.Requester{Client: hc, Recorder: o.Recorder, MaxRetries: maxRetries, MaxBodyBytes: int64(cfg.BodySizeLimit)},
	}
	c.req = &vendors.Requester{
		Client:       hc,
		Budget:       o.Budget,
		Recorder:     o.Recorder,
		RateHeaders:  RateHeaders,
		MaxRetries:   maxRetries,
		MaxBodyBytes: int64(cfg.BodySizeLimit),
		Concurrency:  cfg.Budget.Concurrency,
		ETags:        o.ETags,
		Prepare: func(r *http.Request) error {
			tok, err := c.token.get(r.Context())
			if err != nil {
				return err
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("Accept", "application/json")
			return nil
		},
	}
	return c, nil
}

// get fetches one page, revalidating a stored copy; a 401 means the token
// lapsed early or was revoked, so it is fetched anew once.
func (c *Client) get(ctx context.Context, u, endpoint string, v any) (http.Header, error) {
	h, err := c.req.GetJSON(ctx, u, endpoint, v)
	if vendors.StatusCode(err) == http.StatusUnauthorized {
		c.token.invalidate()
		h, err = c.req.GetJSON(ctx, u, endpoint, v)
	}
	return h, err
}

// list walks a list endpoint such as "inventory/devices" with a field mask
// and filters, handing each page's items to each (under a lock, pages in
// any order).
func list[T any](ctx context.Context, c *Client, endpoint string, fields []string, filters url.Values, each func([]T)) error {
	var mu sync.Mutex
	size := c.cfg.PageSize
	return vendors.WalkOffsets(ctx, size, c.cfg.Budget.Concurrency, maxPages, func(ctx context.Context, offset int) (int, int, error) {
		q := url.Values{}
		for k, v := range filters {
			q[k] = v
		}
		q.Set("fields", strings.Join(fields, ","))
		q.Set("offset", strconv.Itoa(offset))
		q.Set("max", strconv.Itoa(size))
		var page struct {
			Items []T `json:"items"`
		}
		h, err := c.get(ctx, c.base+endpoint+"?"+q.Encode(), "/"+endpoint, &page)
		if err != nil {
			return 0, 0, err
		}
		total, ok := vendors.HeaderInt(h, "X-Total-Count")
		if !ok {
			// Without a total, a short page is the last one.
			total = offset + len(page.Items)
			if len(page.Items) == size {
				total += size
			}
		}
		mu.Lock()
		each(page.Items)
		mu.Unlock()
		return len(page.Items), total, nil
	})
}

// inventoryWalk is what one walk of the inventory gives: the inventory
// collection and the serial numbers the eox collection names parts with.
type inventoryWalk struct {
	inv *Inventory
	idx *assetIndex
}

// Inventory fetches the devices and their chassis serial numbers, sharing a
// walk in flight, or on its first call one just made for the eox.
func (c *Client) Inventory(ctx context.Context) (*Inventory, error) {
	w, err := c.inventory.Refresh(ctx, &c.inventoryStarted, c.walkInventory)
	return w.inv, err
}

func (c *Client) walkInventory(ctx context.Context) (inventoryWalk, error) {
	var devices []device
	err := list(ctx, c, "inventory/devices", deviceFields, nil, func(items []device) { devices = append(devices, items...) })
	if err != nil {
		return inventoryWalk{}, err
	}
	var assets []asset
	err = list(ctx, c, "inventory/assets", assetFields, nil, func(items []asset) { assets = append(assets, items...) })
	if err != nil {
		return inventoryWalk{}, err
	}
	idx := newAssetIndex(devices, assets)
	return inventoryWalk{inv: newInventory(devices, idx), idx: idx}, nil
}

// assetIndex returns the last inventory's serial numbers, or those of the
// walk in flight, walking the inventory if neither is there.
func (c *Client) assetIndex(ctx context.Context) (*assetIndex, error) {
	w, err := c.inventory.Last(ctx, c.walkInventory)
	return w.idx, err
}

// FieldNotices counts the devices each field notice matches, by match
// confidence.
func (c *Client) FieldNotices(ctx context.Context) (*FieldNotices, error) {
	var matches []fieldNotice
	err := list(ctx, c, "productAlerts/fieldNotices", fieldNoticeFields, nil, func(items []fieldNotice) { matches = append(matches, items...) })
	if err != nil {
		return nil, err
	}
	var bulletins []fieldNoticeBulletin
	err = list(ctx, c, "productAlerts/fieldNoticeBulletins", fieldNoticeBulletinFields, nil,
		func(items []fieldNoticeBulletin) { bulletins = append(bulletins, items...) })
	if err != nil {
		return nil, err
	}
	return newFieldNotices(matches, bulletins), nil
}

// mayBeVulnerable keeps the advisory matches the exporter counts; list
// copies it, never changes it.
var mayBeVulnerable = url.Values{"matchConfidence": {"Vulnerable", "Potentially Vulnerable"}}

// Advisories counts the devices each security advisory may affect. Only
// matches that are or may be vulnerable are fetched: the filter saves the
// pages of the rest.
func (c *Client) Advisories(ctx context.Context) (*Advisories, error) {
	var matches []advisory
	err := list(ctx, c, "productAlerts/securityAdvisories", advisoryFields, mayBeVulnerable, func(items []advisory) { matches = append(matches, items...) })
	if err != nil {
		return nil, err
	}
	var bulletins []advisoryBulletin
	err = list(ctx, c, "productAlerts/securityAdvisoryBulletins", advisoryBulletinFields, nil,
		func(items []advisoryBulletin) { bulletins = append(bulletins, items...) })
	if err != nil {
		return nil, err
	}
	return newAdvisories(matches, bulletins), nil
}

// EndOfLife fetches the hardware and software end-of-life milestones.
func (c *Client) EndOfLife(ctx context.Context) (*EndOfLife, error) {
	idx, err := c.assetIndex(ctx)
	if err != nil {
		return nil, err
	}
	var hw []hardwareEoL
	if err := list(ctx, c, "productAlerts/hardwareEndOfLife", hardwareEoLFields, nil, func(items []hardwareEoL) { hw = append(hw, items...) }); err != nil {
		return nil, err
	}
	var hwb []eolBulletin
	if err := list(ctx, c, "productAlerts/hardwareEndOfLifeBulletins", hardwareBulletinFields, nil, func(items []eolBulletin) { hwb = append(hwb, items...) }); err != nil {
		return nil, err
	}
	var sw []softwareEoL
	if err := list(ctx, c, "productAlerts/softwareEndOfLife", softwareEoLFields, nil, func(items []softwareEoL) { sw = append(sw, items...) }); err != nil {
		return nil, err
	}
	var swb []eolBulletin
	if err := list(ctx, c, "productAlerts/softwareEndOfLifeBulletins", softwareBulletinFields, nil, func(items []eolBulletin) { swb = append(swb, items...) }); err != nil {
		return nil, err
	}
	return newEndOfLife(hw, hwb, sw, swb, idx), nil
}

// Close drops the client's idle connections; the client must not be used
// after.
func (c *Client) Close() {
	c.req.Close()
	c.token.req.Close()
}
