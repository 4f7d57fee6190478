package cxsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
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

// TestBulkAlertsConditional: by default bulk/alerts carries no validators
// and answers in full whatever it is sent; with BulkConditional it carries
// an ETag and Last-Modified, answers its ETag with a 304, and a new
// version once the data of an endpoint it carries changes, but not the
// collectors', which it does not carry.
func TestBulkAlertsConditional(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	r := h.GetOK("bulk/alerts", nil)
	if r.Header.Get("ETag") != "" || r.Header.Get("Last-Modified") != "" || r.Header.Get("Content-Length") != "" {
		t.Errorf("bulk/alerts headers %v; want no ETag, Last-Modified nor Content-Length (a stream)", r.Header)
	}
	if again := h.request("GET", "bulk/alerts", map[string]string{"If-None-Match": "*"}); again.Status != 200 || len(again.Body) != len(r.Body) {
		t.Errorf("bulk/alerts with If-None-Match * = %d, %d bytes; want 200 and the %d bytes", again.Status, len(again.Body), len(r.Body))
	}

	h = newHarness(t, Options{Seed: 3, BulkConditional: true})
	tag, lm := validators(t, h, "bulk/alerts")
	if r := h.request("GET", "bulk/alerts", map[string]string{"If-None-Match": tag}); r.Status != 304 || len(r.Body) != 0 {
		t.Fatalf("bulk/alerts with its ETag = %d, %d bytes; want 304, empty", r.Status, len(r.Body))
	}
	h.Clock.Add(time.Minute)
	if err := h.S.SetDeviceStatus(h.S.DeviceIDs()[0], "INACTIVE"); err != nil {
		t.Fatal(err)
	}
	r = h.request("GET", "bulk/alerts", map[string]string{"If-None-Match": tag})
	if r.Status != 200 || r.Header.Get("ETag") == tag || r.Header.Get("Last-Modified") == lm {
		t.Errorf("bulk/alerts after a device changed = %d, ETag %s, Last-Modified %s; want 200 with new validators", r.Status,
			r.Header.Get("ETag"), r.Header.Get("Last-Modified"))
	}
	if !strings.Contains(string(r.Body), `"deviceStatus":"INACTIVE"`) {
		t.Errorf("bulk/alerts after a device changed does not show it")
	}
}

// TestBulkAlertsFaults: the body faults spoil the stream as they spoil any
// body, so a client sees a cut or malformed stream.
func TestBulkAlertsFaults(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	whole := h.GetOK("bulk/alerts", nil).Body
	h.S.SetFaults(Faults{Malformed: true, PathPrefix: "/us/bcs/v2/bulk/"})
	if r := h.request("GET", "bulk/alerts", nil); r.Status != 200 || json.Valid(bytes.SplitN(r.Body, []byte("\n"), 2)[0]) {
		t.Errorf("malformed bulk/alerts = %d, first line %q; want 200 with a line that is not JSON", r.Status, bytes.SplitN(r.Body, []byte("\n"), 2)[0])
	}
	h.S.SetFaults(Faults{Truncate: true})
	if r := h.request("GET", "bulk/alerts", nil); len(r.Body) >= len(whole) {
		t.Errorf("truncated bulk/alerts = %d bytes; want fewer than the %d of the whole", len(r.Body), len(whole))
	}
	h.S.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 403, PathPrefix: "/us/bcs/v2/bulk/"})
	if r := h.request("GET", "bulk/alerts", nil); r.Status != 403 {
		t.Errorf("bulk/alerts under a 403 fault = %d; want 403", r.Status)
	}
	if r := h.request("GET", "collectors", nil); r.Status != 200 {
		t.Errorf("collectors under a fault kept to bulk/ = %d; want 200", r.Status)
	}
}
