package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// TestStopLeavesNothingBehind runs a source, stops it, and checks that its
// goroutines and connections are gone.
func TestStopLeavesNothingBehind(t *testing.T) {
	sim, srv := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 4})
	cfg, err := config.Parse([]byte(fmt.Sprintf("mist:\n  - name: org\n    base_url: %s\n    token: %s\n", srv.URL, sim.Credentials().Token)), "leak.yml")
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	m := collector.NewManager(context.Background(), collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	if err := m.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !m.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("the source did not refresh within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	m.Stop()
	var after int
	for range 100 {
		if after = runtime.NumGoroutine(); after <= before {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	t.Errorf("goroutines: %d before, %d after the stop; want no more than before\n%s", before, after, buf[:n])
}
