// Package primeinfra polls a Cisco Prime Infrastructure server's REST API
// (v4 data resources): access points, devices, client counts, active
// alarms, rogue AP alarms, wireless controllers, the devices' inventories
// and the APs' radios with their load, in pages fetched a few at a time
// with a hold between bursts, as Prime's rate limiting expects, and fewer
// at a time with longer holds after its throttling 503s.
package primeinfra

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// apiRoot is where the API versions live; the data resources are under
// {version}/data/.
const apiRoot = "/webacs/api/"

// fallbackVersion is what a resource the configured v4 does not serve is
// asked at: Prime serves several versions side by side, and not every
// resource answers at every one (shared/vendor-apis/prime.md, section 1).
const fallbackVersion = "v3"

// maxPages stops a walk whose count keeps growing.
const maxPages = 1000

// throttleTexts begin the messages of Prime's 503s for its rate and
// concurrency limits (shared/vendor-apis/prime.md, section 6), which slow
// the pace; its other 503s, such as a page over the size limit, do not.
var throttleTexts = []string{
	"NBI Global Rate limit exceeded",
	"NBI Rate limit for user",
	"Per user concurrent query count exceeded",
}

// Options are the client's collaborators.
type Options struct {
	UserAgent string
	Budget    *vendors.Budget
	Recorder  vendors.Recorder
}

// sessionBackoff is how long a collection waits after a 401 that came
// after earlier successes: Prime's limit of sessions per user, which
// cpiapi waits out for five minutes (shared/vendor-apis/prime.md,
// section 2).
const sessionBackoff = 5 * time.Minute

// Client talks to one Prime Infrastructure server.
type Client struct {
	cfg  *config.Prime
	root string // the server's API root, without a version
	req  *vendors.Requester

	// fallback holds the resources answered at fallbackVersion after the
	// configured version had no such resource.
	fallback sync.Map

	opening   chan struct{} // held by the one request sent until one succeeds
	succeeded atomic.Bool   // some request has succeeded
}

// New returns a client for the server a config section names.
func New(cfg *config.Prime, o Options) (*Client, error) {
	hc, err := vendors.ClientFor(&cfg.Common, o.UserAgent)
	if err != nil {
		return nil, err
	}
	// Prime refuses a user's sixth session with a 401. Whether it keeps a
	// session by connection or by cookie is not known
	// (shared/vendor-apis/prime.md, section 2), so each request closes its
	// connection, as Cisco advises, and carries the cookie of the last.
	hc.Jar, _ = cookiejar.New(nil)
	// A redirect is Prime's answer to missing or wrong credentials (to its
	// login page), never data.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{cfg: cfg, root: strings.TrimSuffix(cfg.BaseURL, "/") + apiRoot, opening: make(chan struct{}, 1)}
	c.req = vendors.NewRequester(hc, &cfg.Common, o.Budget, o.Recorder)
	c.req.Concurrency = cfg.Budget.Concurrency
	c.req.ThrottleTexts = throttleTexts
	c.req.Prepare = func(r *http.Request) error {
		r.SetBasicAuth(cfg.Username, cfg.Password.Value())
		r.Header.Set("Accept", "application/json")
		r.Close = true
		return nil
	}
	return c, nil
}

// query returns the parameters every list request carries.
func (c *Client) query(q url.Values, first, size int) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set(".full", "true")
	out.Set(".firstResult", strconv.Itoa(first))
	out.Set(".maxResults", strconv.Itoa(size))
	if c.cfg.VirtualDomain != "" {
		out.Set("_ctx.domain", c.cfg.VirtualDomain)
	}
	return out
}

// version is the API version a resource is asked at.
func (c *Client) version(resource string) string {
	if _, ok := c.fallback.Load(resource); ok {
		return fallbackVersion
	}
	return c.cfg.APIVersion
}

// page fetches one page of a data resource. A resource the configured v4
// has no such resource for is asked at v3, and from then on only there;
// the request metrics' endpoint label shows the version in use.
func page[E any](ctx context.Context, c *Client, resource string, q url.Values) (*envelope[E], error) {
	v := c.version(resource)
	env, err := pageAt[E](ctx, c, v, resource, q)
	if err != nil && v == "v4" && vendors.StatusCode(err) == http.StatusNotFound {
		if env3, err3 := pageAt[E](ctx, c, fallbackVersion, resource, q); err3 == nil {
			c.fallback.Store(resource, true)
			return env3, nil
		}
	}
	return env, err
}

func pageAt[E any](ctx context.Context, c *Client, version, resource string, q url.Values) (*envelope[E], error) {
	var env envelope[E]
	path := version + "/data/" + resource
	err := c.withSession(ctx, func() error {
		_, err := c.req.GetJSON(ctx, c.root+path+".json?"+q.Encode(), apiRoot+path, &env)
		return err
	})
	if err != nil {
		return nil, c.authError(err)
	}
	return &env, nil
}

