package primeinfra

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// radioText prints radios for comparison.
func radioText(rs []model.Radio) string {
	b, _ := json.Marshal(rs)
	return string(b)
}

// simRadios is what Radios should make of the simulator's radios: those of
// the reachable APs, with their latest load.
func simRadios(sim *primesim.Server, txPower bool) []model.Radio {
	var out []model.Radio
	f := func(v float64) *float64 { return &v }
	for _, r := range sim.Radios() {
		if !r.Up {
			continue
		}
		band := map[string]string{"2.4 GHz": "2.4", "5 GHz": "5"}[r.Band]
		util := model.Utilization{}.With(model.UtilizationAll, float64(r.ChannelUtilization)/100)
		mr := model.Radio{Device: r.AP, Band: band, Channel: f(float64(r.Channel)), BandwidthHertz: f(float64(r.WidthMHz) * 1e6),
			Clients: f(float64(r.Clients)), Utilization: util.With(model.UtilizationTx, float64(r.TxUtilization)/100)}
		if txPower {
			mr.TransmitPowerDBm = f(float64(r.TxPowerDBm))
		}
		out = append(out, mr)
	}
	slices.SortFunc(out, func(a, b model.Radio) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Band, b.Band))
	})
	return out
}

// TestRadiosMatchSimulator: each radio of a reachable AP, joined with its
// latest load, under each spelling the simulator offers for what no source
// settles.
func TestRadiosMatchSimulator(t *testing.T) {
	for _, tc := range []struct {
		name    string
		o       primesim.Options
		txPower bool
	}{
		{"cpiapi's spellings", primesim.Options{}, true},
		{"plain channels, compact widths", primesim.Options{PlainChannelNumbers: true, CompactChannelWidths: true}, true},
		{"no radioBand, no txPowerOutput", primesim.Options{NoRadioBand: true, NoTxPowerOutput: true}, false},
		{"rFLoadStatsDTO", primesim.Options{LoadStatsDTOKey: "rFLoadStatsDTO"}, true},
		{"@dtoType naming another key", primesim.Options{LoadStatsDTOType: "RFLoadStatsDTO"}, true},
		{"three samples a radio", primesim.Options{LoadStatsSamples: 3}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.o
			o.Seed, o.Size, o.RateLimit = 9, "medium", -1
			sim, c := simClient(t, o, "    hold: 0s\n")
			got := vendortest.Get(t, "Radios()", c.Radios)
			want := simRadios(sim, tc.txPower)
			z := sim.Sizes()
			if len(got.Radios) != 2*(z.APs-z.UnreachableAPs) || radioText(got.Radios) != radioText(want) {
				t.Errorf("Radios() = %d radios; want the %d of the reachable APs:\ngot  %.600s\nwant %.600s",
					len(got.Radios), len(want), radioText(got.Radios), radioText(want))
			}
		})
	}
}

// TestRadiosAfterStep: a new load sample and RRM's channel changes show
// in the next refresh; a down AP's radios leave it.
func TestRadiosAfterStep(t *testing.T) {
	sim, c := simClient(t, primesim.Options{Seed: 9, RateLimit: -1}, "    hold: 0s\n")
	before := vendortest.Get(t, "Radios()", c.Radios)
	sim.Step()
	down := sim.APs()[0]
	if err := sim.SetAPReachable(down.Name, false); err != nil {
		t.Fatal(err)
	}
	got := vendortest.Get(t, "Radios()", c.Radios)
	if want := simRadios(sim, true); radioText(got.Radios) != radioText(want) || radioText(got.Radios) == radioText(before.Radios) {
		t.Errorf("Radios() after a step = %.300s; want the simulator's new state %.300s", radioText(got.Radios), radioText(want))
	}
	for _, r := range got.Radios {
		if r.Device == down.Name {
			t.Errorf("radio %+v of %s, which is down", r, down.Name)
		}
	}
}

func radioRow(ap, mac string, slot int, fields map[string]any) row {
	r := row{"apName": ap, "baseRadioMac": map[string]any{"octets": mac}, "slotId": slot, "adminStatus": "ENABLE", "operStatus": "UP"}
	for k, v := range fields {
		r[k] = v
	}
	return r
}

func loadRow(mac string, slot int, at any, ch, tx any, clients any) row {
	r := row{"macAddress": map[string]any{"octets": mac}, "slotId": slot, "collectionTime": at,
		"channelUtilization": ch, "txUtilization": tx}
	if clients != nil {
		r["clientCount"] = clients
	}
	return r
}

