package collector

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// Vendor is one kind of upstream the exporter polls: its config key, and
// how its adapter builds a source's parts.
type Vendor struct {
	// Name is the vendor's config key, such as "mist".
	Name string
	// MaxHold caps how long one answer holds a source, whatever its
	// Retry-After says: the longest window the vendor's limits count over.
	// A Retry-After of 999999999 once stopped a source for the week it was
	// then capped at.
	MaxHold time.Duration
	build   func(cfg config.Source, env Env) (*Parts, error)
}

// NewVendor describes a vendor whose sources are built from config
// sections of type C.
func NewVendor[C config.Source](name string, maxHold time.Duration, build func(cfg C, env Env) (*Parts, error)) Vendor {
	return Vendor{Name: name, MaxHold: maxHold, build: func(sc config.Source, env Env) (*Parts, error) {
		cfg, ok := sc.(C)
		if !ok {
			return nil, fmt.Errorf("config section is %T, not %s", sc, name)
		}
		return build(cfg, env)
	}}
}

// Env is what an adapter builds a source's parts with.
type Env struct {
	UserAgent string
	Now       func() time.Time
	// API counts the source's requests: the vendor client's Recorder.
	API *APIStats
	// Log is the source's logger, for what runs beside its refreshers.
	Log  *slog.Logger
	opts Options
	hold time.Duration
}

// Budget makes the source's budget on the exporter's clock, its holds
// capped at the vendor's MaxHold.
func (e Env) Budget(cfg vendors.BudgetConfig) *vendors.Budget {
	if cfg.MaxHold == 0 {
		cfg.MaxHold = e.hold
	}
	b := vendors.NewBudget(cfg, e.opts.Now)
	if e.opts.Sleep != nil {
		b.SetSleep(e.opts.Sleep)
	}
	return b
}

// Parts are what a vendor's adapter builds for one source.
type Parts struct {
	// Collections are the vendor's collections; those the config enables
	// run.
	Collections []Kind
	// Render emits the vendor's data families.
	Render Renderer
	// Devices lists the devices in the data, for a source of truth's drift;
	// nil for a vendor that has none.
	Devices func(d Data) []model.Device
	// Alarms lists the active alarms in the data, one per vendor alarm id,
	// sorted by id (model.SortAlarms); nil for a vendor that has none.
	// The collector merges them with the webhooks' (Source.ActiveAlarms)
	// and counts them for nms_alarms_active.
	Alarms func(d Data) []model.Alarm
	// Webhook decodes the vendor's webhooks, and WebhookSecret verifies
	// them; a source without a secret takes none.
	Webhook       WebhookFunc
	WebhookSecret string
	// Describes names the sources this one is the source of truth for, and
	// RenderPeers emits the series that compare it with their devices.
	Describes   []string
	RenderPeers func(out *exposition.Sink, d Data, peers map[string][]model.Device)
	// SotDevices lists the devices a source of truth records, for the
	// alerts of the sources it describes (Source.SotOf); nil for others.
	SotDevices func(d Data) []model.SotDevice
	// Budget is the one the vendor client spends; the planning leaves
	// the share of it the config section reserves unplanned.
	Budget *vendors.Budget
	// ETags, when the vendor makes conditional requests, is saved with the
	// data so a restart revalidates instead of fetching again.
	ETags *vendors.ETagStore
	// Identity names what the source points at (URL, org); saved state of
	// another identity is ignored.
	Identity string
	// Close releases the vendor client's connections when the source stops.
	Close func()
	// Live, when set, is the vendor's live feed, run beside the
	// refreshers. While it is healthy, the collections in LiveStretch
	// refresh at their intervals times its factor: what it pushes stands
	// in for most of their polls. LiveExpiry is how long what it says of
	// a device counts (DefaultLiveExpiry when 0).
	Live        Live
	LiveStretch map[string]float64
	LiveExpiry  time.Duration
}

// Kind is a vendor's collection before it is configured.
type Kind struct {
	name   string
	fetch  Fetcher
	decode Decoder
}

// Collect makes the collection k names from a vendor client's method,
// saved across restarts as JSON; items counts what one result holds. A
// result that comes with a *vendors.FallbackError is kept, its error shown.
func Collect[T any](k Key[*T], fetch func(context.Context) (*T, error), items func(*T) int) Kind {
	return Kind{
		name: k.name,
		fetch: func(ctx context.Context) (any, int, error) {
			v, err := fetch(ctx)
			var fallback *vendors.FallbackError
			if err != nil && (v == nil || !errors.As(err, &fallback)) {
				return nil, 0, err
			}
			return v, items(v), err
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

// vendorNamed finds a vendor by its config key.
func vendorNamed(vs []Vendor, name string) (Vendor, bool) {
	for _, v := range vs {
		if v.Name == name {
			return v, true
		}
	}
	return Vendor{}, false
}

// NewSource builds the source a config section describes, with the
// vendor's adapter among opts.Vendors.
func NewSource(cfg config.Source, opts Options) (*Source, error) {
	vd, ok := vendorNamed(opts.Vendors, cfg.VendorName())
	if !ok {
		return nil, fmt.Errorf("source %q: no collector for vendor %q", cfg.SourceName(), cfg.VendorName())
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	api := NewAPIStats()
	log := opts.Logger.With("target", cfg.SourceName(), "vendor", cfg.VendorName())
	p, err := vd.build(cfg, Env{UserAgent: opts.UserAgent, Now: opts.Now, API: api, Log: log, opts: opts, hold: vd.MaxHold})
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", cfg.SourceName(), err)
	}
	c := cfg.SourceCommon()
	s := &Source{
		Name: cfg.SourceName(), Vendor: cfg.VendorName(), API: api,
		Render: p.Render, renderPeers: p.RenderPeers, dependsOn: p.Describes,
		DeviceList: p.Devices, AlarmList: p.Alarms, SotDeviceList: p.SotDevices, Webhook: p.Webhook, WebhookSecret: p.WebhookSecret,
		Budget: p.Budget, Reserve: c.Budget.Reserve, ETags: p.ETags, Identity: p.Identity, Close: p.Close,
		cfg: cfg, timeout: time.Duration(c.Timeout), maxItems: c.Limits.Items, maxSeries: c.Limits.Series,
	}
	byName := make(map[string]Kind, len(p.Collections))
	for _, k := range p.Collections {
		byName[k.name] = k
	}
	for _, name := range c.Enabled() {
		k, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("source %q: vendor %s has no collection %q", s.Name, vd.Name, name)
		}
		s.Collections = append(s.Collections, &Collection{
			Name: name, Interval: time.Duration(c.Collections[name].Interval), Fetch: k.fetch, Decode: k.decode,
		})
	}
	s.live.run, s.live.stretch, s.live.expiry = p.Live, p.LiveStretch, cmp.Or(p.LiveExpiry, DefaultLiveExpiry)
	s.init(opts)
	return s, nil
}
