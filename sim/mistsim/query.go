package mistsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	defaultLimit = 100
	// MaxLimit is the documented largest page; by default larger limits
	// are clamped to it (Options.MaxLimit and RefuseLargeLimit change both).
	MaxLimit = 1000
)

type route struct {
	method string
	tmpl   string
	segs   []string
	public bool
	h      func(*Server, *reqCtx) response
}

var routes []route

func init() {
	add := func(method, tmpl string, h func(*Server, *reqCtx) response) {
		switch {
		case strings.HasPrefix(tmpl, "/api/v1/orgs/{org_id}"):
			h = inOrg(h)
		case strings.HasPrefix(tmpl, "/api/v1/sites/{site_id}"):
			h = inSite(h)
		}
		routes = append(routes, route{method: method, tmpl: tmpl, segs: strings.Split(strings.TrimPrefix(tmpl, "/"), "/"), h: h})
	}
	add("GET", "/api/v1/self", handleSelf)
	add("GET", "/api/v1/self/usage", handleUsage)
	add("POST", "/api/v1/login", handleLogin)
	routes[len(routes)-1].public = true
	add("POST", "/api/v1/login/two_factor", handleTwoFactor)
	add("POST", "/api/v1/logout", handleLogout)
	add("GET", "/api/v1/const/alarm_defs", handleAlarmDefs)
	add("GET", "/api/v1/orgs/{org_id}", handleOrg)
	add("GET", "/api/v1/orgs/{org_id}/sites", handleOrgSites)
	add("GET", "/api/v1/orgs/{org_id}/stats", handleOrgStats)
	add("GET", "/api/v1/orgs/{org_id}/stats/sites", handleOrgSiteStats)
	add("GET", "/api/v1/orgs/{org_id}/stats/devices", handleOrgDeviceStats)
	add("GET", "/api/v1/orgs/{org_id}/inventory", handleInventory)
	add("GET", "/api/v1/orgs/{org_id}/inventory/count", handleInventoryCount)
	add("GET", "/api/v1/orgs/{org_id}/clients/search", handleOrgClientSearch)
	add("GET", "/api/v1/orgs/{org_id}/clients/count", handleOrgClientCount)
	add("GET", "/api/v1/orgs/{org_id}/alarms/search", handleOrgAlarmSearch)
	add("GET", "/api/v1/orgs/{org_id}/alarms/count", handleOrgAlarmCount)
	add("GET", "/api/v1/orgs/{org_id}/stats/ports/search", handlePortSearch)
	add("GET", "/api/v1/orgs/{org_id}/stats/ports/count", handlePortCount)
	add("GET", "/api/v1/orgs/{org_id}/stats/vpn_peers/search", handleVPNSearch)
	add("GET", "/api/v1/orgs/{org_id}/stats/tunnels/search", handleTunnelSearch)
	add("GET", "/api/v1/orgs/{org_id}/stats/bgp_peers/search", handleBGPSearch)
	add("GET", "/api/v1/orgs/{org_id}/stats/mxedges", handleMxEdges)
	add("GET", "/api/v1/orgs/{org_id}/stats/mxedges/{mxedge_id}", handleMxEdge)
	add("GET", "/api/v1/orgs/{org_id}/insights/sites-sle", handleSitesSLE)
	add("GET", "/api/v1/sites/{site_id}/stats", handleSiteStats)
	add("GET", "/api/v1/sites/{site_id}/stats/devices", handleSiteDeviceStats)
	add("GET", "/api/v1/sites/{site_id}/stats/clients", handleSiteClientStats)
	add("GET", "/api/v1/sites/{site_id}/clients/count", handleSiteClientCount)
	add("GET", "/api/v1/sites/{site_id}/alarms/search", handleSiteAlarmSearch)
	add("GET", "/api/v1/sites/{site_id}/alarms/count", handleSiteAlarmCount)
}

