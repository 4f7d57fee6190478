// Package primeinfra polls a Cisco Prime Infrastructure server's REST API
// (v4 data resources): access points, devices, client counts and active
// alarms, in pages fetched a few at a time with a hold between bursts, as
// Prime's rate limiting expects, and fewer at a time with longer holds
// after its throttling 503s.
package primeinfra

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// apiPath is where the v4 data resources live.
const apiPath = "/webacs/api/v4/data/"

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
	base string
	req  *vendors.Requester

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
	maxRetries := vendors.Retries(cfg.Budget.MaxRetries)
	c := &Client{cfg: cfg, base: cfg.BaseURL + apiPath, opening: make(chan struct{}, 1)}
	c.req = &vendors.Requester{
		Client:        hc,
		Budget:        o.Budget,
		Recorder:      o.Recorder,
		MaxRetries:    maxRetries,
		MaxBodyBytes:  int64(cfg.BodySizeLimit),
		Concurrency:   cfg.Budget.Concurrency,
		ThrottleTexts: throttleTexts,
		Prepare: func(r *http.Request) error {
			r.SetBasicAuth(cfg.Username, cfg.Password.Value())
			r.Header.Set("Accept", "application/json")
			r.Close = true
			return nil
		},
	}
	return c, nil
}

// query returns the parameters every list request carries.
func (c *Client) query(q url.Values, first, max int) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set(".full", "true")
	out.Set(".firstResult", strconv.Itoa(first))
	out.Set(".maxResults", strconv.Itoa(max))
	if c.cfg.VirtualDomain != "" {
		out.Set("_ctx.domain", c.cfg.VirtualDomain)
	}
	return out
}

// page fetches one page of a data resource.
func page[E any](ctx context.Context, c *Client, resource string, q url.Values) (*envelope[E], error) {
	var env envelope[E]
	err := c.withSession(ctx, func() error {
		_, err := c.req.GetJSON(ctx, c.base+resource+".json?"+q.Encode(), apiPath+resource, &env)
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

// walk fetches every entity of a data resource: page one for the count,
// then the other pages, up to the concurrency at once. It returns the
// virtual domain the server answered for.
func walk[E any](ctx context.Context, c *Client, resource string, q url.Values, each func([]E)) (string, error) {
	var mu sync.Mutex
	var domain string
	size := c.cfg.PageSize
	err := vendors.WalkOffsets(ctx, size, c.cfg.Budget.Concurrency, maxPages, func(ctx context.Context, offset int) (int, int, error) {
		env, err := page[E](ctx, c, resource, c.query(q, offset, size))
		if err != nil {
			return 0, 0, err
		}
		mu.Lock()
		defer mu.Unlock()
		each(env.QueryResponse.Entity)
		domain = env.QueryResponse.Domain
		return len(env.QueryResponse.Entity), env.QueryResponse.Count, nil
	})
	return domain, err
}

// AccessPoints fetches every access point's details.
func (c *Client) AccessPoints(ctx context.Context) (*AccessPoints, error) {
	out := &AccessPoints{Controllers: map[string]string{}}
	domain, err := walk(ctx, c, "AccessPointDetails", nil, func(page []apEntity) {
		for _, e := range page {
			out.Devices = append(out.Devices, newAP(e))
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
	_, err := walk(ctx, c, "Devices", nil, func(page []deviceEntity) {
		for _, e := range page {
			if d, ok := newDevice(e); ok {
				out.Devices = append(out.Devices, d)
				if ip := string(e.DTO.IPAddress); ip != "" {
					out.Names[ip] = d.Name
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	vendors.SortDevices(out.Devices)
	return out, nil
}

// latestCounts fetches the newest sample of one type of ClientCounts. Prime
// keeps a history of samples, so the walk goes newest first and stops at
// the first entry of an older sample.
func (c *Client) latestCounts(ctx context.Context, typ string) ([]clientCount, int64, error) {
	var out []clientCount
	var latest int64
	size := c.cfg.PageSize
	filter := url.Values{"type": {strconv.Quote(typ)}, ".sort": {"-collectionTime"}}
	for first := 0; first < maxPages*size; first += size {
		env, err := page[clientCountEntity](ctx, c, "ClientCounts", c.query(filter, first, size))
		if err != nil {
			return nil, 0, err
		}
		ents := env.QueryResponse.Entity
		for _, e := range ents {
			if latest == 0 {
				latest = e.DTO.CollectionTime
			}
			if e.DTO.CollectionTime != latest {
				return out, latest, nil
			}
			out = append(out, e.DTO)
		}
		if len(ents) < size || first+len(ents) >= env.QueryResponse.Count {
			return out, latest, nil
		}
	}
	return nil, 0, fmt.Errorf("ClientCounts of type %s: more than %d pages", typ, maxPages)
}

// Clients fetches the newest wireless counts by map location and SSID, and
// the wired counts by device.
func (c *Client) Clients(ctx context.Context) (*Clients, error) {
	wireless, at, err := c.latestCounts(ctx, "MAPLOCATION")
	if err != nil {
		return nil, err
	}
	wired, _, err := c.latestCounts(ctx, "DEVICE")
	if err != nil {
		return nil, err
	}
	return newClients(wireless, wired, at), nil
}

// Alarms fetches every alarm that is not cleared.
func (c *Client) Alarms(ctx context.Context) (*Alarms, error) {
	agg := newAlarmTally()
	_, err := walk(ctx, c, "Alarms", url.Values{"severity": {`ne("CLEARED")`}}, agg.add)
	if err != nil {
		return nil, err
	}
	return agg.result(), nil
}

// Close drops the client's idle connections; the client must not be used
// after.
func (c *Client) Close() {
	c.req.Close()
}
