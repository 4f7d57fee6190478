package nautobotsim

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Defaults of Nautobot's PAGINATE_COUNT and MAX_PAGE_SIZE.
const (
	DefaultPageSize    = 50
	DefaultMaxPageSize = 1000
)

// DeviceSeed is a device another vendor's simulator manages, to be mirrored
// here.
type DeviceSeed = simkit.DeviceSeed

// Options choose the simulated Nautobot and its data.
type Options struct {
	Seed int64
	// Size is "small" (50 devices), "medium" (2,000) or "large" (20,000);
	// "" is small. It is ignored when Mirror is set.
	Size string
	// Token is the accepted API token ("" = 40 hex characters derived from
	// Seed). It is read-only: writes answer 403.
	Token string
	// Version is the server release: "2.x" or "" (2.4, API versions
	// 2.0-2.4, default 2.4), "1.x" (1.6, API versions 1.2-1.6, default 1.2),
	// or a release "2.0"…"2.4" / "1.4"…"1.6".
	Version string
	// Mirror are devices to mirror, with deliberate drift (see Drift); when
	// empty, devices are generated from Seed and Size.
	Mirror []DeviceSeed
	// MaxPageSize is MAX_PAGE_SIZE (0 = 1000; negative = no cap, so limit=0
	// returns every row without links).
	MaxPageSize int
	// PageSize is PAGINATE_COUNT, the page without a limit (0 = 50).
	PageSize int
	// ExpiredToken, when set, is a known token that answers 403 "Token
	// expired".
	ExpiredToken string
	Now          func() time.Time // clock (nil = time.Now)
}

// Credentials are what a client needs to reach the simulator.
type Credentials struct {
	BaseURL string // left empty by the package; callers fill it
	Token   string
	Version string // the newest API version accepted: the one to pin
}

// Sizes counts the simulated data as the list endpoints do.
type Sizes struct {
	Devices     int
	Locations   int // what /api/dcim/locations/ lists: every level in 2.x, buildings in 1.x
	Sites       int // site-level locations (1.x: /api/dcim/sites/)
	Roles       int
	Platforms   int
	Tenants     int
	Statuses    int
	Prefixes    int
	IPAddresses int
}

// Drift is what differs from the mirrored devices, by serial, in mirror
// order (Extra in API order).
type Drift struct {
	Missing []string // mirrored devices left out
	Renamed []string // present under another name
	Moved   []string // present at another site than the seed's
	Extra   []string // devices no vendor manages
}

// DeviceInfo describes one device as it is now.
type DeviceInfo struct {
	ID, Name, Serial, Location, Site, Role, Status, Tenant, Platform, Manufacturer, DeviceType, PrimaryIP4 string
}

// Server is the simulated Nautobot; it is an http.Handler.
type Server struct {
	simkit.Faulted[Faults] // SetFaults and Faults, over fault
	// Counted gives Calls, the authenticated API calls served so far,
	// including those answered with a fault; CallsByPath, by path template,
	// e.g. "/api/dcim/devices/" and "/api/dcim/devices/{id}/"; and
	// ResetCalls.
	simkit.Counted

	opts     Options
	now      func() time.Time
	ver      versionInfo
	creds    Credentials
	pageSize int
	maxPage  int // 0: no cap
	eps      []*endpoint

	mu sync.RWMutex // guards w
	w  *world

	calls simkit.Counter
	fault *simkit.Switch[Faults]

	celeryMu sync.Mutex
	celery   int
}

