package primesim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Defaults of the Options left zero.
const (
	DefaultUsername      = "nms-monitor"
	DefaultMaxSessions   = 5
	DefaultSessionIdle   = 5 * time.Minute
	DefaultMaxConcurrent = 5
	DefaultRateLimit     = 5
	DefaultRateWindow    = time.Second
)

// NoCountMode is what .nocount=true does, which no source settles.
type NoCountMode string

// The readings of .nocount=true.
const (
	NoCountIgnore NoCountMode = "ignore" // @count is sent as without it (the default)
	NoCountOmit   NoCountMode = "omit"   // @count is left out
	NoCountPage   NoCountMode = "page"   // @count is @first plus the page's entities
)

// Options choose the simulated world and its limits. Where prime.md
// leaves Prime's behaviour unverified, the zero value is its stated
// default and an option gives the other reading.
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
	// WrongPasswordRedirect answers wrong credentials with a 302 to the
	// login page, as piapi expects, instead of a 401.
	WrongPasswordRedirect bool
	// WithoutNBIRead takes the NBI Read group from the user: every data
	// request is then a 403.
	WithoutNBIRead bool
	// StickyDomain keeps a session's last _ctx.domain for its later
	// requests that name none.
	StickyDomain bool
	// UnknownDomainEmpty answers a _ctx.domain that does not exist with
	// empty lists (@domain echoing it) instead of a 403.
	UnknownDomainEmpty bool

	MaxConcurrent int           // requests in flight per user (0 = 5, negative = unlimited)
	RateLimit     int           // requests per RateWindow per user (0 = 5, negative = unlimited)
	RateWindow    time.Duration // sliding window of RateLimit and GlobalRateLimit (0 = 1 s)
	// GlobalRateLimit caps the requests of all users per RateWindow (0 or
	// negative = no global limit: no source gives a default).
	GlobalRateLimit int
	// LimitErrorDocument sends the limits' 503 texts in an errorDocument
	// (in the requested format) instead of a text/plain body.
	LimitErrorDocument bool

	PageLimit int // largest .maxResults (Prime's limitPageSize; 0 = 1000)
	// ClampMaxResults serves PageLimit rows for a larger .maxResults
	// instead of answering 503.
	ClampMaxResults bool
	DefaultPageSize int // page size without .maxResults (Prime's limitUnpagedQuery; 0 = 100)
	// EmptyAsGetEntity answers a list page without entities with
	// @responseType "getEntity", as CPIAPI reports of releases since v4.
	EmptyAsGetEntity bool
	NoCount          NoCountMode // effect of .nocount=true ("" = ignore)
	// OrFilters ORs a list's criteria unless .and_filter=true (by default
	// they are ANDed unless .and_filter=false).
	OrFilters bool
	// IgnoreUnknownAttributes drops criteria on attributes a resource
	// lacks instead of answering 400.
	IgnoreUnknownAttributes bool

	// NotServed lists "version/Resource" pairs, e.g. "v4/ClientCounts",
	// that answer 404 ("No such entity type as ...") and are left out of
	// that version's data.json.
	NotServed []string
	// StringNumbersAt lists versions whose @id, @first, @last and @count
	// are JSON strings, as in a v1 sample (e.g. []string{"v1"}).
	StringNumbersAt []string
	// ObjectMACsAt lists versions before v4 whose MAC addresses are
	// octets objects as in v4 (by default they are strings there).
	ObjectMACsAt []string
	// BareEntityAt lists versions whose one-element entity list is sent
	// as a bare object.
	BareEntityAt []string
	// StringEnumsAt lists versions before v4 whose enumerations (an
	// alarm's category and condition) are plain strings, the value alone:
	// the catalogue shows only v4's {"ordinal", "value"} objects.
	StringEnumsAt []string
	// HTMLErrorPages sends 400 and 404 answers as HTML pages, as CPIAPI
	// observed, instead of errorDocuments.
	HTMLErrorPages bool
	// BareListsAt lists versions whose one-element lists inside an entity
	// (InventoryDetails' chassis, interfaces and CDP neighbours) are sent
	// as bare objects, as older JSON rendered a one-element list
	// (prime.md section 3).
	BareListsAt []string

	// InventoryDetails' units and spellings, which no source gives. By
	// default an interface's speed is in bits per second (IF-MIB ifSpeed),
	// summary.upTime in hundredths of a second (sysUpTime, as
	// AccessPointDetails' upTime) and the statuses UP and DOWN.
	//
	// InventorySpeedMbps sends speeds in megabits per second (IF-MIB
	// ifHighSpeed).
	InventorySpeedMbps bool
	// InventoryUpTimeSeconds sends summary.upTime in seconds.
	InventoryUpTimeSeconds bool
	// InventoryStatusLowerCase spells adminStatus and operationalStatus
	// up and down, as IF-MIB's enumerations are named.
	InventoryStatusLowerCase bool

	// CollectionInterval is the time between ClientCounts collections
	// (0 = 5 min); HistoryWindow what HistoricalClientCounts keeps (0 =
	// 24 h).
	CollectionInterval, HistoryWindow time.Duration
	// MapLocationNames keys MAPLOCATION rows by the bare group name
	// ("Floor-2", repeated across buildings) instead of the full
	// hierarchy.
	MapLocationNames bool
	// MapLocationFloorsOnly leaves out the campus and building
	// MAPLOCATION rows.
	MapLocationFloorsOnly bool
	// GuestRows adds the GUEST row ("All Guest", subkey "GUEST") to each
	// collection.
	GuestRows bool
	// ZeroSubdomainCounts sends zeros in the SSID and VIRTUALDOMAIN rows
	// of the sub-domains, as observed at one site.
	ZeroSubdomainCounts bool
	// HistoryDTOKey is the DTO key of HistoricalClientCounts entities
	// ("" = "historicalClientCountsDTO").
	HistoryDTOKey string

	// ControllerUtilization adds cpuUtilization and memoryUtilization
	// (integer percents) to WlanControllerDetails. No source gives Prime's
	// names for a controller's CPU and memory, nor says it has them.
	ControllerUtilization bool
	// ControllerReachabilityString sends WlanControllers' reachabilityStatus
	// as a reachability state (REACHABLE, UNREACHABLE) instead of the
	// boolean of the v4 sample.
	ControllerReachabilityString bool
	// RogueClassificationKey is the key of a rogue's classification in
	// rogueApAlarmDetails: "classificationType" ("", as a third-party
	// listing of the resource has it), "classification", or "-" to leave
	// it out.
	RogueClassificationKey string
	// RogueLocationKey is the key of the detecting AP's map location in
	// rogueApAlarmDetails: "location" ("", as that listing has it),
	// "mapLocation", or "-" to leave it out, so that only deviceName
	// tells where the rogue was heard.
	RogueLocationKey string

	// PlainChannelNumbers spells RadioDetails' channelNumber "36"
	// instead of the ChannelNumberEnum constant "_36" cpiapi lists.
	PlainChannelNumbers bool
	// CompactChannelWidths spells channelWidth "40MHz" instead of
	// "40 MHz".
	CompactChannelWidths bool
	// NoRadioBand leaves out radioBand, which appeared in Prime 3.6: the
	// band is then only in radioType.
	NoRadioBand bool
	// NoTxPowerOutput leaves out txPowerOutput (dBm), which appeared in a
	// 2017 release; powerLevel remains.
	NoTxPowerOutput bool
	// LoadStatsDTOKey is the DTO key of RFLoadStats entities ("" =
	// DefaultLoadStatsDTOKey, "rfLoadStatsDTO"); LoadStatsDTOType what
	// their @dtoType says ("" = the key), as cpiapi found the two can
	// differ.
	LoadStatsDTOKey, LoadStatsDTOType string
	// LoadStatsSamples is how many samples per radio RFLoadStats serves,
	// oldest first (0 = 1, the latest; at most 3, 20 minutes apart), as a
	// server that keeps its samples for a day would.
	LoadStatsSamples int
	// AckUpdatesAlarm moves an alarm's lastUpdatedAt and timeStamp to the
	// time it is acknowledged (AcknowledgeAlarm): whether an
	// acknowledgement counts as an update is not documented.
	AckUpdatesAlarm bool

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
	StackedSwitches     int // switches with more than one chassis
	Interfaces          int // Ethernet interfaces in InventoryDetails
	Neighbors           int // CDP neighbours in InventoryDetails now
	Clients             int // wireless clients in the latest ClientCounts collection
	WiredClients        int // wired clients in the latest collection
	ClientCountRows     int // ClientCounts entities (the latest collection, ROOT-DOMAIN view)
	ClientCountSamples  int // collections HistoricalClientCounts keeps, the latest included
	Alarms              int
	ActiveAlarms        int // severity other than CLEARED
	AcknowledgedAlarms  int // active alarms that are acknowledged
	ClearedAlarms       int
	RogueAlarms         int                    // RogueApAlarms entities
	ActiveRogueAlarms   int                    // rogue alarms with a severity other than CLEARED
	Radios              int                    // RadioDetails entities: two per AP
	LoadStatsRows       int                    // RFLoadStats entities: the reachable APs' radios, by the samples served
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
	// Site is the building the AP's floor is in, "NA-Campus > Building-03".
	Site      string
	Reachable bool
	Clients   int
}

