package nautobotsim

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestPaging(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, MaxPageSize: 20}) // small: 50 devices
	base := h.C.BaseURL + "/api/dcim/devices/"
	str := func(s string) *string { return &s }
	tests := []struct {
		query     string
		wantItems int
		wantNext  *string
		wantPrev  *string
	}{
		{"", 50, nil, nil}, // PAGINATE_COUNT is not clamped by the cap
		{"?limit=10", 10, str(base + "?limit=10&offset=10"), nil},
		{"?limit=10&offset=10", 10, str(base + "?limit=10&offset=20"), str(base + "?limit=10")},
		{"?limit=10&offset=30", 10, str(base + "?limit=10&offset=40"), str(base + "?limit=10&offset=20")},
		{"?limit=10&offset=40", 10, nil, str(base + "?limit=10&offset=30")}, // count a multiple of the page
		{"?limit=7&offset=49", 1, nil, str(base + "?limit=7&offset=42")},    // last partial page
		{"?limit=10&offset=5", 10, str(base + "?limit=10&offset=15"), str(base + "?limit=10")},
		{"?limit=10&offset=50", 0, nil, str(base + "?limit=10&offset=40")}, // offset at the end
		{"?limit=10&offset=500", 0, nil, str(base + "?limit=10&offset=490")},
		{"?limit=100", 20, str(base + "?limit=20&offset=20"), nil}, // clamped to the cap
		{"?limit=0", 20, str(base + "?limit=20&offset=20"), nil},   // 0 is the cap
		{"?limit=-1", 50, nil, nil}, // bad limits give the default
		{"?limit=x&offset=y", 50, nil, nil},
		{"?offset=-3&limit=5", 5, str(base + "?limit=5&offset=5"), nil},
		{"?status=Active&limit=5&depth=0", 5, nil, nil}, // links checked below
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var p page[json.RawMessage]
			h.GetOK("/api/dcim/devices/"+tt.query, &p)
			if p.Count != 50 && !strings.Contains(tt.query, "status") {
				t.Errorf("count = %d; want 50", p.Count)
			}
			if p.Results == nil || len(p.Results) != tt.wantItems {
				t.Errorf("results = %d items; want %d", len(p.Results), tt.wantItems)
			}
			if strings.Contains(tt.query, "status") {
				return
			}
			if !eqPtr(p.Next, tt.wantNext) || !eqPtr(p.Previous, tt.wantPrev) {
				t.Errorf("next, previous = %s, %s; want %s, %s", show(p.Next), show(p.Previous), show(tt.wantNext), show(tt.wantPrev))
			}
		})
	}
	// Links keep every other parameter, sorted as DRF re-encodes them.
	var p page[json.RawMessage]
	h.GetOK("/api/dcim/devices/?status=Active&status=Offline&limit=5&offset=5&depth=0&api_version=2.4", &p)
	want := base + "?api_version=2.4&depth=0&limit=5&offset=10&status=Active&status=Offline"
	if p.Next == nil || *p.Next != want {
		t.Errorf("next = %s; want %s", show(p.Next), want)
	}
	want = base + "?api_version=2.4&depth=0&limit=5&status=Active&status=Offline"
	if p.Previous == nil || *p.Previous != want {
		t.Errorf("previous = %s; want %s", show(p.Previous), want)
	}
}

func eqPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func TestPagingUsesHost(t *testing.T) {
	h := newHarness(t, Options{Seed: 5})
	r := h.request("GET", "/api/dcim/devices/?limit=1", map[string]string{"Host": "nautobot.example.com:8443"})
	var p page[brief]
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Next == nil || *p.Next != "http://nautobot.example.com:8443/api/dcim/devices/?limit=1&offset=1" ||
		!strings.HasPrefix(p.Results[0].URL, "http://nautobot.example.com:8443/api/dcim/devices/") {
		t.Errorf("next = %s, url = %s; want links on the request's Host", show(p.Next), p.Results[0].URL)
	}
}

func TestNoPageCap(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, Size: "medium", MaxPageSize: -1})
	var p page[brief]
	h.GetOK("/api/dcim/devices/?limit=0", &p)
	if len(p.Results) != 2000 || p.Next != nil || p.Previous != nil {
		t.Errorf("limit=0 without a cap = %d results, next %s, previous %s; want all 2000 and no links", len(p.Results), show(p.Next), show(p.Previous))
	}
	h.GetOK("/api/dcim/devices/?limit=1500", &p)
	if len(p.Results) != 1500 {
		t.Errorf("limit=1500 without a cap = %d results; want 1500", len(p.Results))
	}
}

