// Package collector runs each configured source's background refreshers,
// keeps their last good data, and turns it into metrics at scrape time. A
// scrape reads the cache only; it never waits on a vendor API.
package collector

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// Fetcher fetches one collection's data. The result is immutable once
// returned: scrapes read it while the next refresh builds a new one.
type Fetcher func(ctx context.Context) (data any, items int, err error)

// Decoder turns a collection's saved data back into what its Fetcher
// returns.
type Decoder func(saved []byte) (data any, items int, err error)

// Collection is one named unit of fetching with its own interval.
type Collection struct {
	Name     string
	Interval time.Duration // as configured; the plan may stretch it
	Fetch    Fetcher
	Decode   Decoder // nil: the data is not saved across restarts
}

// kind is a vendor's collection before it is configured.
type kind struct {
	name   string
	fetch  Fetcher
	decode Decoder
}

// typed adapts a vendor client's method to a collection whose data is a *T
// that JSON saves and restores.
func typed[T any](fetch func(context.Context) (*T, error), items func(*T) int) kind {
	return kind{
		fetch: func(ctx context.Context) (any, int, error) {
			v, err := fetch(ctx)
			if err != nil {
				return nil, 0, err
			}
			return v, items(v), nil
		},
		decode: func(b []byte) (any, int, error) {
			v := new(T)
			if err := json.Unmarshal(b, v); err != nil {
				return nil, 0, err
			}
			return v, items(v), nil
		},
	}
}

// newBudget makes a source's budget on the options' clock, its holds
// capped at the vendor's longest window.
func newBudget(cfg vendors.BudgetConfig, opts Options) *vendors.Budget {
	if cfg.MaxHold == 0 {
		cfg.MaxHold = opts.maxHold
	}
	b := vendors.NewBudget(cfg, opts.Now)
	if opts.Sleep != nil {
		b.SetSleep(opts.Sleep)
	}
	return b
}

// addCollections adds the enabled collections of a config section.
func (s *Source) addCollections(c *config.Common, kinds []kind) {
	byName := make(map[string]kind, len(kinds))
	for _, k := range kinds {
		byName[k.name] = k
	}
	for _, name := range c.Enabled() {
		k := byName[name]
		s.Collections = append(s.Collections, &Collection{
			Name: name, Interval: time.Duration(c.Collections[name].Interval), Fetch: k.fetch, Decode: k.decode,
		})
	}
}

// Renderer emits a vendor's data metrics from the latest data of each
// collection (nil where a collection has not succeeded yet).
type Renderer func(out *exposition.Sink, d Data)

// Source is one configured upstream: a Mist org, a Prime server...
type Source struct {
	Name        string
	Vendor      string
	Collections []*Collection
	Render      Renderer
	// renderPeers emits the series that compare this source with the
	// sources it describes; nil for sources that describe none.
	renderPeers func(out *exposition.Sink, d Data, peers map[string][]model.Device)
	Budget      *vendors.Budget
	Reserve     float64 // share of hourly and daily budget left unplanned
	API         *APIStats
	// ETags, when the vendor makes conditional requests, is saved with the
	// data so a restart revalidates instead of fetching again.
	ETags *vendors.ETagStore
	// Identity names what the source points at (URL, org); saved state of
	// another identity is ignored.
	Identity string
	// DeviceList lists the devices in a source's data, for the source of
	// truth's drift; nil for sources that have none.
	DeviceList func(d Data) []model.Device
	// AlarmList lists the active alarms in a source's data; nil for
	// sources that have none.
	AlarmList func(d Data) []model.AlarmCount
	// Webhook decodes the vendor's webhooks, and WebhookSecret verifies
	// them; a source without a secret takes none.
	Webhook       WebhookFunc
	WebhookSecret string
	// Close releases the vendor client's connections when the source stops.
	Close func()

	cfg   config.Source
	peers func(name string) (*Source, bool) // the other running sources
	// dependsOn names the other sources whose data the render reads.
	dependsOn []string
	rendered  rendered
	pushed    pushed
	timeout   time.Duration // per upstream request
	maxItems  int           // per collection; 0 means config.DefaultMaxItems
	maxSeries int           // per render; 0 means config.DefaultMaxSeries
	budgetMu  sync.Mutex    // one save of the budget's counts at a time
	storage   string        // folder of saved state; "" saves nothing
	logger    *slog.Logger
	scrub     func(error) error
	cache     *cache
	now       func() time.Time

	// healthCache keeps the health families as last encoded.
	healthCache healthCache
}

// Options are what every source builder gets besides its config section.
type Options struct {
	Logger    *slog.Logger
	UserAgent string
	Now       func() time.Time // nil = time.Now
	// Sleep waits on the budget's behalf; nil sleeps for real. A simulated
	// clock sets both.
	Sleep func(context.Context, time.Duration) error
	// StateDir keeps each collection's last good data across restarts;
	// "" keeps nothing.
	StateDir string
	// Scrub takes the configured secrets out of a refresh's error before it
	// is kept, shown or logged; nil keeps errors as they are.
	Scrub func(error) error

	maxHold time.Duration // the vendor's MaxHold
}