// Server is the simulated Prime Infrastructure; it is an http.Handler.
type Server struct {
	simkit.Faulted[Faults] // SetFaults and Faults, over fault
	// Counted gives Calls, the authenticated requests for a path the
	// simulator serves (a resource list or entity at any version,
	// data.json, op.json), whatever the answer: 400, 403, 404 for an
	// unknown id or a resource a version does not serve, 405, the
	// rate-limit and page-size 503s and injected faults are counted; 302s,
	// 401s and unknown paths are not. CallsByPath counts them by path
	// without the .json or .xml suffix, e.g.
	// "/webacs/api/v4/data/AccessPointDetails",
	// "/webacs/api/v4/data/AccessPointDetails/{id}",
	// "/webacs/api/v3/data/ClientCounts" and "/webacs/api/v4/data"
	// (data.json); ResetCalls keeps sessions, rate windows and the
	// in-flight peak.
	simkit.Counted

	opts    Options
	now     func() time.Time
	creds   Credentials
	granted map[string]bool
	defDom  string

	// By version index 1..4: the version's number, MAC, entity, list and
	// enumeration forms.
	strNum, objMAC, bare, bareLists, strEnum [len(versions) + 1]bool
	notServed                                map[string]bool // "v4/ClientCounts"

	mu sync.RWMutex // guards w
	w  *world

	authMu   sync.Mutex
	sessions map[string]*session
	users    map[string]*userState
	global   []time.Time // admitted requests of all users inside the window, oldest first

	calls simkit.Counter
	fault *simkit.Switch[Faults]
}

