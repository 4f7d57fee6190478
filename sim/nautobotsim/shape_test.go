package nautobotsim

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

var (
	uuidRE   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	dtRE     = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
	dateRE   = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
	device2K = []string{"id", "object_type", "display", "url", "natural_slug", "name", "serial", "asset_tag", "face", "position",
		"device_type", "status", "role", "tenant", "platform", "location", "rack", "primary_ip4", "primary_ip6", "cluster",
		"virtual_chassis", "vc_position", "vc_priority", "device_redundancy_group", "device_redundancy_group_priority",
		"software_version", "software_image_files", "secrets_group", "controller_managed_device_group", "parent_bay", "comments",
		"local_config_context_data", "local_config_context_schema", "local_config_context_data_owner_content_type",
		"local_config_context_data_owner_object_id", "created", "last_updated", "tags", "notes_url", "custom_fields"}
	device1K = []string{"id", "display", "url", "name", "device_type", "device_role", "tenant", "platform", "serial", "asset_tag",
		"site", "location", "rack", "position", "face", "parent_device", "status", "primary_ip", "primary_ip4", "primary_ip6",
		"secrets_group", "cluster", "virtual_chassis", "vc_position", "vc_priority", "device_redundancy_group",
		"device_redundancy_group_priority", "comments", "local_context_schema", "local_context_data", "tags", "custom_fields",
		"config_context", "created", "last_updated", "notes_url"}
)

// firstResult gets path and returns the first result's raw JSON.
func firstResult(h *harness, path string) json.RawMessage {
	h.T.Helper()
	var p page[json.RawMessage]
	h.GetOK(path, &p)
	if len(p.Results) == 0 {
		h.T.Fatalf("GET %s: no results", path)
	}
	return p.Results[0]
}

