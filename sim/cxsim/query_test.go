package cxsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func itoa(n int) string { return strconv.Itoa(n) }

func TestFieldMasks(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	id := h.S.DeviceIDs()[3]
	tests := []struct {
		path string
		want []string
	}{
		{"inventory/devices?fields=deviceId,deviceStatus,productId", []string{"deviceId", "deviceStatus", "productId"}},
		{"inventory/devices?fields=deviceId&fields=productId", []string{"deviceId", "productId"}},
		{"inventory/devices?fields=deviceId,noSuchField", []string{"deviceId"}},
		{"inventory/devices?fields=+deviceId+,,", []string{"deviceId"}},
		{"inventory/devices?fields=noSuchField", []string{}},
		{"productAlerts/fieldNotices?fields=matchConfidence&matchConfidence=Vulnerable", []string{"matchConfidence"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			items := h.items(tt.path)
			if len(items) == 0 {
				t.Fatalf("GET %s: no items", tt.path)
			}
			for _, it := range items {
				var keys []string
				for k := range it {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				if !slices.Equal(keys, tt.want) && !(len(keys) == 0 && len(tt.want) == 0) {
					t.Fatalf("item keys = %v; want %v", keys, tt.want)
				}
			}
		})
	}
	var dev map[string]any
	h.GetOK("inventory/devices/"+itoa(id)+"?fields=deviceName,deviceId", &dev)
	if len(dev) != 2 || dev["deviceId"] != float64(id) || dev["deviceName"] == "" {
		t.Errorf("specific call with fields = %v; want deviceId %d and deviceName only", dev, id)
	}
	var all map[string]any
	h.GetOK("inventory/devices/"+itoa(id)+"?fields=", &all)
	if len(all) != len(endpoints[epDevices].attrs) {
		t.Errorf("fields= (empty) gave %d attributes; want all %d", len(all), len(endpoints[epDevices].attrs))
	}
}

func TestFilters(t *testing.T) {
	h := newHarness(t, Options{Seed: 2, Size: "medium", StrictParams: true})
	all := h.items("productAlerts/fieldNotices")
	count := func(pred func(map[string]any) bool) int { return simtest.CountIf(all, pred) }
	conf := func(vals ...string) func(map[string]any) bool {
		return func(it map[string]any) bool { return slices.Contains(vals, it["matchConfidence"].(string)) }
	}
	dev := all[0]["deviceId"].(float64)
	tests := []struct {
		query string
		want  int
	}{
		{"matchConfidence=Vulnerable", count(conf("Vulnerable"))},
		{"matchConfidence=Vulnerable&matchConfidence=Potentially%20Vulnerable", count(conf("Vulnerable", "Potentially Vulnerable"))},
		{"matchConfidence=Not+Vulnerable", count(conf("Not Vulnerable"))},
		{"matchConfidence=vulnerable", 0},
		{"deviceId=" + itoa(int(dev)), count(func(it map[string]any) bool { return it["deviceId"] == dev })},
		{"deviceId=" + itoa(int(dev)) + "&matchConfidence=Vulnerable", count(func(it map[string]any) bool {
			return it["deviceId"] == dev && it["matchConfidence"] == "Vulnerable"
		})},
		{"deviceId=abc", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := h.GetOK("productAlerts/fieldNotices?"+tt.query, nil)
			var body struct{ Items []map[string]any }
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			if _, _, total := paging(r); len(body.Items) != tt.want || total != tt.want {
				t.Errorf("GET fieldNotices?%s = %d items, total %d; want %d", tt.query, len(body.Items), total, tt.want)
			}
		})
	}
	if n := count(conf("Vulnerable")); n == 0 || n == len(all) {
		t.Fatalf("Vulnerable matches = %d of %d; the OR test needs a mix", n, len(all))
	}

	for _, q := range []struct{ path, name string }{
		{"productAlerts/fieldNotices?severity=High", "severity"},
		{"inventory/devices?deviceStatus=ACTIVE&zzz=1&aaa=2", "aaa"},
		{"productAlerts/securityAdvisoryBulletins?matchConfidence=Vulnerable", "matchConfidence"},
		{"inventory/devices/" + itoa(h.S.DeviceIDs()[0]) + "?deviceStatus=ACTIVE", "deviceStatus"},
		{"inventory/devices?max=5", "max"},
	} {
		r := h.Get(q.path)
		if r.Status != 400 || messageOf(t, r.Body) != "Unknown filter: "+q.name {
			t.Errorf("StrictParams: GET %s = %d %s; want 400 Unknown filter: %s", q.path, r.Status, r.Body, q.name)
		}
	}
	// Filters of different names combine with AND, or with FiltersAnyKey OR.
	anyKey := newHarness(t, Options{Seed: 2, Size: "medium", FiltersAnyKey: true})
	q := "productAlerts/fieldNotices?deviceId=" + itoa(int(dev)) + "&matchConfidence=Vulnerable"
	if got, want := len(anyKey.all(q)), count(func(it map[string]any) bool { return it["deviceId"] == dev || it["matchConfidence"] == "Vulnerable" }); got != want {
		t.Errorf("FiltersAnyKey: GET %s = %d items; want %d", q, got, want)
	}
	// By default an unknown parameter is ignored.
	lenient := newHarness(t, Options{Seed: 2})
	for _, path := range []string{"productAlerts/fieldNotices?severity=High", "inventory/devices?max=5"} {
		if r := lenient.Get(path); r.Status != 200 || len(lenient.items(path)) != len(lenient.items(strings.Split(path, "?")[0])) {
			t.Errorf("GET %s = %d; want 200 with the parameter ignored", path, r.Status)
		}
	}
	// Every documented filter is accepted on its endpoint.
	for _, ep := range endpoints {
		for _, f := range ep.filters {
			if r := h.Get(ep.name + "?" + f + "=x"); r.Status != 200 {
				t.Errorf("GET %s?%s=x = %d; want 200", ep.name, f, r.Status)
			}
		}
	}
	items := h.all("productAlerts/securityAdvisoryBulletins?securityImpactRating=Critical&securityImpactRating=High")
	criticalOrHigh := simtest.CountIf(h.all("productAlerts/securityAdvisoryBulletins"), func(it map[string]any) bool {
		return it["securityImpactRating"] == "Critical" || it["securityImpactRating"] == "High"
	})
	if len(items) != criticalOrHigh || criticalOrHigh == 0 {
		t.Errorf("rating filter Critical or High = %d bulletins; want the %d (> 0) so rated", len(items), criticalOrHigh)
	}
	for _, it := range items {
		if r := it["securityImpactRating"]; r != "Critical" && r != "High" {
			t.Errorf("rating filter returned %v", r)
		}
	}
	if bools := h.all("inventory/devices?isInSeedFile=false"); len(bools) == 0 {
		t.Errorf("isInSeedFile=false matched nothing; want the ~5%% outside the seed file")
	}
}

