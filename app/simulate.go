package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// Simulate serves one vendor's simulator until ctx ends, after printing
// its base URL and credentials to stdout as one JSON line, and returns the
// process's exit code.
func Simulate(ctx context.Context, logger *slog.Logger, stdout io.Writer, vendor string, o simulators.Options) int {
	s, err := registry.Simulators.Start(vendor, o)
	if err != nil {
		logger.Error("starting the simulator", "err", err)
		return 1
	}
	defer s.Close()
	line, _ := json.Marshal(s)
	fmt.Fprintln(stdout, string(line))
	<-ctx.Done()
	return 0
}
