package cxsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestResets: lastResetDetails agrees with inventory's lastResetTimestamp
// and resetReason, resetHistory ends with the last reset, and resetCount
// counts the last resets by type.
func TestResets(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, Size: "medium"})
	devices := map[float64]map[string]any{}
	for _, d := range h.all("inventory/devices") {
		devices[d["deviceId"].(float64)] = d
	}
	last := h.all("deviceReset/lastResetDetails")
	types := map[string]int{}
	for _, r := range last {
		d := devices[r["deviceId"].(float64)]
		if d == nil || d["lastResetTimestamp"] != r["lastResetTimestamp"] || d["resetReason"] != r["resetReason"] || d["deviceName"] != r["deviceName"] {
			t.Fatalf("last reset %v disagrees with its device %v", r, d)
		}
		types[r["resetType"].(string)]++
	}
	if types["crash"] == 0 || types["reload"] == 0 || len(types) != 2 {
		t.Errorf("reset types %v; want crash and reload", types)
	}
	for _, r := range h.all("deviceReset/resetHistory") {
		details := r["resetDetails"].([]any)
		first := details[0].(map[string]any)
		if len(details) == 0 || first["resetTimestamp"] != devices[r["deviceId"].(float64)]["lastResetTimestamp"] {
			t.Fatalf("reset history %v; want the last reset first", r)
		}
	}
	var count struct{ DevicesCrashCount, DevicesReloadCount int }
	h.GetOK("deviceReset/resetCount", &count)
	if count.DevicesCrashCount != types["crash"] || count.DevicesReloadCount != types["reload"] {
		t.Errorf("resetCount = %+v; want %d crashes, %d reloads", count, types["crash"], types["reload"])
	}
	if r := h.GetOK("deviceReset/lastResetDetails?productId=C9300-48P", nil); !strings.Contains(string(r.Body), "C9300-48P") ||
		strings.Contains(string(r.Body), "ISR4321") {
		t.Errorf("productId filter on lastResetDetails returned other products")
	}
}

// TestContracts: a contract per serial number, the ship date with a space,
// null or date coverage.
func TestContracts(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	serials := map[string]bool{}
	for _, a := range h.all("inventory/assets") {
		if sn := a["serialNumber"].(string); sn != "" {
			serials[sn] = true
		}
	}
	contracts := h.all("contract/serials")
	covered := 0
	for _, c := range contracts {
		if !serials[c["serialNumber"].(string)] {
			t.Fatalf("contract %v names no asset's serial number", c)
		}
		if c["isCovered"] == true {
			covered++
			if c["coveredProductLineEndDate"] == nil {
				t.Errorf("covered contract %v without an end date", c)
			}
		}
	}
	if len(contracts) != len(serials) || covered == 0 || covered == len(contracts) {
		t.Errorf("%d contracts, %d covered, for %d serials; want one each, some covered", len(contracts), covered, len(serials))
	}
	if n := len(h.all("contract/serials?isCovered=true")); n != covered {
		t.Errorf("isCovered=true gives %d; want %d", n, covered)
	}
}

// TestBulkAlerts: JSON Lines, each with a known type, consistent with the
// lists; quirks on request.
func TestBulkAlerts(t *testing.T) {
	for _, quirks := range []bool{false, true} {
		h := newHarness(t, Options{Seed: 3, BulkQuirks: quirks})
		z := h.S.Sizes()
		r := h.GetOK("bulk/alerts", nil)
		types := map[string]int{}
		assets, contracts, emptyDates, baseLists := 0, 0, 0, 0
		sc := bufio.NewScanner(bytes.NewReader(r.Body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("line %q: %v", sc.Bytes(), err)
			}
			typ, _ := line["type"].(string)
			types[typ]++
			if typ != "device" {
				continue
			}
			if line["configurationBestPractice"] == nil || len(line["configurationBestPractice"].(map[string]any)) != 0 {
				t.Fatalf("device line's configurationBestPractice = %v; want {}", line["configurationBestPractice"])
			}
			for _, a := range line["assets"].([]any) {
				assets++
				c, ok := a.(map[string]any)["contract"].(map[string]any)
				if !ok {
					continue
				}
				contracts++
				if c["warrantyEndDate"] == "" || c["coveredProductLineEndDate"] == "" {
					emptyDates++
				}
				if c["baseProductIdList"] != nil {
					baseLists++
				}
			}
		}
		want := map[string]int{"device": z.Devices, "reset_count": 1, "fn_bulletin": z.FieldNoticeBulletins,
			"psirt_bulletin": z.AdvisoryBulletins, "hw_eox_bulletin": z.HardwareEoLBulletins, "sw_eox_bulletin": z.SoftwareEoLBulletins}
		for k, n := range want {
			if types[k] != n {
				t.Errorf("quirks %v: %d %s lines; want %d (%v)", quirks, types[k], k, n, types)
			}
		}
		if types["lastest_reset"] == 0 || types["lastest_reset"] != types["history_reset"] {
			t.Errorf("quirks %v: reset lines %v; want one lastest_reset and one history_reset per device that resets", quirks, types)
		}
		if assets != z.Assets || contracts == 0 {
			t.Errorf("quirks %v: %d assets, %d contracts nested; want %d and some", quirks, assets, contracts, z.Assets)
		}
		if quirks != (emptyDates > 0) || quirks == (baseLists > 0) {
			t.Errorf("quirks %v: %d contracts with \"\" dates, %d with baseProductIdList", quirks, emptyDates, baseLists)
		}
	}
}

// TestFirstPageConditional: If-None-Match revalidates a list's first page
// only when the server applies it so.
func TestFirstPageConditional(t *testing.T) {
	for _, firstOnly := range []bool{false, true} {
		h := newHarness(t, Options{Seed: 3, PageSize: 20, FirstPageConditional: firstOnly})
		for _, path := range []string{"inventory/devices", "inventory/devices?offset=21"} {
			r := h.GetOK(path, nil)
			again := h.request("GET", path, map[string]string{"If-None-Match": r.Header.Get("ETag")})
			want := 304
			if firstOnly && strings.Contains(path, "offset") {
				want = 200
			}
			if again.Status != want {
				t.Errorf("FirstPageConditional %v: GET %s with its ETag = %d; want %d", firstOnly, path, again.Status, want)
			}
		}
	}
}
