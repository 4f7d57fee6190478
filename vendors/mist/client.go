// Package mist polls the Juniper Mist cloud API for one organisation: sites,
// device stats, wireless clients, active alarms and the token's API usage,
// each with the fewest calls its paging allows.
package mist

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/cookiejar"
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

const (
	// pageLimit is the largest page the list and search endpoints serve,
	// and the default page_size.
	pageLimit = 1000
	// maxPages stops a walk whose total keeps growing: 1,000 pages of
	// 1,000 is far beyond any org.
	maxPages = 1000
	// alarmWindow is how far back open alarms are searched; the API's
	// default of one day would miss alarms open for longer.
	alarmWindow = 7 * 24 * time.Hour
)

// Options are the client's collaborators.
type Options struct {
	UserAgent string
	Budget    *vendors.Budget
	Recorder  vendors.Recorder
	Now       func() time.Time
}

// Client talks to one Mist org.
type Client struct {
	cfg      *config.Mist
	base     string
	req      *vendors.Requester
	now      func() time.Time
	pageSize int

	jar          http.CookieJar
	orgs         vendors.Flight[string]   // the org discovered, when org_id is not set
	sites        vendors.Flight[siteWalk] // shared by the sites collection and the others' site names
	sitesStarted atomic.Bool              // the sites collection has refreshed
	defs         alarmDefs
	stream       streamTiming

	// loginReq sends logins, without retries: Mist locks an address out
	// after three failed logins in a row.
	loginReq *vendors.Requester
	authMu   sync.Mutex // guards the session state below, and serialises logins
	loggedIn bool
	gen      int       // counts the sessions opened
	loginErr error     // the last login's failure, while it stands
	loginAt  time.Time // when it failed
}

// loginBackoff is how long a failed login stands: calls meanwhile fail with
// its error instead of trying again, so a refresh of every collection with
// a changed password tries one login, not one per call.
const loginBackoff = 30 * time.Second

// New returns a client for the org a config section names.
func New(cfg *config.Mist, o Options) (*Client, error) {
	hc, err := vendors.ClientFor(&cfg.Common, o.UserAgent)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Client{cfg: cfg, base: cfg.URL(), now: o.Now, pageSize: cmp.Or(cfg.PageSize, pageLimit), stream: defaultStreamTiming()}
	if cfg.Token == "" {
		// Login sessions ride on cookies: csrftoken and the session id.
		c.jar, _ = cookiejar.New(nil)
		hc.Jar = c.jar
	}
	c.req = vendors.NewRequester(hc, &cfg.Common, o.Budget, o.Recorder)
	c.req.Prepare = c.authorize
	c.loginReq = vendors.NewRequester(hc, &cfg.Common, o.Budget, o.Recorder)
	c.loginReq.MaxRetries = -1
	c.loginReq.Prepare = c.authorize
	return c, nil
}

// authorize adds the credentials to every attempt.
func (c *Client) authorize(r *http.Request) error {
	r.Header.Set("Accept", "application/json")
	if c.cfg.Token != "" {
		r.Header.Set("Authorization", "Token "+c.cfg.Token.Value())
		return nil
	}
	// Cookie sessions must echo the CSRF cookie on every change request.
	if r.Method != http.MethodGet && c.jar != nil {
		for _, ck := range c.jar.Cookies(r.URL) {
			if strings.HasPrefix(ck.Name, "csrftoken") {
				r.Header.Set("X-CSRFToken", ck.Value)
			}
		}
	}
	return nil
}

// login opens a session with email and password. Two-factor logins are not
// supported: a daemon has nobody to type the code.
func (c *Client) login(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"email": c.cfg.Email, "password": c.cfg.Password.Value()})
	resp, err := c.loginReq.Do(ctx, vendors.Request{
		Method: http.MethodPost, URL: c.base + "/api/v1/login", Endpoint: "/api/v1/login",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body,
	})
	if err != nil {
		return fmt.Errorf("login as %s: %w", c.cfg.Email, err)
	}
	var st struct {
		TwoFactorRequired bool `json:"two_factor_required"`
		TwoFactorPassed   bool `json:"two_factor_passed"`
	}
	if json.Unmarshal(resp.Body, &st) == nil && st.TwoFactorRequired && !st.TwoFactorPassed {
		return fmt.Errorf("login as %s: the account requires two-factor authentication; use an API token instead", c.cfg.Email)
	}
	return nil
}