func TestSpecificCalls(t *testing.T) {
	h := newHarness(t, Options{Seed: 4})
	devs := h.items("inventory/devices")
	assets := h.items("inventory/assets")
	colls := h.items("collectors")
	contracts := h.items("contract/serials")
	tests := []struct {
		path, key string
		want      any
	}{
		{"inventory/devices/" + itoa(int(devs[2]["deviceId"].(float64))), "deviceName", devs[2]["deviceName"]},
		{"inventory/assets/" + itoa(int(assets[1]["physicalAssetId"].(float64))), "serialNumber", assets[1]["serialNumber"]},
		{"collectors/" + colls[1]["applianceId"].(string), "collectorName", colls[1]["collectorName"]},
		{"contract/serials/" + contracts[4]["serialNumber"].(string), "warrantyType", contracts[4]["warrantyType"]},
		{"deviceReset/resetCount", "devicesReloadCount", nil},
		{"/apjc/bcs/v2/inventory/devices/" + itoa(int(devs[0]["deviceId"].(float64))), "deviceName", devs[0]["deviceName"]},
	}
	for _, tt := range tests {
		var obj map[string]any
		r := h.GetOK(tt.path, &obj)
		if (tt.want != nil && obj[tt.key] != tt.want) || obj[tt.key] == nil || obj["items"] != nil {
			t.Errorf("GET %s = %s; want the bare object with %s %v", tt.path, r.Body, tt.key, tt.want)
		}
		if r.Header.Get("total") != "" {
			t.Errorf("GET %s has a total header; want none on a bare object", tt.path)
		}
	}
	for _, p := range []string{"inventory/devices/1", "inventory/devices/abc", "inventory/assets/99",
		"collectors/CSP0000000000", "inventory/devices/99999999999999", "contract/serials/NOSUCHSERIAL"} {
		r := h.Get(p)
		if r.Status != 404 || messageOf(t, r.Body) != "Not Found" {
			t.Errorf("GET %s = %d %s; want 404 Not Found", p, r.Status, r.Body)
		}
	}
	calls := h.S.Calls()
	for _, p := range []string{"/us/bcs/v2/productAlerts/fieldNotices/1", "/us/bcs/v2/nothing", "/us/bcs/v1/inventory/devices",
		"/us/bcs/v2/inventory/devices/", "/", "/a/b/bcs/v2/collectors", "/bcs/v2/inventory/devices", "/bcs/v2/collectors"} {
		r := h.Get(p)
		if r.Status != 404 || messageOf(t, r.Body) != "Not Found" {
			t.Errorf("GET %s = %d %s; want 404", p, r.Status, r.Body)
		}
	}
	if h.S.Calls() != calls {
		t.Errorf("unknown paths counted in Calls(): %d -> %d", calls, h.S.Calls())
	}
	r := h.request("POST", "inventory/devices", nil)
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST devices = %d, Allow %q; want 405, GET, HEAD", r.Status, r.Header.Get("Allow"))
	}
	if r := h.request("HEAD", "collectors", nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("HEAD collectors = %d; want 405: only the inventory lists count by HEAD", r.Status)
	}
	byPath := h.S.CallsByPath()
	if byPath["/{region}/bcs/v2/inventory/devices/{deviceId}"] != 3+2 || byPath["/{region}/bcs/v2/collectors/{applianceId}"] != 2 {
		t.Errorf("CallsByPath() = %v; want 5 specific device calls, 2 collector calls", byPath)
	}
}