// TestRadiosDecoding: what a server may send beyond the simulator's
// shapes: a disabled radio, two radios of an AP on one band, fields
// missing, channels as numbers or UNKNOWN, widths above or below, an
// older load sample beside the newest, times as strings, a percentage
// out of range, a bare entity.
func TestRadiosDecoding(t *testing.T) {
	const m1, m2, m3 = "001122334401", "001122334402", "001122334403"
	details := []row{
		radioRow("ap-1", m1, 0, map[string]any{"channelNumber": "_6", "channelWidth": "20 MHz", "radioBand": "2.4 GHz",
			"radioType": "802.11b/g/n", "clientCount": 4, "txPowerOutput": 14}),
		radioRow("ap-1", m1, 1, map[string]any{"channelNumber": 36, "channelWidth": "Above 40 MHz", "radioType": "802.11a/n/ac"}),
		// A flexible radio set to 5 GHz beside the 5 GHz slot: the lower
		// slot shows.
		radioRow("ap-2", m2, 1, map[string]any{"channelNumber": "_100", "channelWidth": "80MHz", "radioBand": "5 GHz", "clientCount": 1}),
		radioRow("ap-2", m2, 0, map[string]any{"channelNumber": "_149", "channelWidth": "NOTAPPLICABLE", "radioType": "XOR (5GHz)", "clientCount": 2}),
		radioRow("ap-3", m3, 0, map[string]any{"channelNumber": "UNKNOWN", "radioBand": "2.4 GHz", "adminStatus": "DISABLE"}),
		radioRow("ap-3", m3, 1, map[string]any{"channelNumber": "_44", "radioBand": "Unknown", "radioType": "XOR (Monitor Mode)"}),
		radioRow("ap-4", "001122334404", 1, map[string]any{"channelNumber": "_52", "radioBand": "5 GHz", "operStatus": "DOWN"}),
		radioRow("", "001122334405", 1, map[string]any{"channelNumber": "_52", "radioBand": "5 GHz"}),
	}
	loads := []row{
		loadRow(m1, 0, 1700000000000, 40, 10, 4),
		loadRow(m1, 1, "1700000000000", 150, 5, 7),
		loadRow(m1, 1, "2023-11-14T22:12:20.000Z", 30, 6, 7), // a minute older than the row above
		loadRow(m2, 0, 1700000000000, 55, 20, nil),
		loadRow(m3, 1, 1700000000000, 1, 1, 0),
	}
	f := func(v float64) *float64 { return &v }
	want := []model.Radio{
		{Device: "ap-1", Band: "2.4", Channel: f(6), BandwidthHertz: f(20e6), TransmitPowerDBm: f(14), Clients: f(4),
			Utilization: model.Utilization{}.With(model.UtilizationAll, 0.4).With(model.UtilizationTx, 0.1)},
		{Device: "ap-1", Band: "5", Channel: f(36), BandwidthHertz: f(40e6), Clients: f(7), Utilization: model.Utilization{}.With(model.UtilizationTx, 0.05)},
		{Device: "ap-2", Band: "5", Channel: f(149), Clients: f(2), Utilization: model.Utilization{}.With(model.UtilizationAll, 0.55).With(model.UtilizationTx, 0.2)},
	}
	for _, tc := range []struct {
		name string
		f    *fixedServer
	}{
		{"pages of 2", &fixedServer{clamp: 2}},
		{"strings, no count", &fixedServer{strings: true, noCount: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.rows = map[string][]row{"RadioDetails": details, "RFLoadStats": loads}
			c := newClient(t, primeConfig(t, vendortest.ServeHandler(t, tc.f), fixedCreds, "    hold: 0s\n"))
			got := vendortest.Get(t, "Radios()", c.Radios)
			if radioText(got.Radios) != radioText(want) {
				t.Errorf("Radios() =\n%s\nwant\n%s", radioText(got.Radios), radioText(want))
			}
		})
	}
	t.Run("a bare entity", func(t *testing.T) {
		f := &fixedServer{strings: true, rows: map[string][]row{"RadioDetails": details[:1], "RFLoadStats": loads[:1]}}
		c := newClient(t, primeConfig(t, vendortest.ServeHandler(t, f), fixedCreds, "    hold: 0s\n"))
		if got := vendortest.Get(t, "Radios()", c.Radios); radioText(got.Radios) != radioText(want[:1]) {
			t.Errorf("Radios() = %s; want %s", radioText(got.Radios), radioText(want[:1]))
		}
	})
	t.Run("a time that is no time", func(t *testing.T) {
		f := &fixedServer{rows: map[string][]row{"RadioDetails": details, "RFLoadStats": {loadRow(m1, 0, "yesterday", 1, 1, 1)}}}
		c := newClient(t, primeConfig(t, vendortest.ServeHandler(t, f), fixedCreds, "    hold: 0s\n    budget:\n      max_retries: 0\n"))
		if _, err := c.Radios(t.Context()); err == nil {
			t.Errorf("Radios() with collectionTime \"yesterday\" = nil error; want a decoding error")
		} else if want := `"yesterday" is neither epoch milliseconds nor a date`; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "RFLoadStats") {
			t.Errorf("Radios() = %v; want an error naming RFLoadStats and %s", err, want)
		}
	})
}

func TestRadioSpellings(t *testing.T) {
	for _, tc := range []struct{ band, radioType, want string }{
		{"2.4 GHz", "", "2.4"}, {"5 GHz", "XOR (2.4GHz)", "5"}, {"", "XOR (2.4GHz)", "2.4"}, {"Unknown", "XOR (5GHz)", "5"},
		{"", "802.11b/g/n", "2.4"}, {"", "802.11a/n/ac/ax", "5"}, {"6 GHz", "", "6"}, {"", "XOR (Monitor Mode)", ""},
		{"", "BLE", ""}, {"", "", ""},
	} {
		if got := radioBand(tc.band, tc.radioType); got != tc.want {
			t.Errorf("radioBand(%q, %q) = %q; want %q", tc.band, tc.radioType, got, tc.want)
		}
	}
	for in, want := range map[string]float64{"_36": 36, "36": 36, "_1": 1, "UNKNOWN": 0, "": 0, "_": 0, "-3": 0} {
		if got := channelOf(in); (got == nil) != (want == 0) || (got != nil && *got != want) {
			t.Errorf("channelOf(%q) = %v; want %v", in, got, want)
		}
	}
	for in, want := range map[string]float64{"20 MHz": 20e6, "40MHz": 40e6, "Below 40 MHz": 40e6, "Above 40MHz": 40e6, "5 Mhz": 5e6,
		"160 MHz": 160e6, "80": 80e6, "NOTAPPLICABLE": 0, "": 0, "wide": 0} {
		if got := widthOf(in); (got == nil) != (want == 0) || (got != nil && *got != want) {
			t.Errorf("widthOf(%q) = %v; want %v", in, got, want)
		}
	}
}
