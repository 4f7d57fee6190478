package cxsource_test

import (
	"context"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
)

// TestUptimeFromTheLastReset: where the inventory's device records carry
// no lastResetTimestamp, a device's uptime comes from the resets
// collection's last reset, as of the inventory's reading, under each plan;
// without the resets there is none.
func TestUptimeFromTheLastReset(t *testing.T) {
	for _, plan := range []string{"lists", "bulk"} {
		t.Run(plan, func(t *testing.T) {
			clock := testtool.NewClock(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
			env := newCXEnvWith(t, cxsim.Options{Size: "small", InventoryWithoutResets: true}, clock, 150*time.Millisecond,
				"    plan: "+plan+"\n")
			src := env.source(t, "")
			ctx := context.Background()
			before := clock.Now().Unix()
			if err := src.Refresh(ctx, "inventory"); err != nil {
				t.Fatal(err)
			}
			after := clock.Now().Unix()
			if n := len(gaugeValues(t, src, "nms_device_uptime_seconds")); n != 0 {
				t.Fatalf("without the resets, %d devices have an uptime; want none, for the inventory gives no last reset", n)
			}
			if err := src.Refresh(ctx, "resets"); err != nil {
				t.Fatal(err)
			}
			uptime := gaugeValues(t, src, "nms_device_uptime_seconds")
			resets := gaugeValues(t, src, "nms_cxcloud_device_last_reset_timestamp_seconds")
			if len(uptime) == 0 {
				t.Fatal("no nms_device_uptime_seconds with the resets collection read; want the uptimes from the last resets")
			}
			var asOf float64
			for device, up := range uptime {
				last, ok := resets[device]
				if !ok {
					t.Errorf("device %s has an uptime but no last reset", device)
					continue
				}
				at := up + last
				if asOf == 0 {
					asOf = at
				}
				if at != asOf || at < float64(before) || at > float64(after) {
					t.Errorf("device %s: uptime %v + last reset %v = %v; want the same time for every device, within the inventory's refresh [%d, %d]",
						device, up, last, at, before, after)
				}
			}
		})
	}
}

// gaugeValues maps each series of a family, by its device label, to its
// value.
func gaugeValues(t *testing.T, src *collector.Source, family string) map[string]float64 {
	t.Helper()
	mfs, err := collectortest.Scraped(t, src).Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != family {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "device" {
					out[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return out
}
