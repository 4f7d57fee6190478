package cxsim

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Documented limits and defaults.
const (
	DefaultPerSecond = 10
	DefaultPerDay    = 10000
	// DefaultTokenTTL is the documented lifetime of an access token.
	DefaultTokenTTL = 3200 * time.Second
	// DefaultPageSize is the page size (the max header) when Options.PageSize
	// is 0: the real one is not documented, 1,000 is this simulator's choice.
	DefaultPageSize = 1000
	// DefaultRegion is the only region any source attests.
	DefaultRegion = "us"
	// Scope is the one scope a token is asked for.
	Scope = "api.bcs.manage"
)

// tokenPath is the token endpoint; the documentation's prose writes it
// without the trailing slash, its HTTP example and the SDK with it: both
// are served.
const tokenPath = "/torii-auth/v1/token/"

// Options choose the simulated world and its limits.
type Options struct {
	Seed         int64         // data is a deterministic function of Seed, Size and the UTC day of Now at New
	Size         string        // "small" | "medium" | "large" ("" = small); anything else: New returns an error
	ClientID     string        // application client id accepted ("" = derived from Seed)
	ClientSecret string        // ("" = derived from Seed)
	TokenTTL     time.Duration // expiresIn of an access token (0 = 3200s)
	PerSecond    int           // per-application calls per second (0 = 10)
	PerDay       int           // per-application calls per UTC day (0 = 10,000)
	Now          func() time.Time

	// PageSize is the page size the server picks for every list (0 =
	// DefaultPageSize): clients do not send one.
	PageSize int
	// ZeroBasedOffsets counts offsets from 0, the first page answering
	// offset: 0; by default they count from 1, as the SDK's arithmetic
	// implies. Which one the API uses is not documented.
	ZeroBasedOffsets bool
	// StrictParams answers a query parameter that is neither offset, fields
	// nor one of the endpoint's filters with 400 Unknown filter; by default
	// it is ignored. Which one the API does is not documented.
	StrictParams bool
	// FiltersAnyKey combines filters of different names with OR; by
	// default with AND. Which one the API does is not documented.
	FiltersAnyKey bool
	// FirstPageConditional applies If-None-Match to a list's first page
	// only; later pages answer 200 whatever they are sent. Whether the API
	// applies it to later pages is not documented; by default it does.
	FirstPageConditional bool
	// RateHeadersOn2xx sends the rate-limit headers on every answer; by
	// default only on 429s, the one place the documentation shows them.
	RateHeadersOn2xx bool
	// BulkQuirks writes bulk/alerts with the quirks the SDK's models absorb:
	// empty strings for contract dates and no baseProductIdList.
	BulkQuirks bool
	// InventoryWithoutResets leaves lastResetTimestamp null in the
	// inventory's device records, as the SDK's model allows (it is
	// optional there); deviceReset/lastResetDetails still gives it.
	InventoryWithoutResets bool
	// BulkConditional puts Last-Modified and an ETag on bulk/alerts and
	// answers If-None-Match with a 304, as the documentation says of the
	// API's 200s in general; by default the stream carries neither. Which
	// one the API does for bulk/alerts is not documented.
	BulkConditional bool
}

// Credentials are what a client needs to reach the simulator.
type Credentials struct {
	BaseURL      string // left empty by the package; callers fill it (server URL + BasePath())
	TokenURL     string // left empty by the package; callers fill it (server URL + TokenPath())
	ClientID     string
	ClientSecret string
}

// TokenPath is the token endpoint's path on the simulator.
func (Credentials) TokenPath() string { return tokenPath }

// BasePath is the data base path for the region every source attests:
// /us/bcs/v2. Any other region segment is served too.
func (Credentials) BasePath() string { return "/" + DefaultRegion + strings.TrimSuffix(basePath, "/") }

// Sizes counts the simulated world as it is now.
type Sizes struct {
	Devices              int
	Assets               int
	Collectors           int
	FieldNoticeBulletins int
	AdvisoryBulletins    int
	FieldNoticeMatches   int // items of productAlerts/fieldNotices
	AdvisoryMatches      int // items of productAlerts/securityAdvisories
	HardwareEoL          int // items of productAlerts/hardwareEndOfLife (one per affected asset)
	SoftwareEoL          int // items of productAlerts/softwareEndOfLife (one per affected device)
	HardwareEoLBulletins int
	SoftwareEoLBulletins int
}

