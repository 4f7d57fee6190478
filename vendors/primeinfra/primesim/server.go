package primesim

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors/simkit"
)

// Defaults of the Options left zero.
const (
	DefaultUsername      = "nms-monitor"
	DefaultMaxSessions   = 5
	DefaultSessionIdle   = 5 * time.Minute
	DefaultMaxConcurrent = 5
	DefaultRateLimit     = 10
	DefaultRateWindow    = time.Second
)

// Options choose the simulated world and its limits.
type Options struct {
	Seed int64  // data is a deterministic function of Seed and Size (and the clock at New)
	Size string // "small" | "medium" | "large" ("" = small); anything else: New returns an error

	Username string // accepted basic-auth user ("" = "nms-monitor")
	Password string // ("" = derived from Seed)

	// Domains are the virtual domains the user may use (nil = all). An
	// unknown name or an empty non-nil list makes New fail.
	Domains []string

	MaxSessions int           // active sessions per user (0 = 5, negative = unlimited)
	SessionIdle time.Duration // a session unused this long has expired (0 = 5 min)
	// KeepClosedSessions opens sessions for requests with Connection:
	// close too, as if Prime kept sessions by cookie alone: the other
	// reading of prime.md section 2, which does not settle it.
	KeepClosedSessions bool

	MaxConcurrent int           // requests in flight per user (0 = 5, negative = unlimited)
	RateLimit     int           // requests per RateWindow per user (0 = 10, negative = unlimited)
	RateWindow    time.Duration // sliding window of RateLimit (0 = 1 s)

	Now func() time.Time // clock (nil = time.Now); all time-dependent behaviour uses it
}

// Credentials are what a client needs to reach the simulator.
type Credentials struct {
	BaseURL  string // left empty by the package; callers fill it
	Username string
	Password string
	Domains  []string // the virtual domains granted, ROOT-DOMAIN first when granted
}

// Sizes counts the simulated world as it is now.
type Sizes struct {
	Campuses, Buildings int
	MapLocations        int // floors
	APs                 int
	UnreachableAPs      int
	Devices             int // Controllers + Switches + Routers (APs are not Devices)
	Controllers         int
	Switches            int
	Routers             int
	Clients             int // wireless clients in the latest ClientCounts sample
	WiredClients        int // wired clients in the latest sample
	ClientCountRows     int // ClientCounts entities of the latest sample (ROOT-DOMAIN view)
	ClientCountSamples  int
	Alarms              int
	ActiveAlarms        int // severity other than CLEARED
	AcknowledgedAlarms  int // active alarms that are acknowledged
	ClearedAlarms       int
	PerDomain           map[string]DomainSizes // by virtual domain, ROOT-DOMAIN included
}

// DomainSizes counts what one virtual domain sees.
type DomainSizes struct {
	APs, Devices, Clients, Alarms, ActiveAlarms, ClientCountRows int
}

// APInfo describes one simulated access point.
type APInfo struct {
	ID                          int64
	Name, Serial, Model, IP     string
	EthernetMAC, RadioMAC       string // 12 lower-case hex digits, as in the octets objects
	Domain, MapLocation, Status string
	Reachable                   bool
	Clients                     int
}

// Server is the simulated Prime Infrastructure; it is an http.Handler.
type Server struct {
	opts    Options
	now     func() time.Time
	creds   Credentials
	granted map[string]bool
	defDom  string

	mu sync.RWMutex // guards w
	w  *world

	authMu   sync.Mutex
	sessions map[string]*session
	users    map[string]*userState

	calls simkit.Counter
	fault *simkit.Switch[Faults]
}

