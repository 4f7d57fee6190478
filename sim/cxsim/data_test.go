package cxsim

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestNewSizes(t *testing.T) {
	tests := []struct {
		size                        string
		devices, fns, advisories, c int
	}{
		{"", 60, 20, 25, 2},
		{"small", 60, 20, 25, 2},
		{"medium", 2000, 150, 200, 3},
		{"large", 20000, 300, 400, 4},
	}
	build := func(size string) (*Server, error) {
		return New(Options{Seed: 7, Size: size, Now: func() time.Time { return testStart }})
	}
	for _, tt := range tests {
		simtest.RunSize(t, tt.size, build, func(t *testing.T, s *Server) {
			z := s.Sizes()
			if z.Devices != tt.devices || z.FieldNoticeBulletins != tt.fns || z.AdvisoryBulletins != tt.advisories || z.Collectors != tt.c {
				t.Errorf("Sizes() = %+v; want %d devices, %d field notice bulletins, %d advisory bulletins, %d collectors",
					z, tt.devices, tt.fns, tt.advisories, tt.c)
			}
			if z.Assets < z.Devices*2 || z.Assets > z.Devices*5 {
				t.Errorf("Assets = %d; want 2-5 per device (%d devices)", z.Assets, z.Devices)
			}
			if z.HardwareEoL == 0 || z.SoftwareEoL == 0 || z.HardwareEoLBulletins == 0 || z.SoftwareEoLBulletins == 0 {
				t.Errorf("Sizes() = %+v; want end-of-life items and bulletins", z)
			}
			if got := len(s.DeviceIDs()); got != z.Devices {
				t.Errorf("len(DeviceIDs()) = %d; want %d", got, z.Devices)
			}
		})
	}
	for _, o := range []Options{{Size: "huge"}, {PerSecond: -1}, {PerDay: -1}, {TokenTTL: -time.Second}, {PageSize: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) error = nil; want an error", o)
		}
	}
}

