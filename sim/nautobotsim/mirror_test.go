package nautobotsim

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestMirror(t *testing.T) {
	sites := []string{"AMS-HQ", "NYC-Branch-001", "SIN-Branch-002", "Lab West", "LON-HQ"}
	seedList := seeds(400, sites...)
	seedList[7].Vendor = "Cisco"
	seedList[7].Type = "controller"
	seedList[8].Vendor = "Ubiquiti"
	h := newHarness(t, Options{Seed: 11, Mirror: seedList})
	d := h.S.Drift()

	near := func(got int, share float64) bool {
		return math.Abs(float64(got)-share*400) <= 1 && got > 0
	}
	if !near(len(d.Missing), 0.03) || !near(len(d.Renamed), 0.02) || !near(len(d.Moved), 0.02) || !near(len(d.Extra), 0.03) {
		t.Fatalf("Drift() sizes missing %d, renamed %d, moved %d, extra %d; want about 12, 8, 8, 12",
			len(d.Missing), len(d.Renamed), len(d.Moved), len(d.Extra))
	}
	in := func(list []string, s string) bool { return slices.Contains(list, s) }
	for _, s := range d.Renamed {
		if in(d.Missing, s) || in(d.Moved, s) {
			t.Errorf("serial %s is in more than one drift list", s)
		}
	}
	bySerial := map[string]DeviceInfo{}
	for _, dev := range h.S.Devices() {
		bySerial[dev.Serial] = dev
	}
	if got, want := len(bySerial), 400-len(d.Missing)+len(d.Extra); got != want || h.S.Sizes().Devices != want {
		t.Errorf("devices = %d, Sizes().Devices = %d; want %d", got, h.S.Sizes().Devices, want)
	}
	for _, sd := range seedList {
		got, present := bySerial[sd.Serial]
		switch {
		case in(d.Missing, sd.Serial):
			if present {
				t.Errorf("missing %s is present", sd.Serial)
			}
			if n := h.count("/api/dcim/devices/?serial=" + sd.Serial); n != 0 {
				t.Errorf("serial filter finds missing %s %d times; want 0", sd.Serial, n)
			}
		case !present:
			t.Errorf("mirrored %s is absent but not in Missing", sd.Serial)
		case in(d.Renamed, sd.Serial):
			if got.Name == sd.Name || got.Location != sd.Site {
				t.Errorf("renamed %s = %q at %s; want a new name at %s", sd.Serial, got.Name, got.Location, sd.Site)
			}
		case in(d.Moved, sd.Serial):
			if got.Location == sd.Site || got.Name != sd.Name || !in(sites, got.Location) {
				t.Errorf("moved %s = %q at %s; want %q at another mirrored site than %s", sd.Serial, got.Name, got.Location, sd.Name, sd.Site)
			}
		default:
			if got.Name != sd.Name || got.Location != sd.Site {
				t.Errorf("mirrored %s = %q at %s; want %q at %s", sd.Serial, got.Name, got.Location, sd.Name, sd.Site)
			}
		}
	}
	for _, s := range d.Extra {
		dev, ok := bySerial[s]
		if !ok || slices.ContainsFunc(seedList, func(sd DeviceSeed) bool { return sd.Serial == s }) || !in(sites, dev.Location) {
			t.Errorf("extra %s = %+v; want present at a mirrored site and not a seed", s, dev)
		}
		if n := h.count("/api/dcim/devices/?serial=" + s); n != 1 {
			t.Errorf("serial filter finds extra %s %d times; want 1", s, n)
		}
	}
	// Roles, platforms and manufacturers follow Type and Vendor.
	ok := 0
	for _, sd := range seedList[:10] {
		dev, present := bySerial[sd.Serial]
		if !present {
			continue
		}
		want := map[string]string{"ap": "Access Point", "switch": "Access Switch", "gateway": "WAN Gateway", "controller": "Wireless Controller"}[sd.Type]
		wantMfr := map[string]string{"Juniper Mist": "Juniper", "Cisco": "Cisco", "Ubiquiti": "Ubiquiti"}[sd.Vendor]
		if dev.Role != want || dev.Manufacturer != wantMfr || dev.Platform == "" {
			t.Errorf("%s (%s %s) = role %q, manufacturer %q, platform %q; want %q, %q and a platform", sd.Serial, sd.Vendor, sd.Type, dev.Role, dev.Manufacturer, dev.Platform, want, wantMfr)
		}
		ok++
	}
	if ok < 7 {
		t.Errorf("only %d of the first 10 seeds present", ok)
	}
	active := 0
	for _, dev := range bySerial {
		if dev.Status == "Active" {
			active++
		}
	}
	if active < len(bySerial)*8/10 {
		t.Errorf("active devices = %d of %d; want most", active, len(bySerial))
	}
	if n := h.count("/api/dcim/locations/?location_type=Site"); n != len(sites) {
		t.Errorf("site-type locations = %d; want %d", n, len(sites))
	}
}

func TestMirrorDeterministic(t *testing.T) {
	seedList := seeds(120, "AMS-HQ", "NYC-HQ")
	snapshot := func(seed int64) (Drift, []byte) {
		h := newHarness(t, Options{Seed: seed, Mirror: seedList})
		return h.S.Drift(), h.stable(h.GetOK("/api/dcim/devices/?limit=1000&depth=1", nil).Body)
	}
	d1, b1 := snapshot(3)
	d2, b2 := snapshot(3)
	if fmt.Sprint(d1) != fmt.Sprint(d2) || !bytes.Equal(b1, b2) {
		t.Errorf("same seed, same mirror: drift or bodies differ")
	}
	d3, _ := snapshot(4)
	if fmt.Sprint(d1) == fmt.Sprint(d3) {
		t.Errorf("another seed gives the same drift %v; want another choice", d1)
	}
	if len(d1.Missing) == 0 || len(d1.Renamed) == 0 || len(d1.Moved) == 0 || len(d1.Extra) < 2 {
		t.Errorf("Drift() = %+v; want each kind at least once and at least 2 extras", d1)
	}
}

func TestMirrorEdges(t *testing.T) {
	// One site: moved devices go to a depot site.
	h := newHarness(t, Options{Seed: 2, Mirror: seeds(30, "ONLY-1")})
	d := h.S.Drift()
	if len(d.Moved) != 1 {
		t.Fatalf("Drift().Moved = %v; want one", d.Moved)
	}
	for _, dev := range h.S.Devices() {
		if dev.Serial == d.Moved[0] && dev.Location != depotName {
			t.Errorf("moved device at %s; want %s", dev.Location, depotName)
		}
	}
	// 1.x mirrors devices to sites.
	h = newHarness(t, Options{Seed: 2, Version: "1.x", Mirror: seeds(30, "AMS-HQ", "PAR-HQ")})
	if n := h.count("/api/dcim/devices/?site=ams-hq"); n == 0 {
		t.Errorf("1.x devices at site ams-hq = 0; want some")
	}
	// Without a mirror, there is no drift.
	h = newHarness(t, Options{Seed: 2})
	if d := h.S.Drift(); d.Missing != nil || d.Renamed != nil || d.Moved != nil || d.Extra != nil {
		t.Errorf("Drift() without a mirror = %+v; want empty", d)
	}
}