// withSession runs f, alone until a request has succeeded: the collections
// of a fresh client start together, and where Prime keeps sessions by
// cookie they would otherwise open one session each, instead of sharing
// the cookie of the first answer.
func (c *Client) withSession(ctx context.Context, f func() error) error {
	if c.succeeded.Load() {
		return f()
	}
	select {
	case c.opening <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting for the first answer of the session: %w", ctx.Err())
	}
	if c.succeeded.Load() {
		<-c.opening
		return f()
	}
	defer func() { <-c.opening }()
	err := f()
	if err == nil {
		c.succeeded.Store(true)
	}
	return err
}

// authError says what Prime's refusals mean (shared/vendor-apis/prime.md,
// section 2): a redirect (to its login page), or a 401 before any request
// went through, is a failed login; a 401 after requests went through is,
// most likely, the user's limit of sessions, which waiting ends, not
// retrying at once.
func (c *Client) authError(err error) error {
	switch st := vendors.StatusCode(err); {
	case st == http.StatusUnauthorized && c.succeeded.Load():
		return &vendors.BackoffError{
			Err: fmt.Errorf("refused after earlier successes, most likely the session limit of user %s: %w", c.cfg.Username, err),
			For: sessionBackoff,
		}
	case st == http.StatusUnauthorized || (st >= 300 && st < 400):
		return fmt.Errorf("authentication failed for user %s: %w", c.cfg.Username, err)
	}
	return err
}

// pageLimit reads the page size a 503 says the server allows ("... Limit
// is 500"): Prime refuses a .maxResults above its limitPageSize.
var pageLimit = regexp.MustCompile(`(?i)size.*limit is (\d+)`)

// walk fetches every entity of a data resource: page one for the count,
// then the other pages, up to the concurrency at once, at the page size the
// server served the first one with. Without a @count, pages follow one at a
// time until one shorter than the first, or empty. It returns the virtual domain the server
// answered for.
func walk[E any](ctx context.Context, c *Client, resource string, q url.Values, each func([]E)) (string, error) {
	return walkSized(ctx, c, resource, q, c.cfg.PageSize, each)
}

// walkSized is walk at a page size of its own, for a resource whose
// entities are heavy.
func walkSized[E any](ctx context.Context, c *Client, resource string, q url.Values, size int, each func([]E)) (string, error) {
	var mu sync.Mutex
	var domain string
	first := -1      // the first page's length, when it had no @count
	fetched := false // some page came back
	fetch := func(ctx context.Context, offset int) (vendors.Page, error) {
		env, err := page[E](ctx, c, resource, c.query(q, offset, size))
		if err != nil {
			return vendors.Page{}, err
		}
		qr := &env.QueryResponse
		mu.Lock()
		defer mu.Unlock()
		fetched = true
		each(qr.Entity)
		domain = qr.Domain
		total := qr.Count.int(-1)
		if total < 0 && offset == 0 {
			first = len(qr.Entity)
		}
		return vendors.Page{Items: len(qr.Entity), Total: total}, nil
	}
	paging := vendors.Paging{Concurrency: c.cfg.Budget.Concurrency, MaxPages: maxPages}
	err := paging.Offsets(ctx, fetch)
	// Asked again only when no page came back, so nothing is counted twice.
	if n, ok := smallerPage(err, size); ok && !fetched {
		size = n
		err = paging.Offsets(ctx, fetch)
	}
	if err == nil && first > 0 {
		// A first page shorter than asked may be the whole list or the
		// server's own page size: only the next page tells.
		err = pageOn(ctx, first, fetch)
	}
	return domain, err
}

// smallerPage reports the page size a refused first page names, when it is
// below the one asked.
func smallerPage(err error, size int) (int, bool) {
	var ae *vendors.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	m := pageLimit.FindStringSubmatch(ae.Detail)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 || n >= size {
		return 0, false
	}
	return n, true
}

// pageOn follows a list that gave no @count (as under .nocount), one page
// at a time from the first page's end, until a page comes back shorter
// than the first or empty.
func pageOn(ctx context.Context, size int, fetch func(context.Context, int) (vendors.Page, error)) error {
	for offset, pages := size, 1; ; pages++ {
		if pages >= maxPages {
			return fmt.Errorf("more than %d pages of %d without a count", maxPages, size)
		}
		p, err := fetch(ctx, offset)
		if err != nil {
			return fmt.Errorf("offset %d: %w", offset, err)
		}
		if p.Items < size {
			return nil
		}
		offset += p.Items
	}
}