// New builds the world for o.
func New(o Options) (*Server, error) {
	if o.Size == "" {
		o.Size = "small"
	}
	spec, ok := sizeSpecs[o.Size]
	if !ok {
		return nil, fmt.Errorf("primesim: unknown size %q (want small, medium or large)", o.Size)
	}
	if o.SessionIdle < 0 || o.RateWindow < 0 {
		return nil, fmt.Errorf("primesim: negative SessionIdle or RateWindow")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if o.Username == "" {
		o.Username = DefaultUsername
	}
	if o.Password == "" {
		// Secrets come from their own stream so they do not shift the data.
		sr := newRand(o.Seed, streamSecret)
		var b [8]byte
		for i := range b {
			b[i] = byte(sr.Uint32())
		}
		o.Password = "Pi-" + hex.EncodeToString(b[:])
	}
	o.MaxSessions = orDefault(o.MaxSessions, DefaultMaxSessions)
	o.MaxConcurrent = orDefault(o.MaxConcurrent, DefaultMaxConcurrent)
	o.RateLimit = orDefault(o.RateLimit, DefaultRateLimit)
	if o.SessionIdle == 0 {
		o.SessionIdle = DefaultSessionIdle
	}
	if o.RateWindow == 0 {
		o.RateWindow = DefaultRateWindow
	}
	all := []string{RootDomain}
	all = append(all, campusNames[:spec.campuses]...)
	granted := all
	if o.Domains != nil {
		if len(o.Domains) == 0 {
			return nil, fmt.Errorf("primesim: Options.Domains is empty: the user could use no domain")
		}
		granted = nil
		for _, d := range all {
			if slices.Contains(o.Domains, d) {
				granted = append(granted, d)
			}
		}
		for _, d := range o.Domains {
			if !slices.Contains(all, d) {
				return nil, fmt.Errorf("primesim: unknown virtual domain %q (have %s)", d, strings.Join(all, ", "))
			}
		}
	}
	s := &Server{
		opts:     o,
		now:      now,
		granted:  map[string]bool{},
		defDom:   granted[0],
		sessions: map[string]*session{},
		users:    map[string]*userState{},
		fault:    simkit.NewSwitch[Faults](o.Seed, streamFault),
	}
	for _, d := range granted {
		s.granted[d] = true
	}
	s.creds = Credentials{Username: o.Username, Password: o.Password, Domains: granted}
	s.w = buildWorld(o.Seed, spec, now().UnixMilli())
	return s, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Credentials returns the accepted user, password and granted domains.
func (s *Server) Credentials() Credentials {
	c := s.creds
	c.Domains = slices.Clone(c.Domains)
	return c
}

// Domains lists every virtual domain of the world, granted or not:
// ROOT-DOMAIN, then one per campus.
func (s *Server) Domains() []string {
	return append([]string{RootDomain}, campusNames[:s.w.campuses]...)
}

// Calls is the number of authenticated requests for a data resource path
// (a known resource, list or single entity), whatever the answer: 400,
// 403, 404 for an unknown id, 405, the rate-limit and page-size 503s and
// injected faults are counted; 401s and unknown paths are not.
func (s *Server) Calls() int { return s.calls.Calls() }

// CallsByPath counts Calls by path without the .json suffix, e.g.
// "/webacs/api/v4/data/AccessPointDetails" and
// "/webacs/api/v4/data/AccessPointDetails/{id}".
func (s *Server) CallsByPath() map[string]int { return s.calls.ByPath() }

// ResetCalls zeroes Calls and CallsByPath; sessions, rate windows and the
// in-flight peak are kept.
func (s *Server) ResetCalls() { s.calls.Reset() }

// response is a rendered answer, before faults are applied.
type response struct {
	status int
	body   []byte
	ctype  string
	hdr    http.Header
}

func (r *response) header() http.Header {
	if r.hdr == nil {
		r.hdr = http.Header{}
	}
	return r.hdr
}

func jsonResp(status int, v any) response {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // locations contain '>'
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded; failing here is a bug.
		panic(fmt.Sprintf("primesim: encode: %v", err))
	}
	return response{status: status, body: buf.Bytes(), ctype: "application/json"}
}

func textResp(status int, msg string) response {
	return response{status: status, body: []byte(msg), ctype: "text/plain; charset=utf-8"}
}

func errorDoc(rc *reqCtx, status int, msg string) response {
	return jsonResp(status, errorJSON{errorDocJSON{
		HTTPResponseCode: status, HTTPMethod: rc.r.Method, Message: msg, URIPath: rc.r.URL.Path,
	}})
}

func (s *Server) rateLimitMsg(user string) string {
	return fmt.Sprintf("NBI Rate limit for user %s exceeded (More than %d in %d ms)",
		user, s.opts.RateLimit, s.opts.RateWindow.Milliseconds())
}

// reqCtx is one request as the handlers see it.
type reqCtx struct {
	r         *http.Request
	now       time.Time
	nowMs     int64
	shrink    bool   // Faults.ShrinkTotal applies
	endless   bool   // Faults.EndlessPaging applies
	setCookie string // a session made by this request
	release   func() // frees the in-flight slot of an admitted request
}

// answered frees the in-flight slot once the answer is ready, before it is
// sent: a client that has read it may send the next request at once, on a
// new connection, and must not find the slot still taken.
func (s *Server) answered(rc *reqCtx) {
	if rc.release != nil {
		rc.release()
		rc.release = nil
	}
}

// origin is scheme://host as the client addressed the simulator, so every
// URL in an answer points back at it.
func (rc *reqCtx) origin() string {
	if rc.r.TLS != nil {
		return "https://" + rc.r.Host
	}
	return "http://" + rc.r.Host
}

func (rc *reqCtx) rootURL() string    { return rc.origin() + strings.TrimSuffix(dataPrefix, "/") }
func (rc *reqCtx) requestURL() string { return rc.origin() + rc.r.URL.RequestURI() }

// ServeHTTP answers one request. The order is: paths outside
// /webacs/api/ 404; the Revoke fault (401); authentication (401, may
// create a session); unknown
// resources 404; the call is counted in Calls; method check (405); the
// Throttle fault; the per-user concurrency and rate limits (503, not
// charged); Latency, spent holding the in-flight slot; Reset and ErrorRate
// faults; the handler (403 domain, 400 query, 503 page size, 404 id);
// Malformed and Truncate on 200 bodies. Answers before admission are sent
// at once, without the Latency.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	if !simkit.Applies(f.PathPrefix, r.URL.Path) {
		f = Faults{}
	}
	now := s.now()
	rc := &reqCtx{r: r, now: now, nowMs: now.UnixMilli(), shrink: f.ShrinkTotal, endless: f.EndlessPaging}
	defer s.answered(rc)
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		s.finish(w, rc, errorDoc(rc, http.StatusNotFound, "The requested resource is not available."))
		return
	}
	if f.Revoke && s.fault.Count() > f.RevokeAfter {
		s.finish(w, rc, s.revoke(rc))
		return
	}
	user, resp, ok := s.authenticate(rc)
	if !ok {
		s.finish(w, rc, resp)
		return
	}
	dp := parseDataPath(r.URL.Path)
	if !dp.found {
		s.finish(w, rc, errorDoc(rc, http.StatusNotFound, "No resource found for path "+r.URL.Path))
		return
	}
	s.calls.Count(dp.template())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp := errorDoc(rc, http.StatusMethodNotAllowed, fmt.Sprintf("HTTP method %s is not supported by this URL", r.Method))
		resp.header().Set("Allow", "GET, HEAD")
		s.finish(w, rc, resp)
		return
	}
	if f.Throttle {
		resp := textResp(http.StatusServiceUnavailable, s.rateLimitMsg(user))
		if f.RetryAfter > 0 {
			resp.header().Set("Retry-After", strconv.Itoa(max(1, int((f.RetryAfter+time.Second-1)/time.Second))))
		}
		s.finish(w, rc, resp)
		return
	}
	release, resp, ok := s.admit(user, now)
	if !ok {
		s.finish(w, rc, resp)
		return
	}
	rc.release = release
	if !simkit.Sleep(r.Context(), f.Latency) {
		return
	}
	if f.Reset {
		simkit.ResetConn(w)
		return
	}
	if s.fault.Draw(f.ErrorRate) {
		st := f.ErrorStatus
		if st == 0 {
			st = http.StatusInternalServerError
		}
		s.write(w, rc, errorDoc(rc, st, "simulated fault: "+http.StatusText(st)), Faults{})
		return
	}
	if dp.id != "" {
		resp = s.handleGet(rc, dp.res, dp.id)
	} else {
		resp = s.handleList(rc, dp.res)
	}
	s.write(w, rc, resp, f)
}

