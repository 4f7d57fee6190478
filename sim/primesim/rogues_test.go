package primesim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// rawEntity is a list entity read whole: its DTO may sit under any key.
type rawEntity struct {
	DTOType string
	Keys    []string // the entity's keys that are not attributes
	DTO     json.RawMessage
}

// walkDTOs pages through a list and returns each entity's DTO, the one
// under its only key without an "@", decoded into T.
func walkDTOs[T any](h *harness, resource, query string, size int) ([]T, []rawEntity) {
	h.T.Helper()
	var out []T
	var raws []rawEntity
	for first, count := 0, 1; first < count; first += size {
		var env struct {
			QueryResponse struct {
				Count  int                          `json:"@count"`
				Entity []map[string]json.RawMessage `json:"entity"`
			} `json:"queryResponse"`
		}
		h.GetOK(data(resource, fmt.Sprintf(".full=true&.firstResult=%d&.maxResults=%d&%s", first, size, query)), &env)
		count = env.QueryResponse.Count
		for _, e := range env.QueryResponse.Entity {
			var re rawEntity
			_ = json.Unmarshal(e["@dtoType"], &re.DTOType)
			for k, v := range e {
				if !strings.HasPrefix(k, "@") {
					re.Keys = append(re.Keys, k)
					re.DTO = v
				}
			}
			var dto T
			if err := json.Unmarshal(re.DTO, &dto); err != nil {
				h.T.Fatalf("%s entity %s: %v", resource, re.DTO, err)
			}
			out = append(out, dto)
			raws = append(raws, re)
		}
	}
	return out, raws
}

type rogueItem struct {
	alarmItem
	Details map[string]any `json:"rogueApAlarmDetails"`
}