// versionSet reads a list of versions into flags by version index.
func versionSet(name string, list []string, upTo int) ([len(versions) + 1]bool, error) {
	var out [len(versions) + 1]bool
	for _, v := range list {
		k := slices.Index(versions[:], v) + 1
		if k == 0 || k > upTo {
			return out, fmt.Errorf("primesim: %s: %q is not a version among %s", name, v, strings.Join(versions[:upTo], ", "))
		}
		out[k] = true
	}
	return out, nil
}

// New builds the world for o.
func New(o Options) (*Server, error) {
	spec, err := simkit.SizeOf("primesim", &o.Size, sizeSpecs)
	if err != nil {
		return nil, err
	}
	if o.SessionIdle < 0 || o.RateWindow < 0 || o.CollectionInterval < 0 || o.HistoryWindow < 0 {
		return nil, fmt.Errorf("primesim: negative SessionIdle, RateWindow, CollectionInterval or HistoryWindow")
	}
	if o.PageLimit < 0 || o.DefaultPageSize < 0 {
		return nil, fmt.Errorf("primesim: negative PageLimit or DefaultPageSize")
	}
	now := simkit.NowOr(o.Now)
	if o.Username == "" {
		o.Username = DefaultUsername
	}
	if o.Password == "" {
		// Secrets come from their own stream so they do not shift the data.
		o.Password = "Pi-" + simkit.SecretHex(simkit.NewRand(o.Seed, streamSecret), 8)
	}
	o.MaxSessions = orDefault(o.MaxSessions, DefaultMaxSessions)
	o.MaxConcurrent = orDefault(o.MaxConcurrent, DefaultMaxConcurrent)
	o.RateLimit = orDefault(o.RateLimit, DefaultRateLimit)
	o.PageLimit = orDefault(o.PageLimit, MaxResults)
	o.DefaultPageSize = orDefault(o.DefaultPageSize, DefaultMaxResults)
	o.SessionIdle = cmp.Or(o.SessionIdle, DefaultSessionIdle)
	o.RateWindow = cmp.Or(o.RateWindow, DefaultRateWindow)
	o.CollectionInterval = cmp.Or(o.CollectionInterval, DefaultCollectionInterval)
	o.HistoryWindow = cmp.Or(o.HistoryWindow, DefaultHistoryWindow)
	o.HistoryDTOKey = cmp.Or(o.HistoryDTOKey, "historicalClientCountsDTO")
	o.NoCount = cmp.Or(o.NoCount, NoCountIgnore)
	switch o.NoCount {
	case NoCountIgnore, NoCountOmit, NoCountPage:
	default:
		return nil, fmt.Errorf("primesim: unknown NoCount %q (want ignore, omit or page)", o.NoCount)
	}
	if err := checkRadioRogueOptions(&o); err != nil {
		return nil, err
	}
	if o.HistoryWindow < o.CollectionInterval {
		return nil, fmt.Errorf("primesim: HistoryWindow %v is shorter than CollectionInterval %v", o.HistoryWindow, o.CollectionInterval)
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
		opts:      o,
		now:       now,
		granted:   map[string]bool{},
		defDom:    granted[0],
		notServed: map[string]bool{},
		sessions:  map[string]*session{},
		users:     map[string]*userState{},
	}
	s.fault = simkit.NewSwitch[Faults](o.Seed, streamFault)
	s.Faulted = s.fault.Faulted()
	s.Counted = s.calls.Counted()
	if s.strNum, err = versionSet("StringNumbersAt", o.StringNumbersAt, 4); err != nil {
		return nil, err
	}
	if s.objMAC, err = versionSet("ObjectMACsAt", o.ObjectMACsAt, 3); err != nil {
		return nil, err
	}
	if s.bare, err = versionSet("BareEntityAt", o.BareEntityAt, 4); err != nil {
		return nil, err
	}
	if s.bareLists, err = versionSet("BareListsAt", o.BareListsAt, 4); err != nil {
		return nil, err
	}
	if s.strEnum, err = versionSet("StringEnumsAt", o.StringEnumsAt, 3); err != nil {
		return nil, err
	}
	for _, p := range o.NotServed {
		v, name, _ := strings.Cut(p, "/")
		if !slices.Contains(versions[:], v) || resources[name] == nil {
			return nil, fmt.Errorf("primesim: NotServed: %q is not version/Resource with a version among %s and a resource among %s",
				p, strings.Join(versions[:], ", "), strings.Join(resourceNames, ", "))
		}
		s.notServed[p] = true
	}
	for _, d := range granted {
		s.granted[d] = true
	}
	s.creds = Credentials{Username: o.Username, Password: o.Password, Domains: granted}
	s.w = buildWorld(o.Seed, spec, now().UnixMilli(), ccOptions{
		interval: o.CollectionInterval, window: o.HistoryWindow, locNames: o.MapLocationNames,
		floorsOnly: o.MapLocationFloorsOnly, guest: o.GuestRows, zeroSub: o.ZeroSubdomainCounts,
	})
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

// errorDoc is Prime's errorDocument in the requested format; 400 and 404
// are HTML pages with Options.HTMLErrorPages. id is the error's id when
// Prime gives one.
func (s *Server) errorDoc(rc *reqCtx, status int, msg, id string) response {
	if s.opts.HTMLErrorPages && (status == http.StatusBadRequest || status == http.StatusNotFound) {
		return htmlResp(status, msg)
	}
	return render(status, rc.format, errorJSON{errorDocJSON{
		HTTPResponseCode: status, HTTPMethod: rc.r.Method, Message: msg, ID: id,
		URIPath: rc.dp.rel, QueryParams: queryParams(rc.r),
	}})
}

// limitResp is a limit's 503: its text as text/plain, or an errorDocument
// with Options.LimitErrorDocument. Never a Retry-After.
func (s *Server) limitResp(rc *reqCtx, msg string) response {
	if s.opts.LimitErrorDocument {
		return s.errorDoc(rc, http.StatusServiceUnavailable, msg, "")
	}
	return textResp(http.StatusServiceUnavailable, msg)
}

func (s *Server) rateLimitMsg(user string) string {
	return fmt.Sprintf("NBI Rate limit for user %s exceeded (More than %d in %d ms)",
		user, s.opts.RateLimit, s.opts.RateWindow.Milliseconds())
}

func (s *Server) globalRateLimitMsg() string {
	return fmt.Sprintf("NBI Global Rate limit exceeded (More than %d in %d ms)",
		s.opts.GlobalRateLimit, s.opts.RateWindow.Milliseconds())
}

// reqCtx is one request as the handlers see it.
type reqCtx struct {
	r         *http.Request
	dp        dataPath
	format    format
	now       time.Time
	nowMs     int64
	shrink    bool     // Faults.ShrinkTotal applies
	endless   bool     // Faults.EndlessPaging applies
	setCookie string   // a session made by this request
	sess      *session // the session that authenticated the request, if any
	release   func()   // frees the in-flight slot of an admitted request
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

func (rc *reqCtx) rootURL() string {
	return rc.origin() + apiPrefix + versions[rc.dp.ver-1] + "/data"
}
func (rc *reqCtx) requestURL() string { return rc.origin() + rc.r.URL.RequestURI() }

// ServeHTTP answers one request. The order is: paths outside
// /webacs/api/ (the login page, else a 404 page); the Revoke fault (401);
// authentication (302 without credentials, 401, may create a session);
// unknown paths and resources 404; the call is counted in Calls; a user
// without NBI Read 403; a resource the version does not serve 404; method
// check (405); the Throttle fault; the per-user concurrency, global rate
// and per-user rate limits (503, not charged); Latency, spent holding the
// in-flight slot; Reset and ErrorRate faults; the handler (403 domain,
// 400 query, 503 page size, 404 id); Malformed and Truncate on 200
// bodies. Answers before admission are sent at once, without the Latency.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	if !simkit.Applies(f.PathPrefix, r.URL.Path) {
		f = Faults{}
	}
	now := s.now()
	rc := &reqCtx{r: r, now: now, nowMs: now.UnixMilli(), shrink: f.ShrinkTotal, endless: f.EndlessPaging}
	defer s.answered(rc)
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		if r.URL.Path == loginPath {
			s.finish(w, rc, response{status: http.StatusOK, body: []byte(loginPage), ctype: "text/html;charset=utf-8"})
			return
		}
		s.finish(w, rc, htmlResp(http.StatusNotFound, "The requested resource is not available."))
		return
	}
	rc.dp = parseDataPath(r.URL.Path, s.notServed)
	rc.format = negotiate(rc.dp.ext, r)
	if f.Revoke && s.fault.Count() > f.RevokeAfter {
		s.finish(w, rc, s.revoke(rc))
		return
	}
	user, resp, ok := s.authenticate(rc)
	if !ok {
		s.finish(w, rc, resp)
		return
	}
	dp := rc.dp
	if !dp.found {
		if dp.noType {
			resp = s.errorDoc(rc, http.StatusNotFound, noSuchType(dp.name), prs102)
		} else {
			resp = s.errorDoc(rc, http.StatusNotFound, "No resource found for path "+r.URL.Path, "")
		}
		s.finish(w, rc, resp)
		return
	}
	s.calls.Count(dp.template())
	if s.opts.WithoutNBIRead {
		s.finish(w, rc, htmlResp(http.StatusForbidden,
			fmt.Sprintf("User %s is not authorized to use the northbound API: it needs the NBI Read group", user)))
		return
	}
	if dp.notServed {
		s.finish(w, rc, s.errorDoc(rc, http.StatusNotFound, noSuchType(dp.name), prs102))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp := s.errorDoc(rc, http.StatusMethodNotAllowed, fmt.Sprintf("HTTP method %s is not supported by this URL", r.Method), "")
		resp.Header().Set("Allow", "GET, HEAD")
		s.finish(w, rc, resp)
		return
	}
	if f.Throttle {
		resp := s.limitResp(rc, s.rateLimitMsg(user))
		if f.RetryAfter > 0 {
			resp.Header().Set("Retry-After", simkit.RetryAfter(f.RetryAfter))
		}
		s.finish(w, rc, resp)
		return
	}
	release, resp, ok := s.admit(rc, user, now)
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
		st := cmp.Or(f.ErrorStatus, http.StatusInternalServerError)
		s.write(w, rc, s.errorDoc(rc, st, "simulated fault: "+http.StatusText(st), ""), Faults{})
		return
	}
	switch {
	case dp.kind == pathCatalog:
		resp = s.handleCatalog(rc)
	case dp.kind == pathOps:
		resp = s.handleOps(rc)
	case dp.id != "":
		resp = s.handleGet(rc, dp.res, dp.id)
	default:
		resp = s.handleList(rc, dp.res)
	}
	s.write(w, rc, resp, f)
}