// finish answers a request that was not admitted: at once (the server
// does no work for it) and with its body as is.
func (s *Server) finish(w http.ResponseWriter, rc *reqCtx, resp response) {
	s.write(w, rc, resp, Faults{})
}

func (s *Server) write(w http.ResponseWriter, rc *reqCtx, resp response, f Faults) {
	s.answered(rc)
	h := w.Header()
	for k, v := range resp.hdr {
		h[k] = v
	}
	if rc.setCookie != "" {
		h.Add("Set-Cookie", rc.setCookie)
	}
	h.Set("Content-Type", resp.ctype)
	simkit.WriteBody(w, resp.status, resp.body,
		simkit.BodyFaults{Malformed: f.Malformed, Truncate: f.Truncate, Prefix: proxyErrorPage, Oversize: f.Oversize, Cut: f.ResetMidBody})
}

// domain resolves _ctx.domain: the default when absent, 403 for a domain
// that does not exist or is not granted (the same answer, so the name of a
// foreign domain is not confirmed). campus is -1 for ROOT-DOMAIN.
func (s *Server) domain(rc *reqCtx) (name string, campus int, resp response, ok bool) {
	name = s.defDom
	if v, has := rc.r.URL.Query()["_ctx.domain"]; has {
		name = v[len(v)-1]
	}
	if !s.granted[name] {
		return "", 0, errorDoc(rc, http.StatusForbidden,
			fmt.Sprintf("User %s is not authorized to access virtual domain '%s'", s.creds.Username, name)), false
	}
	if name == RootDomain {
		return name, -1, response{}, true
	}
	return name, slices.Index(campusNames[:], name), response{}, true
}