// New builds the server for o.
func New(o Options) (*Server, error) {
	spec, err := simkit.SizeOf("nautobotsim", &o.Size, sizeSpecs)
	if err != nil {
		return nil, err
	}
	vi, err := parseVersion(o.Version)
	if err != nil {
		return nil, err
	}
	if o.PageSize < 0 {
		return nil, fmt.Errorf("nautobotsim: negative page size %d", o.PageSize)
	}
	now := simkit.NowOr(o.Now)
	if o.Token == "" {
		o.Token = simkit.SecretHex(simkit.NewRand(o.Seed, streamSecret), 20)
	}
	s := &Server{
		opts:     o,
		now:      now,
		ver:      vi,
		pageSize: o.PageSize,
		maxPage:  o.MaxPageSize,
		celery:   2,
	}
	s.fault = simkit.NewSwitch[Faults](o.Seed, streamFault)
	s.Faulted = s.fault.Faulted()
	s.Counted = s.calls.Counted()
	if s.pageSize == 0 {
		s.pageSize = DefaultPageSize
	}
	switch {
	case s.maxPage == 0:
		s.maxPage = DefaultMaxPageSize
	case s.maxPage < 0:
		s.maxPage = 0
	}
	v1 := vi.major == 1
	s.w = buildWorld(o.Seed, spec, o.Mirror, v1, now().UnixMicro())
	s.eps = endpointsFor(v1)
	s.creds = Credentials{Token: o.Token, Version: vi.newest()}
	return s, nil
}

// Credentials returns the accepted token and the API version to pin.
func (s *Server) Credentials() Credentials { return s.creds }

// SetCeleryWorkers sets celery-workers-running in /api/status/ (default 2).
func (s *Server) SetCeleryWorkers(n int) {
	s.celeryMu.Lock()
	defer s.celeryMu.Unlock()
	s.celery = n
}

// response is a rendered answer, before faults are applied.
type response struct {
	status int
	body   []byte
	simkit.Headers
}

func jsonBody(status int, e *enc) response { return response{status: status, body: e.b} }

func detail(status int, msg string) response {
	e := &enc{}
	e.open("")
	e.str("detail", msg)
	e.close()
	return jsonBody(status, e)
}

const (
	msgNoCreds   = "Authentication credentials were not provided."
	msgBadToken  = "Invalid token"
	msgExpired   = "Token expired"
	msgForbidden = "You do not have permission to perform this action."
	msgNotFound  = "Not found."
)

// reqCtx is one request as the handlers see it.
type reqCtx struct {
	r       *http.Request
	q       []qparam
	base    string // scheme://host, for absolute URLs
	version string // negotiated API version
	minor   int
	f       Faults // the paging faults in force for this request
}

// route is a matched path.
type route struct {
	tmpl   string // for CallsByPath
	ep     *endpoint
	detail bool
	id     string
}

func (s *Server) route(path string) (route, bool) {
	switch path {
	case "/api/", "/api/status/":
		return route{tmpl: path}, true
	}
	for _, ep := range s.eps {
		if path == ep.path {
			return route{tmpl: ep.path, ep: ep}, true
		}
		if rest, ok := strings.CutPrefix(path, ep.path); ok {
			// DRF's default lookup pattern: no slash, no dot.
			id, tail, found := strings.Cut(rest, "/")
			if found && tail == "" && id != "" && !strings.Contains(id, ".") {
				return route{tmpl: ep.path + "{id}/", ep: ep, detail: true, id: id}, true
			}
		}
	}
	return route{}, false
}

