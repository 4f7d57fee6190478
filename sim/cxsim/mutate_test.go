package cxsim

import (
	"bytes"
	"testing"
	"time"
)

func TestSetDeviceStatus(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, TokenTTL: 24 * time.Hour})
	id := h.S.DeviceIDs()[7]
	path := "inventory/devices/" + itoa(id)
	tag, _ := validators(t, h, "inventory/devices")
	aTag, _ := validators(t, h, "inventory/assets")

	h.Clock.Add(time.Hour)
	if err := h.S.SetDeviceStatus(id, "INACTIVE"); err != nil {
		t.Fatalf("SetDeviceStatus(%d, INACTIVE) error: %v", id, err)
	}
	var d map[string]any
	h.GetOK(path, &d)
	if d["deviceStatus"] != "INACTIVE" {
		t.Errorf("deviceStatus = %v; want INACTIVE", d["deviceStatus"])
	}
	tag2, lm2 := validators(t, h, "inventory/devices")
	if tag2 == tag || lm2 != testStart.Add(time.Hour).Format("Mon, 02 Jan 2006 15:04:05 GMT") {
		t.Errorf("devices validators after SetDeviceStatus = %s %s; want a new tag, Last-Modified now", tag2, lm2)
	}
	if a, _ := validators(t, h, "inventory/assets"); a != aTag {
		t.Errorf("assets ETag changed with a device status")
	}
	if err := h.S.SetDeviceStatus(id, "INACTIVE"); err != nil {
		t.Fatal(err)
	}
	if tag3, _ := validators(t, h, "inventory/devices"); tag3 != tag2 {
		t.Errorf("setting the same status changed the ETag")
	}
	if err := h.S.SetDeviceStatus(id, "DECOMMISSIONED"); err != nil {
		t.Fatal(err)
	}
	if items := h.items("inventory/devices?deviceStatus=DECOMMISSIONED"); len(items) != 1 {
		t.Errorf("devices with the new status = %d; want 1", len(items))
	}
	for _, tt := range []struct {
		id     int
		status string
	}{{1, "ACTIVE"}, {id, ""}, {id, "\xff"}} {
		if err := h.S.SetDeviceStatus(tt.id, tt.status); err == nil {
			t.Errorf("SetDeviceStatus(%d, %q) error = nil; want an error", tt.id, tt.status)
		}
	}
}

func TestAddFieldNoticeMatch(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, TokenTTL: 24 * time.Hour})
	id := h.S.DeviceIDs()[0]
	fn := h.S.FieldNoticeIDs()[5]
	before := h.S.Sizes().FieldNoticeMatches
	tag, _ := validators(t, h, "productAlerts/fieldNotices")
	if err := h.S.AddFieldNoticeMatch(id, fn, "Vulnerable"); err != nil {
		t.Fatalf("AddFieldNoticeMatch error: %v", err)
	}
	q := "productAlerts/fieldNotices?deviceId=" + itoa(id) + "&fieldNoticeId=" + fn
	items := h.items(q)
	if len(items) != 1 || items[0]["matchConfidence"] != "Vulnerable" || items[0]["physicalAssetId"] == nil {
		t.Fatalf("GET %s = %v; want one Vulnerable match on the chassis", q, items)
	}
	if h.S.Sizes().FieldNoticeMatches != before+1 {
		t.Errorf("FieldNoticeMatches = %d; want %d", h.S.Sizes().FieldNoticeMatches, before+1)
	}
	if tag2, _ := validators(t, h, "productAlerts/fieldNotices"); tag2 == tag {
		t.Errorf("fieldNotices ETag unchanged after a new match")
	}
	if err := h.S.AddFieldNoticeMatch(id, fn, "Not Vulnerable"); err != nil {
		t.Fatal(err)
	}
	items = h.items(q)
	if len(items) != 1 || items[0]["matchConfidence"] != "Not Vulnerable" {
		t.Errorf("after re-adding: %v; want the one match, now Not Vulnerable", items)
	}
	for _, tt := range []struct {
		id       int
		fn, conf string
	}{{1, fn, "Vulnerable"}, {id, "1", "Vulnerable"}, {id, fn, "vulnerable"}} {
		if err := h.S.AddFieldNoticeMatch(tt.id, tt.fn, tt.conf); err == nil {
			t.Errorf("AddFieldNoticeMatch(%d, %q, %q) error = nil; want an error", tt.id, tt.fn, tt.conf)
		}
	}
}

// TestStep checks which endpoints a Step changes, and that steps are
// deterministic.
func TestStep(t *testing.T) {
	h := newHarness(t, Options{Seed: 9, Size: "medium", TokenTTL: 24 * time.Hour})
	tags := func(h *harness) map[string]string {
		out := map[string]string{}
		for _, p := range listPaths {
			out[p], _ = validators(t, h, p)
		}
		return out
	}
	never := map[string]bool{
		"productAlerts/fieldNoticeBulletins": true, "productAlerts/securityAdvisoryBulletins": true,
		"productAlerts/hardwareEndOfLife": true, "productAlerts/hardwareEndOfLifeBulletins": true,
		"productAlerts/softwareEndOfLifeBulletins": true,
	}
	always := []string{"inventory/devices", "collectors", "productAlerts/fieldNotices", "productAlerts/securityAdvisories"}
	prev := tags(h)
	assetsChanged := 0
	for i := 0; i < 6; i++ {
		h.Clock.Add(time.Hour)
		h.S.Step()
		cur := tags(h)
		for p := range never {
			if cur[p] != prev[p] {
				t.Errorf("step %d changed %s", i+1, p)
			}
		}
		for _, p := range always {
			if cur[p] == prev[p] {
				t.Errorf("step %d left %s unchanged", i+1, p)
			}
		}
		if cur["inventory/assets"] != prev["inventory/assets"] {
			assetsChanged++
		}
		prev = cur
	}
	if assetsChanged == 0 || assetsChanged == 6 {
		t.Errorf("assets changed in %d of 6 steps; want some (upgrades happen about every other step)", assetsChanged)
	}
	var c struct {
		Items []struct{ LastUploadTimestamp string }
	}
	h.GetOK("collectors", &c)
	if c.Items[0].LastUploadTimestamp < "2025-07-10T08" {
		t.Errorf("collector lastUploadTimestamp = %s; want moved by the uploads", c.Items[0].LastUploadTimestamp)
	}

	run := func() []byte {
		h := newHarness(t, Options{Seed: 9, Size: "medium", TokenTTL: 24 * time.Hour})
		for i := 0; i < 4; i++ {
			h.Clock.Add(time.Hour)
			h.S.Step()
		}
		var all []byte
		for _, p := range listPaths {
			all = append(all, h.GetOK(p, nil).Body...)
		}
		return all
	}
	if !bytes.Equal(run(), run()) {
		t.Errorf("two runs of 4 steps from seed 9 differ")
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Options{Seed: 2})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			h.S.Step()
			_ = h.S.SetDeviceStatus(h.S.DeviceIDs()[i], "INACTIVE")
			h.S.SetFaults(Faults{})
			_ = h.S.Sizes()
		}
	}()
	for i := 0; i < 40; i++ {
		h.GetOK(listPaths[i%len(listPaths)], nil)
	}
	<-done
}
