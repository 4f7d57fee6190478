// Command nms_exporter exports the data of network management systems
// (Juniper Mist and more) to Prometheus. It polls each vendor's API in the
// background within its rate-limit budget and serves scrapes from a cache.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/bridge"
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/connlimit"
	"github.com/nmsexporter/nms_exporter/internal/redact"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

const defaultAddress = ":9877"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	app := kingpin.New("nms_exporter", "Prometheus exporter for network management systems: Juniper Mist and more.")
	app.Version(version.Print("nms_exporter"))
	app.HelpFlag.Short('h')
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(app, logConfig)

	serve := app.Command("run", "Run the exporter (the default).").Default()
	configFile := serve.Flag("config.file", "Configuration file.").Default("nms_exporter.yml").String()
	storage := serve.Flag("storage.path", "Folder keeping each collection's last good data across restarts (default: nms_exporter-state beside the config file; empty keeps nothing).").PlaceHolder("DIR").String()
	demo := serve.Flag("demo", "Start the vendor simulators on loopback and export them: no vendor account needed.").Bool()
	webConfig := kingpinflag.AddFlags(serve, defaultAddress)
	externalURL := serve.Flag("web.external-url", "The URL Prometheus reaches the exporter by (behind a proxy or load balancer), for the targets /sd lists; default: the address each request came by.").PlaceHolder("URL").String()
	maxConns := serve.Flag("web.max-connections", "Most connections kept open; past it the longest idle are closed (lowered to fit the open-files limit).").Default("512").Int()
	maxRequests := serve.Flag("web.max-requests", "Most /probe, /status and /metrics requests served at once; past it they get 503 (0 = no limit).").Default("40").Int()

	check := app.Command("check-config", "Validate a configuration file and exit: 0 if valid, 1 with each problem's file and line if not.")
	checkFile := check.Arg("file", "Configuration file.").Default("nms_exporter.yml").String()

	sim := app.Command("simulate", "Serve one vendor's simulator and print its base URL and credentials as one JSON line.")
	simVendor := sim.Flag("vendor", "Vendor to simulate.").Required().Enum(simulators.Vendors()...)
	simListen := sim.Flag("listen", "Address to serve on.").Default("127.0.0.1:0").String()
	simSize := sim.Flag("size", "Data size: small, medium or large.").Default("small").Enum("small", "medium", "large")
	simSeed := sim.Flag("seed", "Seed of the generated data.").Default("1").Int64()
	simStep := sim.Flag("step", "How often the simulated world changes (0 = never).").Default("30s").Duration()
	simRetryAfter := sim.Flag("retry-after", "Send Retry-After with 429s.").Bool()
	simLatency := sim.Flag("latency", "Latency added before every answer.").Default("0s").Duration()
	simPageCap := sim.Flag("page-cap", "Largest page a client may ask for (0 = the vendor's own): Mist's limit, Prime's .maxResults (served clamped), CX Cloud's page size, Nautobot's MAX_PAGE_SIZE.").Default("0").Int()
	simFaults := sim.Flag("fault", "A fault on from the start, as NAME or NAME=VALUE (repeatable), e.g. throttle, error_rate=0.2; GET the printed faults_url for every name, POST to it to switch one while running.").PlaceHolder("NAME[=VALUE]").Strings()

	cmd, err := app.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "nms_exporter: %v (try --help)\n", err)
		return 2
	}
	logConfig.Writer = stderr
	logger := slog.New(redact.NewHandler(promslog.New(logConfig).Handler()))

	switch cmd {
	case check.FullCommand():
		cfg, err := config.Load(*checkFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, w := range cfg.Warnings {
			fmt.Fprintln(stderr, "warning: "+w)
		}
		fmt.Fprintf(stdout, "%s: valid\n", *checkFile)
		return 0
	case sim.FullCommand():
		faults := map[string]string{}
		if *simLatency > 0 {
			faults["latency"] = simLatency.String()
		}
		for _, f := range *simFaults {
			name, value, _ := strings.Cut(f, "=")
			faults[strings.TrimSpace(name)] = value
		}
		return simulate(logger, stdout, *simVendor, simulators.Options{
			Listen: *simListen, Size: *simSize, Seed: *simSeed, Step: *simStep, RetryAfter: *simRetryAfter,
			PageCap: *simPageCap, Faults: faults,
		})
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *demo {
		dir, err := os.MkdirTemp("", "nms_exporter-demo-")
		if err != nil {
			logger.Error("demo", "err", err)
			return 1
		}
		defer os.RemoveAll(dir)
		file, closeSims, err := startDemo(logger, dir)
		if err != nil {
			logger.Error("starting the demo simulators", "err", err)
			return 1
		}
		defer closeSims()
		*configFile = file
	}
	if *storage == "" && !flagSet(args, "storage.path") {
		*storage = filepath.Join(filepath.Dir(*configFile), "nms_exporter-state")
	}
	return serveExporter(ctx, logger, *configFile, *storage, webConfig, serverLimits{conns: *maxConns, requests: *maxRequests, externalURL: *externalURL})
}

// flagSet reports whether a flag was given, even as empty.
func flagSet(args []string, name string) bool {
	for _, a := range args {
		if a == "--"+name || strings.HasPrefix(a, "--"+name+"=") {
			return true
		}
	}
	return false
}

// startDemo starts a simulator of every vendor (two Mist orgs, to show
// several sources of one vendor, and a Nautobot that mirrors the others'
// devices with some drift) and writes a config for them.
func startDemo(logger *slog.Logger, dir string) (string, func(), error) {
	var sims []*simulators.Simulator
	closeAll := func() {
		for _, s := range sims {
			_ = s.Close()
		}
	}
	for _, o := range []struct {
		vendor string
		seed   int64
	}{{"mist", 1}, {"mist", 2}, {"prime", 1}, {"cxcloud", 1}, {"nautobot", 1}} {
		opts := simulators.Options{Size: "small", Seed: o.seed, Step: 30 * time.Second}
		if o.vendor == "nautobot" {
			opts.Mirror = sims
		}
		s, err := simulators.Start(o.vendor, opts)
		if err != nil {
			closeAll()
			return "", nil, err
		}
		logger.Info("demo simulator started", "vendor", s.Vendor, "base_url", s.BaseURL)
		sims = append(sims, s)
	}
	file, err := simulators.DemoConfig(dir, sims)
	if err != nil {
		closeAll()
		return "", nil, err
	}
	return file, closeAll, nil
}

func simulate(logger *slog.Logger, stdout io.Writer, vendor string, o simulators.Options) int {
	s, err := simulators.Start(vendor, o)
	if err != nil {
		logger.Error("starting the simulator", "err", err)
		return 1
	}
	defer s.Close()
	// Listen for the stop before the line is out: whoever reads it may stop us at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	line, _ := json.Marshal(s)
	fmt.Fprintln(stdout, string(line))
	<-ctx.Done()
	return 0
}

// serverLimits bound what clients may hold of the exporter.
type serverLimits struct {
	conns       int    // connections open
	requests    int    // heavy requests at once
	externalURL string // what /sd advertises; "" is each request's Host
}

func serveExporter(ctx context.Context, logger *slog.Logger, configFile, storage string, webConfig *web.FlagConfig, limits serverLimits) int {
	logger.Info("starting nms_exporter", "version", version.Info(), "build_context", version.BuildContext())
	e, err := newExporter(ctx, logger, configFile, storage)
	if err != nil {
		logger.Error("loading the config", "err", err)
		return 1
	}
	defer e.mgr.Stop()

	e.maxRequests = limits.requests
	if limits.externalURL != "" {
		u, err := url.Parse(limits.externalURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			logger.Error("--web.external-url must be an http or https URL with a host and no user", "url", limits.externalURL)
			return 1
		}
		e.externalURL = u
	}
	conns := connlimit.New(connlimit.Max(limits.conns))
	srv := &http.Server{
		Handler: e.handler(),
		// A client that sends its request slowly, or keeps a connection
		// idle, holds a file descriptor: none may hold one for long.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ConnState:         conns.ConnState,
	}
	errCh := make(chan error, 1)
	go func() { errCh <- web.ListenAndServe(srv, webConfig, logger) }()
	select {
	case err := <-errCh:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serving HTTP", "err", err)
			return 1
		}
	case <-ctx.Done():
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return 0
}

// exporter is the running exporter: config, sources, reload loop and its
// own metrics.
type exporter struct {
	logger   *slog.Logger
	sc       *config.SafeConfig
	mgr      *collector.Manager
	reg      *prometheus.Registry
	reloadCh chan chan error
	bridge   *collector.BridgeMetrics

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

// newExporter loads the config, starts its sources and the reload loop; all
// stop when ctx ends.
func newExporter(ctx context.Context, logger *slog.Logger, configFile, storage string) (*exporter, error) {
	logs, ok := logger.Handler().(*redact.Handler)
	if !ok {
		logs = redact.NewHandler(logger.Handler())
		logger = slog.New(logs)
	}
	e := &exporter{
		logger:   logger,
		logs:     logs,
		sc:       config.NewSafeConfig(configFile),
		reg:      prometheus.NewRegistry(),
		reloadCh: make(chan chan error),
		bridge:   collector.NewBridgeMetrics(),
		ctx:      ctx,
	}
	e.scrub.Store(&redact.Scrubber{})
	e.mgr = collector.NewManager(ctx, collector.Options{
		Logger: logger, UserAgent: "nms_exporter/" + version.Version, StateDir: storage,
		Scrub: func(err error) error { return e.scrub.Load().Error(err) },
	})
	if _, err := e.sc.Reload(e.apply); err != nil {
		return nil, err
	}
	e.reg.MustRegister(
		versioncollector.NewCollector("nms_exporter"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collector.ReloadCollector{State: e.sc},
	)
	e.reg.MustRegister(e.bridge.Collectors()...)
	e.reg.MustRegister(collector.StateCollectors()...)
	go e.reloadLoop(ctx)
	return e, nil
}

// reloadLoop serves SIGHUP and POST /-/reload through one channel and one
// reload call.
func (e *exporter) reloadLoop(ctx context.Context) {
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
func (e *exporter) apply(cfg *config.Config) error {
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
func (e *exporter) learnSecrets(cfg *config.Config) {
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
func (e *exporter) notifyPusher() {
	e.pusherMu.Lock()
	defer e.pusherMu.Unlock()
	if e.pusher != nil {
		e.pusher.Notify()
	}
}

func (e *exporter) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", connlimit.InFlight(e.maxRequests, promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{Registry: e.reg})))
	mux.Handle("/probe", connlimit.InFlight(e.maxRequests, collector.ProbeHandler(e.mgr, e.logger)))
	mux.Handle("/sd", collector.SDHandler(e.mgr, e.externalURL))
	mux.Handle("/-/ready", collector.ReadyHandler(e.mgr))
	mux.Handle("/status", connlimit.InFlight(e.maxRequests, collector.StatusHandler(e.mgr, e.logger)))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "healthy") })
	mux.HandleFunc("/-/reload", e.serveReload)
	mux.Handle("/webhooks/mist", bridge.WebhookHandler("mist", e.mgr.Sources, e.bridge, e.notifyPusher, e.logger))
	mux.HandleFunc("/config", func(w http.ResponseWriter, _ *http.Request) {
		// Secrets marshal as <secret>.
		b, err := yaml.Marshal(e.sc.Get())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// A proxy or base URL may carry a user and password.
		_, _ = io.WriteString(w, e.scrub.Load().String(string(b)))
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = landing.Execute(w, e.mgr.Sources())
	})
	return mux
}

func (e *exporter) serveReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "reload takes POST", http.StatusMethodNotAllowed)
		return
	}
	reply := make(chan error, 1)
	select {
	case e.reloadCh <- reply:
	case <-r.Context().Done():
		return
	}
	if err := <-reply; err != nil {
		http.Error(w, "reload failed; the running config stays:\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "reloaded")
}

var landing = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nms_exporter</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em 1em;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body>
<h1>nms_exporter</h1>
<p>Exports network management systems' data to Prometheus. Each source's data is refreshed in the background and served from a cache.</p>
<h2>Sources</h2>
<table><tr><th>source</th><th>vendor</th><th>collections</th><th>metrics</th><th>status</th></tr>
{{range .}}<tr><td>{{.Name}}</td><td>{{.Vendor}}</td><td>{{range .Status}}{{.Collection}}{{if .Success}} ✓{{else if .Attempts}} ✗{{else}} …{{end}} {{end}}</td><td><a href="/probe?target={{.Name}}">/probe?target={{.Name}}</a></td><td><a href="/status#{{.Name}}">status</a></td></tr>
{{else}}<tr><td colspan="4">No sources configured.</td></tr>{{end}}
</table>
<h2>Endpoints</h2>
<ul>
<li><a href="/status">/status</a>: every source's collections, errors, intervals and budget</li>
<li><a href="/metrics">/metrics</a>: the exporter's own metrics</li>
<li><a href="/sd">/sd</a>: Prometheus HTTP service discovery, one target per source</li>
<li><a href="/config">/config</a>: the loaded configuration, secrets hidden</li>
<li><a href="/-/ready">/-/ready</a>, <a href="/-/healthy">/-/healthy</a></li>
</ul>
</body></html>
`))
