package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/nmsexporter/nms_exporter/internal/connlimit"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
)

// Options are what the run command's flags set.
type Options struct {
	ConfigFile string
	// StoragePath is the folder keeping each collection's last good data
	// across restarts; "" keeps nothing. Nil is nms_exporter-state beside
	// the config file.
	StoragePath *string
	// Demo starts a simulator of every vendor on loopback and exports
	// them in place of ConfigFile.
	Demo bool
	Web  *web.FlagConfig
	// ExternalURL is what /sd advertises; "" is the address each request
	// came by.
	ExternalURL    string
	MaxConnections int // connections kept open
	MaxRequests    int // heavy requests served at once; 0 = no limit
	// Shard is the replica's shard: it polls only the sources whose names
	// hash to it. The zero value polls them all.
	Shard sharding.Shard
}

// Serve runs the exporter until ctx ends, and returns the process's exit
// code.
func Serve(ctx context.Context, logger *slog.Logger, o Options) int {
	configFile := o.ConfigFile
	if o.Demo {
		dir, err := os.MkdirTemp("", "nms_exporter-demo-")
		if err != nil {
			logger.Error("demo", "err", err)
			return 1
		}
		defer os.RemoveAll(dir)
		file, closeSims, err := StartDemo(logger, dir)
		if err != nil {
			logger.Error("starting the demo simulators", "err", err)
			return 1
		}
		defer closeSims()
		configFile = file
	}
	storage := filepath.Join(filepath.Dir(configFile), "nms_exporter-state")
	if o.StoragePath != nil {
		storage = *o.StoragePath
	}

	logger.Info("starting nms_exporter", "version", version.Info(), "build_context", version.BuildContext())
	if o.Shard.Sharded() {
		logger.Info("polling one shard of the sources", "shard", o.Shard.Index, "total_shards", o.Shard.Total)
	}
	e, err := NewShardExporter(ctx, logger, configFile, storage, o.Shard)
	if err != nil {
		logger.Error("loading the config", "err", err)
		return 1
	}
	defer e.mgr.Stop()

	e.maxRequests = o.MaxRequests
	if o.ExternalURL != "" {
		u, err := url.Parse(o.ExternalURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			logger.Error("--web.external-url must be an http or https URL with a host and no user", "url", o.ExternalURL)
			return 1
		}
		e.externalURL = u
	}
	conns := connlimit.New(connlimit.Max(o.MaxConnections))
	srv := &http.Server{
		Handler: e.Handler(),
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
	go func() { errCh <- web.ListenAndServe(srv, o.Web, logger) }()
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