// get fetches one JSON document, logging in first on a cookie session and
// once more when the session has expired.
func (c *Client) get(ctx context.Context, pathQuery, endpoint string, v any) (http.Header, error) {
	if c.cfg.Token != "" {
		return c.req.GetJSON(ctx, c.base+pathQuery, endpoint, v)
	}
	gen, err := c.session(ctx, 0)
	if err != nil {
		return nil, err
	}
	h, err := c.req.GetJSON(ctx, c.base+pathQuery, endpoint, v)
	if vendors.StatusCode(err) != http.StatusUnauthorized {
		return h, err
	}
	if _, err := c.session(ctx, gen); err != nil {
		return nil, err
	}
	return c.req.GetJSON(ctx, c.base+pathQuery, endpoint, v)
}

// session returns the number of a live session, logging in when there is
// none or when session stale was refused; calls refused together log in
// once. A failed login stands for loginBackoff.
func (c *Client) session(ctx context.Context, stale int) (int, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if c.loggedIn && c.gen != stale {
		return c.gen, nil
	}
	c.loggedIn = false
	if c.loginErr != nil && c.now().Sub(c.loginAt) < loginBackoff {
		return 0, c.loginErr
	}
	if err := c.login(ctx); err != nil {
		// A cancelled refresh says nothing about the credentials.
		if ctx.Err() == nil {
			c.loginErr, c.loginAt = err, c.now()
		}
		return 0, err
	}
	c.loginErr = nil
	c.loggedIn = true
	c.gen++
	return c.gen, nil
}

// org returns the org id: configured, or the one org the credentials can
// see, from /self, discovered once by the collections starting together.
func (c *Client) org(ctx context.Context) (string, error) {
	if c.cfg.OrgID != "" {
		return c.cfg.OrgID, nil
	}
	return c.orgs.Last(ctx, c.discoverOrg)
}

func (c *Client) discoverOrg(ctx context.Context) (string, error) {
	var s self
	if _, err := c.get(ctx, "/api/v1/self", "/api/v1/self", &s); err != nil {
		return "", fmt.Errorf("discovering the org: %w", err)
	}
	var orgs []string
	for _, p := range s.Privileges {
		if p.Scope == "org" && p.OrgID != "" {
			orgs = append(orgs, p.OrgID)
		}
	}
	switch len(orgs) {
	case 0:
		return "", errors.New("discovering the org: the credentials have no org privilege; set org_id")
	case 1:
	default:
		return "", fmt.Errorf("discovering the org: the credentials see %d orgs; set org_id to one of %s", len(orgs), strings.Join(orgs, ", "))
	}
	return orgs[0], nil
}

// orgList walks a page+limit list endpoint of the org, such as
// "stats/devices", handing each page's items to each (called under a lock,
// pages in any order). The server may serve fewer items a page than the
// limit asked (X-Page-Limit says how many): the walk follows it. A limit
// the server refuses with a 400 is dropped, once, for its default.
func orgList[T any](ctx context.Context, c *Client, name string, q url.Values, each func([]T)) error {
	org, err := c.org(ctx)
	if err != nil {
		return err
	}
	path := "/api/v1/orgs/" + url.PathEscape(org) + "/" + name
	endpoint := "/api/v1/orgs/{org_id}/" + name
	var mu sync.Mutex
	return withServerLimit(c.pageSize, func(limit int) error {
		return vendors.Paging{Concurrency: c.cfg.Budget.Concurrency, MaxPages: maxPages}.Pages(ctx, func(ctx context.Context, page int) (vendors.Page, error) {
			pq := url.Values{}
			for k, v := range q {
				pq[k] = v
			}
			if limit > 0 {
				pq.Set("limit", strconv.Itoa(limit))
			}
			pq.Set("page", strconv.Itoa(page))
			var items []T
			h, err := c.get(ctx, path+"?"+pq.Encode(), endpoint, &items)
			if err != nil {
				if page == 1 {
					return vendors.Page{}, &firstPageError{err}
				}
				return vendors.Page{}, err
			}
			pg := vendors.Page{Items: len(items), Total: -1}
			pg.Size, _ = vendors.HeaderInt(h, "X-Page-Limit")
			if total, ok := vendors.HeaderInt(h, "X-Page-Total"); ok {
				pg.Total = total
			} else if len(items) >= cmp.Or(pg.Size, limit, 100) {
				return vendors.Page{}, fmt.Errorf("GET %s: a full page without an X-Page-Total header", endpoint)
			}
			mu.Lock()
			each(items)
			mu.Unlock()
			return pg, nil
		})
	})
}