func TestDeviceShape2x(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	base := h.C.BaseURL
	raw := firstResult(h, "/api/dcim/devices/?has_primary_ip=true&tenant__isnull=false&limit=1")
	if got := keysOf(t, raw); !slices.Equal(got, device2K) {
		t.Errorf("2.x device keys = %v;\nwant %v", got, device2K)
	}
	var d map[string]any
	_ = json.Unmarshal(raw, &d)
	id := d["id"].(string)
	if !uuidRE.MatchString(id) || d["object_type"] != "dcim.device" || d["url"] != base+"/api/dcim/devices/"+id+"/" ||
		d["notes_url"] != base+"/api/dcim/devices/"+id+"/notes/" || !dtRE.MatchString(d["created"].(string)) {
		t.Errorf("device head = id %v, object_type %v, url %v, notes_url %v, created %v", d["id"], d["object_type"], d["url"], d["notes_url"], d["created"])
	}
	for _, k := range []string{"status", "role", "location", "tenant", "platform", "device_type", "primary_ip4"} {
		ref, ok := d[k].(map[string]any)
		if !ok {
			t.Errorf("%s = %v; want a related object", k, d[k])
			continue
		}
		var keys []string
		for kk := range ref {
			keys = append(keys, kk)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"id", "object_type", "url"}) {
			t.Errorf("depth 0 %s keys = %v; want [id object_type url] (no names)", k, keys)
		}
	}
	wantTypes := map[string]string{"status": "extras.status", "role": "extras.role", "location": "dcim.location", "primary_ip4": "ipam.ipaddress"}
	for k, want := range wantTypes {
		ref := d[k].(map[string]any)
		if ref["object_type"] != want || !strings.HasPrefix(ref["url"].(string), base+"/api/") {
			t.Errorf("%s = %v; want object_type %s and an absolute url", k, ref, want)
		}
	}
	for _, gone := range []string{"site", "device_role", "primary_ip", "local_context_data", "config_context"} {
		if _, ok := d[gone]; ok {
			t.Errorf("2.x device has %q; want it absent", gone)
		}
	}

	// depth=1 names related objects; their own relations stay brief and
	// they carry no many-to-many fields.
	var d1 struct {
		Status struct {
			Display, Name, Color string
			Tags                 *[]any `json:"tags"`
		} `json:"status"`
		Location struct {
			Name         string         `json:"name"`
			Display      string         `json:"display"`
			Parent       map[string]any `json:"parent"`
			LocationType map[string]any `json:"location_type"`
			Tags         *[]any         `json:"tags"`
		} `json:"location"`
		PrimaryIP4 struct {
			Address string         `json:"address"`
			Parent  map[string]any `json:"parent"`
		} `json:"primary_ip4"`
	}
	_ = json.Unmarshal(firstResult(h, "/api/dcim/devices/?has_primary_ip=true&limit=1&depth=1"), &d1)
	if d1.Status.Name == "" || d1.Status.Display != d1.Status.Name || d1.Status.Color == "" || d1.Status.Tags != nil {
		t.Errorf("depth=1 status = %+v; want name, display, color and no tags", d1.Status)
	}
	if d1.Location.Name == "" || !strings.Contains(d1.Location.Display, " → ") || len(d1.Location.Parent) != 3 || d1.Location.Tags != nil {
		t.Errorf("depth=1 location = %+v; want a name, a path display and a brief parent", d1.Location)
	}
	if d1.PrimaryIP4.Address == "" || len(d1.PrimaryIP4.Parent) != 3 {
		t.Errorf("depth=1 primary_ip4 = %+v; want an address and a brief parent", d1.PrimaryIP4)
	}
	var d2 struct {
		Location struct {
			Parent struct{ Name string } `json:"parent"`
		} `json:"location"`
	}
	_ = json.Unmarshal(firstResult(h, "/api/dcim/devices/?limit=1&depth=2"), &d2)
	if d2.Location.Parent.Name == "" {
		t.Errorf("depth=2 location.parent has no name; want it nested")
	}
	if !json.Valid(firstResult(h, "/api/dcim/devices/?limit=1&depth=99")) {
		t.Errorf("depth=99 is not valid JSON")
	}
	if got := keysOf(t, firstResult(h, "/api/dcim/devices/?limit=1&depth=x")); !slices.Equal(got, device2K) {
		t.Errorf("depth=x keys differ from depth 0")
	}

	// exclude_m2m drops many-to-many fields but not tags; include adds config_context.
	keys := keysOf(t, firstResult(h, "/api/dcim/devices/?limit=1&exclude_m2m=true"))
	if slices.Contains(keys, "software_image_files") || !slices.Contains(keys, "tags") {
		t.Errorf("exclude_m2m=true keys = %v; want no software_image_files, tags kept", keys)
	}
	if keys := keysOf(t, firstResult(h, "/api/dcim/devices/?limit=1&include=config_context")); !slices.Contains(keys, "config_context") {
		t.Errorf("include=config_context keys lack config_context")
	}
}

func TestPrefixShapeByVersion(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	tests := []struct {
		query      string
		want, gone string
	}{
		{"", "locations", "location"},
		{"&api_version=2.2", "locations", "location"},
		{"&api_version=2.1", "location", "locations"},
		{"&api_version=2.0", "location", "vrfs"},
		{"&exclude_m2m=true", "tags", "locations"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			keys := keysOf(t, firstResult(h, "/api/ipam/prefixes/?type=network&limit=1"+tt.query))
			if !slices.Contains(keys, tt.want) || slices.Contains(keys, tt.gone) {
				t.Errorf("prefix keys = %v; want %s without %s", keys, tt.want, tt.gone)
			}
		})
	}
	var p struct {
		Prefix    string `json:"prefix"`
		Type      struct{ Value, Label string }
		Locations []map[string]any `json:"locations"`
		Namespace map[string]any   `json:"namespace"`
	}
	_ = json.Unmarshal(firstResult(h, "/api/ipam/prefixes/?type=network&limit=1"), &p)
	if p.Type.Value != "network" || p.Type.Label != "Network" || len(p.Locations) != 1 || p.Namespace["object_type"] != "ipam.namespace" {
		t.Errorf("prefix = %+v; want type network, one location, the Global namespace", p)
	}
}