// TestRogueAlarms: RogueApAlarms carries the alarm base fields as Alarms
// does, the detecting AP as deviceName, and the rogue's details.
func TestRogueAlarms(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5, Size: "medium"}))
	z := h.S.Sizes()
	aps := map[string]APInfo{}
	for _, a := range h.S.APs() {
		aps[a.Name] = a
	}
	all, raws := walkDTOs[rogueItem](h, "RogueApAlarms", "", 1000)
	if len(all) != z.RogueAlarms || z.RogueAlarms != 1200 {
		t.Fatalf("RogueApAlarms = %d entities, Sizes %d; want 1.2 per AP of 1000", len(all), z.RogueAlarms)
	}
	if raws[0].DTOType != "rogueApAlarmsDTO" || len(raws[0].Keys) != 1 || raws[0].Keys[0] != "rogueApAlarmsDTO" {
		t.Errorf("entity @dtoType %q, keys %v; want rogueApAlarmsDTO", raws[0].DTOType, raws[0].Keys)
	}
	deviceRE := regexp.MustCompile(`^([^,]+),([0-9a-f]{2}(:[0-9a-f]{2}){5})$`)
	bySev := map[string]int{}
	byClass := map[string]int{}
	var last int64
	for _, r := range all {
		if r.ID <= last || r.AlarmID != r.ID {
			t.Errorf("rogue @id %d, alarmId %d after %d; want ascending, alarmId = @id", r.ID, r.AlarmID, last)
		}
		last = r.ID
		bySev[r.Severity]++
		m := deviceRE.FindStringSubmatch(r.DeviceName)
		if m == nil || r.Category.Value != "Rogue AP" || r.Condition.Value != "ROGUE_AP_DETECTED" || !isoRE.MatchString(r.AlarmFoundAt) || !isoRE.MatchString(r.LastUpdatedAt) {
			t.Fatalf("rogue alarm %+v; want deviceName <ap>,<radio MAC>, category Rogue AP, ISO times", r)
		}
		ap, ok := aps[m[1]]
		if !ok || strings.ReplaceAll(m[2], ":", "") != ap.RadioMAC {
			t.Errorf("deviceName %s; want an AP's name and its radio MAC", r.DeviceName)
		}
		d := r.Details
		class, _ := d["classificationType"].(string)
		byClass[class]++
		if d["location"] != ap.MapLocation || !locationRE.MatchString(ap.MapLocation) {
			t.Errorf("rogue heard by %s: location %v; want its floor %s", ap.Name, d["location"], ap.MapLocation)
		}
		if mac, _ := d["macAddress"].(map[string]any); mac == nil || !octetsRE.MatchString(fmt.Sprint(mac["octets"])) {
			t.Errorf("rogue macAddress %v; want an octets object", d["macAddress"])
		}
		if rssi, _ := d["rssi"].(float64); rssi > -30 || rssi < -95 {
			t.Errorf("rssi %v; want a plausible dBm", d["rssi"])
		}
		if _, ok := d["ssid"].(string); !ok || d["state"] == nil || d["rogueClients"] == nil {
			t.Errorf("details %v; want ssid, state and rogueClients", d)
		}
	}
	active := len(all) - bySev["CLEARED"]
	if active != z.ActiveRogueAlarms || countOf(h, "RogueApAlarms", `severity=ne("CLEARED")`) != active {
		t.Errorf("active rogue alarms: %d listed, Sizes %d, @count with severity=ne(\"CLEARED\") %d; want equal",
			active, z.ActiveRogueAlarms, countOf(h, "RogueApAlarms", `severity=ne("CLEARED")`))
	}
	if byClass["UNCLASSIFIED"] < len(all)*7/10 || byClass["MALICIOUS"] == 0 || byClass["FRIENDLY"] == 0 || byClass["CUSTOM"] == 0 ||
		bySev["MINOR"] < len(all)/2 || bySev["MAJOR"] == 0 || bySev["CRITICAL"] == 0 || bySev["CLEARED"] < len(all)/10 {
		t.Errorf("classifications %v, severities %v; want mostly UNCLASSIFIED and MINOR, some MALICIOUS MAJOR or CRITICAL, some CLEARED", byClass, bySev)
	}
	// Each rogue is in its detecting AP's domain.
	sum := 0
	for _, d := range h.S.Domains()[1:] {
		sum += countOf(h, "RogueApAlarms", "_ctx.domain="+d)
	}
	if sum != len(all) {
		t.Errorf("rogue alarms across the sub-domains = %d; want the root domain's %d", sum, len(all))
	}
}

// TestRoguesAtSizeLarge: several thousand active rogue alarms, some
// buildings hearing many more than others.
func TestRoguesAtSizeLarge(t *testing.T) {
	s, err := New(Options{Seed: 1, Size: "large", Now: func() time.Time { return testStart }})
	if err != nil {
		t.Fatal(err)
	}
	z := s.Sizes()
	bySite := map[string]int{}
	for _, r := range s.Rogues() {
		if r.Severity != "CLEARED" {
			bySite[r.Site]++
		}
	}
	busiest := 0
	for _, n := range bySite {
		busiest = max(busiest, n)
	}
	if z.ActiveRogueAlarms < 3000 || busiest < 4*z.ActiveRogueAlarms/len(bySite) {
		t.Errorf("active rogue alarms = %d over %d sites, the busiest %d; want thousands, the busiest hearing four times the mean",
			z.ActiveRogueAlarms, len(bySite), busiest)
	}
}