// withServerLimit walks at limit and, when the server refuses its first
// page with a 400, once more without a limit: whether Mist clamps a limit
// above its maximum or refuses it is not documented (mist.md sections 5.1
// and 12.0), and its default page size is always allowed. walk gets 0 for
// no limit.
func withServerLimit(limit int, walk func(limit int) error) error {
	return withFallbackLimit(limit, 0, walk)
}

// withFallbackLimit is withServerLimit retrying at fallback: the wired and
// WAN searches ask for 1,000 and, refused, for 100 (mist.md section 12.0).
func withFallbackLimit(limit, fallback int, walk func(limit int) error) error {
	err := walk(limit)
	var first *firstPageError
	if vendors.StatusCode(err) == http.StatusBadRequest && errors.As(err, &first) && limit != fallback {
		return walk(fallback)
	}
	return err
}

// firstPageError marks an error of a walk's first page, before any item
// was handed on.
type firstPageError struct{ err error }

func (e *firstPageError) Error() string { return e.err.Error() }
func (e *firstPageError) Unwrap() error { return e.err }

// orgSearch walks a search endpoint of the org, such as "alarms/search",
// over the window that ends now, following its next cursors. The page size
// is the limit the first page says it used, which may be below the one
// asked. The walk stops with an error when the cursors go on past twice
// the pages the first page's total needs (a next on every page never ends,
// even when each is new), and when the results in all differ from the
// last page's total.
//
// A window of 0 sends none, keeping the endpoint's default, and a fallback
// above 0 is the limit asked when the first is refused (withFallbackLimit).
// A search whose pages carry no total is walked to its last next, up to
// maxPages.
func orgSearch[T any](ctx context.Context, c *Client, name string, window time.Duration, fallback int, q url.Values, each func([]T)) error {
	org, err := c.org(ctx)
	if err != nil {
		return err
	}
	endpoint := "/api/v1/orgs/{org_id}/" + name
	return withFallbackLimit(c.pageSize, fallback, func(limit int) error {
		sq := url.Values{}
		for k, v := range q {
			sq[k] = v
		}
		if limit > 0 {
			sq.Set("limit", strconv.Itoa(limit))
		}
		// A duration lets the server end the window at its own now: an end
		// computed here could fall before an alarm raised this very second.
		if window > 0 {
			sq.Set("duration", durationParam(window))
		}
		first := "/api/v1/orgs/" + url.PathEscape(org) + "/" + name + "?" + sq.Encode()
		pages, allowed, size, total, got := 0, 0, 0, -1, 0
		err := vendors.WalkCursor(ctx, maxPages, func(ctx context.Context, cursor string) (string, error) {
			u := first
			if cursor != "" {
				// The cursor is relative; refusing anything else keeps the
				// credentials from being sent to another host.
				if !strings.HasPrefix(cursor, "/api/v1/") {
					return "", fmt.Errorf("GET %s: next cursor %.60q is not a relative /api/v1/ path", endpoint, cursor)
				}
				u = cursor
			}
			if pages > 0 && pages >= allowed {
				return "", fmt.Errorf("GET %s: next cursors go on past %d pages for a total of %d at %d per page", endpoint, pages, total, size)
			}
			var p searchPage[T]
			if _, err := c.get(ctx, u, endpoint, &p); err != nil {
				if pages == 0 {
					return "", &firstPageError{err}
				}
				return "", err
			}
			pages++
			if pages == 1 {
				size = cmp.Or(p.Limit, len(p.Results), 1)
				allowed = maxPages
				if p.Total != nil {
					allowed = 2 * max((*p.Total+size-1)/size, 1)
				}
			}
			total = -1
			if p.Total != nil {
				total = *p.Total
			}
			got += len(p.Results)
			each(p.Results)
			return p.Next, nil
		})
		if err == nil && total >= 0 && got != total {
			err = fmt.Errorf("GET %s: the pages held %d results in all, but the server's total is %d", endpoint, got, total)
		}
		return err
	})
}

// durationParam writes a window as the API's durations: 7d, 10h, 15m.
func durationParam(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64((d+time.Minute-1)/time.Minute), 10) + "m"
}

// siteIndex maps site ids to names and knows which sites the filter keeps.
type siteIndex struct {
	names map[string]string
	kept  map[string]bool
}

func (c *Client) newSiteIndex(sites []siteStats) *siteIndex {
	idx := &siteIndex{names: make(map[string]string, len(sites)), kept: make(map[string]bool, len(sites))}
	for _, s := range sites {
		idx.names[s.ID] = s.Name
		if c.cfg.Sites.Match(s.Name) {
			idx.kept[s.ID] = true
		}
	}
	return idx
}

// siteWalk is what one walk of the sites gives: the sites collection and
// the index the other collections name sites with.
type siteWalk struct {
	sites *Sites
	idx   *siteIndex
}