// TestMatchShares checks that 10-30% of devices match field notices and
// advisories, with every confidence present.
func TestMatchShares(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Size: "medium"})
	for _, p := range []string{"productAlerts/fieldNotices", "productAlerts/securityAdvisories"} {
		devs := map[float64]bool{}
		conf := map[string]int{}
		for _, it := range h.items(p) {
			devs[it["deviceId"].(float64)] = true
			conf[it["matchConfidence"].(string)]++
		}
		if share := float64(len(devs)) / 2000; share < 0.10 || share > 0.30 {
			t.Errorf("%s: %d of 2000 devices match (%.0f%%); want 10-30%%", p, len(devs), share*100)
		}
		for _, c := range confidences {
			if conf[c] == 0 {
				t.Errorf("%s: no %q matches (%v)", p, c, conf)
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	bodies := func(seed int64) []byte {
		h := newHarness(t, Options{Seed: seed})
		var all []byte
		for _, p := range listPaths {
			all = append(all, h.GetOK(p, nil).Body...)
		}
		return all
	}
	simtest.CheckDeterministic(t, "bodies of seeds 11, 11 and 12", bodies(11), bodies(11), bodies(12))
	h1, h2 := newHarness(t, Options{Seed: 11}), newHarness(t, Options{Seed: 11})
	if h1.C.ClientID != h2.C.ClientID || h1.C.ClientSecret != h2.C.ClientSecret || h1.C.ClientID == "" {
		t.Errorf("Credentials() with the same seed = %+v, %+v; want equal, non-empty", h1.C, h2.C)
	}
}

var (
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	serialRE   = regexp.MustCompile(`^[A-Z]{3}\d{4}[0-9A-Z]{4}$`)
	shipDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
)

// TestWireFormats checks every attribute's type and format on every
// endpoint against the models.
func TestWireFormats(t *testing.T) {
	h := newHarness(t, Options{Seed: 2})
	for _, p := range listPaths {
		ep := &endpoints[epByName[p]]
		items := h.all(p)
		if len(items) == 0 {
			t.Errorf("%s: no items", p)
			continue
		}
		for _, it := range items {
			if len(it) != len(ep.attrs) {
				t.Fatalf("%s item has %d attributes; want %d (%v)", p, len(it), len(ep.attrs), it)
			}
			for k, v := range it {
				switch {
				case v == nil:
				case k == "contractSiteShipDate":
					// The one timestamp with a space, as the SDK's tests have it.
					if s, ok := v.(string); !ok || !shipDateRE.MatchString(s) {
						t.Fatalf("%s %s = %v; want YYYY-MM-DD HH:MM:SS", p, k, v)
					}
				case strings.HasSuffix(k, "Timestamp"):
					if s, ok := v.(string); !ok || !dateTimeRE.MatchString(s) {
						t.Fatalf("%s %s = %v; want YYYY-MM-DDTHH:MM:SS", p, k, v)
					}
				case strings.HasSuffix(k, "Date"):
					if s, ok := v.(string); !ok || !dateRE.MatchString(s) {
						t.Fatalf("%s %s = %v; want YYYY-MM-DD", p, k, v)
					}
				case k == "deviceId" || k == "physicalAssetId" || k == "securityAdvisoryColdId" ||
					k == "hardwareEndOfLifeId" || k == "softwareEndOfLifeId" || k == "expectedUploadInterval":
					if _, ok := v.(float64); !ok {
						t.Fatalf("%s %s = %v (%T); want a number", p, k, v, v)
					}
				case k == "isInSeedFile" || k == "isCovered":
					if _, ok := v.(bool); !ok {
						t.Fatalf("%s %s = %v; want a bool", p, k, v)
					}
				case k == "replacementProductIds" || k == "resetDetails" || k == "baseProductIdList" || k == "orderableProductIdList":
					if _, ok := v.([]any); !ok {
						t.Fatalf("%s %s = %v; want an array", p, k, v)
					}
				case k == "installedFlash" || k == "installedMemory":
				default:
					if _, ok := v.(string); !ok {
						t.Fatalf("%s %s = %v (%T); want a string", p, k, v, v)
					}
				}
			}
		}
	}
}

func TestInventoryRealism(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, Size: "medium"})
	devs := h.all("inventory/devices")
	status := map[string]int{}
	pids := map[string]bool{}
	byID := map[float64]bool{}
	for _, d := range devs {
		status[d["deviceStatus"].(string)]++
		pids[d["productId"].(string)] = true
		byID[d["deviceId"].(float64)] = true
	}
	if len(byID) != 2000 {
		t.Errorf("distinct deviceIds = %d; want 2000", len(byID))
	}
	if status["ACTIVE"] < 1800 || status["ACTIVE"] == 2000 {
		t.Errorf("deviceStatus counts = %v; want mostly, not all, ACTIVE", status)
	}
	for _, pid := range []string{"ISR4321/K9", "C9300-48P", "C9120AXI-E", "C9800-40-K9", "N9K-C93180YC-FX"} {
		if !pids[pid] {
			t.Errorf("no device with productId %s", pid)
		}
	}

	serials := map[string]bool{}
	chassis := map[float64]int{}
	kinds := map[string]bool{}
	assets := h.all("inventory/assets")
	for _, a := range assets {
		typ := a["physicalAssetType"].(string)
		kinds[typ] = true
		sn := a["serialNumber"].(string)
		if typ == "Chassis" {
			chassis[a["deviceId"].(float64)]++
			if !serialRE.MatchString(sn) {
				t.Errorf("chassis serialNumber %q; want Cisco style like FOC2231X0AB", sn)
			}
		}
		if sn == "" {
			if a["serialNumberStatus"] != "N/A" {
				t.Errorf("asset without serial has serialNumberStatus %v; want N/A", a["serialNumberStatus"])
			}
			continue
		}
		if serials[sn] {
			t.Errorf("serialNumber %s repeats", sn)
		}
		serials[sn] = true
	}
	if len(chassis) != 2000 {
		t.Errorf("devices with a chassis = %d; want 2000", len(chassis))
	}
	for id, n := range chassis {
		if n != 1 {
			t.Errorf("device %v has %d chassis; want 1", id, n)
		}
	}
	for _, k := range []string{"Chassis", "Fan", "Power Supply", "Module"} {
		if !kinds[k] {
			t.Errorf("no asset of type %s", k)
		}
	}
}