// AccessPoints fetches every access point's details.
func (c *Client) AccessPoints(ctx context.Context) (*AccessPoints, error) {
	out := &AccessPoints{Controllers: map[string]string{}, RadioSites: map[string]string{}}
	domain, err := walk(ctx, c, "AccessPointDetails", nil, func(page []apEntity) {
		for _, e := range page {
			ap := newAP(e)
			out.Devices = append(out.Devices, ap)
			if radio := e.DTO.MacAddress.mac(); radio != "" {
				out.RadioSites[radio] = ap.Site
			}
			if ctl := e.DTO.UnifiedApInfo.ControllerName; ctl != "" {
				out.Controllers[e.DTO.Name] = ctl
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out.Domain = domain
	out.finish()
	return out, nil
}

// Devices fetches every device but the access points, which have their
// own collection.
func (c *Client) Devices(ctx context.Context) (*Devices, error) {
	out := &Devices{Names: map[string]string{}}
	type withID struct {
		d  model.Device
		id int64
	}
	var all []withID
	_, err := walk(ctx, c, "Devices", nil, func(page []deviceEntity) {
		for _, e := range page {
			if d, ok := newDevice(e); ok {
				all = append(all, withID{d, e.DTO.DeviceID.n})
				if ip := string(e.DTO.IPAddress); ip != "" {
					out.Names[ip] = d.Name
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b withID) int { return model.CompareDevices(a.d, b.d) })
	out.Devices, out.IDs = make([]model.Device, len(all)), make([]int64, len(all))
	for i, w := range all {
		out.Devices[i], out.IDs[i] = w.d, w.id
	}
	return out, nil
}

// countKey is what a ClientCounts row counts: its ids change with every
// collection (shared/vendor-apis/prime.md, section 8.1).
type countKey struct{ typ, key, subkey string }

// counts fetches the ClientCounts rows of one type of Prime's latest
// collection, one per (type, key, subkey). Prime keeps only that
// collection, all of its rows at one collectionTime; should a server keep
// older ones too, their rows are left out, and a walk over a collection
// that changes under it may meet a row twice.
func (c *Client) counts(ctx context.Context, typ string) (map[countKey]clientCount, string, error) {
	rows := map[countKey]clientCount{}
	var newest int64
	domain, err := walk(ctx, c, "ClientCounts", url.Values{"type": {strconv.Quote(typ)}}, func(page []clientCountEntity) {
		for _, e := range page {
			r := e.DTO
			newest = max(newest, r.CollectionTime)
			k := countKey{r.Type, r.Key, r.Subkey}
			if old, ok := rows[k]; !ok || r.CollectionTime >= old.CollectionTime {
				rows[k] = r
			}
		}
	})
	if err != nil {
		return nil, "", fmt.Errorf("ClientCounts of type %s: %w", typ, err)
	}
	maps.DeleteFunc(rows, func(_ countKey, r clientCount) bool { return r.CollectionTime < newest })
	return rows, domain, nil
}

// Clients fetches Prime's latest client counts: the total and per-SSID
// rows of the virtual domain, the rows of each access point by SSID, and
// the devices' rows for their wired clients. Each client is counted once:
// no aggregate row beside its parts, no type summed with another.
func (c *Client) Clients(ctx context.Context) (*Clients, error) {
	ssids, domain, err := c.counts(ctx, "SSID")
	if err != nil {
		return nil, err
	}
	aps, _, err := c.counts(ctx, "ACCESSPOINT")
	if err != nil {
		return nil, err
	}
	devices, _, err := c.counts(ctx, "DEVICE")
	if err != nil {
		return nil, err
	}
	if c.cfg.VirtualDomain != "" {
		domain = c.cfg.VirtualDomain
	}
	if domain == "" {
		domain = rootDomain
	}
	return newClients(domain, ssids, aps, devices), nil
}

// Alarms fetches every alarm that is not cleared.
func (c *Client) Alarms(ctx context.Context) (*Alarms, error) {
	list := newAlarmList(ConsoleURL(c.cfg.BaseURL))
	_, err := walk(ctx, c, "Alarms", url.Values{"severity": {`ne("CLEARED")`}}, list.add)
	if err != nil {
		return nil, err
	}
	return list.result(), nil
}

// Inventory fetches every device's inventory, in pages of
// inventory_page_size: an entity carries all of a device's interfaces,
// which Prime is slow to gather.
func (c *Client) Inventory(ctx context.Context) (*Inventory, error) {
	byID := map[int64]int{}
	out := &Inventory{}
	_, err := walkSized(ctx, c, "InventoryDetails", nil, c.cfg.InventoryPageSize, func(page []inventoryEntity) {
		for k := range page {
			d, ok := newInventoryDevice(&page[k], c.cfg.InventoryUptimeUnit)
			if !ok {
				continue
			}
			// Pages over changing data can repeat a device.
			if i, seen := byID[d.ID]; seen && d.ID != 0 {
				out.Devices[i] = d
				continue
			}
			byID[d.ID] = len(out.Devices)
			out.Devices = append(out.Devices, d)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Devices, func(a, b InventoryDevice) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Close drops the client's idle connections; the client must not be used
// after.
func (c *Client) Close() {
	c.req.Close()
}
