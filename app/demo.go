package app

import (
	"log/slog"
	"time"

	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// StartDemo starts a simulator of every vendor (two Mist orgs, to show
// several sources of one vendor, and a Nautobot that mirrors the others'
// devices with some drift), writes a config for them in dir, and returns
// its path and a function that stops the simulators.
func StartDemo(logger *slog.Logger, dir string) (string, func(), error) {
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
		s, err := registry.Simulators.Start(o.vendor, opts)
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
