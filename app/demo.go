package app

import (
	"log/slog"
	"time"

	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// StartDemo starts a simulator of every vendor (two Mist orgs, to show
// several sources of one vendor, and a source of truth that mirrors the
// others' devices with some drift), writes a config for them in dir, and
// returns its path and a function that stops the simulators.
func StartDemo(logger *slog.Logger, dir string) (string, func(), error) {
	sims, err := registry.Simulators.StartAll(simulators.Options{Size: "small", Seed: 1, Step: 30 * time.Second},
		map[string][]int64{"mist": {1, 2}})
	if err != nil {
		return "", nil, err
	}
	closeAll := func() {
		for _, s := range sims {
			_ = s.Close()
		}
	}
	for _, s := range sims {
		logger.Info("demo simulator started", "vendor", s.Vendor, "base_url", s.BaseURL)
	}
	file, err := simulators.DemoConfig(dir, sims)
	if err != nil {
		closeAll()
		return "", nil, err
	}
	return file, closeAll, nil
}
