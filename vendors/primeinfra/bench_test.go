package primeinfra

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// BenchmarkRefreshLarge refreshes every collection of the large simulated
// server (5,000 APs and their 10,000 radios, 60,000 clients, 20,000 alarms,
// 4,800 active rogue alarms, 20 controllers, 500 devices' inventories) once per iteration at
// the default concurrency of 5 and hold of 1.2 s, against the simulator's
// default per-user limits. It reports the calls against the page-count
// minimum and the peak requests in flight; the simulator runs in the same
// process, so the RSS figures include its data.
func BenchmarkRefreshLarge(b *testing.B) {
	sim, base := vendortest.Serve(b, primesim.New, primesim.Options{Seed: 1, Size: "large"})
	simMiB := vendortest.SimMiB()
	n := sim.Sizes()
	cfg := primeConfig(b, base, sim.Credentials(), "")
	// Clients: the pages of the SSID, ACCESSPOINT and DEVICE rows;
	// controllers: those of WlanControllers and WlanControllerDetails;
	// inventory: InventoryDetails in its own small pages; radios: those of
	// RadioDetails and RFLoadStats.
	minimum := ceilDiv(n.APs, 1000) + ceilDiv(n.Devices, 1000) + ceilDiv(n.ActiveAlarms, 1000) + 2*ceilDiv(n.Controllers, 1000) +
		ceilDiv(n.Devices, cfg.InventoryPageSize) +
		ceilDiv(n.ActiveRogueAlarms, 1000) + ceilDiv(n.Radios, 1000) + ceilDiv(n.LoadStatsRows, 1000)
	for _, typ := range countTypes {
		minimum += ceilDiv(countRows(b, newClient(b, cfg), typ), 1000)
	}
	// The rate window of the calls that counted the rows passes first.
	time.Sleep(2 * time.Second)
	vendortest.Refresh(b, sim, simMiB, minimum, func(ctx context.Context) error {
		// The next iteration's client is new, and does not know the calls
		// of this one: the simulator's rate window passes first.
		defer func() {
			b.StopTimer()
			time.Sleep(2 * time.Second)
			b.StartTimer()
		}()
		c := newClient(b, cfg)
		alarms := vendortest.Count(c.Alarms, "active alarms", n.ActiveAlarms, func(a *Alarms) int { return len(a.Alarms) })
		return vendortest.Steps(ctx, vendortest.Step(c.AccessPoints), vendortest.Step(c.Devices),
			vendortest.Step(c.Clients), alarms, vendortest.Step(c.Controllers), vendortest.Step(c.Inventory),
			vendortest.Step(c.Rogues), vendortest.Step(c.Radios))
	})
	if sim.MaxInFlight() > cfg.Budget.Concurrency {
		b.Errorf("peak requests in flight = %d; the configured concurrency is %d", sim.MaxInFlight(), cfg.Budget.Concurrency)
	}
	b.ReportMetric(float64(sim.MaxInFlight()), "peak-in-flight")
}

// countTypes are the ClientCounts types the clients collection reads.
var countTypes = []string{"SSID", "ACCESSPOINT", "DEVICE"}

// countRows counts the ClientCounts rows of a type, asking the simulator
// directly.
func countRows(b testing.TB, c *Client, typ string) int {
	env, err := page[clientCountEntity](context.Background(), c, "ClientCounts", c.query(url.Values{"type": {strconv.Quote(typ)}}, 0, 1))
	if err != nil {
		b.Fatalf("%s rows: %v", typ, err)
	}
	return env.QueryResponse.Count.int(0)
}
