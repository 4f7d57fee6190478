package cxsim

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

var etagRE = regexp.MustCompile(`^"[0-9a-f]{32}"$`)

func validators(t *testing.T, h *harness, path string) (etag, lastMod string) {
	t.Helper()
	r := h.GetOK(path, nil)
	etag, lastMod = r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	if !etagRE.MatchString(etag) {
		t.Fatalf("GET %s ETag = %q; want a quoted 32-digit hex", path, etag)
	}
	if _, err := http.ParseTime(lastMod); err != nil {
		t.Fatalf("GET %s Last-Modified = %q: %v", path, lastMod, err)
	}
	return etag, lastMod
}

func TestETagLifecycle(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	const devices, bulletins = "inventory/devices", "productAlerts/fieldNoticeBulletins"
	tag, lm := validators(t, h, devices)
	bTag, bLM := validators(t, h, bulletins)

	h.Clock.Add(time.Minute)
	if tag2, lm2 := validators(t, h, devices); tag2 != tag || lm2 != lm {
		t.Errorf("validators a minute later = %s %s; want unchanged %s %s", tag2, lm2, tag, lm)
	}
	r := h.request("GET", devices, map[string]string{"If-None-Match": tag})
	if r.Status != 304 || len(r.Body) != 0 || r.Header.Get("ETag") != tag || r.Header.Get("Last-Modified") != lm {
		t.Fatalf("If-None-Match current = %d, body %q, ETag %q; want 304, empty, %s", r.Status, r.Body, r.Header.Get("ETag"), tag)
	}
	if h.S.NotModified() != 1 {
		t.Errorf("NotModified() = %d; want 1", h.S.NotModified())
	}
	for _, inm := range []string{`"0000", ` + tag, "W/" + tag, "*"} {
		if r := h.request("GET", devices, map[string]string{"If-None-Match": inm}); r.Status != 304 {
			t.Errorf("If-None-Match %s = %d; want 304", inm, r.Status)
		}
	}

	h.S.Step()
	r = h.request("GET", devices, map[string]string{"If-None-Match": tag})
	newTag := r.Header.Get("ETag")
	if r.Status != 200 || newTag == tag || !etagRE.MatchString(newTag) {
		t.Fatalf("If-None-Match old tag after Step = %d ETag %q; want 200 with a new tag", r.Status, newTag)
	}
	if got := r.Header.Get("Last-Modified"); got != testStart.Add(time.Minute).Format(http.TimeFormat) {
		t.Errorf("Last-Modified after Step = %s; want the processing time %s", got, testStart.Add(time.Minute).Format(http.TimeFormat))
	}
	if r := h.request("GET", devices, map[string]string{"If-None-Match": newTag}); r.Status != 304 {
		t.Errorf("If-None-Match new tag = %d; want 304", r.Status)
	}
	r = h.request("GET", bulletins, map[string]string{"If-None-Match": bTag})
	if r.Status != 304 || r.Header.Get("Last-Modified") != bLM {
		t.Errorf("unchanged endpoint after Step = %d, Last-Modified %s; want 304, %s", r.Status, r.Header.Get("Last-Modified"), bLM)
	}

	if r := h.request("GET", devices, map[string]string{"If-Match": tag}); r.Status != 412 || messageOf(t, r.Body) != "Precondition Failed" {
		t.Errorf("If-Match old tag = %d %s; want 412", r.Status, r.Body)
	}
	if r := h.request("GET", devices, map[string]string{"If-Match": newTag}); r.Status != 200 {
		t.Errorf("If-Match current tag = %d; want 200", r.Status)
	}
	if r := h.request("GET", devices, map[string]string{"If-Match": "W/" + newTag}); r.Status != 412 {
		t.Errorf("If-Match weak tag = %d; want 412 (strong comparison)", r.Status)
	}
}

func TestIfModifiedSince(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	_, lm := validators(t, h, "collectors")
	tests := []struct {
		ims  string
		want int
	}{
		{lm, 304},
		{testStart.Format(http.TimeFormat), 304},
		{"Mon, 01 Jan 2024 00:00:00 GMT", 200},
		{"not a date", 200},
	}
	for _, tt := range tests {
		if r := h.request("GET", "collectors", map[string]string{"If-Modified-Since": tt.ims}); r.Status != tt.want {
			t.Errorf("If-Modified-Since %q = %d; want %d", tt.ims, r.Status, tt.want)
		}
	}
	if r := h.request("GET", "collectors", map[string]string{"If-Modified-Since": lm, "If-None-Match": `"nope"`}); r.Status != 200 {
		t.Errorf("If-None-Match mismatch with If-Modified-Since = %d; want 200 (If-None-Match wins)", r.Status)
	}
}

// TestETagPerURL: each distinct URL has its own tag; the region prefix does
// not matter; two servers with the same seed agree.
func TestETagPerURL(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, TokenTTL: 24 * time.Hour})
	id := h.S.DeviceIDs()[0]
	paths := []string{
		"inventory/devices", "inventory/devices?max=10", "inventory/devices?fields=deviceId",
		"inventory/devices?deviceStatus=ACTIVE", "inventory/devices/" + itoa(id), "inventory/assets",
	}
	seen := map[string]string{}
	for _, p := range paths {
		tag, _ := validators(t, h, p)
		if prev, ok := seen[tag]; ok {
			t.Errorf("GET %s and %s share ETag %s", p, prev, tag)
		}
		seen[tag] = p
	}
	regional, _ := validators(t, h, "/emea/bcs/v2/inventory/devices")
	plain, _ := validators(t, h, "inventory/devices")
	if regional != plain {
		t.Errorf("ETag with region = %s; want the same as without, %s", regional, plain)
	}

	other := newHarness(t, Options{Seed: 8, TokenTTL: 24 * time.Hour})
	other.Clock.Add(5 * time.Hour) // same day
	for _, p := range paths {
		a, alm := validators(t, h, p)
		b, blm := validators(t, other, p)
		if a != b || alm != blm {
			t.Errorf("GET %s validators on two servers with seed 8 = %s %s, %s %s; want equal", p, a, alm, b, blm)
		}
	}
	h.S.Step()
	other.S.Step()
	a, _ := validators(t, h, "productAlerts/fieldNotices")
	b, _ := validators(t, other, "productAlerts/fieldNotices")
	if a != b {
		t.Errorf("ETags after one Step on both = %s, %s; want equal", a, b)
	}
	c := newHarness(t, Options{Seed: 9})
	if x, _ := validators(t, c, "inventory/devices"); x == plain {
		t.Errorf("seeds 8 and 9 share the devices ETag %s", x)
	}
}
