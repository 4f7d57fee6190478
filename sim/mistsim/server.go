package mistsim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// DefaultHourlyLimit is the documented per-token budget.
const DefaultHourlyLimit = 5000

// Options choose the simulated world and its limits.
type Options struct {
	Seed        int64            // data is a deterministic function of Seed and Size
	Size        string           // "small" | "medium" | "large" ("" = small); anything else: New returns error
	Token       string           // API token accepted ("" = derived from seed, e.g. hex)
	Email       string           // login user ("" = "ops@example.com")
	Password    string           // ("" = derived from seed)
	HourlyLimit int              // per-token calls per wall-clock hour before 429 (0 = 5000)
	RetryAfter  bool             // send Retry-After on 429 (off by default: the real API does not document it)
	Now         func() time.Time // clock (nil = time.Now); all time-dependent behaviour uses it

	// ExtraTokens are further accepted tokens with the same privileges, each
	// with its own hourly budget (for clients that rotate tokens on 429).
	ExtraTokens []string

	// MaxLimit is the largest page of the list and search endpoints (0 =
	// the documented 1000); a smaller one is a server that caps the page
	// size below what a client asks.
	MaxLimit int
	// RefuseLargeLimit answers a limit above MaxLimit with 400 instead of
	// clamping it: which of the two Mist does is not documented.
	RefuseLargeLimit bool
	// PastEndStatus answers a list page past the end with this status and a
	// detail instead of 200 []: not documented either (0 = 200 []).
	PastEndStatus int
	// OptInFields are the stats/devices fields (E10) left out unless the
	// fields parameter names them or is *: the API returns only a subset
	// by default and does not say which. nil = DefaultOptInFields; an
	// empty, non-nil list leaves nothing out.
	OptInFields []string
	// FieldsMask makes fields=a,b return only those fields (and type, id
	// and mac) instead of adding them to the default subset, as the spec
	// describes them.
	FieldsMask bool

	// The wired, WAN and Mist Edge endpoints (E26-E35) and E21 where the
	// spec leaves a choice; each zero value is the documented or likeliest
	// reading (mist.md sections 12-14).

	// PortSpeedBps reports port speed in bit/s (E27's filter example)
	// instead of Mbit/s (E26's example).
	PortSpeedBps bool
	// WANPortUsage is the port_usage of gateway WAN ports: the spec's enum
	// has only lan, so by default WAN ports carry none.
	WANPortUsage string
	// VPNUptimeEpoch reports a VPN peer's uptime as the epoch it came up,
	// as the spec's example reads, instead of seconds.
	VPNUptimeEpoch bool
	// BGPASForm is how local_as and neighbor_as are written (bgp_as is
	// string or integer): "" as the spec's example (local_as a string,
	// neighbor_as a number), "int" or "string" both alike.
	BGPASForm string
	// BGPNoNext leaves next out of BGP searches, as the spec's schema
	// does; by default they page like the other searches.
	BGPNoNext bool
	// MxEdgeMemoryStats spells a Mist Edge's memory_stat memory_stats, as
	// the spec's array example does.
	MxEdgeMemoryStats bool
	// MxEdgeMemoryKB gives Mist Edge memory in kilobytes, as the schema
	// says, instead of bytes, as its example's values read.
	MxEdgeMemoryKB bool
	// MxEdgeSensorStat adds sensor_stat (temperatures, redundancies), which
	// a third-party exporter reads but the spec lacks.
	MxEdgeSensorStat bool
	// SLERequired answers E21 without sle with 400 instead of the wifi
	// results: the spec makes sle optional without a default.
	SLERequired bool
	// SLEEmptySites lists sites without data for an SLE family with only
	// their site_id, instead of leaving them out.
	SLEEmptySites bool
	// OmitExampleOnly leaves out the E10 keys that only the spec's
	// examples show (mem_total_kb, cpu_user, cpu_system).
	OmitExampleOnly bool
	// LastTroubleMs writes last_trouble.timestamp in milliseconds, as the
	// spec's switch example does, instead of seconds.
	LastTroubleMs bool

	// Alarms, where mist.md leaves a choice.

	// AckUpdatesLastSeen moves an alarm's last_seen to the time it is
	// acknowledged (AckAlarm): the spec says last_seen is the alarm's
	// last incident, and does not say whether an acknowledgement is one.
	AckUpdatesLastSeen bool
	// WebhookDeviceLists adds the alarm object's switches, gateways and
	// hostnames to the alarm events of AlarmWebhook, which the webhook
	// event's schema lacks (it has aps, bssids and ssids only).
	WebhookDeviceLists bool

	// Stream shapes the WebSocket stream at StreamPath.
	Stream StreamOptions
}

