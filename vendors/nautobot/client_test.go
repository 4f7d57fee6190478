package nautobot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

func nbConfig(t testing.TB, base, token, extra string) *config.Nautobot {
	t.Helper()
	y := fmt.Sprintf("nautobot:\n  - name: sot\n    base_url: %s\n    token: %s\n%s", base, token, extra)
	return &vendortest.Parse(t, y, "nb.yml").Nautobot[0]
}

func newClient(t testing.TB, cfg *config.Nautobot) *Client {
	t.Helper()
	c := vendortest.Build(t, New, cfg, Options{})
	vendortest.QuickRetries(c.req)
	return c
}

func TestBothShapes(t *testing.T) {
	for _, tc := range []struct {
		server, pin string
	}{{"2.x", "2.4"}, {"2.2", "2.2"}, {"1.x", "1.6"}} {
		t.Run(tc.server, func(t *testing.T) {
			sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Version: tc.server})
			c := newClient(t, nbConfig(t, base, sim.Credentials().Token, "    api_version: \""+tc.pin+"\"\n"))
			ctx := context.Background()
			devs := vendortest.Get(t, "Devices()", c.Devices)
			if got, want := len(devs.Devices), sim.Sizes().Devices; got != want {
				t.Errorf("devices = %d; want %d", got, want)
			}
			for _, d := range devs.Devices {
				if d.Name == "" || d.Serial == "" || d.Location == "" || d.Role == "" || d.Status == "" || d.Platform == "" {
					t.Errorf("device %+v: want name, serial, location, role, status and platform names", d)
					break
				}
				if len(d.Location) == 36 && strings.Count(d.Location, "-") == 4 {
					t.Errorf("device %s location %q is an id; want a name", d.Name, d.Location)
					break
				}
			}
			locs, err := c.Locations(ctx)
			if err != nil || len(locs.Locations) == 0 {
				t.Errorf("Locations() = %d, %v; want some", len(locs.Locations), err)
			}
			st, err := c.Status(ctx)
			if err != nil || st.Version == "" || st.Workers < 0 {
				t.Errorf("Status() = %+v, %v; want a version and a worker count", st, err)
			}
			ipam, err := c.IPAM(ctx)
			if err != nil || ipam.Prefixes != sim.Sizes().Prefixes || ipam.IPAddresses != sim.Sizes().IPAddresses {
				t.Errorf("IPAM() = %+v, %v; want %d prefixes and %d addresses", ipam, err, sim.Sizes().Prefixes, sim.Sizes().IPAddresses)
			}
		})
	}
}

func TestVersionRefused(t *testing.T) {
	sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Version: "1.x"})
	c := newClient(t, nbConfig(t, base, sim.Credentials().Token, "    api_version: \"2.4\"\n"))
	_, err := c.Devices(context.Background())
	if vendors.StatusCode(err) != http.StatusNotAcceptable || !strings.Contains(err.Error(), "refuses API version 2.4") ||
		!strings.Contains(err.Error(), "Supported versions are") {
		t.Errorf("Devices() against a 1.x server pinned to 2.4 = %v; want the 406 explained", err)
	}
}

func TestBadToken(t *testing.T) {
	_, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5})
	c := newClient(t, nbConfig(t, base, "0123456789abcdef0123456789abcdef01234567", ""))
	_, err := c.Devices(context.Background())
	vendortest.CheckError(t, "Devices() with an unknown token", err, http.StatusForbidden, "Invalid token", "0123456789abcdef")
}

func TestBodySizeLimit(t *testing.T) {
	sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5})
	c := newClient(t, nbConfig(t, base, sim.Credentials().Token, "    body_size_limit: 64KiB\n"))
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatalf("Status() = %v", err)
	}
	sim.SetFaults(nautobotsim.Faults{Oversize: 64<<10 + 1})
	if _, err := c.Status(context.Background()); !errors.Is(err, vendors.ErrBodyTooLarge) {
		t.Errorf("Status() with a body past body_size_limit = %v; want ErrBodyTooLarge", err)
	}
}

func TestPagingIsPageCountMinimum(t *testing.T) {
	sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Size: "medium"})
	n := sim.Sizes().Devices
	if n%4 != 0 {
		t.Fatalf("%d devices: the first case needs a count that is an exact multiple of the page", n)
	}
	for _, size := range []int{n / 4, 300, 1000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c := newClient(t, nbConfig(t, base, sim.Credentials().Token, fmt.Sprintf("    page_size: %d\n", size)))
			sim.ResetCalls()
			devs := vendortest.Get(t, "Devices()", c.Devices)
			if len(devs.Devices) != n {
				t.Errorf("devices = %d; want %d", len(devs.Devices), n)
			}
			// The device pages, and the pages of the lookup lists that name
			// what they refer to.
			z := sim.Sizes()
			want := (n + size - 1) / size
			for _, k := range []int{z.Statuses, z.Roles, z.Tenants, z.Platforms, z.Locations} {
				want += max(1, (k+size-1)/size)
			}
			if got := sim.Calls(); got != want {
				t.Errorf("calls = %d; want the page-count minimum %d (count %d, page %d, lookups %+v)", got, want, n, size, z)
			}
		})
	}
}

