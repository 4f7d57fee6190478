package primeinfra

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// simRogues counts the simulator's active rogue alarms as Rogues should:
// by the site of the rogue's location, or, without one, its detecting AP.
func simRogues(sim *primesim.Server, located, classified bool) map[RogueCount]int {
	want := map[RogueCount]int{}
	for _, r := range sim.Rogues() {
		if r.Severity == "CLEARED" {
			continue
		}
		k := RogueCount{Site: SiteOf(r.MapLocation), Classification: strings.ToLower(r.Classification), Severity: Severity(r.Severity)}
		if !located {
			k.Site, k.AP = "", r.AP
		}
		if !classified {
			k.Classification = "unknown"
		}
		want[k]++
	}
	return want
}

func rogueMap(r *Rogues) map[RogueCount]int {
	got := map[RogueCount]int{}
	for _, c := range r.Counts {
		n := c.Count
		c.Count = 0
		got[c] += n
	}
	return got
}

// TestRoguesMatchSimulator: every active rogue alarm counted once, by the
// site of its location, its classification and its severity, under each
// shape of rogueApAlarmDetails the simulator offers.
func TestRoguesMatchSimulator(t *testing.T) {
	for _, tc := range []struct {
		name, class, loc    string
		classified, located bool
	}{
		{"classificationType and location", "", "", true, true},
		{"classification and mapLocation", "classification", "mapLocation", true, true},
		{"no classification, no location", "-", "-", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 5, Size: "medium", RateLimit: -1,
				RogueClassificationKey: tc.class, RogueLocationKey: tc.loc})
			c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 0s\n"))
			got := vendortest.Get(t, "Rogues()", c.Rogues)
			want := simRogues(sim, tc.located, tc.classified)
			if g := rogueMap(got); fmt.Sprint(g) != fmt.Sprint(want) {
				t.Errorf("Rogues() = %d counts; want %d:\ngot  %v\nwant %v", len(g), len(want), g, want)
			}
			// Located rogues are counted by site, at most one count for each
			// of the simulator's five classification and severity pairs; the
			// others by AP, for the collector to place.
			z := sim.Sizes()
			if got.Total != z.ActiveRogueAlarms || (tc.located && len(got.Counts) > 5*z.Buildings) {
				t.Errorf("Rogues() total %d in %d counts; want the %d active alarms, by site in at most %d counts",
					got.Total, len(got.Counts), z.ActiveRogueAlarms, 5*z.Buildings)
			}
		})
	}
}

// TestRoguesBurstAtOneSite: a burst at one site adds to that site's
// unclassified minor count, nothing else.
func TestRoguesBurstAtOneSite(t *testing.T) {
	sim, c := simClient(t, primesim.Options{Seed: 5, RateLimit: -1}, "    hold: 0s\n")
	before := rogueMap(vendortest.Get(t, "Rogues()", c.Rogues))
	site := sim.APs()[len(sim.APs())-1].Site
	if err := sim.RaiseRogues(site, 2500); err != nil {
		t.Fatal(err)
	}
	after := rogueMap(vendortest.Get(t, "Rogues()", c.Rogues))
	burst := RogueCount{Site: site, Classification: "unclassified", Severity: "minor"}
	before[burst] += 2500
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("after 2500 rogues at %s: %v; want %v", site, after, before)
	}
}

// rogueRow is a RogueApAlarms row as a server may send it.
func rogueRow(id int, sev, device string, details map[string]any) row {
	r := row{"alarmId": id, "severity": sev, "deviceName": device, "category": map[string]any{"ordinal": 1, "value": "Rogue AP"}}
	if details != nil {
		r["rogueApAlarmDetails"] = details
	}
	return r
}

// TestRoguesDecoding: what a server may send beyond the simulator's
// shapes: an alarm twice across pages, a CLEARED alarm despite the filter,
// no details at all, a classification as an enumeration object, a bare
// entity.
func TestRoguesDecoding(t *testing.T) {
	rows := []row{
		rogueRow(1, "MINOR", "ap-1,00:11:22:33:44:01", map[string]any{"classificationType": "UNCLASSIFIED", "location": "HQ > B1 > F2"}),
		rogueRow(2, "MAJOR", "ap-1,00:11:22:33:44:01", map[string]any{"classificationType": map[string]any{"ordinal": 1, "value": "MALICIOUS"}, "location": "HQ > B1 > F1"}),
		rogueRow(1, "MINOR", "ap-1,00:11:22:33:44:01", map[string]any{"classificationType": "UNCLASSIFIED", "location": "HQ > B1 > F2"}),
		rogueRow(3, "CLEARED", "ap-1,00:11:22:33:44:01", map[string]any{"classificationType": "MALICIOUS", "location": "HQ > B1 > F1"}),
		rogueRow(4, "INFORMATION", "ap-2", nil),
		rogueRow(5, "CRITICAL", "", map[string]any{"classification": "CUSTOM"}),
	}
	for _, tc := range []struct {
		name string
		f    *fixedServer
	}{
		{"pages of 2", &fixedServer{clamp: 2}},
		{"strings, no count, pages of 1", &fixedServer{strings: true, noCount: true, clamp: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.rows = map[string][]row{"RogueApAlarms": rows}
			c := newClient(t, primeConfig(t, vendortest.ServeHandler(t, tc.f), fixedCreds, "    hold: 0s\n"))
			got := vendortest.Get(t, "Rogues()", c.Rogues)
			want := map[RogueCount]int{
				{Site: "HQ > B1", Classification: "unclassified", Severity: "minor"}: 1,
				{Site: "HQ > B1", Classification: "malicious", Severity: "major"}:    1,
				{AP: "ap-2", Classification: "unknown", Severity: "info"}:            1,
				{Classification: "custom", Severity: "critical"}:                     1,
			}
			if g := rogueMap(got); fmt.Sprint(g) != fmt.Sprint(want) || got.Total != 4 {
				t.Errorf("Rogues() = %v, total %d; want %v, total 4", g, got.Total, want)
			}
		})
	}
}

func TestDTOUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       int64 // the alarmId read; 0 for an error
	}{
		{"the key @dtoType names", `{"@dtoType":"rogueApAlarmsDTO","rogueApAlarmsDTO":{"alarmId":7}}`, 7},
		{"@dtoType names another key", `{"@dtoType":"RogueApAlarmsDTO","rogueApAlarmsDTO":{"alarmId":8}}`, 8},
		{"no @dtoType", `{"@type":"RogueApAlarms","rogueApAlarmsDTO":{"alarmId":9}}`, 9},
		{"no DTO", `{"@dtoType":"rogueApAlarmsDTO","@type":"RogueApAlarms"}`, 0},
		{"two DTOs, neither named", `{"aDTO":{"alarmId":1},"bDTO":{"alarmId":2}}`, 0},
		{"a DTO of the wrong shape", `{"@dtoType":"rogueApAlarmsDTO","rogueApAlarmsDTO":[1]}`, 0},
		{"not an object", `[]`, 0},
	} {
		var e rogueEntity
		err := json.Unmarshal([]byte(tc.body), &e)
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("%s: decoding %s = %+v; want an error", tc.name, tc.body, e.DTO)
		case tc.want != 0 && (err != nil || e.DTO.AlarmID != tc.want):
			t.Errorf("%s: decoding %s = alarmId %d, %v; want %d", tc.name, tc.body, e.DTO.AlarmID, err, tc.want)
		}
	}
}