// matchRoute finds the route for a path; methodOK is false when the path
// exists only for other methods.
func matchRoute(method, path string) (rt *route, params []string, methodOK bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i := range routes {
		r := &routes[i]
		if len(r.segs) != len(segs) {
			continue
		}
		var ps []string
		ok := true
		for k, seg := range r.segs {
			if strings.HasPrefix(seg, "{") {
				if segs[k] == "" {
					ok = false
					break
				}
				ps = append(ps, segs[k])
			} else if seg != segs[k] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if r.method == method || (method == http.MethodHead && r.method == http.MethodGet) {
			return r, ps, true
		}
		if rt == nil {
			rt, params = r, ps
		}
	}
	return rt, params, false
}

func badRequest(format string, a ...any) response {
	return detail(http.StatusBadRequest, fmt.Sprintf(format, a...))
}

// parseLimit reads limit: default 100 (or the maximum, when lower), 0 means
// the default, above the maximum clamped or, with RefuseLargeLimit, a 400.
func parseLimit(rc *reqCtx, q url.Values) (int, error) {
	most := rc.opts.MaxLimit
	v := q.Get("limit")
	if v == "" {
		return min(defaultLimit, most), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid limit %q: must be a non-negative integer", v)
	}
	switch {
	case n == 0:
		return min(defaultLimit, most), nil
	case n > most && rc.opts.RefuseLargeLimit:
		return 0, fmt.Errorf("invalid limit %d: must be at most %d", n, most)
	}
	return min(n, most), nil
}

func parsePage(q url.Values) (int, error) {
	v := q.Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("invalid page %q: must be an integer >= 1", v)
	}
	return n, nil
}

// parsePaging reads a page-numbered list's limit and page.
func parsePaging(rc *reqCtx, q url.Values) (limit, page int, err error) {
	if limit, err = parseLimit(rc, q); err != nil {
		return 0, 0, err
	}
	page, err = parsePage(q)
	return limit, page, err
}

// rowsOf renders a page's rows lo to hi with row.
func rowsOf[T any](row func(i int) T) func(lo, hi int) any {
	return func(lo, hi int) any {
		out := make([]T, 0, hi-lo)
		for i := lo; i < hi; i++ {
			out = append(out, row(i))
		}
		return out
	}
}

// pageOf slices n items for a list endpoint and sets the X-Page headers.
// With the ShrinkTotal fault, pages after the first see a third fewer items;
// with EndlessPaging, each page reports one more.
func pageOf(rc *reqCtx, n int, render func(lo, hi int) any) response {
	limit, page, err := parsePaging(rc, rc.r.URL.Query())
	if err != nil {
		return badRequest("%v", err)
	}
	if rc.shrink && page > 1 {
		n -= n / 3
	}
	lo := min(n, (page-1)*limit)
	if page-1 > n/limit { // guards the multiplication for huge pages
		lo = n
	}
	reported := n
	if rc.endless && n > 0 {
		// At least one page more than this one, whose items start over when past
		// the end.
		reported = max(n, min(page, math.MaxInt32/limit-1)*limit+limit)
		lo = ((page - 1) % ((n + limit - 1) / limit)) * limit
	}
	hi := min(n, lo+limit)
	var resp response
	switch {
	case lo >= hi && page > 1 && rc.opts.PastEndStatus != 0:
		resp = detail(rc.opts.PastEndStatus, fmt.Sprintf("page %d is past the last page", page))
	case lo >= hi:
		resp = jsonResp(http.StatusOK, []struct{}{})
	default:
		resp = jsonResp(http.StatusOK, render(lo, hi))
	}
	h := resp.Header()
	h.Set("X-Page-Limit", strconv.Itoa(limit))
	h.Set("X-Page-Page", strconv.Itoa(page))
	h.Set("X-Page-Total", strconv.Itoa(reported))
	return resp
}

// window is a search time range in epoch milliseconds.
type window struct{ startMs, endMs int64 }

var errNoTime = errors.New("empty")

// parseTime reads epoch seconds (fractions allowed), "now" or a relative
// "-1d" / "-2h" form.
func parseTime(v string, nowMs int64) (int64, error) {
	if v == "" {
		return 0, errNoTime
	}
	if v == "now" {
		return nowMs, nil
	}
	if strings.HasPrefix(v, "-") {
		d, err := parseDuration(v[1:])
		if err != nil {
			return 0, err
		}
		return nowMs - d.Milliseconds(), nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return 0, fmt.Errorf("invalid time %q", v)
	}
	return int64(math.Round(f * 1000)), nil
}