// Vendor is one kind of upstream the exporter polls: its config key, and
// how a source of it is built.
type Vendor struct {
	// Name is the vendor's config key, such as "mist".
	Name string
	// MaxHold caps how long one answer holds a source, whatever its
	// Retry-After says: the longest window the vendor's limits count over.
	// A Retry-After of 999999999 once stopped a source for the week it was
	// then capped at.
	MaxHold time.Duration
	build   func(cfg config.Source, opts Options, api *APIStats) (*Source, error)
}

// vendor describes a vendor whose sources are built from config sections
// of type C.
func vendor[C config.Source](name string, maxHold time.Duration, build func(cfg C, opts Options, api *APIStats) (*Source, error)) Vendor {
	return Vendor{Name: name, MaxHold: maxHold, build: func(sc config.Source, opts Options, api *APIStats) (*Source, error) {
		cfg, ok := sc.(C)
		if !ok {
			return nil, fmt.Errorf("config section is %T, not %s", sc, name)
		}
		return build(cfg, opts, api)
	}}
}

// Vendors are the vendors the exporter knows, one line each.
var Vendors = []Vendor{
	vendor("mist", time.Hour, newMistSource),           // an hourly quota per token
	vendor("prime", time.Minute, newPrimeSource),       // limits over a window of seconds
	vendor("cxcloud", 24*time.Hour, newCXCloudSource),  // a daily quota per tenant
	vendor("nautobot", time.Minute, newNautobotSource), // no quota; a proxy's limits at most
}

// vendorNamed finds a vendor by its config key.
func vendorNamed(name string) (Vendor, bool) {
	for _, v := range Vendors {
		if v.Name == name {
			return v, true
		}
	}
	return Vendor{}, false
}

// NewSource builds the source a config section describes.
func NewSource(cfg config.Source, opts Options) (*Source, error) {
	vd, ok := vendorNamed(cfg.VendorName())
	if !ok {
		return nil, fmt.Errorf("source %q: no collector for vendor %q", cfg.SourceName(), cfg.VendorName())
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.maxHold = vd.MaxHold
	api := NewAPIStats()
	s, err := vd.build(cfg, opts, api)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", cfg.SourceName(), err)
	}
	s.Name, s.Vendor, s.API = cfg.SourceName(), cfg.VendorName(), api
	s.cfg = cfg
	s.timeout = time.Duration(cfg.SourceCommon().Timeout)
	s.maxItems = cfg.SourceCommon().Limits.Items
	s.maxSeries = cfg.SourceCommon().Limits.Series
	s.init(opts)
	return s, nil
}

// init readies a source whose vendor parts are set.
func (s *Source) init(opts Options) {
	s.now = opts.Now
	s.scrub = opts.Scrub
	s.logger = opts.Logger.With("target", s.Name, "vendor", s.Vendor)
	if s.API == nil {
		s.API = NewAPIStats()
	}
	sort.Slice(s.Collections, func(i, j int) bool { return s.Collections[i].Name < s.Collections[j].Name })
	s.cache = newCache(s.Collections)
	s.storage = opts.StateDir
	s.restore()
}

// itemLimit is the most items a collection may hold.
func (s *Source) itemLimit() int { return cmp.Or(s.maxItems, config.DefaultMaxItems) }

// seriesLimit is the most data series a render may make.
func (s *Source) seriesLimit() int { return cmp.Or(s.maxSeries, config.DefaultMaxSeries) }

// devicesOf lists the devices of the source's data as of v.
func (s *Source) devicesOf(v view) []model.Device {
	if s.DeviceList == nil {
		return nil
	}
	return s.DeviceList(v.data())
}

// Ready reports whether every collection has finished its first refresh
// attempt, successful or not.
func (s *Source) Ready() bool {
	for _, c := range s.Collections {
		if e := s.cache.get(c.Name); e.attempts == 0 {
			return false
		}
	}
	return true
}

// Status is one collection's state, for pages and tests.
type Status struct {
	Collection  string
	Success     bool
	Attempts    int
	Failures    int
	LastSuccess time.Time
	LastAttempt time.Time
	Duration    time.Duration
	Interval    time.Duration
	Items       int
	Calls       int64
	Err         string
}

// Status returns each collection's state, sorted by collection name.
func (s *Source) Status() []Status { return s.statusOf(s.cache.view()) }

// statusOf returns each collection's state as of v.
func (s *Source) statusOf(v view) []Status {
	out := make([]Status, 0, len(s.Collections))
	for _, c := range s.Collections {
		e := v.entries[c.Name]
		st := Status{
			Collection: c.Name, Success: e.success, Attempts: e.attempts, Failures: e.failures,
			LastSuccess: e.lastSuccess, LastAttempt: e.lastAttempt, Duration: e.duration,
			Interval: e.interval, Items: e.items, Calls: e.calls,
		}
		if e.err != nil {
			st.Err = e.err.Error()
		}
		out = append(out, st)
	}
	return out
}