// TestPaging: offset is 1-based and picks the first item; the server picks
// the page size; every list answer carries offset, max and total; a page
// past the end is empty, with the headers.
func TestPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, PageSize: 20}) // 60 devices
	ids := h.S.DeviceIDs()
	tests := []struct {
		query      string
		wantItems  int
		firstIdx   int
		wantOffset int
	}{
		{"", 20, 0, 1},
		{"?offset=1", 20, 0, 1},
		{"?offset=0", 20, 0, 1}, // below the first offset: the first page
		{"?offset=21", 20, 20, 21},
		{"?offset=41", 20, 40, 41}, // exact multiple: the last full page
		{"?offset=61", 0, 0, 61},   // then an empty one
		{"?offset=51", 10, 50, 51}, // a partial page
		{"?offset=60", 1, 59, 60},
		{"?offset=1000000", 0, 0, 1000000},
		{"?max=1000", 20, 0, 1}, // the client's max is not the server's
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := h.GetOK("inventory/devices"+tt.query, nil)
			var body struct {
				Items []struct {
					DeviceID int `json:"deviceId"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.Body, &body); err != nil || body.Items == nil {
				t.Fatalf("body %s: %v; want an items array", r.Body, err)
			}
			offset, most, total := paging(r)
			if len(body.Items) != tt.wantItems || offset != tt.wantOffset || most != 20 || total != 60 {
				t.Errorf("GET devices%s = %d items, offset %d, max %d, total %d; want %d, %d, 20, 60",
					tt.query, len(body.Items), offset, most, total, tt.wantItems, tt.wantOffset)
			}
			if len(body.Items) > 0 && body.Items[0].DeviceID != ids[tt.firstIdx] {
				t.Errorf("first deviceId = %d; want %d", body.Items[0].DeviceID, ids[tt.firstIdx])
			}
		})
	}
	// Every list answer carries the three headers (written in lower case;
	// clients read header names case-insensitively).
	req, _ := http.NewRequest("GET", h.C.BaseURL+"/collectors", nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := h.TS.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	raw := map[string]bool{}
	for k := range resp.Header {
		raw[k] = true
	}
	if !raw["Offset"] || !raw["Max"] || !raw["Total"] {
		t.Errorf("headers %v; want offset, max and total", resp.Header)
	}
	// Paging applies after filters.
	r := h.GetOK("inventory/devices?deviceStatus=ACTIVE&offset=6", nil)
	active := len(h.all("inventory/devices?deviceStatus=ACTIVE"))
	if _, _, total := paging(r); total != active {
		t.Errorf("filtered page total = %d; want %d", total, active)
	}
	for _, q := range []string{"?offset=-1", "?offset=x"} {
		if r := h.Get("inventory/devices" + q); r.Status != 400 {
			t.Errorf("GET devices%s = %d; want 400", q, r.Status)
		}
	}
	// HEAD on the inventory lists counts without a body.
	for _, p := range []string{"inventory/devices", "inventory/assets"} {
		r := h.request("HEAD", p, nil)
		if _, _, total := paging(r); r.Status != 200 || len(r.Body) != 0 || total == 0 {
			t.Errorf("HEAD %s = %d, %d bytes, total %d; want 200, no body, the count", p, r.Status, len(r.Body), total)
		}
	}
}

// TestZeroBasedOffsets: the first page says offset 0, and offsets count
// from 0.
func TestZeroBasedOffsets(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, PageSize: 20, ZeroBasedOffsets: true})
	ids := h.S.DeviceIDs()
	r := h.GetOK("inventory/devices", nil)
	if offset, _, _ := paging(r); offset != 0 {
		t.Errorf("first page offset = %d; want 0", offset)
	}
	var body struct {
		Items []struct {
			DeviceID int `json:"deviceId"`
		} `json:"items"`
	}
	h.GetOK("inventory/devices?offset=20", &body)
	if len(body.Items) != 20 || body.Items[0].DeviceID != ids[20] {
		t.Errorf("offset=20 = %d items from %v; want 20 from device 20", len(body.Items), body.Items)
	}
}

// TestPublishedClientWalk walks every list as the SDK does, at each of the
// page sizes a server may pick and with either first offset: every item
// once, no page past what the walk needs but the SDK's own extra one
// with offsets from 0.
func TestPublishedClientWalk(t *testing.T) {
	for _, size := range []int{1, 7, 100, 1000} {
		for _, zero := range []bool{false, true} {
			t.Run(fmt.Sprintf("pages of %d, from 0 %v", size, zero), func(t *testing.T) {
				h := newHarness(t, Options{Seed: 3, PageSize: size, ZeroBasedOffsets: zero})
				z := h.S.Sizes()
				for p, want := range map[string]int{
					"inventory/devices": z.Devices, "inventory/assets": z.Assets, "collectors": z.Collectors,
					"productAlerts/fieldNotices": z.FieldNoticeMatches, "productAlerts/hardwareEndOfLife": z.HardwareEoL,
				} {
					if got := len(h.all(p)); got != want {
						t.Errorf("the SDK's walk of %s = %d items; want %d", p, got, want)
					}
				}
			})
		}
	}
}

func TestLargeWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("large world")
	}
	h := newHarness(t, Options{Seed: 1, Size: "large"})
	if n := len(h.all("inventory/devices?fields=deviceId")); n != 20000 {
		t.Errorf("walked %d devices; want 20000", n)
	}
}