func TestShapes1x(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, Version: "1.x"})
	raw := firstResult(h, "/api/dcim/devices/?has_primary_ip=true&limit=1")
	if got := keysOf(t, raw); !slices.Equal(got, device1K) {
		t.Errorf("1.x device keys = %v;\nwant %v", got, device1K)
	}
	var d struct {
		DeviceRole struct {
			Name, Slug  string
			DeviceCount *int `json:"device_count"`
		} `json:"device_role"`
		Site struct {
			Display, URL, Name, Slug string
		} `json:"site"`
		Status    struct{ Value, Label string }
		PrimaryIP struct {
			Family  int
			Address string
		} `json:"primary_ip"`
		PrimaryIP4 struct{ Address string } `json:"primary_ip4"`
		Created    string
	}
	_ = json.Unmarshal(raw, &d)
	if d.DeviceRole.Name == "" || d.DeviceRole.Slug != slugify(d.DeviceRole.Name) || d.DeviceRole.DeviceCount == nil {
		t.Errorf("device_role = %+v; want a nested role with slug and device_count", d.DeviceRole)
	}
	if d.Site.Name == "" || !strings.Contains(d.Site.URL, "/api/dcim/sites/") {
		t.Errorf("site = %+v; want a nested site", d.Site)
	}
	if d.Status.Value != slugify(d.Status.Label) || d.Status.Label == "" {
		t.Errorf("status = %+v; want {value: slug, label: name}", d.Status)
	}
	if d.PrimaryIP.Family != 4 || d.PrimaryIP.Address == "" || d.PrimaryIP.Address != d.PrimaryIP4.Address {
		t.Errorf("primary_ip = %+v, primary_ip4 = %+v; want the same IPv4 address", d.PrimaryIP, d.PrimaryIP4)
	}
	if !dateRE.MatchString(d.Created) {
		t.Errorf("1.x created = %q; want a date", d.Created)
	}
	keys := keysOf(t, firstResult(h, "/api/dcim/devices/?limit=1&brief=true"))
	if !slices.Equal(keys, []string{"id", "display", "url", "name"}) {
		t.Errorf("brief device keys = %v; want [id display url name]", keys)
	}
	var site struct {
		Status struct{ Value string }
		Region struct{ Name string }
	}
	_ = json.Unmarshal(firstResult(h, "/api/dcim/sites/?limit=1"), &site)
	if site.Status.Value != "active" || site.Region.Name == "" {
		t.Errorf("1.x site = %+v; want active with a region", site)
	}
	var pfx struct{ Status struct{ Value string } }
	_ = json.Unmarshal(firstResult(h, "/api/ipam/prefixes/?limit=1"), &pfx)
	if pfx.Status.Value != "container" {
		t.Errorf("1.x supernet status = %q; want container", pfx.Status.Value)
	}
	for _, p := range []string{"/api/extras/roles/", "/api/ipam/namespaces/"} {
		if r := h.Get(p); r.Status != 404 {
			t.Errorf("1.x GET %s = %d; want 404", p, r.Status)
		}
	}
}