// prs102 is the id of Prime's "no such entity type" error.
const prs102 = "presentation.PRS-102"

func noSuchType(name string) string { return "No such entity type as " + name + ".-PRS-102" }

// finish answers a request that was not admitted: at once (the server
// does no work for it) and with its body as is.
func (s *Server) finish(w http.ResponseWriter, rc *reqCtx, resp response) {
	s.write(w, rc, resp, Faults{})
}

func (s *Server) write(w http.ResponseWriter, rc *reqCtx, resp response, f Faults) {
	s.answered(rc)
	h := w.Header()
	resp.CopyTo(h)
	if rc.setCookie != "" {
		h.Add("Set-Cookie", rc.setCookie)
	}
	if resp.ctype != "" {
		h.Set("Content-Type", resp.ctype)
	}
	simkit.WriteBody(w, resp.status, resp.body,
		simkit.BodyFaults{Malformed: f.Malformed, Truncate: f.Truncate, Prefix: proxyErrorPage, Oversize: f.Oversize, Cut: f.ResetMidBody})
}

// domain resolves _ctx.domain: the default when absent (or, with
// Options.StickyDomain, the session's last), 403 for a domain that does
// not exist or is not granted (the same answer, so the name of a foreign
// domain is not confirmed), or an empty view of a domain that does not
// exist with Options.UnknownDomainEmpty. campus is -1 for ROOT-DOMAIN, -2
// for a view of nothing.
func (s *Server) domain(rc *reqCtx) (name string, campus int, resp response, ok bool) {
	name = s.defDom
	v, has := rc.r.URL.Query()["_ctx.domain"]
	if has {
		name = v[len(v)-1]
	} else if s.opts.StickyDomain && rc.sess != nil {
		s.authMu.Lock()
		name = cmp.Or(rc.sess.domain, name)
		s.authMu.Unlock()
	}
	if !s.granted[name] {
		if s.opts.UnknownDomainEmpty && !slices.Contains(s.Domains(), name) {
			return name, -2, response{}, true
		}
		return "", 0, htmlResp(http.StatusForbidden,
			fmt.Sprintf("User %s is not authorized to access virtual domain '%s'", s.creds.Username, name)), false
	}
	if has && s.opts.StickyDomain && rc.sess != nil {
		s.authMu.Lock()
		rc.sess.domain = name
		s.authMu.Unlock()
	}
	if name == RootDomain {
		return name, -1, response{}, true
	}
	return name, slices.Index(campusNames[:], name), response{}, true
}