// ServeHTTP answers one request, in the order Nautobot does: URL
// resolution (unknown paths 404, a missing trailing slash redirects),
// version negotiation (406/404/400), authentication (403); then the call
// is counted, proxy-style faults apply, and the view answers (writes 403
// for the read-only token, other methods 405).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	match := simkit.Applies(f.PathPrefix, r.URL.Path)
	if match && !simkit.Sleep(r.Context(), f.Latency) {
		return
	}
	rt, ok := s.route(r.URL.Path)
	if !ok {
		if !strings.HasSuffix(r.URL.Path, "/") {
			if _, ok := s.route(r.URL.Path + "/"); ok {
				loc := r.URL.EscapedPath() + "/"
				if r.URL.RawQuery != "" {
					loc += "?" + r.URL.RawQuery
				}
				resp := response{status: http.StatusFound}
				resp.Header().Set("Location", loc)
				resp.Header().Set("Content-Type", "text/html; charset=utf-8")
				s.write(w, resp, Faults{})
				return
			}
		}
		s.write(w, detail(http.StatusNotFound, msgNotFound), Faults{})
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	rc := &reqCtx{r: r, q: parseQuery(r.URL.RawQuery), base: scheme + "://" + r.Host}
	if resp, ok := s.negotiate(rc); !ok {
		s.write(w, resp, Faults{})
		return
	}
	resp, ok := s.authenticate(r)
	if ok && match && f.Revoke && s.fault.Count() > f.RevokeAfter {
		resp, ok = detail(http.StatusForbidden, msgBadToken), false
	}
	if !ok {
		resp.Header().Set("API-Version", rc.version)
		resp.Header().Set("Vary", "Accept")
		s.write(w, resp, Faults{})
		return
	}
	s.calls.Count(rt.tmpl)
	if match && f.RateLimit {
		resp := proxyError(http.StatusTooManyRequests)
		switch {
		case f.NoRetryAfter:
			resp.Header().Del("Retry-After")
		case f.RetryAfter > 0:
			resp.Header().Set("Retry-After", simkit.RetryAfter(f.RetryAfter))
		}
		s.write(w, resp, Faults{})
		return
	}
	if match && f.Reset {
		simkit.ResetConn(w)
		return
	}
	if match && s.fault.Draw(f.ErrorRate) {
		s.write(w, s.serverError(f.ErrorStatus), Faults{})
		return
	}
	if !match {
		f = Faults{}
	}
	rc.f = f
	resp = s.dispatch(rt, rc)
	resp.Header().Set("API-Version", rc.version)
	resp.Header().Set("Vary", "Accept")
	s.write(w, resp, f)
}

// authenticate follows DRF's TokenAuthentication behind session
// authentication: every failure is a 403, as no WWW-Authenticate is sent.
func (s *Server) authenticate(r *http.Request) (response, bool) {
	parts := strings.Fields(r.Header.Get("Authorization"))
	switch {
	case len(parts) == 0 || !strings.EqualFold(parts[0], "token"):
		return detail(http.StatusForbidden, msgNoCreds), false
	case len(parts) == 1:
		return detail(http.StatusForbidden, "Invalid token header. No credentials provided."), false
	case len(parts) > 2:
		return detail(http.StatusForbidden, "Invalid token header. Token string should not contain spaces."), false
	}
	tok := parts[1]
	switch {
	case subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) == 1:
		return response{}, true
	case s.opts.ExpiredToken != "" && tok == s.opts.ExpiredToken:
		return detail(http.StatusForbidden, msgExpired), false
	}
	return detail(http.StatusForbidden, msgBadToken), false
}

const (
	allowList   = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
	allowDetail = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
	allowRead   = "GET, HEAD, OPTIONS"
)

func (s *Server) dispatch(rt route, rc *reqCtx) response {
	allow := allowRead
	if rt.ep != nil {
		allow = allowList
		if rt.detail {
			allow = allowDetail
		}
	}
	var resp response
	switch m := rc.r.Method; {
	case m == http.MethodGet || m == http.MethodHead:
		s.mu.RLock()
		switch {
		case rt.tmpl == "/api/":
			resp = s.root(rc)
		case rt.tmpl == "/api/status/":
			resp = s.status()
		case rt.detail:
			resp = s.detailView(rc, rt.ep, rt.id)
		default:
			resp = s.list(rc, rt.ep)
		}
		s.mu.RUnlock()
	case m == http.MethodOptions:
		resp = s.options(rt)
	case rt.ep != nil && slices.Contains([]string{"POST", "PUT", "PATCH", "DELETE"}, m):
		// The token is not write-enabled.
		resp = detail(http.StatusForbidden, msgForbidden)
	default:
		resp = detail(http.StatusMethodNotAllowed, fmt.Sprintf("Method \"%s\" not allowed.", m))
	}
	resp.Header().Set("Allow", allow)
	return resp
}

