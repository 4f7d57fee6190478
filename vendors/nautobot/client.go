// Package nautobot reads the source of truth: a Nautobot instance's
// devices, locations and status, in pages fetched several at a time once
// the count is known, on a pinned API version in either the 1.x or the 2.x
// shape.
package nautobot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// maxPages stops a walk whose count keeps growing.
const maxPages = 1000

// Options are the client's collaborators.
type Options struct {
	UserAgent string
	Budget    *vendors.Budget
	Recorder  vendors.Recorder
}

// Client talks to one Nautobot instance.
type Client struct {
	cfg  *config.Nautobot
	base string
	req  *vendors.Requester
	// locations is shared by the locations collection and the location
	// names of the devices collection.
	locations vendors.Flight[[]location]
	// The locations and devices collections have refreshed.
	locationsStarted, lookupsStarted atomic.Bool
}

// New returns a client for the instance a config section names.
func New(cfg *config.Nautobot, o Options) (*Client, error) {
	hc, err := vendors.ClientFor(&cfg.Common, o.UserAgent)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/")}
	// The requester retries 429, 500, 502, 503 and 504 with backoff, as
	// pynautobot's retries do, and nothing else.
	c.req = vendors.NewRequester(hc, &cfg.Common, o.Budget, o.Recorder)
	c.req.Concurrency = cfg.Budget.Concurrency
	c.req.Prepare = func(r *http.Request) error {
		r.Header.Set("Authorization", "Token "+cfg.Token.Value())
		// Pinning the version keeps the shapes the exporter parses.
		r.Header.Set("Accept", "application/json; version="+cfg.APIVersion)
		return nil
	}
	return c, nil
}

// get fetches one document, explaining a refused API version.
func (c *Client) get(ctx context.Context, path, endpoint string, v any) error {
	_, err := c.req.GetJSON(ctx, c.base+path, endpoint, v)
	if vendors.StatusCode(err) == http.StatusNotAcceptable {
		return fmt.Errorf("the server refuses API version %s (set api_version to one it supports): %w", c.cfg.APIVersion, err)
	}
	return err
}

// list walks a list endpoint with limit and offset: page one for the
// count, then the rest, several at once. Nautobot clamps a limit above its
// MAX_PAGE_SIZE, so the offsets follow the limit its next link carries (or
// the length of page one), not the limit asked. It asks for no page past
// the count, unlike pynautobot's threaded walk.
func list[T any](ctx context.Context, c *Client, endpoint string, q url.Values, each func([]T)) error {
	var mu sync.Mutex
	size := c.cfg.PageSize
	return vendors.Paging{Concurrency: c.cfg.Budget.Concurrency, MaxPages: maxPages}.Offsets(ctx, func(ctx context.Context, offset int) (vendors.Page, error) {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("limit", strconv.Itoa(size))
		pq.Set("offset", strconv.Itoa(offset))
		var p page[T]
		if err := c.get(ctx, endpoint+"?"+pq.Encode(), endpoint, &p); err != nil {
			return vendors.Page{}, err
		}
		mu.Lock()
		each(p.Results)
		mu.Unlock()
		return vendors.Page{Items: len(p.Results), Total: p.Count, Size: p.servedLimit()}, nil
	})
}

// nested asks for related objects with their names: 2.x gives only ids at
// depth 0; 1.x nests them by default.
func (c *Client) nested() url.Values {
	if c.cfg.Major() == 1 {
		return url.Values{}
	}
	q := url.Values{"depth": {"1"}}
	// exclude_m2m exists from 2.4; older 2.x servers reject it as an unknown
	// filter.
	if minor(c.cfg.APIVersion) >= 4 {
		q.Set("exclude_m2m", "true")
	}
	return q
}

func minor(v string) int {
	_, m, _ := strings.Cut(v, ".")
	n, _ := strconv.Atoi(m)
	return n
}