// DefaultOptInFields are the stats/devices fields left out by default. The
// spec marks only a gateway's ports, bgp_peers, tunnels and vpn_peers as
// opt-in (not simulated); the rest is this simulator's choice of what a
// client must ask for by name.
var DefaultOptInFields = []string{"uptime", "last_seen", "num_clients"}

// Credentials are what a client needs to reach the simulator.
type Credentials struct {
	BaseURL  string // left empty by the package; callers fill it
	Token    string
	Email    string
	Password string
	OrgID    string
}

// Sizes counts the simulated world as it is now.
type Sizes struct {
	Sites      int
	Devices    int // assigned to sites: APs + switches + gateways
	APs        int
	Switches   int
	Gateways   int
	Unassigned int // in inventory only
	Clients    int // connected now
	Historical int // clients seen hours ago only
	OpenAlarms int
	Ports      int // switch and gateway ports (E26)
	VPNPeers   int // VPN peer records, both ends of each path (E28)
	WANTunnels int // gateway WAN tunnels (E30 type=wan)
	WxTunnels  int // AP-to-Mist-Edge tunnels (E30)
	BGPPeers   int // BGP sessions (E32)
	MxEdges    int // Mist Edges (E34)
}

// DeviceInfo describes one simulated device.
type DeviceInfo struct {
	MAC, ID, Name, Type, Model, Serial, SiteID, Site string
	Connected                                        bool
}

// Server is the simulated Mist cloud; it is an http.Handler.
type Server struct {
	simkit.Faulted[Faults] // SetFaults and Faults, over fault
	// Counted gives Calls, the authenticated API calls served so far, all
	// tokens and sessions together, including those answered with a fault
	// or a 429, unlike the hourly budget (see ServeHTTP); CallsByPath, by
	// path template, e.g. "/api/v1/orgs/{org_id}/stats/devices"; and
	// ResetCalls, which keeps the hourly budgets.
	simkit.Counted

	opts    Options
	now     func() time.Time
	creds   Credentials
	adminID string
	limit   int

	mu sync.RWMutex // guards w
	w  *world

	authMu     sync.Mutex
	tokens     map[string]bool
	sessions   map[string]*session
	usage      map[string]*usageWindow
	loginFails map[string]*loginFails

	calls simkit.Counter
	fault *simkit.Switch[Faults]
	hub   streamHub // the WebSocket stream's connections
}

// New builds the world for o.
func New(o Options) (*Server, error) {
	spec, err := simkit.SizeOf("mistsim", &o.Size, sizeSpecs)
	if err != nil {
		return nil, err
	}
	if o.HourlyLimit < 0 || o.MaxLimit < 0 {
		return nil, fmt.Errorf("mistsim: negative hourly limit %d or page size %d", o.HourlyLimit, o.MaxLimit)
	}
	if o.MaxLimit == 0 {
		o.MaxLimit = MaxLimit
	}
	if o.OptInFields == nil {
		o.OptInFields = DefaultOptInFields
	}
	now := simkit.NowOr(o.Now)
	// Secrets come from their own stream so they do not shift the data.
	sr := simkit.NewRand(o.Seed, 0x6d69737473696d03)
	tok, pw := simkit.SecretHex(sr, 20), simkit.SecretHex(sr, 20)
	if o.Token == "" {
		o.Token = tok
	}
	if o.Email == "" {
		o.Email = "ops@example.com"
	}
	if o.Password == "" {
		o.Password = "Pw-" + pw[:16]
	}
	s := &Server{
		opts:       o,
		now:        now,
		limit:      o.HourlyLimit,
		tokens:     map[string]bool{o.Token: true},
		sessions:   map[string]*session{},
		usage:      map[string]*usageWindow{},
		loginFails: map[string]*loginFails{},
		adminID:    uuidFrom(sr),
	}
	if s.limit == 0 {
		s.limit = DefaultHourlyLimit
	}
	for _, t := range o.ExtraTokens {
		if t != "" {
			s.tokens[t] = true
		}
	}
	s.w = buildWorld(o.Seed, spec, now().UnixMilli())
	s.creds = Credentials{Token: o.Token, Email: o.Email, Password: o.Password, OrgID: s.w.orgID}
	s.fault = simkit.NewSwitch[Faults](o.Seed, faultStream)
	s.Faulted = s.fault.Faulted()
	s.Counted = s.calls.Counted()
	return s, nil
}