func (s *Server) root(rc *reqCtx) response {
	apps := []string{"circuits", "dcim", "extras", "graphql", "ipam", "plugins", "status", "tenancy", "users", "virtualization"}
	if s.ver.major == 2 && s.ver.minor >= 3 {
		apps = append(apps, "cloud")
	}
	if s.ver.major == 2 && s.ver.minor >= 4 {
		apps = append(apps, "wireless")
	}
	slices.Sort(apps)
	e := &enc{}
	e.open("")
	for _, a := range apps {
		e.str(a, rc.base+"/api/"+a+"/")
	}
	e.close()
	return jsonBody(http.StatusOK, e)
}

// installedApps is a trimmed installed-apps map: Nautobot's own apps report
// no version.
var installedApps = []struct{ name, version string }{
	{"constance", "4.3.2"}, {"django.contrib.auth", ""}, {"django.contrib.contenttypes", ""},
	{"django_filters", "25.1"}, {"nautobot.circuits", ""}, {"nautobot.core", ""}, {"nautobot.dcim", ""},
	{"nautobot.extras", ""}, {"nautobot.ipam", ""}, {"nautobot.tenancy", ""}, {"nautobot.users", ""},
	{"nautobot.virtualization", ""}, {"rest_framework", "3.16.1"}, {"taggit", "5.0.1"},
}

// status is /api/status/ with the key set of the simulated release.
func (s *Server) status() response {
	s.celeryMu.Lock()
	workers := s.celery
	s.celeryMu.Unlock()
	e := &enc{}
	e.open("")
	e.str("django-version", s.ver.django)
	e.open("installed-apps")
	for _, a := range installedApps {
		v := a.version
		if a.name == "rest_framework" && (s.ver.major == 1 || s.ver.minor < 3) {
			v = "3.14.0"
		}
		e.strN(a.name, v)
	}
	e.close()
	e.str("nautobot-version", s.ver.release)
	if s.ver.major == 2 && s.ver.minor >= 2 {
		e.raw("nautobot-apps", "{}")
	}
	e.raw("plugins", "{}")
	e.str("python-version", "3.11.9")
	if s.ver.major == 1 {
		e.int("rq-workers-running", 0)
	}
	e.int("celery-workers-running", int64(workers))
	e.close()
	return jsonBody(http.StatusOK, e)
}

func (s *Server) options(rt route) response {
	name := "Api Root"
	switch {
	case rt.tmpl == "/api/status/":
		name = "Status"
	case rt.detail:
		name = rt.ep.model + " Instance"
	case rt.ep != nil:
		name = rt.ep.model + " List"
	}
	e := &enc{}
	e.open("")
	e.str("name", name)
	e.str("description", "")
	e.raw("renders", `["application/json","text/html"]`)
	e.raw("parses", `["application/json","application/x-www-form-urlencoded","multipart/form-data"]`)
	e.close()
	return jsonBody(http.StatusOK, e)
}

// renderCtx reads the parameters that shape bodies.
func (s *Server) renderCtx(rc *reqCtx) (*rctx, int) {
	x := &rctx{base: rc.base, minor: rc.minor}
	depth := 0
	if s.w.v1 {
		if v, ok := last(rc.q, "brief"); ok {
			x.brief = isTruthy(v)
		}
	} else {
		if v, ok := last(rc.q, "depth"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				depth = min(max(n, 0), 10)
			}
		}
		if v, ok := last(rc.q, "exclude_m2m"); ok {
			x.excludeM2M = isTruthy(v)
		}
		for _, v := range all(rc.q, "include") {
			for _, p := range strings.Split(v, ",") {
				if strings.TrimSpace(p) == "config_context" {
					x.configContext = true
				}
			}
		}
	}
	return x, depth
}