// TestServerCapsThePageSize: Nautobot clamps a limit above its
// MAX_PAGE_SIZE without an error, so a walk at page_size 1000 against a
// cap of 500 must follow the pages served, or it reads half the devices.
// The cap runs below, equal to and above the page size; every list is read
// complete, at the page-count minimum of the size served.
func TestServerCapsThePageSize(t *testing.T) {
	const pageSize = 1000
	for _, most := range []int{500, 7, pageSize, 5000} {
		t.Run(fmt.Sprintf("MAX_PAGE_SIZE %d", most), func(t *testing.T) {
			sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Size: "medium", MaxPageSize: most})
			cfg := nbConfig(t, base, sim.Credentials().Token, fmt.Sprintf("    page_size: %d\n", pageSize))
			minimum, err := newClient(t, cfg).PageMinimum(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(t, cfg)
			sim.ResetCalls()
			ctx := context.Background()
			devs := vendortest.Get(t, "Devices()", c.Devices)
			z := sim.Sizes()
			if len(devs.Devices) != z.Devices {
				t.Errorf("devices = %d; want all %d", len(devs.Devices), z.Devices)
			}
			locs, err := c.Locations(ctx)
			if err != nil || len(locs.Locations) != z.Locations {
				t.Errorf("Locations() = %d, %v; want %d", len(locs.Locations), err, z.Locations)
			}
			for _, f := range []func() error{
				func() error { _, err := c.Status(ctx); return err },
				func() error { _, err := c.IPAM(ctx); return err },
			} {
				if err := f(); err != nil {
					t.Fatal(err)
				}
			}
			if got := sim.Calls(); got != minimum {
				t.Errorf("calls = %d; want the page-count minimum %d at the size the server serves", got, minimum)
			}
		})
	}
}

// TestShortPagesFailTheWalk: a server whose pages hold fewer items than
// its count promises fails the walk with both numbers, rather than report
// part of the estate as all of it.
func TestShortPagesFailTheWalk(t *testing.T) {
	sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Size: "medium"})
	n := sim.Sizes().Devices
	short := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A proxy that drops every page after the first.
		if r.URL.Path == "/api/dcim/devices/" && r.URL.Query().Get("offset") != "0" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"count": %d, "next": null, "previous": null, "results": []}`, n)
			return
		}
		r.Host = strings.TrimPrefix(base, "http://")
		sim.ServeHTTP(w, r)
	}))
	c := newClient(t, nbConfig(t, short, sim.Credentials().Token, "    page_size: 500\n"))
	_, err := c.Devices(context.Background())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("held 500 items in all, but the server's total is %d", n)) {
		t.Errorf("Devices() with short pages = %v; want an error naming 500 and %d", err, n)
	}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		status int
		retry  bool
	}{{429, true}, {500, true}, {502, true}, {503, true}, {504, true}, {400, false}, {404, false}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			var hits atomic.Int64
			base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte(`{"detail": "failing once"}`))
					return
				}
				_, _ = w.Write([]byte(`{"nautobot-version": "2.4.36", "celery-workers-running": 1}`))
			}))
			c := newClient(t, nbConfig(t, base, "tok", ""))
			_, err := c.Status(context.Background())
			if tc.retry && (err != nil || hits.Load() != 2) {
				t.Errorf("status %d: Status() = %v after %d calls; want a retry and success", tc.status, err, hits.Load())
			}
			if !tc.retry && (err == nil || hits.Load() != 1) {
				t.Errorf("status %d: Status() = %v after %d calls; want the error, no retry", tc.status, err, hits.Load())
			}
		})
	}
}

// TestDepthZeroNamesMatchDepthOne: devices paged at depth 0 and named from
// the lookup lists read the same as devices paged at depth 1.
func TestDepthZeroNamesMatchDepthOne(t *testing.T) {
	sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Size: "medium"})
	c := newClient(t, nbConfig(t, base, sim.Credentials().Token, ""))
	got := vendortest.Get(t, "Devices()", c.Devices)
	var nested []device
	if err := list(context.Background(), c, "/api/dcim/devices/", c.nested(), func(p []device) { nested = append(nested, p...) }); err != nil {
		t.Fatal(err)
	}
	want := newDevices(nested, 2)
	if len(got.Devices) != len(want.Devices) {
		t.Fatalf("%d devices at depth 0; %d at depth 1", len(got.Devices), len(want.Devices))
	}
	for i := range want.Devices {
		if got.Devices[i] != want.Devices[i] {
			t.Fatalf("device %d at depth 0 = %+v; at depth 1 = %+v", i, got.Devices[i], want.Devices[i])
		}
	}
}

// TestCollectionsStartingTogether: the collections, started at once as the
// exporter starts them, walk the locations once, whichever of devices and
// locations starts first.
func TestCollectionsStartingTogether(t *testing.T) {
	sim, base := vendortest.Serve(t, nautobotsim.New, nautobotsim.Options{Seed: 5, Size: "small"})
	cfg := nbConfig(t, base, sim.Credentials().Token, "    page_size: 10\n")
	ctx := context.Background()
	want, err := newClient(t, cfg).PageMinimum(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(nautobotsim.Faults{Latency: 30 * time.Millisecond})
	simtest.StartTogether(t, sim, want, 5*time.Millisecond, func() map[string]func() error {
		c := newClient(t, cfg)
		return map[string]func() error{
			"status": func() error { _, err := c.Status(ctx); return err },
			"devices": func() error {
				d, err := c.Devices(ctx)
				if err == nil && d.Devices[0].Location == "" {
					err = fmt.Errorf("device %s has no location name", d.Devices[0].Name)
				}
				return err
			},
			"locations": func() error { _, err := c.Locations(ctx); return err },
			"ipam":      func() error { _, err := c.IPAM(ctx); return err },
		}
	})
}