func TestRogueOptions(t *testing.T) {
	for _, tc := range []struct {
		class, loc     string
		wantClass      string // the key the classification is under, "" for none
		wantLoc        string
		otherClassKeys []string
	}{
		{"", "", "classificationType", "location", []string{"classification", "mapLocation"}},
		{"classification", "mapLocation", "classification", "mapLocation", []string{"classificationType", "location"}},
		{"-", "-", "", "", []string{"classification", "classificationType", "location", "mapLocation"}},
	} {
		t.Run(fmt.Sprintf("%q %q", tc.class, tc.loc), func(t *testing.T) {
			h := newHarness(t, relaxed(Options{Seed: 5, RogueClassificationKey: tc.class, RogueLocationKey: tc.loc}))
			all, _ := walkDTOs[rogueItem](h, "RogueApAlarms", "", 1000)
			if n := h.S.Sizes().RogueAlarms; len(all) != n || n == 0 {
				t.Fatalf("RogueApAlarms = %d entities; want Sizes' %d (> 0)", len(all), n)
			}
			for _, r := range all {
				// A whole value: a substring check lets "" through.
				class, _ := r.Details[tc.wantClass].(string)
				if tc.wantClass != "" && !slices.Contains([]string{"UNCLASSIFIED", "MALICIOUS", "FRIENDLY", "CUSTOM"}, class) {
					t.Fatalf("details %v; want the classification under %s", r.Details, tc.wantClass)
				}
				if tc.wantLoc != "" && !locationRE.MatchString(fmt.Sprint(r.Details[tc.wantLoc])) {
					t.Fatalf("details %v; want the location under %s", r.Details, tc.wantLoc)
				}
				for _, k := range tc.otherClassKeys {
					if _, ok := r.Details[k]; ok {
						t.Fatalf("details %v carry %s", r.Details, k)
					}
				}
			}
		})
	}
	for _, o := range []Options{{RogueClassificationKey: "class"}, {RogueLocationKey: "site"}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) error = nil; want an error naming the option", o)
		}
	}
}

// TestRaiseRogues: a burst of rogues at one site, unclassified and
// minor, heard by its APs; Step clears and raises some.
func TestRaiseRogues(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 6}))
	site := h.S.APs()[0].Site
	z0 := h.S.Sizes()
	count := func(site, class, sev string) int {
		n := 0
		for _, r := range h.S.Rogues() {
			if r.Site == site && r.Classification == class && r.Severity == sev {
				n++
			}
		}
		return n
	}
	before := count(site, "UNCLASSIFIED", "MINOR")
	if err := h.S.RaiseRogues(site, 300); err != nil {
		t.Fatal(err)
	}
	z := h.S.Sizes()
	if z.ActiveRogueAlarms != z0.ActiveRogueAlarms+300 || count(site, "UNCLASSIFIED", "MINOR") != before+300 {
		t.Errorf("after RaiseRogues(%s, 300): %d active, %d unclassified minor at the site; want %d, %d",
			site, z.ActiveRogueAlarms, count(site, "UNCLASSIFIED", "MINOR"), z0.ActiveRogueAlarms+300, before+300)
	}
	if got := countOf(h, "RogueApAlarms", `severity=ne("CLEARED")`); got != z.ActiveRogueAlarms {
		t.Errorf("served active rogue alarms = %d; want %d", got, z.ActiveRogueAlarms)
	}
	for _, tc := range []struct {
		site string
		n    int
	}{{"Mars-Campus > Building-01", 1}, {site, 0}} {
		if err := h.S.RaiseRogues(tc.site, tc.n); err == nil {
			t.Errorf("RaiseRogues(%q, %d) error = nil; want an error", tc.site, tc.n)
		}
	}

	ids := map[int64]string{}
	for _, r := range h.S.Rogues() {
		ids[r.ID] = r.Severity
	}
	h.Clock.Add(5 * time.Minute)
	h.S.Step()
	cleared, raised := 0, 0
	for _, r := range h.S.Rogues() {
		sev, ok := ids[r.ID]
		switch {
		case !ok && r.Severity != "CLEARED":
			raised++
		case ok && sev != "CLEARED" && r.Severity == "CLEARED":
			cleared++
		}
	}
	if cleared == 0 || raised == 0 || h.S.Sizes().ActiveRogueAlarms != z.ActiveRogueAlarms {
		t.Errorf("Step: %d cleared, %d raised, %d active; want some of each, the active count kept at %d",
			cleared, raised, h.S.Sizes().ActiveRogueAlarms, z.ActiveRogueAlarms)
	}
}
