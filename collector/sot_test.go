package collector

import (
	"context"
	"testing"

	"github.com/nmsexporter/nms_exporter/model"
)

// TestSotOfMatchesAsTheDriftDoes: a vendor's device is found in the
// source of truth by its serial (case and spaces aside), a device without
// a serial or one the vendor does not list by its name, and a device whose
// serial the source of truth lacks not at all; a new version of either
// source's data is read again.
func TestSotOfMatchesAsTheDriftDoes(t *testing.T) {
	var sot []model.SotDevice
	truth := fakeSource("sot", &Collection{Name: "devices", Fetch: scripted(ok(1))})
	truth.SotDeviceList = func(Data) []model.SotDevice { return sot }
	truth.dependsOn = []string{"org"}
	vendor := fakeSource("org", &Collection{Name: "devices", Fetch: scripted(ok(1))})
	vendor.DeviceList = func(Data) []model.Device {
		return []model.Device{
			{Name: "ams-sw-1", Serial: "fox123"},   // by serial, renamed in the source of truth
			{Name: "ams-ap-2"},                     // no serial: by name
			{Name: "ams-gw-3", Serial: "NEW-9999"}, // serial unknown to the source of truth
		}
	}
	other := fakeSource("elsewhere")
	sot = []model.SotDevice{
		{Name: "AMS-CORE-1", Serial: " FOX123 ", Location: "AMS", Role: "core", Tenant: "acme"},
		{Name: "AMS-AP-2", Location: "AMS", Role: "ap"},
		{Name: "ams-gw-3", Serial: "OLD-1111", Location: "AMS", Role: "wan"},
		{Name: "nyc-sw-9", Location: "NYC", Role: "access"},
	}
	for _, s := range []*Source{truth, vendor} {
		if err := s.Refresh(context.Background(), "devices"); err != nil {
			t.Fatal(err)
		}
	}
	idx := vendor.SotOf(truth)
	for _, tc := range []struct {
		device, role string
		found        bool
	}{
		{"ams-sw-1", "core", true},
		{"AMS-SW-1", "core", true},
		{"ams-ap-2", "ap", true},
		{"ams-gw-3", "", false},
		{"nyc-sw-9", "access", true}, // an alarm's device the vendor does not list
		{"ams-core-1", "core", true},
		{"unknown", "", false},
		{"", "", false},
	} {
		d, found := idx.Device(tc.device)
		if found != tc.found || d.Role != tc.role {
			t.Errorf("Device(%q) = %+v, %v; want role %q, %v", tc.device, d, found, tc.role, tc.found)
		}
	}
	if vendor.SotOf(truth) != idx {
		t.Errorf("SotOf made again for the same data; want it kept")
	}
	sot = append(sot[:0:0], model.SotDevice{Name: "ams-ap-2", Role: "renamed-role"})
	if err := truth.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	if d, _ := vendor.SotOf(truth).Device("ams-ap-2"); d.Role != "renamed-role" {
		t.Errorf("after the source of truth's refresh, Device(ams-ap-2) = %+v; want its new record", d)
	}
	if other.SotOf(truth) != nil || vendor.SotOf(other) != nil {
		t.Errorf("SotOf of a source not described, or of a source that is no source of truth = not nil; want nil")
	}
	if got := truth.Describes(); len(got) != 1 || got[0] != "org" {
		t.Errorf("Describes() = %v; want [org]", got)
	}
	if got := vendor.Describes(); got != nil {
		t.Errorf("Describes() of a vendor source = %v; want nil", got)
	}
}
