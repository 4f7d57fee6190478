package nautobotsource

import (
	"testing"

	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors/nautobot"
)

// TestDrift counts each kind of disagreement once.
func TestDrift(t *testing.T) {
	sot := []nautobot.Device{
		{Name: "ap-1", Serial: "A1", Location: "AMS"},
		{Name: "ap-2-old", Serial: "A2", Location: "AMS"}, // renamed
		{Name: "ap-3", Serial: "A3", Location: "NYC"},     // moved
		{Name: "pdu-1", Serial: "P1", Location: "AMS"},    // no vendor has it
		{Name: "sw-9", Serial: "", Location: "AMS"},       // matched by name
		{Name: "fw-1", Serial: "F1", Location: "LON"},     // at a site the vendor does not have
	}
	vendor := []model.Device{
		{Name: "ap-1", Serial: "a1 ", Site: "AMS"},
		{Name: "ap-2", Serial: "A2", Site: "AMS"},
		{Name: "ap-3", Serial: "A3", Site: "AMS"},
		{Name: "ap-4", Serial: "A4", Site: "AMS"}, // not in the source of truth
		{Name: "SW-9", Site: "AMS"},
	}
	got := drift(sot, vendor)
	want := [4]int{1, 1, 1, 1} // missing_in_sot, missing_in_vendor, site_mismatch, name_mismatch
	if got != want {
		t.Errorf("drift() = %v; want %v (kinds %v)", got, want, driftKinds)
	}
}
