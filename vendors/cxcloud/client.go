// Package cxcloud polls Cisco CX Cloud (BCS Operational Insights) for one
// tenant: inventory and its collectors, field notices, security advisories,
// end-of-life milestones, contracts and resets, within 10 requests a second
// and 10,000 a day. By default the collections share one streamed
// bulk/alerts call, made about once the shortest of their intervals, and
// walk their lists when it fails; under the lists plan each walks its
// lists. It signs in and pages as Cisco's documents and SDK do; every list
// request names only the fields the exporter uses, and every request
// revalidates with If-None-Match, so unchanged data costs a 304 and no
// body where the API answers one.
package cxcloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// maxPages stops a walk whose total keeps growing: at a page size of one
// item, 100,000 is past any tenant's list but its largest.
const maxPages = 100000

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
	// Log tells of what the client skips in bulk/alerts; nil logs nothing.
	Log *slog.Logger
}

// Client talks to one CX Cloud tenant.
type Client struct {
	cfg   *config.CXCloud
	base  string
	req   *vendors.Requester
	token *tokenSource
	now   func() time.Time
	log   *slog.Logger

	// bulkPlan reads the collections' data from bulk/alerts, shared
	// through bulk; otherwise each walks its lists.
	bulkPlan bool
	bulk     *bulkFeed

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
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: cfg, base: cfg.URL() + "/", now: o.Now, log: o.Log,
		bulkPlan: cfg.Plan != config.CXCloudPlanLists, bulk: newBulkFeed(cfg)}
	c.token = &tokenSource{
		url: cfg.TokenURL, clientID: cfg.ClientID, secret: cfg.ClientSecret.Value(), now: o.Now,
		req: vendors.NewRequester(hc, &cfg.Common, nil, o.Recorder),
	}
	c.req = vendors.NewRequester(hc, &cfg.Common, o.Budget, o.Recorder)
	c.req.RateHeaders = RateHeaders
	c.req.Concurrency = cfg.Budget.Concurrency
	c.req.ETags = o.ETags
	c.req.Prepare = func(r *http.Request) error {
		tok, _, err := c.token.get(r.Context())
		if err != nil {
			return err
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		if r.Header.Get("Accept") == "" {
			r.Header.Set("Accept", "application/json")
		}
		return nil
	}
	return c, nil
}

// get fetches one page, revalidating a stored copy; a 401 means the token
// lapsed early or was revoked, so it is fetched anew, once.
func (c *Client) get(ctx context.Context, u, endpoint string, v any) (http.Header, error) {
	gen := c.token.generation()
	h, err := c.req.GetJSON(ctx, u, endpoint, v)
	var signIn *signInError
	if vendors.StatusCode(err) == http.StatusUnauthorized && !errors.As(err, &signIn) {
		c.token.invalidate(gen)
		h, err = c.req.GetJSON(ctx, u, endpoint, v)
	}
	return h, err
}

// errReprocessed marks a walk during which the tenant's data was processed
// again: its pages came from two versions of the data.
var errReprocessed = errors.New("the data was processed again during the walk (Last-Modified changed between pages)")

// list walks a list endpoint such as "inventory/devices" with a field mask
// and filters, and returns its items, in the list's order, with the
// time the data was last processed (the pages' Last-Modified; zero when
// they carry none). It pages as the SDK does: no page size is sent, the
// server's max header is the page size, and offset (from the first page's
// offset header, 1 when it has none) picks the pages after the first,
// which are fetched several at a time. A walk whose pages carry different
// Last-Modified times saw the data change, and is made again, once.
func list[T any](ctx context.Context, c *Client, endpoint string, fields []string, filters url.Values) ([]T, time.Time, error) {
	items, modified, err := walkList[T](ctx, c, endpoint, fields, filters)
	if errors.Is(err, errReprocessed) {
		items, modified, err = walkList[T](ctx, c, endpoint, fields, filters)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: %w", endpoint, err)
	}
	return items, modified, nil
}