// Server is the simulated CX Cloud API; it is an http.Handler.
type Server struct {
	simkit.Faulted[Faults] // SetFaults and Faults, over fault
	// Counted gives Calls, the authenticated API calls that reached an
	// endpoint, including those answered 304, 429 or with a fault (token
	// requests and 401s are not), and CallsByPath, by path template, e.g.
	// "/{region}/bcs/v2/inventory/devices" or
	// "/{region}/bcs/v2/inventory/devices/{deviceId}". ResetCalls is the
	// Server's own, as it zeroes the other counters too.
	simkit.Counted

	opts   Options
	now    func() time.Time
	creds  Credentials
	perSec int
	perDay int
	ttl    time.Duration

	mu sync.RWMutex // guards w
	w  *world

	authMu sync.Mutex // guards tokens
	tokens map[string]token
	jwtKey []byte // signs the access tokens

	calls simkit.Counter

	callMu      sync.Mutex // guards the other counters and usage
	notModified int
	rateLimited int
	tokenReqs   int
	usage       map[string]*usage

	fault *simkit.Switch[Faults]
	// reprocessed and expired mark the one-off faults done since SetFaults.
	reprocessed, expired atomic.Bool
}

// New builds the world for o.
func New(o Options) (*Server, error) {
	spec, err := simkit.SizeOf("cxsim", &o.Size, sizeSpecs)
	if err != nil {
		return nil, err
	}
	if o.PerSecond < 0 || o.PerDay < 0 || o.TokenTTL < 0 || o.PageSize < 0 {
		return nil, fmt.Errorf("cxsim: negative limit, TTL or page size (PerSecond %d, PerDay %d, TokenTTL %v, PageSize %d)", o.PerSecond, o.PerDay, o.TokenTTL, o.PageSize)
	}
	o.PageSize = cmp.Or(o.PageSize, DefaultPageSize)
	now := simkit.NowOr(o.Now)
	// Secrets come from their own stream so they do not shift the data.
	sr := simkit.NewRand(o.Seed, secretStream)
	id, secret, key := simkit.SecretHex(sr, 12), simkit.SecretHex(sr, 24), simkit.SecretBytes(sr, 32)
	if o.ClientID == "" {
		o.ClientID = id
	}
	if o.ClientSecret == "" {
		o.ClientSecret = secret
	}
	s := &Server{
		opts:   o,
		now:    now,
		perSec: cmp.Or(o.PerSecond, DefaultPerSecond),
		perDay: cmp.Or(o.PerDay, DefaultPerDay),
		ttl:    cmp.Or(o.TokenTTL, DefaultTokenTTL),
		tokens: map[string]token{},
		jwtKey: key,
		usage:  map[string]*usage{},
	}
	s.creds = Credentials{ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	today := int32(now().UTC().Truncate(24*time.Hour).Unix() / day)
	s.w = buildWorld(o.Seed, o.Size, spec, today)
	s.w.noInventoryReset = o.InventoryWithoutResets
	s.fault = simkit.NewSwitch[Faults](o.Seed, faultStream)
	s.Faulted = s.fault.Faulted()
	s.Counted = s.calls.Counted()
	return s, nil
}

// Credentials returns the accepted client id and secret.
func (s *Server) Credentials() Credentials { return s.creds }

// NotModified counts the 304s served.
func (s *Server) NotModified() int {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	return s.notModified
}

// RateLimited counts the 429s served, from the limits and from
// Faults.RateLimit.
func (s *Server) RateLimited() int {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	return s.rateLimited
}

// TokenRequests counts requests to the token endpoint, failed ones too.
func (s *Server) TokenRequests() int {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	return s.tokenReqs
}

// ResetCalls zeroes the counters; the rate-limit windows are kept.
func (s *Server) ResetCalls() {
	s.calls.Reset()
	s.callMu.Lock()
	defer s.callMu.Unlock()
	s.notModified, s.rateLimited, s.tokenReqs = 0, 0, 0
}

// response is a rendered answer, before faults are applied.
type response struct {
	status int
	body   []byte
	// stream, when set, writes the body instead: it is not held whole.
	stream func(io.Writer) error
	simkit.Headers
	ctype string // "" = application/json
}

const (
	msgNotFound     = "Not Found"
	msgUnauthorized = "Unauthorized"
	msgRateLimited  = "API rate limit exceeded"
)

// message is the gateway's error shape, byte for byte: the documented 429
// body is 41 bytes, {"message":"API rate limit exceeded"} laid out on three
// lines.
func message(status int, msg string) response {
	b := make([]byte, 0, len(msg)+20)
	b = append(b, "{\n  \"message\":"...)
	b = simkit.AppendJSONString(b, msg)
	b = append(b, "\n}"...)
	return response{status: status, body: b, ctype: "application/json; charset=utf-8"}
}

// ServeHTTP answers one request. The order is: latency fault; the token
// endpoint (not authenticated with a bearer token, not rate limited);
// routing (unknown paths 404 before authentication); bearer token (401);
// the call is counted in Calls; 429 storm (not charged); per-second and
// per-day limits (429, else the call is charged); reset and error-rate
// faults (charged: the server did the work, the answer was lost); method
// check (405); validation (400), lookup (404), preconditions (412, 304);
// the 200 with malformed, oversize and truncated body faults. Once Revoke
// takes effect, every token issued is dropped before authentication.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	match := simkit.Applies(f.PathPrefix, r.URL.Path)
	if match && !simkit.Sleep(r.Context(), f.Latency) {
		return
	}
	if r.URL.Path == tokenPath || r.URL.Path == strings.TrimSuffix(tokenPath, "/") {
		s.write(w, s.handleToken(r, match && f.Revoke && s.fault.Counted() >= f.RevokeAfter), Faults{})
		return
	}
	rt, ok := matchRoute(r.URL.Path)
	if !ok {
		s.write(w, message(http.StatusNotFound, msgNotFound), Faults{})
		return
	}
	now := s.now()
	if match && (f.Revoke || f.ExpireTokensAfter > 0) {
		n := s.fault.Count()
		if f.Revoke && n > f.RevokeAfter ||
			f.ExpireTokensAfter > 0 && n > f.ExpireTokensAfter && s.expired.CompareAndSwap(false, true) {
			s.ExpireTokens()
		}
	}
	client, ok := s.authenticate(r, now)
	if !ok {
		resp := message(http.StatusUnauthorized, msgUnauthorized)
		resp.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		s.write(w, resp, Faults{})
		return
	}
	lim, ok := s.admit(client, rt.tmpl, now, match && f.RateLimit)
	if !ok {
		if match && f.RateLimit {
			switch {
			case f.NoRetryAfter:
				lim.retryAfter = 0
			case f.RetryAfter > 0:
				lim.retryAfter, _ = strconv.Atoi(simkit.RetryAfter(f.RetryAfter))
			}
		}
		resp := message(http.StatusTooManyRequests, msgRateLimited)
		lim.set(resp.Header())
		s.write(w, resp, Faults{})
		return
	}
	if match && f.Reset {
		simkit.ResetConn(w)
		return
	}
	var resp response
	switch {
	case match && s.fault.Draw(f.ErrorRate):
		st := cmp.Or(f.ErrorStatus, http.StatusInternalServerError)
		resp = message(st, "simulated fault: "+http.StatusText(st))
	case r.Method == http.MethodHead && rt.id == "" && endpoints[rt.ep].counted:
	case r.Method != http.MethodGet:
		resp = message(http.StatusMethodNotAllowed, "Method Not Allowed")
		resp.Header().Set("Allow", "GET")
		if rt.id == "" && endpoints[rt.ep].counted {
			resp.Header().Set("Allow", "GET, HEAD")
		}
	}
	if resp.status == 0 {
		pf := f
		if !match {
			pf = Faults{}
		}
		if pf.ReprocessMidWalk && rt.id == "" && s.laterPage(r) && s.reprocessed.CompareAndSwap(false, true) {
			// A processing run finishes while the client walks the pages.
			s.Step()
		}
		resp = s.serveAPI(r, rt, pf)
	}
	if resp.status == http.StatusNotModified {
		s.callMu.Lock()
		s.notModified++
		s.callMu.Unlock()
	}
	if s.opts.RateHeadersOn2xx {
		lim.set(resp.Header())
	}
	if !match {
		f = Faults{}
	}
	s.write(w, resp, f)
}