func filterErrors(errs []fieldErr) response {
	e := &enc{}
	e.open("")
	for _, fe := range errs {
		e.openArr(fe.field)
		e.strv(fe.msg)
		e.closeArr()
	}
	e.close()
	return jsonBody(http.StatusBadRequest, e)
}

func (s *Server) renderOne(e *enc, ep *endpoint, i int, x *rctx, depth int) {
	if s.w.v1 {
		s.w.render1(e, ep.t, i, x)
	} else {
		s.w.render2(e, ep.t, i, x, depth, false)
	}
}

// list answers a list endpoint: filter, sort, page.
func (s *Server) list(rc *reqCtx, ep *endpoint) response {
	w := s.w
	conds, errs := w.parseFilters(ep, rc.q)
	if len(errs) > 0 {
		return filterErrors(errs)
	}
	x, depth := s.renderCtx(rc)
	n, at := w.domain(ep.t)
	var active []*cond
	for _, c := range conds {
		if !c.skip {
			active = append(active, c)
		}
	}
	sortSpec, _ := last(rc.q, "sort")
	var idx []int32
	if len(active) > 0 || sortSpec != "" {
		idx = make([]int32, 0, n)
	next:
		for k := 0; k < n; k++ {
			i := at(k)
			for _, c := range active {
				if !c.match(w, i) {
					continue next
				}
			}
			idx = append(idx, int32(i))
		}
		if sortSpec != "" {
			w.sortBy(ep, idx, sortSpec)
		}
		n = len(idx)
		at = func(k int) int { return int(idx[k]) }
	}
	p := s.pageWindow(rc.q)
	lo, hi, count := simkit.Window(n, p.offset, p.limit, rc.f.ShrinkTotal, rc.f.EndlessPaging)
	nextURL, prevURL := links(rc, count, p)
	if rc.f.NextLoop {
		nextURL = rc.base + rc.r.URL.RequestURI()
	}
	e := &enc{b: make([]byte, 0, 256+(hi-lo)*2500*(1+2*min(depth, 2)))}
	e.open("")
	e.int("count", int64(count))
	e.strN("next", nextURL)
	e.strN("previous", prevURL)
	e.openArr("results")
	for k := lo; k < hi; k++ {
		s.renderOne(e, ep, at(k), x, depth)
	}
	e.closeArr()
	e.close()
	return jsonBody(http.StatusOK, e)
}

// detailView answers GET <list>/<id>/. Filters apply here too, as DRF
// filters the queryset before the lookup.
func (s *Server) detailView(rc *reqCtx, ep *endpoint, id string) response {
	w := s.w
	conds, errs := w.parseFilters(ep, rc.q)
	if len(errs) > 0 {
		return filterErrors(errs)
	}
	// DRF passes Http404's text through from 3.15 on (Nautobot 2.3+).
	notFound := msgNotFound
	if s.ver.major == 2 && s.ver.minor >= 3 {
		notFound = "No " + ep.model + " matches the given query."
	}
	u, ok := parseUUID(id)
	if !ok {
		return detail(http.StatusNotFound, notFound)
	}
	r, found := w.byID[u]
	if !found || !w.inTable(ep.t, r) {
		return detail(http.StatusNotFound, notFound)
	}
	for _, c := range conds {
		if !c.skip && !c.match(w, int(r.i)) {
			return detail(http.StatusNotFound, notFound)
		}
	}
	x, depth := s.renderCtx(rc)
	e := &enc{b: make([]byte, 0, 2048)}
	s.renderOne(e, ep, int(r.i), x, depth)
	return jsonBody(http.StatusOK, e)
}

func (s *Server) write(w http.ResponseWriter, resp response, f Faults) {
	h := w.Header()
	resp.CopyTo(h)
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	simkit.WriteBody(w, resp.status, resp.body, simkit.BodyFaults{Malformed: f.Malformed, Truncate: f.Truncate, Oversize: f.Oversize, Cut: f.ResetMidBody})
}