// TestWalks follows next links through every list endpoint and checks the
// count, with no repeats.
func TestWalks(t *testing.T) {
	for _, v := range []string{"2.x", "1.x"} {
		h := newHarness(t, Options{Seed: 8, Size: "medium", Version: v})
		z := h.S.Sizes()
		paths := map[string]int{
			"/api/dcim/devices/":        z.Devices,
			"/api/dcim/locations/":      z.Locations,
			"/api/dcim/platforms/":      z.Platforms,
			"/api/tenancy/tenants/":     z.Tenants,
			"/api/extras/statuses/":     z.Statuses,
			"/api/ipam/prefixes/":       z.Prefixes,
			"/api/ipam/ip-addresses/":   z.IPAddresses,
			"/api/dcim/device-types/":   -1,
			"/api/dcim/manufacturers/":  -1,
			"/api/dcim/location-types/": -1,
		}
		if v == "1.x" {
			paths["/api/dcim/sites/"] = z.Sites
			paths["/api/dcim/regions/"] = 3
			paths["/api/dcim/device-roles/"] = z.Roles
		} else {
			paths["/api/extras/roles/"] = z.Roles
			paths["/api/ipam/namespaces/"] = 1
		}
		for path, want := range paths {
			t.Run(v+path, func(t *testing.T) {
				seen := map[string]bool{}
				pages := walk[brief](h, path+"?limit=333")
				for _, p := range pages {
					for _, o := range p.Results {
						if seen[o.ID] {
							t.Fatalf("%s repeats %s", path, o.ID)
						}
						seen[o.ID] = true
					}
				}
				if len(seen) != pages[0].Count || (want >= 0 && pages[0].Count != want) {
					t.Errorf("walk collected %d, count %d; want %d", len(seen), pages[0].Count, want)
				}
				if got := h.count(path); got != pages[0].Count {
					t.Errorf("count with limit=1 = %d; want %d", got, pages[0].Count)
				}
			})
		}
	}
}

// TestThreadedPattern is pynautobot's threaded .all(): limit=0, then
// concurrent pages by offset, including the extra empty page its formula
// asks for when count is a multiple of the page size.
func TestThreadedPattern(t *testing.T) {
	h := newHarness(t, Options{Seed: 2, Size: "medium"}) // 2,000 devices, cap 1,000
	var first page[brief]
	h.GetOK("/api/dcim/devices/?limit=0", &first)
	size := len(first.Results)
	if size != 1000 || first.Next == nil {
		t.Fatalf("limit=0 = %d results, next %s; want 1000 and a next link", size, show(first.Next))
	}
	pages := first.Count/size + 1 // pynautobot over-counts at an exact multiple
	var mu sync.Mutex
	seen := map[string]bool{}
	for _, d := range first.Results {
		seen[d.ID] = true
	}
	var wg sync.WaitGroup
	for k := 1; k < pages; k++ {
		wg.Add(1)
		go func(off int) {
			defer wg.Done()
			var p page[brief]
			h.GetOK(fmt.Sprintf("/api/dcim/devices/?offset=%d&limit=%d", off, size), &p)
			mu.Lock()
			defer mu.Unlock()
			for _, d := range p.Results {
				seen[d.ID] = true
			}
			if off >= first.Count && (len(p.Results) != 0 || p.Next != nil) {
				t.Errorf("page at offset %d = %d results, next %s; want none", off, len(p.Results), show(p.Next))
			}
		}(k * size)
	}
	wg.Wait()
	if len(seen) != first.Count {
		t.Errorf("threaded walk saw %d devices; want %d", len(seen), first.Count)
	}
}

// TestPublishedClientAll is pynautobot's unthreaded .all() (Request.get,
// req_all): the first page at the server's default, then limit=count and
// offset=len(first page), which the server clamps to MAX_PAGE_SIZE, then
// each next link verbatim. It reads every device whatever the cap: below,
// equal to and above the default page, and none.
func TestPublishedClientAll(t *testing.T) {
	for _, most := range []int{7, DefaultPageSize, 1000, -1} {
		t.Run(fmt.Sprint(most), func(t *testing.T) {
			h := newHarness(t, Options{Seed: 8, Size: "medium", MaxPageSize: most})
			var first page[brief]
			h.GetOK("/api/dcim/devices/", &first)
			seen := map[string]bool{}
			for _, d := range first.Results {
				seen[d.ID] = true
			}
			if first.Next != nil {
				for _, p := range walk[brief](h, fmt.Sprintf("/api/dcim/devices/?limit=%d&offset=%d", first.Count, len(first.Results))) {
					for _, d := range p.Results {
						seen[d.ID] = true
					}
				}
			}
			if len(seen) != first.Count || first.Count != h.S.Sizes().Devices {
				t.Errorf(".all() read %d devices of a count of %d; want all %d", len(seen), first.Count, h.S.Sizes().Devices)
			}
		})
	}
}
