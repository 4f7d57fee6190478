// Command nms_exporter exports the data of network management systems
// (Juniper Mist and more) to Prometheus. It polls each vendor's API in the
// background within its rate-limit budget and serves scrapes from a cache.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/nmsexporter/nms_exporter/app"
	"github.com/nmsexporter/nms_exporter/internal/redact"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

const defaultAddress = ":9877"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) (status int) {
	cli := kingpin.New("nms_exporter", "Prometheus exporter for network management systems: Juniper Mist and more.")
	cli.Version(version.Print("nms_exporter"))
	cli.HelpFlag.Short('h')
	cli.UsageWriter(stdout)
	cli.ErrorWriter(stderr)
	// --help and --version end the program through Terminate; it unwinds
	// to run's caller with the code instead, so run stays testable.
	cli.Terminate(func(code int) { panic(exitCode(code)) })
	defer func() {
		r := recover()
		if c, ok := r.(exitCode); ok {
			status = int(c)
		} else if r != nil {
			panic(r)
		}
	}()
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(cli, logConfig)

	// The exporter's own flags are the application's, not the run
	// command's, so that --help shows them.
	cli.Command("run", "Run the exporter (the default).").Default()
	configFile := cli.Flag("config.file", "Configuration file.").Default("nms_exporter.yml").String()
	storage := cli.Flag("storage.path", "Folder keeping each collection's last good data across restarts (default: nms_exporter-state beside the config file; empty keeps nothing).").PlaceHolder("DIR").String()
	demo := cli.Flag("demo", "Start the vendor simulators on loopback and export them: no vendor account needed.").Bool()
	webConfig := kingpinflag.AddFlags(cli, defaultAddress)
	externalURL := cli.Flag("web.external-url", "The URL Prometheus reaches the exporter by (behind a proxy or load balancer), for the targets /sd lists; default: the address each request came by.").PlaceHolder("URL").String()
	maxConns := cli.Flag("web.max-connections", "Most connections kept open; past it the longest idle are closed (lowered to fit the open-files limit).").Default("512").Int()
	maxRequests := cli.Flag("web.max-requests", "Most /probe, /status and /metrics requests served at once; past it they get 503 (0 = no limit).").Default("40").Int()
	shardIndex := cli.Flag("shard", "This replica's shard, from 0: it polls, serves and lists only the configured sources whose names hash to it.").Default("0").Int()
	totalShards := cli.Flag("total-shards", "How many replicas share the sources, each polling one shard of them; 1 polls every source.").Default("1").Int()
	shardFromHost := cli.Flag("shard.from-hostname", "Take --shard from the number that ends the hostname, as a StatefulSet's pod nms-exporter-2 is shard 2.").Bool()

	check := cli.Command("check-config", "Validate a configuration file and exit: 0 if valid, 1 with each problem's file and line if not.")
	checkFile := check.Arg("file", "Configuration file.").Default("nms_exporter.yml").String()

	sim := cli.Command("simulate", "Serve one vendor's simulator and print its base URL and credentials as one JSON line.")
	simVendor := sim.Flag("vendor", "Vendor to simulate.").Required().Enum(registry.Simulators.Vendors()...)
	simListen := sim.Flag("listen", "Address to serve on.").Default("127.0.0.1:0").String()
	simSize := sim.Flag("size", "Data size: small, medium or large.").Default("small").Enum("small", "medium", "large")
	simSeed := sim.Flag("seed", "Seed of the generated data.").Default("1").Int64()
	simStep := sim.Flag("step", "How often the simulated world changes (0 = never).").Default("30s").Duration()
	simRetryAfter := sim.Flag("retry-after", "Send Retry-After with 429s.").Bool()
	simLatency := sim.Flag("latency", "Latency added before every answer.").Default("0s").Duration()
	simPageCap := sim.Flag("page-cap", "Largest page a client may ask for (0 = the vendor's own): Mist's limit, Prime's .maxResults (served clamped), CX Cloud's page size, Nautobot's MAX_PAGE_SIZE.").Default("0").Int()
	simFaults := sim.Flag("fault", "A fault on from the start, as NAME or NAME=VALUE (repeatable), e.g. throttle, error_rate=0.2; GET the printed faults_url for every name, POST to it to switch one while running.").PlaceHolder("NAME[=VALUE]").Strings()

	cmd, err := cli.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "nms_exporter: %v (try --help)\n", err)
		return 2
	}
	logConfig.Writer = stderr
	logger := slog.New(redact.NewHandler(promslog.New(logConfig).Handler()))

	if cmd == check.FullCommand() {
		return app.CheckConfig(stdout, stderr, *checkFile)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cmd == sim.FullCommand() {
		faults := map[string]string{}
		if *simLatency > 0 {
			faults["latency"] = simLatency.String()
		}
		for _, f := range *simFaults {
			name, value, _ := strings.Cut(f, "=")
			faults[strings.TrimSpace(name)] = value
		}
		return app.Simulate(ctx, logger, stdout, *simVendor, simulators.Options{
			Listen: *simListen, Size: *simSize, Seed: *simSeed, Step: *simStep, RetryAfter: *simRetryAfter,
			PageCap: *simPageCap, Faults: faults,
		})
	}
	shard, err := shardOf(*shardIndex, *totalShards, *shardFromHost, flagSet(args, "shard"), os.Hostname)
	if err != nil {
		fmt.Fprintf(stderr, "nms_exporter: %v\n", err)
		return 2
	}
	opts := app.Options{
		ConfigFile: *configFile, Demo: *demo, Web: webConfig, ExternalURL: *externalURL,
		MaxConnections: *maxConns, MaxRequests: *maxRequests, Shard: shard,
	}
	if *storage != "" || flagSet(args, "storage.path") {
		opts.StoragePath = storage
	}
	return app.Serve(ctx, logger, opts)
}

// shardOf is the shard the flags give: --shard, or with fromHost the
// ordinal that ends the hostname.
func shardOf(index, total int, fromHost, indexSet bool, hostname func() (string, error)) (sharding.Shard, error) {
	if fromHost {
		if indexSet {
			return sharding.Shard{}, errors.New("--shard and --shard.from-hostname both given: choose one")
		}
		host, err := hostname()
		if err == nil {
			index, err = sharding.FromHostname(host)
		}
		if err != nil {
			return sharding.Shard{}, fmt.Errorf("--shard.from-hostname: %w", err)
		}
		if total >= 1 && index >= total {
			return sharding.Shard{}, fmt.Errorf("--shard.from-hostname: hostname %q is shard %d, not below --total-shards=%d: set --total-shards to the StatefulSet's replicas", host, index, total)
		}
	}
	s := sharding.Shard{Index: index, Total: total}
	return s, s.Validate()
}

// exitCode is the status --help or --version ends the program with.
type exitCode int

// flagSet reports whether a flag was given, even as empty.
func flagSet(args []string, name string) bool {
	for _, a := range args {
		if a == "--"+name || strings.HasPrefix(a, "--"+name+"=") {
			return true
		}
	}
	return false
}