// siteIndex returns the last site index, or that of the walk of the sites
// in flight, walking them if neither is there.
func (c *Client) siteIndex(ctx context.Context) (*siteIndex, error) {
	w, err := c.sites.Last(ctx, c.walkSites)
	if err != nil {
		return nil, fmt.Errorf("loading site names: %w", err)
	}
	return w.idx, nil
}

// orgSites returns the site index and the org id, for a collection that
// names the sites and addresses the org.
func (c *Client) orgSites(ctx context.Context) (*siteIndex, string, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, "", err
	}
	org, err := c.org(ctx)
	return idx, org, err
}

// KeptSiteIDs lists the sites the source's filter keeps, sorted, walking
// the sites if no walk was made yet.
func (c *Client) KeptSiteIDs(ctx context.Context) ([]string, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(idx.kept)), nil
}

// Sites fetches every site with its device and client counts, sharing a
// walk in flight, or on its first call one just made for the site names.
func (c *Client) Sites(ctx context.Context) (*Sites, error) {
	w, err := c.sites.Refresh(ctx, &c.sitesStarted, c.walkSites)
	return w.sites, err
}

func (c *Client) walkSites(ctx context.Context) (siteWalk, error) {
	var all []siteStats
	if err := orgList(ctx, c, "stats/sites", nil, func(items []siteStats) { all = append(all, items...) }); err != nil {
		return siteWalk{}, err
	}
	idx := c.newSiteIndex(all)
	return siteWalk{sites: newSites(all, idx), idx: idx}, nil
}

// Devices fetches the stats of every AP, switch and gateway. The endpoint
// lists only APs unless asked for type=all, and only a subset of each
// device's fields unless fields names them.
func (c *Client) Devices(ctx context.Context) (*Devices, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, err
	}
	var all []deviceStats
	q := url.Values{"type": {"all"}, "fields": {strings.Join(deviceStatsFields, ",")}}
	err = orgList(ctx, c, "stats/devices", q, func(items []deviceStats) { all = append(all, items...) })
	if err != nil {
		return nil, err
	}
	return newDevices(all, idx), nil
}

// Clients counts the wireless clients seen within the client window.
func (c *Client) Clients(ctx context.Context) (*Clients, error) {
	idx, err := c.siteIndex(ctx)
	if err != nil {
		return nil, err
	}
	agg := newClientCounter(idx)
	if err := orgSearch(ctx, c, "clients/search", time.Duration(c.cfg.ClientWindow), 0, url.Values{}, agg.add); err != nil {
		return nil, err
	}
	return agg.result(), nil
}

// Alarms fetches the open alarms.
func (c *Client) Alarms(ctx context.Context) (*Alarms, error) {
	idx, org, err := c.orgSites(ctx)
	if err != nil {
		return nil, err
	}
	list := newAlarmList(idx, ConsoleURL(c.cfg.ConsoleURL, c.base, org))
	if err := orgSearch(ctx, c, "alarms/search", alarmWindow, 0, url.Values{"status": {"open"}}, list.add); err != nil {
		return nil, err
	}
	return list.result(), nil
}

// Usage fetches the token's API usage this hour, and tells the budget what
// Mist says is left, which counts calls by other tools on the same token.
func (c *Client) Usage(ctx context.Context) (*Usage, error) {
	var u usage
	if _, err := c.get(ctx, "/api/v1/self/usage", "/api/v1/self/usage", &u); err != nil {
		return nil, err
	}
	if c.req.Budget != nil && u.RequestLimit > 0 {
		c.req.Budget.SetVendorRemaining("hour", max(u.RequestLimit-u.Requests, 0))
	}
	return &Usage{Requests: u.Requests, Limit: u.RequestLimit}, nil
}

// logoutTimeout bounds the logout when a source stops.
const logoutTimeout = 10 * time.Second

// Close ends a login session, so that restarts and reloads leave none open
// (shared/vendor-apis/mist.md, section 3.2), and drops the client's idle
// connections; the client must not be used after.
func (c *Client) Close() {
	c.authMu.Lock()
	loggedIn := c.loggedIn
	c.loggedIn = false
	c.authMu.Unlock()
	if loggedIn {
		ctx, cancel := context.WithTimeout(context.Background(), logoutTimeout)
		defer cancel()
		if resp, err := c.loginReq.Do(ctx, vendors.Request{Method: http.MethodPost, URL: c.base + "/api/v1/logout", Endpoint: "/api/v1/logout"}); err == nil {
			resp.Release()
		}
	}
	c.req.Close()
}
