// Package app runs the exporter: it loads the config, starts its sources
// and the alert bridge, reloads on SIGHUP and POST /-/reload, and serves
// the HTTP endpoints. It also starts the demo and the simulate command.
package app

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/version"

	"github.com/nmsexporter/nms_exporter/bridge"
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/redact"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
	"github.com/nmsexporter/nms_exporter/registry"
)

// Exporter is the running exporter: config, sources, reload loop and its
// own metrics.
type Exporter struct {
	logger   *slog.Logger
	sc       *config.SafeConfig
	mgr      *collector.Manager
	reg      *prometheus.Registry
	reloadCh chan chan error
	bridge   *bridge.Metrics

	ctx         context.Context
	maxRequests int      // heavy requests served at once; 0 = no limit
	externalURL *url.URL // what /sd advertises; nil is each request's Host
	logs        *redact.Handler
	secretsMu   sync.Mutex
	secrets     []string // of every config loaded, kept out of logs and pages
	scrub       atomic.Pointer[redact.Scrubber]
	pusherMu    sync.Mutex
	pusher      *bridge.Pusher
	pusherCfg   *config.Alertmanager
	stopPusher  context.CancelFunc
}

// NewExporter loads the config, starts its sources and the reload loop;
// all stop when ctx ends. storage is the folder keeping each collection's
// last good data; "" keeps nothing.
func NewExporter(ctx context.Context, logger *slog.Logger, configFile, storage string) (*Exporter, error) {
	return NewShardExporter(ctx, logger, configFile, storage, sharding.Shard{})
}

// NewShardExporter is NewExporter for one replica of several: it polls,
// serves and lists only the configured sources whose names hash to shard,
// on start and after every reload. The zero shard polls every source.
func NewShardExporter(ctx context.Context, logger *slog.Logger, configFile, storage string, shard sharding.Shard) (*Exporter, error) {
	if shard != (sharding.Shard{}) {
		if err := shard.Validate(); err != nil {
			return nil, err
		}
	}
	logs, ok := logger.Handler().(*redact.Handler)
	if !ok {
		logs = redact.NewHandler(logger.Handler())
		logger = slog.New(logs)
	}
	e := &Exporter{
		logger:   logger,
		logs:     logs,
		sc:       config.NewSafeConfig(configFile),
		reg:      prometheus.NewRegistry(),
		reloadCh: make(chan chan error),
		bridge:   bridge.NewMetrics(),
		ctx:      ctx,
	}
	e.scrub.Store(&redact.Scrubber{})
	e.mgr = collector.NewManager(ctx, collector.Options{
		Logger: logger, UserAgent: "nms_exporter/" + version.Version, StateDir: storage,
		Scrub:   func(err error) error { return e.scrub.Load().Error(err) },
		Vendors: registry.Vendors, Shard: shard,
		// A new or cleared alarm reaches Alertmanager as soon as the
		// refresh or webhook that saw it lands, not at the next resend.
		AlarmsChanged: func(string) { e.notifyPusher() },
	})
	if _, err := e.sc.Reload(e.apply); err != nil {
		return nil, err
	}
	e.reg.MustRegister(
		versioncollector.NewCollector("nms_exporter"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collector.ReloadCollector{State: e.sc},
		collector.ShardCollector{Manager: e.mgr},
	)
	e.reg.MustRegister(e.bridge.Collectors()...)
	e.reg.MustRegister(collector.StateCollectors()...)
	go e.reloadLoop(ctx)
	return e, nil
}

// Manager returns the manager of the exporter's sources; stopping it
// stops them.
func (e *Exporter) Manager() *collector.Manager { return e.mgr }

// reloadLoop serves SIGHUP and POST /-/reload through one channel and one
// reload call.
func (e *Exporter) reloadLoop(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		var reply chan error
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case reply = <-e.reloadCh:
		}
		_, err := e.sc.Reload(e.apply)
		if err != nil {
			e.logger.Error("config reload failed; the running config stays", "err", err)
		} else {
			e.logger.Info("config reloaded", "file", e.sc.File())
		}
		if reply != nil {
			reply <- err
		}
	}
}

// apply starts what a new config describes: its sources, and the alert
// bridge when it has an alertmanager section.
func (e *Exporter) apply(cfg *config.Config) error {
	e.learnSecrets(cfg)
	for _, w := range cfg.Warnings {
		e.logger.Warn("config warning", "warning", w)
	}
	var p *bridge.Pusher
	if cfg.Alertmanager != nil && !reflect.DeepEqual(cfg.Alertmanager, e.pusherCfg) {
		var err error
		if p, err = bridge.NewPusher(cfg.Alertmanager, e.mgr.Sources, e.bridge, e.logger); err != nil {
			return err
		}
	}
	if err := e.mgr.Apply(cfg); err != nil {
		return err
	}
	e.bridge.Track(e.mgr.Sources())
	e.pusherMu.Lock()
	defer e.pusherMu.Unlock()
	if cfg.Alertmanager == nil || p != nil {
		if e.stopPusher != nil {
			e.stopPusher()
			e.stopPusher, e.pusher, e.pusherCfg = nil, nil, nil
		}
	}
	if p != nil {
		ctx, cancel := context.WithCancel(e.ctx)
		e.pusher, e.pusherCfg, e.stopPusher = p, cfg.Alertmanager, cancel
		go p.Run(ctx)
	}
	return nil
}

// learnSecrets adds a config's secrets to those kept out of logs, errors
// and pages. Those of earlier configs stay: a source being replaced may
// still log an error that carries one.
func (e *Exporter) learnSecrets(cfg *config.Config) {
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	for _, s := range cfg.Secrets() {
		if !slices.Contains(e.secrets, s) {
			e.secrets = append(e.secrets, s)
		}
	}
	s := redact.New(e.secrets)
	e.scrub.Store(s)
	e.logs.Set(s)
}

// notifyPusher asks the alert bridge, if any, to push now.
func (e *Exporter) notifyPusher() {
	e.pusherMu.Lock()
	defer e.pusherMu.Unlock()
	if e.pusher != nil {
		e.pusher.Notify()
	}
}