func TestDetail(t *testing.T) {
	tests := []struct {
		version, model, path, wantMissing string
	}{
		{"2.x", "device", "/api/dcim/devices/", "No Device matches the given query."},
		{"2.x", "location", "/api/dcim/locations/", "No Location matches the given query."},
		{"2.x", "address", "/api/ipam/ip-addresses/", "No IPAddress matches the given query."},
		{"2.2", "device", "/api/dcim/devices/", "Not found."},
		{"1.x", "device", "/api/dcim/devices/", "Not found."},
		{"1.x", "site", "/api/dcim/sites/", "Not found."},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.model, func(t *testing.T) {
			h := newHarness(t, Options{Seed: 6, Version: tt.version})
			var p page[json.RawMessage]
			h.GetOK(tt.path+"?limit=3", &p)
			var want brief
			_ = json.Unmarshal(p.Results[2], &want)
			r := h.GetOK(tt.path+want.ID+"/", nil)
			if string(r.Body) != string(p.Results[2]) {
				t.Errorf("detail body differs from the list entry:\n%s\n%s", r.Body, p.Results[2])
			}
			if r := h.Get(tt.path + strings.ToUpper(strings.ReplaceAll(want.ID, "-", "")) + "/"); r.Status != 200 {
				t.Errorf("detail by undashed upper-case id = %d; want 200", r.Status)
			}
			for _, id := range []string{"00000000-0000-4000-8000-000000000000", "not-a-uuid"} {
				r := h.Get(tt.path + id + "/")
				if r.Status != 404 || simtest.DetailOf(t, r.Body) != tt.wantMissing {
					t.Errorf("GET %s%s/ = %d %s; want 404 %q", tt.path, id, r.Status, r.Body, tt.wantMissing)
				}
			}
			// Another model's id is not found either.
			other := "/api/extras/statuses/"
			var st page[brief]
			h.GetOK(other+"?limit=1", &st)
			if r := h.Get(tt.path + st.Results[0].ID + "/"); r.Status != 404 {
				t.Errorf("GET %s with a status id = %d; want 404", tt.path, r.Status)
			}
		})
	}
}

func TestStatusBody(t *testing.T) {
	tests := []struct {
		version string
		keys    []string
		release string
	}{
		{"2.x", []string{"django-version", "installed-apps", "nautobot-version", "nautobot-apps", "plugins", "python-version", "celery-workers-running"}, "2.4.36"},
		{"2.1", []string{"django-version", "installed-apps", "nautobot-version", "plugins", "python-version", "celery-workers-running"}, "2.1.0"},
		{"1.x", []string{"django-version", "installed-apps", "nautobot-version", "plugins", "python-version", "rq-workers-running", "celery-workers-running"}, "1.6.32"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			h := newHarness(t, Options{Seed: 1, Version: tt.version})
			h.S.SetCeleryWorkers(5)
			r := h.GetOK("/api/status/", nil)
			if got := keysOf(t, r.Body); !slices.Equal(got, tt.keys) {
				t.Errorf("status keys = %v; want %v", got, tt.keys)
			}
			var st struct {
				Version string         `json:"nautobot-version"`
				Celery  int            `json:"celery-workers-running"`
				Apps    map[string]any `json:"installed-apps"`
			}
			_ = json.Unmarshal(r.Body, &st)
			if st.Version != tt.release || st.Celery != 5 || st.Apps["nautobot.dcim"] != nil || st.Apps["rest_framework"] == nil {
				t.Errorf("status = %+v; want release %s, 5 workers, versions for third-party apps only", st, tt.release)
			}
		})
	}
	h := newHarness(t, Options{Seed: 1})
	var root map[string]string
	h.GetOK("/api/", &root)
	if root["dcim"] != h.C.BaseURL+"/api/dcim/" || root["status"] != h.C.BaseURL+"/api/status/" {
		t.Errorf("/api/ = %v; want absolute app URLs", root)
	}
}

// TestCounts is pynautobot's count(): limit=1 and read count.
func TestCounts(t *testing.T) {
	for _, size := range []string{"small", "medium"} {
		h := newHarness(t, Options{Seed: 9, Size: size})
		z := h.S.Sizes()
		want := map[string]int{"small": 50, "medium": 2000}[size]
		for path, n := range map[string]int{
			"/api/dcim/devices/": want, "/api/ipam/prefixes/": z.Prefixes, "/api/ipam/ip-addresses/": z.IPAddresses,
			"/api/dcim/locations/": z.Locations, "/api/extras/roles/": z.Roles, "/api/tenancy/tenants/": z.Tenants,
		} {
			if got := h.count(path); got != n || n == 0 {
				t.Errorf("%s count(%s) = %d; want %d (> 0)", size, path, got, n)
			}
		}
		if z.Sites == 0 || z.Locations <= z.Sites || z.IPAddresses < z.Devices/2 || z.Prefixes != z.Sites+1 {
			t.Errorf("%s Sizes() = %+v; want regions, sites and buildings, addresses for most devices, a prefix per site", size, z)
		}
	}
}