// parseDuration reads "10m", "1d", "2w" and Go durations such as "1h30m".
func parseDuration(v string) (time.Duration, error) {
	if len(v) >= 2 {
		unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[v[len(v)-1]]
		if unit != 0 {
			n, err := strconv.Atoi(v[:len(v)-1])
			if err == nil && n >= 0 && n < 100000 {
				return time.Duration(n) * unit, nil
			}
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q", v)
	}
	return d, nil
}

// parseWindow applies the API's defaults: end = now, start = end - duration,
// duration = 1d; a start without an end but with a duration ends at
// start + duration.
func parseWindow(q url.Values, nowMs int64) (window, error) {
	dur := 24 * time.Hour
	durSet := false
	if v := q.Get("duration"); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			return window{}, err
		}
		dur, durSet = d, true
	}
	start, serr := parseTime(q.Get("start"), nowMs)
	if serr != nil && !errors.Is(serr, errNoTime) {
		return window{}, fmt.Errorf("invalid start: %w", serr)
	}
	end, eerr := parseTime(q.Get("end"), nowMs)
	if eerr != nil && !errors.Is(eerr, errNoTime) {
		return window{}, fmt.Errorf("invalid end: %w", eerr)
	}
	switch {
	case serr == nil && eerr == nil:
	case serr == nil && durSet:
		end = start + dur.Milliseconds()
	case serr == nil:
		end = nowMs
	case eerr == nil:
		start = end - dur.Milliseconds()
	default:
		end = nowMs
		start = end - dur.Milliseconds()
	}
	if start > end {
		return window{}, fmt.Errorf("start %s is after end %s", secs(start), secs(end))
	}
	return window{start, end}, nil
}

// secs formats epoch milliseconds as epoch seconds, with a fraction only
// when there is one.
func secs(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

func secsNum(ms int64) float64 { return float64(ms) / 1000 }

// cursor is a decoded search_after: [timestamp_ms, "id"].
type cursor struct {
	tsMs int64
	id   string
}

func parseCursor(q url.Values) (*cursor, error) {
	v := q.Get("search_after")
	if v == "" {
		return nil, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal([]byte(v), &parts); err != nil || len(parts) != 2 {
		return nil, fmt.Errorf("invalid search_after %q", v)
	}
	var ts float64
	var id string
	if json.Unmarshal(parts[0], &ts) != nil || json.Unmarshal(parts[1], &id) != nil {
		return nil, fmt.Errorf("invalid search_after %q", v)
	}
	return &cursor{tsMs: int64(math.Round(ts)), id: id}, nil
}

// searchAfter is c as search_after carries it.
func (c cursor) searchAfter() string {
	idJSON, _ := json.Marshal(c.id)
	return fmt.Sprintf("[%d, %s]", c.tsMs, idJSON)
}

// nextURI repeats the request with the window frozen and search_after set
// to after: every search's next, whatever its cursor.
func nextURI(rc *reqCtx, win window, limit int, after string) string {
	q := rc.r.URL.Query()
	q.Del("duration")
	q.Del("page")
	q.Set("start", secs(win.startMs))
	q.Set("end", secs(win.endMs))
	q.Set("limit", strconv.Itoa(limit))
	q.Set("search_after", after)
	return rc.r.URL.Path + "?" + q.Encode()
}

// searchParams are the parts every search endpoint shares.
type searchParams struct {
	win    window
	limit  int
	cursor *cursor
}

// parseWindowLimit reads the window and limit of q, a search's query:
// the parameters of every search, whatever its cursor.
func parseWindowLimit(rc *reqCtx, q url.Values) (searchParams, *response) {
	var sp searchParams
	var err error
	if sp.win, err = parseWindow(q, rc.nowMs); err == nil {
		sp.limit, err = parseLimit(rc, q)
	}
	if err != nil {
		r := badRequest("%v", err)
		return sp, &r
	}
	return sp, nil
}

func parseSearch(rc *reqCtx) (searchParams, *response) {
	q := rc.r.URL.Query()
	sp, errResp := parseWindowLimit(rc, q)
	if errResp != nil {
		return sp, errResp
	}
	var err error
	if sp.cursor, err = parseCursor(q); err != nil {
		r := badRequest("%v", err)
		return sp, &r
	}
	return sp, nil
}

// multi splits a comma-separated filter; nil when absent.
func multi(q url.Values, name string) []string {
	v := q.Get(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func in(list []string, v string) bool {
	return list == nil || slices.Contains(list, v)
}

func parseBool(q url.Values, name string, def bool) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("invalid %s %q: must be true or false", name, v)
	}
	return b, nil
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}