// Devices fetches every device. 1.x nests related objects with their
// names. 2.x pages the devices at depth 0, a third of the bytes of depth 1
// and far less work for the server, and names their status, role,
// tenant, platform and location from a lookup list of each. The locations
// are the locations collection's walk: one walk serves both when they
// refresh together.
func (c *Client) Devices(ctx context.Context) (*Devices, error) {
	var all []device
	if c.cfg.Major() == 1 {
		if err := list(ctx, c, "/api/dcim/devices/", c.nested(), func(p []device) { all = append(all, p...) }); err != nil {
			return nil, err
		}
		return newDevices(all, 1), nil
	}
	// The lookup lists are walked beside the devices, sharing the
	// requests in flight. A failing walk leaves the others to end on
	// their own: a request cut off in flight may still reach the server.
	var names map[string]string
	var lookupErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		names, lookupErr = c.lookups(ctx)
	}()
	q := url.Values{}
	if minor(c.cfg.APIVersion) >= 4 {
		q.Set("exclude_m2m", "true")
	}
	err := list(ctx, c, "/api/dcim/devices/", q, func(p []device) { all = append(all, p...) })
	<-done
	if err != nil {
		return nil, err
	}
	if lookupErr != nil {
		return nil, lookupErr
	}
	for i := range all {
		d := &all[i]
		for _, r := range []*ref{d.Tenant, d.Platform, d.Location, d.Role} {
			if r != nil && r.Name == "" {
				r.Name = names[r.ID]
			}
		}
		if d.Status != nil && d.Status.Name == "" {
			d.Status.Name = names[d.Status.ID]
		}
	}
	return newDevices(all, 2), nil
}

// lookupLists are the 2.x lists that name what a depth-0 device refers to,
// but the locations: those come from the walk of the locations collection.
var lookupLists = []string{"/api/extras/statuses/", "/api/extras/roles/", "/api/tenancy/tenants/", "/api/dcim/platforms/"}

// lookups fetches the lookup lists at once and maps every id to its name.
func (c *Client) lookups(ctx context.Context) (map[string]string, error) {
	var mu sync.Mutex
	names := map[string]string{}
	errs := make([]error, len(lookupLists)+1)
	var wg sync.WaitGroup
	for i, endpoint := range lookupLists {
		wg.Go(func() {
			errs[i] = list(ctx, c, endpoint, url.Values{}, func(p []named) {
				mu.Lock()
				defer mu.Unlock()
				for _, o := range p {
					names[o.ID] = o.Name
				}
			})
		})
	}
	wg.Go(func() {
		all, err := c.locations.Refresh(ctx, &c.lookupsStarted, c.walkLocations)
		mu.Lock()
		defer mu.Unlock()
		for _, l := range all {
			names[l.ID] = l.Name
		}
		errs[len(lookupLists)] = err
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}

// Locations fetches every location (2.x) or site (1.x), sharing a walk in
// flight, or on its first call one the devices just made.
func (c *Client) Locations(ctx context.Context) (*Locations, error) {
	all, err := c.locations.Refresh(ctx, &c.locationsStarted, c.walkLocations)
	if err != nil {
		return nil, err
	}
	return newLocations(all), nil
}

func (c *Client) walkLocations(ctx context.Context) ([]location, error) {
	endpoint := "/api/dcim/locations/"
	if c.cfg.Major() == 1 {
		endpoint = "/api/dcim/sites/"
	}
	var all []location
	if err := list(ctx, c, endpoint, c.nested(), func(p []location) { all = append(all, p...) }); err != nil {
		return nil, err
	}
	return all, nil
}

// Status fetches the instance's version and worker count.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s statusBody
	if err := c.get(ctx, "/api/status/", "/api/status/", &s); err != nil {
		return nil, err
	}
	out := &Status{Version: s.NautobotVersion, PythonVersion: s.PythonVersion, APIVersion: c.cfg.APIVersion, Workers: -1}
	var n int
	if json.Unmarshal(s.CeleryWorkers, &n) == nil {
		out.Workers = n
	}
	return out, nil
}

// IPAM counts prefixes and IP addresses: one call each, a page of one.
func (c *Client) IPAM(ctx context.Context) (*IPAM, error) {
	out := &IPAM{}
	for _, e := range []struct {
		endpoint string
		n        *int
	}{{"/api/ipam/prefixes/", &out.Prefixes}, {"/api/ipam/ip-addresses/", &out.IPAddresses}} {
		var p page[json.RawMessage]
		if err := c.get(ctx, e.endpoint+"?limit=1", e.endpoint, &p); err != nil {
			return nil, err
		}
		*e.n = p.Count
	}
	return out, nil
}

// Close drops the client's idle connections; the client must not be used
// after.
func (c *Client) Close() {
	c.req.Close()
}
