package nautobotsim

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestUnknownFilter(t *testing.T) {
	tests := []struct {
		version, path string
		wantBody      string
	}{
		{"2.x", "/api/dcim/devices/?bogus=1", `{"bogus":["Unknown filter field"]}`},
		{"2.x", "/api/dcim/devices/?limit=1&site=AMS01", `{"site":["Unknown filter field"]}`}, // gone in 2.x
		{"2.x", "/api/dcim/devices/?brief=1", `{"brief":["Unknown filter field"]}`},
		{"2.x", "/api/dcim/devices/?name__bogus=x&zz=1&aa=2", `{"name__bogus":["Unknown filter field"],"zz":["Unknown filter field"],"aa":["Unknown filter field"]}`},
		{"2.x", "/api/dcim/devices/?location=nowhere", `{"location":["Select a valid choice. nowhere is not one of the available choices."]}`},
		{"2.x", "/api/dcim/devices/?bogus=&status=Nope", `{"status":["Select a valid choice. Nope is not one of the available choices."],"bogus":["Unknown filter field"]}`},
		{"2.x", "/api/dcim/devices/?status=active", `{"status":["Select a valid choice. active is not one of the available choices."]}`},
		{"2.x", "/api/ipam/prefixes/?type=bogus", `{"type":["Select a valid choice. bogus is not one of the available choices."]}`},
		{"2.x", "/api/dcim/devices/?id=nope", `{"id":["Enter a valid UUID."]}`},
		{"1.x", "/api/dcim/devices/?depth=1", `{"depth":["Unknown filter field"]}`},
		{"1.x", "/api/dcim/devices/?site=nowhere", `{"site":["Select a valid choice. nowhere is not one of the available choices."]}`},
		{"1.x", "/api/dcim/devices/?site_id=x", `{"site_id":["“x” is not a valid value."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.version+tt.path, func(t *testing.T) {
			h := newHarness(t, Options{Seed: 1, Version: tt.version})
			r := h.Get(tt.path)
			if r.Status != 400 || string(r.Body) != tt.wantBody {
				t.Errorf("GET %s = %d %s; want 400 %s", tt.path, r.Status, r.Body, tt.wantBody)
			}
			// Detail views filter too.
			id := h.S.Devices()[0].ID
			p := strings.Replace(tt.path, "/?", "/"+id+"/?", 1)
			if strings.HasPrefix(tt.path, "/api/dcim/devices/") {
				if r := h.Get(p); r.Status != 400 {
					t.Errorf("GET %s = %d; want 400", p, r.Status)
				}
			}
		})
	}
}

func TestDeviceFilters(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Size: "medium"})
	devs := h.S.Devices()
	countIf := func(f func(DeviceInfo) bool) int { return simtest.CountIf(devs, f) }
	d0 := devs[17]
	var site, building, locID string
	for _, d := range devs {
		if d.Site != d0.Site {
			site = d.Site
			building = d.Location
			break
		}
	}
	var locs page[brief]
	h.GetOK("/api/dcim/locations/?name="+url.QueryEscape(building), &locs)
	locID = locs.Results[0].ID
	tests := []struct {
		query string
		want  int
	}{
		{"serial=" + d0.Serial, 1},
		{"serial=" + strings.ToLower(d0.Serial), 1}, // case-insensitive
		{"name=" + d0.Name, 1},
		{"name=" + strings.ToUpper(d0.Name), 0}, // names are case-sensitive
		{"name__ic=" + strings.ToUpper(d0.Name[:5]), countIf(func(d DeviceInfo) bool { return strings.Contains(d.Name, d0.Name[:5]) })},
		{"name__n=" + d0.Name, len(devs) - 1},
		{"location=" + building, countIf(func(d DeviceInfo) bool { return d.Location == building })},
		{"location=" + locID, countIf(func(d DeviceInfo) bool { return d.Location == building })},
		{"location=" + site, countIf(func(d DeviceInfo) bool { return d.Site == site })}, // descendants
		{"location=" + site + "&location=" + d0.Site, countIf(func(d DeviceInfo) bool { return d.Site == site || d.Site == d0.Site })},
		{"location__n=" + site, countIf(func(d DeviceInfo) bool { return d.Site != site })},
		{"status=Active", countIf(func(d DeviceInfo) bool { return d.Status == "Active" })},
		{"status=Active&status=Offline", countIf(func(d DeviceInfo) bool { return d.Status == "Active" || d.Status == "Offline" })},
		{"status__n=Active", countIf(func(d DeviceInfo) bool { return d.Status != "Active" })},
		{"role=Access+Point", countIf(func(d DeviceInfo) bool { return d.Role == "Access Point" })},
		{"role=Access+Point&status=Active", countIf(func(d DeviceInfo) bool { return d.Role == "Access Point" && d.Status == "Active" })},
		{"tenant=Retail", countIf(func(d DeviceInfo) bool { return d.Tenant == "Retail" })},
		{"tenant__isnull=true", countIf(func(d DeviceInfo) bool { return d.Tenant == "" })},
		{"platform=Cisco+IOS-XE", countIf(func(d DeviceInfo) bool { return d.Platform == "Cisco IOS-XE" })},
		{"platform__isnull=true", countIf(func(d DeviceInfo) bool { return d.Platform == "" })},
		{"manufacturer=Cisco", countIf(func(d DeviceInfo) bool { return d.Manufacturer == "Cisco" })},
		{"has_primary_ip=false", countIf(func(d DeviceInfo) bool { return d.PrimaryIP4 == "" })},
		{"id=" + d0.ID + "&id=" + devs[3].ID, 2},
		{"q=" + strings.ToLower(d0.Serial), 1},
		{"serial=", len(devs)}, // blank values filter nothing
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := h.count("/api/dcim/devices/?" + tt.query); got != tt.want {
				t.Errorf("count(%s) = %d; want %d", tt.query, got, tt.want)
			}
		})
	}
	var p page[device2]
	h.GetOK("/api/dcim/devices/?serial="+d0.Serial, &p)
	if p.Results[0].Name != d0.Name || p.Results[0].ID != d0.ID {
		t.Errorf("serial filter found %+v; want %s", p.Results[0], d0.Name)
	}
	// A filter on a detail view that excludes the object is a 404.
	if r := h.Get("/api/dcim/devices/" + d0.ID + "/?serial=" + devs[0].Serial); r.Status != 404 {
		t.Errorf("detail with a non-matching filter = %d; want 404", r.Status)
	}
}

func TestFilters1x(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Size: "medium", Version: "1.x"})
	devs := h.S.Devices()
	d0 := devs[5]
	countIf := func(f func(DeviceInfo) bool) int { return simtest.CountIf(devs, f) }
	var sites page[brief]
	h.GetOK("/api/dcim/sites/?name="+d0.Site, &sites)
	tests := []struct {
		query string
		want  int
	}{
		{"site=" + slugify(d0.Site), countIf(func(d DeviceInfo) bool { return d.Site == d0.Site })},
		{"site_id=" + sites.Results[0].ID, countIf(func(d DeviceInfo) bool { return d.Site == d0.Site })},
		{"location=" + slugify(d0.Location), countIf(func(d DeviceInfo) bool { return d.Location == d0.Location })},
		{"status=active", countIf(func(d DeviceInfo) bool { return d.Status == "Active" })},
		{"role=access-point", countIf(func(d DeviceInfo) bool { return d.Role == "Access Point" })},
		{"serial=" + d0.Serial, 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := h.count("/api/dcim/devices/?" + tt.query); got != tt.want || tt.want == 0 {
				t.Errorf("count(%s) = %d; want %d (> 0)", tt.query, got, tt.want)
			}
		})
	}
}

func TestOtherFilters(t *testing.T) {
	h := newHarness(t, Options{Seed: 4})
	z := h.S.Sizes()
	tests := []struct {
		path string
		want int
	}{
		{"/api/ipam/prefixes/?type=container", 1},
		{"/api/ipam/prefixes/?type=network", z.Prefixes - 1},
		{"/api/ipam/prefixes/?within=10.0.0.0/8", z.Prefixes - 1},
		{"/api/ipam/prefixes/?within_include=10.0.0.0/8", z.Prefixes},
		{"/api/ipam/prefixes/?contains=10.0.0.77", 2},
		{"/api/ipam/ip-addresses/?prefix=10.0.0.0/8", z.IPAddresses},
		{"/api/ipam/ip-addresses/?address=10.0.0.1/24", 1},
		{"/api/extras/statuses/?content_types=ipam.prefix", 3},
		{"/api/extras/roles/?name=Access+Point", 1},
		{"/api/dcim/locations/?location_type=Site", z.Sites},
		{"/api/tenancy/tenants/?q=re", 2},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := h.count(tt.path); got != tt.want {
				t.Errorf("count = %d; want %d", got, tt.want)
			}
		})
	}
}

func TestSort(t *testing.T) {
	h := newHarness(t, Options{Seed: 4})
	var p page[device2]
	h.GetOK("/api/dcim/devices/?sort=-name&limit=1000", &p)
	var names []string
	for _, d := range p.Results {
		names = append(names, d.Name)
	}
	devs := h.S.Devices()
	if names[0] != devs[len(devs)-1].Name || names[len(names)-1] != devs[0].Name {
		t.Errorf("sort=-name runs %s … %s; want %s … %s", names[0], names[len(names)-1], devs[len(devs)-1].Name, devs[0].Name)
	}
	var q page[json.RawMessage]
	h.GetOK("/api/dcim/devices/?sort=nonsense&limit=1", &q)
	var first device2
	_ = json.Unmarshal(q.Results[0], &first)
	if first.Name != devs[0].Name {
		t.Errorf("sort=nonsense first = %s; want the default order's %s", first.Name, devs[0].Name)
	}
}