// laterPage reports whether a request asks for a list page after the
// first.
func (s *Server) laterPage(r *http.Request) bool {
	n, err := strconv.Atoi(r.URL.Query().Get("offset"))
	return err == nil && n > s.firstOffset()
}

// firstOffset is the offset of a list's first item: 1, or 0 with
// ZeroBasedOffsets.
func (s *Server) firstOffset() int {
	if s.opts.ZeroBasedOffsets {
		return 0
	}
	return 1
}

func (s *Server) write(w http.ResponseWriter, resp response, f Faults) {
	h := w.Header()
	resp.CopyTo(h)
	if resp.status == http.StatusNotModified {
		w.WriteHeader(resp.status)
		return
	}
	h.Set("Content-Type", cmp.Or(resp.ctype, "application/json"))
	if resp.stream != nil {
		if !f.Malformed && !f.Truncate && f.Oversize == 0 && !f.ResetMidBody {
			// Chunked, without a Content-Length, as a stream is sent.
			w.WriteHeader(resp.status)
			_ = resp.stream(w)
			return
		}
		// The body faults need the body whole; the worlds tests spoil are
		// small.
		var buf bytes.Buffer
		_ = resp.stream(&buf)
		resp.body = buf.Bytes()
	}
	simkit.WriteBody(w, resp.status, resp.body, simkit.BodyFaults{Malformed: f.Malformed, Truncate: f.Truncate, Oversize: f.Oversize, Cut: f.ResetMidBody})
}
