package cxsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
)

func itoa(n int) string { return strconv.Itoa(n) }

func TestFieldMasks(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	id := h.s.DeviceIDs()[3]
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
	h.getOK("inventory/devices/"+itoa(id)+"?fields=deviceName,deviceId", &dev)
	if len(dev) != 2 || dev["deviceId"] != float64(id) || dev["deviceName"] == "" {
		t.Errorf("specific call with fields = %v; want deviceId %d and deviceName only", dev, id)
	}
	var all map[string]any
	h.getOK("inventory/devices/"+itoa(id)+"?fields=", &all)
	if len(all) != len(endpoints[epDevices].attrs) {
		t.Errorf("fields= (empty) gave %d attributes; want all %d", len(all), len(endpoints[epDevices].attrs))
	}
}

func TestFilters(t *testing.T) {
	h := newHarness(t, Options{Seed: 2, Size: "medium"})
	all := h.items("productAlerts/fieldNotices")
	count := func(pred func(map[string]any) bool) int {
		n := 0
		for _, it := range all {
			if pred(it) {
				n++
			}
		}
		return n
	}
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
			r := h.getOK("productAlerts/fieldNotices?"+tt.query, nil)
			var body struct{ Items []map[string]any }
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			if len(body.Items) != tt.want || r.header.Get("X-Total-Count") != itoa(tt.want) {
				t.Errorf("GET fieldNotices?%s = %d items, X-Total-Count %s; want %d", tt.query, len(body.Items), r.header.Get("X-Total-Count"), tt.want)
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
		{"inventory/devices/" + itoa(h.s.DeviceIDs()[0]) + "?deviceStatus=ACTIVE", "deviceStatus"},
	} {
		r := h.get(q.path)
		if r.status != 400 || messageOf(t, r.body) != "Unknown filter: "+q.name {
			t.Errorf("GET %s = %d %s; want 400 Unknown filter: %s", q.path, r.status, r.body, q.name)
		}
	}
	// Every documented filter is accepted on its endpoint.
	for _, ep := range endpoints {
		for _, f := range ep.filters {
			if r := h.get(ep.name + "?" + f + "=x"); r.status != 200 {
				t.Errorf("GET %s?%s=x = %d; want 200", ep.name, f, r.status)
			}
		}
	}
	items := h.items("productAlerts/securityAdvisoryBulletins?securityImpactRating=Critical&securityImpactRating=High")
	for _, it := range items {
		if r := it["securityImpactRating"]; r != "Critical" && r != "High" {
			t.Errorf("rating filter returned %v", r)
		}
	}
	if bools := h.items("inventory/devices?isInSeedFile=false&max=1000"); len(bools) == 0 {
		t.Errorf("isInSeedFile=false matched nothing; want the ~5%% outside the seed file")
	}
}

func TestSpecificCalls(t *testing.T) {
	h := newHarness(t, Options{Seed: 4})
	devs := h.items("inventory/devices?max=3")
	assets := h.items("inventory/assets?max=3")
	colls := h.items("collectors")
	tests := []struct {
		path, key string
		want      any
	}{
		{"inventory/devices/" + itoa(int(devs[2]["deviceId"].(float64))), "deviceName", devs[2]["deviceName"]},
		{"inventory/assets/" + itoa(int(assets[1]["physicalAssetId"].(float64))), "serialNumber", assets[1]["serialNumber"]},
		{"collectors/" + colls[1]["applianceId"].(string), "collectorName", colls[1]["collectorName"]},
		{"/apjc/bcs/v2/inventory/devices/" + itoa(int(devs[0]["deviceId"].(float64))), "deviceName", devs[0]["deviceName"]},
	}
	for _, tt := range tests {
		var obj map[string]any
		r := h.getOK(tt.path, &obj)
		if obj[tt.key] != tt.want || obj["items"] != nil {
			t.Errorf("GET %s = %s; want the bare object with %s %v", tt.path, r.body, tt.key, tt.want)
		}
		if r.header.Get("X-Total-Count") != "" {
			t.Errorf("GET %s has X-Total-Count; want none on a specific call", tt.path)
		}
	}
	for _, p := range []string{"inventory/devices/1", "inventory/devices/abc", "inventory/assets/99",
		"collectors/CSP0000000000", "inventory/devices/99999999999999"} {
		r := h.get(p)
		if r.status != 404 || messageOf(t, r.body) != "Not Found" {
			t.Errorf("GET %s = %d %s; want 404 Not Found", p, r.status, r.body)
		}
	}
	calls := h.s.Calls()
	for _, p := range []string{"/bcs/v2/productAlerts/fieldNotices/1", "/bcs/v2/nothing", "/bcs/v1/inventory/devices",
		"/bcs/v2/inventory/devices/", "/", "/a/b/bcs/v2/collectors"} {
		r := h.get(p)
		if r.status != 404 || messageOf(t, r.body) != "Not Found" {
			t.Errorf("GET %s = %d %s; want 404", p, r.status, r.body)
		}
	}
	if h.s.Calls() != calls {
		t.Errorf("unknown paths counted in Calls(): %d -> %d", calls, h.s.Calls())
	}
	r := h.request("POST", "inventory/devices", nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST devices = %d, Allow %q; want 405, GET, HEAD", r.status, r.header.Get("Allow"))
	}
	byPath := h.s.CallsByPath()
	if byPath["/bcs/v2/inventory/devices/{deviceId}"] != 3+2 || byPath["/bcs/v2/collectors/{applianceId}"] != 2 {
		t.Errorf("CallsByPath() = %v; want 5 specific device calls, 2 collector calls", byPath)
	}
}

func TestPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 5}) // 60 devices
	ids := h.s.DeviceIDs()
	tests := []struct {
		query     string
		wantItems int
		firstIdx  int
	}{
		{"", 60, 0},
		{"?max=20", 20, 0},
		{"?max=20&offset=40", 20, 40}, // exact multiple: the last full page
		{"?max=20&offset=60", 0, 0},   // then an empty one
		{"?max=25&offset=50", 10, 50}, // last partial page
		{"?offset=59", 1, 59},
		{"?offset=1000000", 0, 0},
		{"?max=1000", 60, 0},
		{"?max=1", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := h.getOK("inventory/devices"+tt.query, nil)
			var body struct {
				Items []struct {
					DeviceID int `json:"deviceId"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil || body.Items == nil {
				t.Fatalf("body %s: %v; want an items array", r.body, err)
			}
			if len(body.Items) != tt.wantItems || r.header.Get("X-Total-Count") != "60" {
				t.Errorf("GET devices%s = %d items, X-Total-Count %s; want %d, 60", tt.query, len(body.Items), r.header.Get("X-Total-Count"), tt.wantItems)
			}
			if len(body.Items) > 0 && body.Items[0].DeviceID != ids[tt.firstIdx] {
				t.Errorf("first deviceId = %d; want %d", body.Items[0].DeviceID, ids[tt.firstIdx])
			}
		})
	}
	// A walk collects every device once, in order.
	var walked []int
	for off := 0; ; off += 7 {
		var body struct {
			Items []struct {
				DeviceID int `json:"deviceId"`
			} `json:"items"`
		}
		h.getOK("inventory/devices?max=7&offset="+itoa(off), &body)
		for _, it := range body.Items {
			walked = append(walked, it.DeviceID)
		}
		if len(body.Items) < 7 {
			break
		}
	}
	if !slices.Equal(walked, ids) {
		t.Errorf("walk in pages of 7 = %d devices; want all 60 in order", len(walked))
	}
	// Paging applies after filters.
	r := h.getOK("inventory/devices?deviceStatus=ACTIVE&max=5&offset=5", nil)
	active := len(h.items("inventory/devices?deviceStatus=ACTIVE"))
	if r.header.Get("X-Total-Count") != itoa(active) {
		t.Errorf("filtered page X-Total-Count = %s; want %d", r.header.Get("X-Total-Count"), active)
	}
	for _, q := range []string{"?max=1001", "?max=0", "?max=-1", "?max=abc"} {
		r := h.get("inventory/devices" + q)
		if r.status != 400 || messageOf(t, r.body) != "max must be between 1 and 1000" {
			t.Errorf("GET devices%s = %d %s; want 400 max must be between 1 and 1000", q, r.status, r.body)
		}
	}
	for _, q := range []string{"?offset=-1", "?offset=x"} {
		if r := h.get("inventory/devices" + q); r.status != 400 {
			t.Errorf("GET devices%s = %d; want 400", q, r.status)
		}
	}
}

func TestLargeWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("large world")
	}
	h := newHarness(t, Options{Seed: 1, Size: "large"})
	n := 0
	for off := 0; ; off += 1000 {
		r := h.getOK("inventory/devices?fields=deviceId&offset="+itoa(off), nil)
		var body struct{ Items []json.RawMessage }
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		n += len(body.Items)
		if len(body.Items) < 1000 {
			break
		}
	}
	if n != 20000 {
		t.Errorf("walked %d devices; want 20000", n)
	}
}