func walkList[T any](ctx context.Context, c *Client, endpoint string, fields []string, filters url.Values) ([]T, time.Time, error) {
	var (
		mu       sync.Mutex
		pages    = map[int][]T{}
		first    = 1 // the offset of the first item, as the first page says
		modified time.Time
		total    = -1 // as the first page says
	)
	err := vendors.Paging{Concurrency: c.cfg.Budget.Concurrency, MaxPages: maxPages}.Offsets(ctx, func(ctx context.Context, offset int) (vendors.Page, error) {
		q := url.Values{}
		for k, v := range filters {
			q[k] = v
		}
		q.Set("fields", strings.Join(fields, ","))
		if offset > 0 {
			q.Set("offset", strconv.Itoa(first+offset))
		}
		var page struct {
			Items []T `json:"items"`
		}
		h, err := c.get(ctx, c.base+endpoint+"?"+q.Encode(), "/"+endpoint, &page)
		if err != nil {
			return vendors.Page{}, err
		}
		pg := vendors.Page{Items: len(page.Items), Total: -1}
		pg.Size, _ = vendors.HeaderInt(h, "max")
		if total, ok := vendors.HeaderInt(h, "total"); ok {
			pg.Total = total
		}
		lm, _ := http.ParseTime(h.Get("Last-Modified"))
		mu.Lock()
		defer mu.Unlock()
		if offset == 0 {
			// Workers start after the first page: they see what it set.
			if n, ok := vendors.HeaderInt(h, "offset"); ok && (n == 0 || n == 1) {
				first = n
			}
			modified, total = lm, pg.Total
		} else if !lm.IsZero() && !modified.IsZero() && !lm.Equal(modified) {
			return vendors.Page{}, errReprocessed
		} else if pg.Total >= 0 && pg.Total < total {
			// CX Cloud's data change only when it processes them again: a
			// list that shrinks without that is not one list, and the pages
			// read so far would be served as the whole (a grown total the
			// paging itself refuses).
			return vendors.Page{}, fmt.Errorf("the total fell from %d to %d during the walk, the data not processed again", total, pg.Total)
		}
		pages[offset] = page.Items
		return pg, nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	offsets := make([]int, 0, len(pages))
	n := 0
	for o, items := range pages {
		offsets = append(offsets, o)
		n += len(items)
	}
	slices.Sort(offsets)
	out := make([]T, 0, n)
	for _, o := range offsets {
		out = append(out, pages[o]...)
	}
	return out, modified, nil
}

// latest is the later of two processing times.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// inventoryWalk is what one walk of the inventory gives: the inventory
// collection and the serial numbers the eox collection names parts with.
type inventoryWalk struct {
	inv *Inventory
	idx *assetIndex
}

// Inventory fetches the devices with their chassis serial numbers, and
// the collectors.
func (c *Client) Inventory(ctx context.Context) (*Inventory, error) {
	return fromBulk(ctx, c, collInventory, c.inventoryFromBulk, c.listInventory)
}

// inventoryFromBulk builds the inventory from a bulk answer, and the
// collectors' list, which bulk/alerts does not carry.
func (c *Client) inventoryFromBulk(ctx context.Context, a *bulkAnswer) (*Inventory, error) {
	colls, collMod, err := list[collector](ctx, c, "collectors", fieldsOf[collector](), nil)
	if err != nil {
		return nil, err
	}
	inv := newInventory(a.devices, a.built().idx, colls, c.now())
	inv.LastModified = unix(latest(a.modified, collMod))
	return inv, nil
}

// listInventory walks the inventory's lists, sharing a walk in flight, or
// on its first call one just made for the eox.
func (c *Client) listInventory(ctx context.Context) (*Inventory, error) {
	w, err := c.inventory.Refresh(ctx, &c.inventoryStarted, c.walkInventory)
	return w.inv, err
}

func (c *Client) walkInventory(ctx context.Context) (inventoryWalk, error) {
	devices, devMod, err := list[device](ctx, c, "inventory/devices", fieldsOf[device](), nil)
	if err != nil {
		return inventoryWalk{}, err
	}
	assets, assetMod, err := list[asset](ctx, c, "inventory/assets", fieldsOf[asset](), nil)
	if err != nil {
		return inventoryWalk{}, err
	}
	colls, collMod, err := list[collector](ctx, c, "collectors", fieldsOf[collector](), nil)
	if err != nil {
		return inventoryWalk{}, err
	}
	idx := newAssetIndex(devices, assets)
	inv := newInventory(devices, idx, colls, c.now())
	inv.LastModified = unix(latest(devMod, assetMod, collMod))
	return inventoryWalk{inv: inv, idx: idx}, nil
}

// assetIndex returns the serial numbers of the last bulk answer, or of
// the last inventory walk, or of the walk in flight, walking the
// inventory if none is there.
func (c *Client) assetIndex(ctx context.Context) (*assetIndex, error) {
	if a := c.bulk.lastGood(); a != nil && c.bulkPlan {
		return a.built().idx, nil
	}
	w, err := c.inventory.Last(ctx, c.walkInventory)
	return w.idx, err
}

// alerts lists the device matches of one kind of product alert, with
// filters, and its bulletins, with their field mask, and returns the later
// of the two lists' processing times.
func alerts[M, B any](ctx context.Context, c *Client, matches, bulletins string, filters url.Values, bulletinFields []string) ([]M, []B, time.Time, error) {
	m, mMod, err := list[M](ctx, c, "productAlerts/"+matches, fieldsOf[M](), filters)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	b, bMod, err := list[B](ctx, c, "productAlerts/"+bulletins, bulletinFields, nil)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return m, b, latest(mMod, bMod), nil
}

// FieldNotices counts the devices each field notice matches, by match
// confidence.
func (c *Client) FieldNotices(ctx context.Context) (*FieldNotices, error) {
	return fromBulk(ctx, c, collFieldNotices, builtPart(func(a *bulkAnswer) *FieldNotices { return a.fns }), c.listFieldNotices)
}

func (c *Client) listFieldNotices(ctx context.Context) (*FieldNotices, error) {
	matches, bulletins, mod, err := alerts[fieldNotice, fieldNoticeBulletin](ctx, c, "fieldNotices", "fieldNoticeBulletins",
		nil, fieldsOf[fieldNoticeBulletin]())
	if err != nil {
		return nil, err
	}
	out := newFieldNotices(matches, bulletins)
	out.LastModified = unix(mod)
	return out, nil
}

// mayBeVulnerable keeps the advisory matches the exporter counts; list
// copies it, never changes it.
var mayBeVulnerable = url.Values{"matchConfidence": {"Vulnerable", "Potentially Vulnerable"}}

// Advisories counts the devices each security advisory may affect. Only
// matches that are or may be vulnerable are fetched: the filter saves the
// pages of the rest. A server that ignores the filter sends the others
// too; they are not counted. bulk/alerts carries every match: the same
// filter is applied as it is read.
func (c *Client) Advisories(ctx context.Context) (*Advisories, error) {
	return fromBulk(ctx, c, collAdvisories, builtPart(func(a *bulkAnswer) *Advisories { return a.adv }), c.listAdvisories)
}

func (c *Client) listAdvisories(ctx context.Context) (*Advisories, error) {
	matches, bulletins, mod, err := alerts[advisory, advisoryBulletin](ctx, c, "securityAdvisories", "securityAdvisoryBulletins",
		mayBeVulnerable, fieldsOf[advisoryBulletin]())
	if err != nil {
		return nil, err
	}
	out := newAdvisories(matches, bulletins)
	out.LastModified = unix(mod)
	return out, nil
}

// EndOfLife fetches the hardware and software end-of-life milestones.
func (c *Client) EndOfLife(ctx context.Context) (*EndOfLife, error) {
	return fromBulk(ctx, c, collEox, builtPart(func(a *bulkAnswer) *EndOfLife { return a.eol }), c.listEndOfLife)
}

func (c *Client) listEndOfLife(ctx context.Context) (*EndOfLife, error) {
	idx, err := c.assetIndex(ctx)
	if err != nil {
		return nil, err
	}
	hw, hwb, hwMod, err := alerts[hardwareEoL, eolBulletin](ctx, c, "hardwareEndOfLife", "hardwareEndOfLifeBulletins",
		nil, hardwareBulletinFields)
	if err != nil {
		return nil, err
	}
	sw, swb, swMod, err := alerts[softwareEoL, eolBulletin](ctx, c, "softwareEndOfLife", "softwareEndOfLifeBulletins",
		nil, softwareBulletinFields)
	if err != nil {
		return nil, err
	}
	out := newEndOfLife(hw, hwb, sw, swb, idx)
	out.LastModified = unix(latest(hwMod, swMod))
	return out, nil
}

// Contracts fetches the service contract and warranty of each device, by
// the serial number of its chassis. The whole list is walked: its only
// filters are the serial and the coverage. bulk/alerts carries each
// asset's contract with the asset.
func (c *Client) Contracts(ctx context.Context) (*Contracts, error) {
	return fromBulk(ctx, c, collContracts, builtPart(func(a *bulkAnswer) *Contracts { return a.con }), c.listContracts)
}

func (c *Client) listContracts(ctx context.Context) (*Contracts, error) {
	idx, err := c.assetIndex(ctx)
	if err != nil {
		return nil, err
	}
	serials, mod, err := list[contractSerial](ctx, c, "contract/serials", fieldsOf[contractSerial](), nil)
	if err != nil {
		return nil, err
	}
	out := newContracts(serials, idx)
	out.LastModified = unix(mod)
	return out, nil
}

// Resets fetches each device's last reset and its reset history.
func (c *Client) Resets(ctx context.Context) (*Resets, error) {
	return fromBulk(ctx, c, collResets, builtPart(func(a *bulkAnswer) *Resets { return a.res }), c.listResets)
}

func (c *Client) listResets(ctx context.Context) (*Resets, error) {
	last, lastMod, err := list[lastReset](ctx, c, "deviceReset/lastResetDetails", fieldsOf[lastReset](), nil)
	if err != nil {
		return nil, err
	}
	history, histMod, err := list[resetHistory](ctx, c, "deviceReset/resetHistory", fieldsOf[resetHistory](), nil)
	if err != nil {
		return nil, err
	}
	out := newResets(last, history)
	out.LastModified = unix(latest(lastMod, histMod))
	return out, nil
}

// unix is t in unix seconds; 0 for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Close drops the client's idle connections; the client must not be used
// after.
func (c *Client) Close() {
	c.req.Close()
	c.token.req.Close()
}