// Credentials returns the accepted token, login and the visible org's id.
func (s *Server) Credentials() Credentials { return s.creds }

// ForeignOrgID is an org that exists but that the token has no privilege
// on: requests for it answer 403.
func (s *Server) ForeignOrgID() string { return s.w.foreignOrgID }

// ForeignSiteIDs are sites of the foreign org: requests for them answer 403.
func (s *Server) ForeignSiteIDs() []string {
	out := make([]string, 0, len(s.w.foreignSites))
	for id := range s.w.foreignSites {
		out = append(out, id)
	}
	return sortedStrings(out)
}

// SiteIDs lists the visible org's sites in API order.
func (s *Server) SiteIDs() []string {
	out := make([]string, len(s.w.sites))
	for i := range s.w.sites {
		out[i] = s.w.sites[i].id
	}
	return out
}

// Devices lists the assigned devices in API order, with their state now.
func (s *Server) Devices() []DeviceInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	out := make([]DeviceInfo, w.nAssigned)
	for i := range out {
		d := &w.devs[i]
		out[i] = DeviceInfo{MAC: d.mac, ID: d.id, Name: d.name, Type: d.typ.String(), Model: d.model.name,
			Serial: d.serial, SiteID: w.siteID(d.site), Site: w.sites[d.site].name, Connected: d.connected}
	}
	return out
}

// response is a rendered answer, before faults are applied.
type response struct {
	status int
	body   []byte
	simkit.Headers
}

func jsonResp(status int, v any) response {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded; failing here is a bug.
		panic(fmt.Sprintf("mistsim: encode: %v", err))
	}
	return response{status: status, body: buf.Bytes()}
}

func detail(status int, msg string) response {
	return jsonResp(status, map[string]string{"detail": msg})
}

const (
	msgNoCreds      = "Authentication credentials were not provided."
	msgBadToken     = "Invalid token."
	msgForbidden    = "You do not have permission to perform this action."
	msgNotFound     = "Not found."
	msgCSRF         = "CSRF Failed: CSRF token missing or incorrect."
	msgBadLogin     = "Invalid email or password"
	msgLoginLimited = "Too many failed login attempts. Try again later."
)

func (s *Server) rateLimitMsg() string {
	return fmt.Sprintf("Too Many Request. The API Token used for the request reached the %d API Calls per hour threshold", s.limit)
}

// reqCtx is one request as the handlers see it.
type reqCtx struct {
	r      *http.Request
	tmpl   string
	params []string
	site   int // the path's site, on /sites/{site_id} routes (see inSite)
	now    time.Time
	nowMs  int64
	shrink bool // Faults.ShrinkTotal applies
	// loop and endless are Faults.NextLoop and Faults.EndlessPaging where
	// they apply; revoked refuses logins (Faults.Revoke).
	loop, endless, revoked bool
	key                    string
	sess                   *session
	opts                   *Options // the server's: paging limits and fields
}

func (rc *reqCtx) query(name string) string { return rc.r.URL.Query().Get(name) }

