// Package collector runs each configured source's background refreshers,
// keeps their last good data, and turns it into metrics at scrape time. A
// scrape reads the cache only; it never waits on a vendor API.
package collector

import (
	"cmp"
	"context"
	"hash/maphash"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
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
	// SotDeviceList lists the devices a source of truth records; nil for
	// sources that are none.
	SotDeviceList func(d Data) []model.SotDevice
	// AlarmList lists the active alarms in a source's data, sorted by id
	// (model.SortAlarms); nil for sources that have none.
	AlarmList func(d Data) []model.Alarm
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
	// sinkSizes are the series per family and the label values of the
	// last render, so that the next one makes room for them at once.
	sinkSizes atomic.Pointer[exposition.Sizes]
	pushed    pushed
	live      live
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

	// alarmMemo is the active alarms as last made; alarmsTold the hash of
	// those alarmsChanged was last told of.
	alarmMemo     atomic.Pointer[activeAlarms]
	alarmSeed     maphash.Seed
	alarmsTold    atomic.Uint64
	alarmsChanged func(source string)

	// sotMemo is the last SotOf made of this source.
	sotMemo atomic.Pointer[sotMemo]
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
	// Vendors are the vendors sources may be of.
	Vendors []Vendor
	// Shard is this replica's shard: the manager runs only the configured
	// sources it owns. The zero value runs them all.
	Shard sharding.Shard
	// AlarmsChanged, when set, is called with a source's name when its
	// active alarms (ActiveAlarms) change: after a refresh or a webhook
	// that changed them, or when pushed alarms reach the end of their
	// lifetime; never when nothing changed. It must not block: it runs on
	// the refresh's or the webhook's goroutine.
	AlarmsChanged func(source string)
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
	s.live.wake = map[string]chan struct{}{}
	for _, c := range s.Collections {
		s.live.wake[c.Name] = make(chan struct{}, 1)
	}
	s.storage = opts.StateDir
	if s.storage != "" {
		// At 0 from the start: a dashboard sees the series before a save fails.
		stateSaveErrors.WithLabelValues(s.Name)
	}
	s.restore()
	s.alarmsChanged = opts.AlarmsChanged
	s.alarmSeed = maphash.MakeSeed()
	// What the saved data holds is known already: the first refresh tells
	// of a change only if it brings one.
	s.alarmsTold.Store(alarmsSum(s.alarmSeed, s.mergeAlarms(s.cache.view(), s.now()).list))
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
	// Err is why the last refresh failed; for one that succeeded, what
	// failed on the way, if its data came another way.
	Err string
	// LiveFactor is what a healthy live feed stretches the interval by
	// (1 without one): Interval is the plan's times it.
	LiveFactor float64
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
			Interval: e.interval, Items: e.items, Calls: e.calls, LiveFactor: s.liveFactor(c.Name),
		}
		if e.err != nil {
			st.Err = e.err.Error()
		} else if e.note != nil {
			st.Err = e.note.Error()
		}
		out = append(out, st)
	}
	return out
}