func TestJoins(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, Size: "medium"})
	devices := map[float64]bool{}
	for _, d := range h.all("inventory/devices?fields=deviceId") {
		devices[d["deviceId"].(float64)] = true
	}
	fnb := map[string]bool{}
	for _, b := range h.items("productAlerts/fieldNoticeBulletins") {
		fnb[b["fieldNoticeId"].(string)] = true
	}
	sab := map[float64]string{}
	for _, b := range h.items("productAlerts/securityAdvisoryBulletins") {
		sab[b["securityAdvisoryColdId"].(float64)] = b["securityImpactRating"].(string)
	}
	ratingsSeen := map[string]bool{}
	for _, r := range sab {
		ratingsSeen[r] = true
	}
	for _, r := range ratings {
		if !ratingsSeen[r] {
			t.Errorf("no advisory bulletin rated %s", r)
		}
	}
	for _, m := range h.items("productAlerts/fieldNotices") {
		if !fnb[m["fieldNoticeId"].(string)] || !devices[m["deviceId"].(float64)] {
			t.Fatalf("field notice match %v does not join a bulletin and a device", m)
		}
	}
	for _, m := range h.items("productAlerts/securityAdvisories") {
		if _, ok := sab[m["securityAdvisoryColdId"].(float64)]; !ok || !devices[m["deviceId"].(float64)] {
			t.Fatalf("advisory match %v does not join a bulletin and a device", m)
		}
	}
	hwb := map[float64]map[string]any{}
	for _, b := range h.items("productAlerts/hardwareEndOfLifeBulletins") {
		hwb[b["hardwareEndOfLifeId"].(float64)] = b
	}
	for _, it := range h.items("productAlerts/hardwareEndOfLife") {
		b, ok := hwb[it["hardwareEndOfLifeId"].(float64)]
		if !ok || b["productId"] != it["productId"] {
			t.Fatalf("hardware EoL item %v does not join its bulletin", it)
		}
	}
	swb := map[float64]bool{}
	for _, b := range h.items("productAlerts/softwareEndOfLifeBulletins") {
		swb[b["softwareEndOfLifeId"].(float64)] = true
	}
	for _, it := range h.items("productAlerts/softwareEndOfLife") {
		if !swb[it["softwareEndOfLifeId"].(float64)] {
			t.Fatalf("software EoL item %v does not join a bulletin", it)
		}
	}
}

// TestEoLMilestoneSpread checks the bulletins span the stages a client
// alerts on: past, within 180 days and years ahead.
func TestEoLMilestoneSpread(t *testing.T) {
	h := newHarness(t, Options{Seed: 6, Size: "medium"})
	today := testStart.Truncate(24 * time.Hour)
	var past, soon, far int
	for _, b := range h.items("productAlerts/hardwareEndOfLifeBulletins") {
		for _, k := range []string{"endOfSaleDate", "lastDayOfSupportDate", "endOfSoftwareMaintenanceReleasesDate"} {
			s, ok := b[k].(string)
			if !ok {
				continue
			}
			d, err := time.Parse(dateLayout, s)
			if err != nil {
				t.Fatalf("%s %q: %v", k, s, err)
			}
			switch days := d.Sub(today).Hours() / 24; {
			case days < 0:
				past++
			case days <= 180:
				soon++
			case days > 365*2:
				far++
			}
		}
	}
	if past == 0 || soon == 0 || far == 0 {
		t.Errorf("hardware EoL milestone dates past/within 180 days/years ahead = %d/%d/%d; want all > 0", past, soon, far)
	}
	cur := map[string]bool{}
	for _, it := range h.items("productAlerts/hardwareEndOfLife") {
		cur[it["currentEndOfLifeMilestone"].(string)] = true
	}
	if !cur["LDoS"] || !cur["Announced"] || len(cur) < 4 {
		t.Errorf("current hardware milestones = %v; want LDoS, Announced and others", cur)
	}
}