// ServeHTTP answers one request. The order is: latency fault; routing
// (unknown paths 404 before auth, as Django resolves URLs first); login;
// authentication (401, CSRF 403); the call is counted in Calls; 429 storm
// (does not use the hourly budget); hourly budget (429, else the call uses
// one unit); reset and error-rate faults (these consumed budget, as a real
// server would have done the work); method check (405); the handler;
// malformed, oversize and truncated bodies. A revoked token (Faults.Revoke)
// is refused before authentication.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	match := simkit.Applies(f.PathPrefix, r.URL.Path)
	if match && !simkit.Sleep(r.Context(), f.Latency) {
		return
	}
	if r.URL.Path == StreamPath {
		s.serveStream(w, r, f, match)
		return
	}
	now := s.now()
	rt, params, methodOK := matchRoute(r.Method, r.URL.Path)
	if rt == nil {
		s.write(w, detail(http.StatusNotFound, msgNotFound), Faults{})
		return
	}
	rc := &reqCtx{r: r, tmpl: rt.tmpl, params: params, now: now, nowMs: now.UnixMilli(), shrink: match && f.ShrinkTotal,
		loop: match && f.NextLoop, endless: match && f.EndlessPaging, revoked: match && f.Revoke && s.fault.Counted() >= f.RevokeAfter,
		opts: &s.opts}
	if rt.public {
		if !methodOK {
			s.write(w, methodNotAllowed(r.Method, rt.tmpl), Faults{})
			return
		}
		s.write(w, rt.h(s, rc), Faults{})
		return
	}
	if match && f.Revoke && s.fault.Count() > f.RevokeAfter {
		s.write(w, unauthorized(msgBadToken), Faults{})
		return
	}
	if resp, ok := s.authenticate(rc); !ok {
		s.write(w, resp, Faults{})
		return
	}
	storm := match && f.RateLimit
	if resp, ok := s.admit(rc, storm, f.RetryAfter); !ok {
		s.write(w, resp, Faults{})
		return
	}
	if match && f.Reset {
		simkit.ResetConn(w)
		return
	}
	if match && s.fault.Draw(f.ErrorRate) {
		st := cmp.Or(f.ErrorStatus, http.StatusInternalServerError)
		s.write(w, detail(st, "simulated fault: "+http.StatusText(st)), Faults{})
		return
	}
	if !methodOK {
		s.write(w, methodNotAllowed(r.Method, rt.tmpl), Faults{})
		return
	}
	resp := rt.h(s, rc)
	if !match {
		f = Faults{}
	}
	s.write(w, resp, f)
}

func methodNotAllowed(method, tmpl string) response {
	resp := detail(http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", method))
	for _, rt := range routes {
		if rt.tmpl == tmpl {
			resp.Header().Add("Allow", rt.method)
		}
	}
	return resp
}

// admit counts an authenticated call and charges it to its hourly budget.
// A storm's 429s carry retryAfter when it is set.
func (s *Server) admit(rc *reqCtx, storm bool, retryAfter time.Duration) (response, bool) {
	s.calls.Count(rc.tmpl)
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if storm {
		resp := s.tooMany(rc.now)
		if retryAfter > 0 {
			resp.Header().Set("Retry-After", simkit.RetryAfter(retryAfter))
		}
		return resp, false
	}
	u := s.usageFor(rc.key, rc.now)
	if u.n >= s.limit {
		return s.tooMany(rc.now), false
	}
	u.n++
	return response{}, true
}

func (s *Server) tooMany(now time.Time) response {
	resp := detail(http.StatusTooManyRequests, s.rateLimitMsg())
	if s.opts.RetryAfter {
		next := now.Truncate(time.Hour).Add(time.Hour)
		secs := int((next.Sub(now) + time.Second - 1) / time.Second)
		resp.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
	}
	return resp
}

type usageWindow struct {
	hour int64
	n    int
}

// usageFor returns key's window for the hour holding now; authMu held.
func (s *Server) usageFor(key string, now time.Time) *usageWindow {
	hour := now.Unix() / 3600
	if now.Unix() < 0 && now.Unix()%3600 != 0 {
		hour--
	}
	u := s.usage[key]
	if u == nil {
		u = &usageWindow{hour: hour}
		s.usage[key] = u
	}
	if u.hour != hour {
		u.hour, u.n = hour, 0
	}
	return u
}

func (s *Server) write(w http.ResponseWriter, resp response, f Faults) {
	h := w.Header()
	resp.CopyTo(h)
	h.Set("Content-Type", "application/json")
	simkit.WriteBody(w, resp.status, resp.body, simkit.BodyFaults{Malformed: f.Malformed, Truncate: f.Truncate, Oversize: f.Oversize, Cut: f.ResetMidBody})
}
