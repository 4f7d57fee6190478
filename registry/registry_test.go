package registry

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// TestVendorsMatchConfig: the vendors sources are built for are the
// vendors the config file has sections for, in the same order.
func TestVendorsMatchConfig(t *testing.T) {
	if names := vendorNames(); !slices.Equal(names, config.Vendors()) {
		t.Errorf("vendors %v; config sections %v", names, config.Vendors())
	}
}

// TestVendorsHaveSimulators: each vendor's simulator is its own, so the
// tests that put each vendor through its simulator reach them all.
func TestVendorsHaveSimulators(t *testing.T) {
	for _, e := range entries {
		if e.source.Name != e.simulator.Vendor {
			t.Errorf("vendor %s is paired with the %s simulator", e.source.Name, e.simulator.Vendor)
		}
	}
	if names := vendorNames(); !slices.Equal(names, Simulators.Vendors()) {
		t.Errorf("vendors %v; simulators %v", names, Simulators.Vendors())
	}
}

func vendorNames() []string {
	var names []string
	for _, v := range Vendors {
		names = append(names, v.Name)
	}
	return names
}

// TestVendorsCapHolds: every vendor caps a hold at the longest window its
// limits count over, at most a day.
func TestVendorsCapHolds(t *testing.T) {
	for _, v := range Vendors {
		if v.MaxHold <= 0 || v.MaxHold > 24*time.Hour {
			t.Errorf("vendor %s MaxHold = %s; want within (0, 24h]", v.Name, v.MaxHold)
		}
	}
}

// TestVendorsRefreshFromTheDemoConfig: for every vendor, the config the
// demo writes for its simulator is valid without a warning, and the source
// built from it through the vendor list refreshes every collection and
// renders data.
func TestVendorsRefreshFromTheDemoConfig(t *testing.T) {
	for _, v := range Vendors {
		t.Run(v.Name, func(t *testing.T) {
			sim, err := Simulators.Start(v.Name, simulators.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })
			file, err := simulators.DemoConfig(t.TempDir(), []*simulators.Simulator{sim})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(file)
			if err != nil {
				t.Fatalf("the demo config: %v", err)
			}
			if len(cfg.Warnings) > 0 {
				t.Errorf("the demo config warns: %v", cfg.Warnings)
			}
			sources := cfg.Sources()
			if len(sources) != 1 || sources[0].VendorName() != v.Name {
				t.Fatalf("the demo config has %d sources; want one of vendor %s", len(sources), v.Name)
			}
			src, err := collector.NewSource(sources[0], collector.Options{Vendors: Vendors})
			if err != nil {
				t.Fatal(err)
			}
			if src.Close != nil {
				t.Cleanup(src.Close)
			}
			if len(src.Collections) == 0 {
				t.Fatalf("source %s has no collections", src.Name)
			}
			for _, c := range src.Collections {
				if err := src.Refresh(context.Background(), c.Name); err != nil {
					t.Errorf("refreshing %s: %v", c.Name, err)
				}
			}
			for _, st := range src.Status() {
				if !st.Success {
					t.Errorf("%s did not succeed: %s", st.Collection, st.Err)
				}
			}
			if n := dataSeries(t, src); n == 0 {
				t.Errorf("source %s renders no data series", src.Name)
			}
		})
	}
}

// dataSeries counts the series of a source's data families, as a scrape
// serves them once they show its latest refresh.
func dataSeries(t *testing.T, src *collector.Source) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !src.Settled(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("source %s's data was not rendered within 10s", src.Name)
		}
	}
	f, ct := exposition.Negotiate(nil)
	_, data, err := src.Scrape(f, ct)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := data.InflateTo(&text); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(&text)
	if err != nil {
		t.Fatalf("parsing the data families: %v", err)
	}
	n := 0
	for _, mf := range mfs {
		n += len(mf.GetMetric())
	}
	return n
}