func visible(rowCampus int8, campus int) bool {
	return campus < 0 || int(rowCampus) == campus
}

func (s *Server) handleList(rc *reqCtx, res *resource) response {
	dom, campus, resp, ok := s.domain(rc)
	if !ok {
		return resp
	}
	p, err := parseList(rc.r.URL.Query(), res)
	if err != nil {
		if _, big := err.(errTooLarge); big {
			return textResp(http.StatusServiceUnavailable, err.Error())
		}
		return errorDoc(rc, http.StatusBadRequest, err.Error())
	}
	root := rc.rootURL()
	out := listJSON{
		First: p.first, Type: res.name, Domain: dom, RequestURL: rc.requestURL(),
		ResponseType: "listEntityIds", RootURL: root,
	}
	if p.full {
		out.ResponseType = "listEntityInstances"
	}
	s.mu.RLock()
	w := s.w
	n := res.rows(w)
	rows := make([]int32, 0, n)
next:
	for i := 0; i < n; i++ {
		if !visible(res.campus(w, i), campus) {
			continue
		}
		for k := range p.filter {
			if !p.filter[k].match(w, i) {
				continue next
			}
		}
		rows = append(rows, int32(i))
	}
	sortRows(w, rows, p.sorts)
	// A walk sees the data shrink after its first page.
	if rc.shrink && p.first > 0 {
		rows = rows[:len(rows)-len(rows)/3]
	}
	out.Count = len(rows)
	lo := min(p.first, len(rows))
	if rc.endless && len(rows) > 0 {
		// At least one page more than this one, whose rows start over when past the
		// end.
		out.Count = max(len(rows), p.first+2*p.max)
		lo = p.first % len(rows)
	}
	hi := min(len(rows), lo+p.max)
	for _, i := range rows[lo:hi] {
		id := res.id(w, int(i))
		url := root + "/" + res.name + "/" + idString(id)
		if p.full {
			out.Entity = append(out.Entity, res.entity(w, int(i), rc.nowMs, entityHead{res.dtoKey, res.name, url}))
		} else {
			out.EntityID = append(out.EntityID, entityIDJSON{idString(id), url})
		}
	}
	s.mu.RUnlock()
	out.Last = p.first + (hi - lo) - 1
	return jsonResp(http.StatusOK, queryResponse[listJSON]{out})
}

func (s *Server) handleGet(rc *reqCtx, res *resource, idStr string) response {
	dom, campus, resp, ok := s.domain(rc)
	if !ok {
		return resp
	}
	notFound := errorDoc(rc, http.StatusNotFound, fmt.Sprintf("No %s entity with id %s", res.name, idStr))
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return notFound
	}
	root := rc.rootURL()
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	n := res.rows(w)
	lo := sort.Search(n, func(m int) bool { return res.id(w, m) >= id }) // rows are in @id order
	if lo == n || res.id(w, lo) != id || !visible(res.campus(w, lo), campus) {
		return notFound
	}
	url := root + "/" + res.name + "/" + idString(id)
	return jsonResp(http.StatusOK, queryResponse[getJSON]{getJSON{
		RequestURL: rc.requestURL(), ResponseType: "getEntity", RootURL: root, Type: res.name, Domain: dom,
		Entity: []any{res.entity(w, lo, rc.nowMs, entityHead{res.dtoKey, res.name, url})},
	}})
}
