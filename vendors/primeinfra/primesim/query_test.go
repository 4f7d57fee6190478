package primesim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestFilters(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 8}))
	z := h.s.Sizes()
	alarms := walkAll[alarmItem](h, "Alarms", "", 1000)
	rows := walkAll[ccItem](h, "ClientCounts", "", 1000)
	countAlarms := func(f func(a alarmItem) bool) int {
		n := 0
		for _, a := range alarms {
			if f(a) {
				n++
			}
		}
		return n
	}
	countRows := func(f func(r ccItem) bool) int {
		n := 0
		for _, r := range rows {
			if f(r) {
				n++
			}
		}
		return n
	}
	var latest int64
	for _, r := range rows {
		latest = max(latest, r.collected())
	}
	crit := countAlarms(func(a alarmItem) bool { return a.Severity == "CRITICAL" })
	acked := countAlarms(func(a alarmItem) bool { return a.AcknowledgementStatus })
	perDomainSSID := (z.Campuses + 1) * 4
	tests := []struct {
		resource, query string
		want            int
	}{
		{"Alarms", "severity=CRITICAL", crit},
		{"Alarms", `severity="CRITICAL"`, crit},
		{"Alarms", `severity=eq("CRITICAL")`, crit},
		{"Alarms", `severity=ne("CLEARED")`, z.ActiveAlarms},
		{"Alarms", `severity=ne(CLEARED)`, z.ActiveAlarms},
		{"Alarms", "severity=CLEARED", z.ClearedAlarms},
		{"Alarms", "acknowledgementStatus=true", acked},
		{"Alarms", "acknowledgementStatus=false", z.Alarms - acked},
		{"Alarms", "acknowledgementStatus=true&severity=ne(CLEARED)", z.AcknowledgedAlarms},
		{"Alarms", `acknowledgementStatus=ne("true")&severity=ne("CLEARED")`,
			countAlarms(func(a alarmItem) bool { return !a.AcknowledgementStatus && a.Severity != "CLEARED" })},
		{"Alarms", "severity=critical", 0}, // values are case-sensitive
		{"Devices", `productFamily="Wireless Controller"`, z.Controllers},
		{"Devices", "productFamily=Switches and Hubs", z.Switches},
		{"Devices", "productFamily=ne(Routers)", z.Controllers + z.Switches},
		{"Devices", "reachability=REACHABLE", z.Devices - 2},
		{"Devices", "reachability=UNREACHABLE", 1},
		{"Devices", "reachability=PING_REACHABLE", 1},
		{"AccessPointDetails", "reachabilityStatus=UNREACHABLE", z.UnreachableAPs},
		{"AccessPointDetails", `reachabilityStatus="REACHABLE"`, z.APs - z.UnreachableAPs},
		{"ClientCounts", "type=SSID", 3 * perDomainSSID},
		{"ClientCounts", `type="SSID"&subkey="ROOT-DOMAIN"`, 3 * 4},
		{"ClientCounts", `type=SSID&key="All SSIDs"&subkey=ROOT-DOMAIN`, 3},
		{"ClientCounts", "type=ACCESSPOINT", countRows(func(r ccItem) bool { return r.s("type") == "ACCESSPOINT" })},
		{"ClientCounts", "type=DEVICE&subkey=All", 3 * (z.Controllers + z.Switches)},
		{"ClientCounts", fmt.Sprintf("collectionTime=%d", latest), z.ClientCountRows},
		{"ClientCounts", fmt.Sprintf("collectionTime=gt(%d)", latest-1), z.ClientCountRows},
		{"ClientCounts", fmt.Sprintf("collectionTime=lt(%d)", latest), len(rows) - z.ClientCountRows},
		{"ClientCounts", fmt.Sprintf("collectionTime=gt(%d)&collectionTime=lt(%d)", latest-sampleEvery.Milliseconds()-1, latest),
			countRows(func(r ccItem) bool { return r.collected() == latest-sampleEvery.Milliseconds() })},
		{"ClientCounts", "key=" + url.QueryEscape(rows[0].s("key")) + "&subkey=" + url.QueryEscape(rows[0].s("subkey")),
			countRows(func(r ccItem) bool { return r.s("key") == rows[0].s("key") && r.s("subkey") == rows[0].s("subkey") })},
	}
	for _, tt := range tests {
		if got := countOf(h, tt.resource, tt.query); got != tt.want {
			t.Errorf("@count of %s?%s = %d; want %d", tt.resource, tt.query, got, tt.want)
		}
	}
	// Quotes may also arrive percent-encoded.
	if got := countOf(h, "Alarms", "severity=%22CRITICAL%22"); got != crit {
		t.Errorf("@count of severity=%%22CRITICAL%%22 = %d; want %d", got, crit)
	}
}

func TestSort(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 8}))
	names := func(query string) []string {
		var out []string
		for _, a := range walkAll[apItem](h, "AccessPointDetails", query, 7) {
			out = append(out, a.Name)
		}
		return out
	}
	asc := names(".sort=name")
	if !slices.IsSorted(asc) || len(asc) != 50 {
		t.Errorf(".sort=name gives %d names, sorted %v", len(asc), slices.IsSorted(asc))
	}
	desc := names(".sort=-name")
	slices.Reverse(desc)
	if !slices.Equal(asc, desc) {
		t.Errorf(".sort=-name is not the reverse of .sort=name")
	}
	ids := func(resource, query string) []int64 {
		var env envelope[struct {
			ID int64 `json:"@id"`
		}]
		h.getOK(data(resource, ".full=true&.maxResults=1000&"+query), &env)
		var out []int64
		for _, e := range env.QueryResponse.Entity {
			out = append(out, e.dto().ID)
		}
		return out
	}
	def, byID, rev := ids("Alarms", ""), ids("Alarms", ".sort=@id"), ids("Alarms", ".sort=-@id")
	slices.Reverse(rev)
	if !slices.IsSorted(def) || !slices.Equal(def, byID) || !slices.Equal(def, rev) {
		t.Errorf("Alarms default, .sort=@id, reversed .sort=-@id differ or are not ascending")
	}
	updated := walkAll[alarmItem](h, "Alarms", ".sort=-lastUpdatedAt", 9)
	for i := 1; i < len(updated); i++ {
		a, b := updated[i-1], updated[i]
		if a.LastUpdatedAt < b.LastUpdatedAt || (a.LastUpdatedAt == b.LastUpdatedAt && a.ID > b.ID) {
			t.Fatalf(".sort=-lastUpdatedAt: %s (%d) before %s (%d); want descending, ties by @id", a.LastUpdatedAt, a.ID, b.LastUpdatedAt, b.ID)
		}
	}
	devs := walkAll[deviceItem](h, "Devices", ".sort=productFamily,-deviceName", 5)
	for i := 1; i < len(devs); i++ {
		a, b := devs[i-1], devs[i]
		if a.ProductFamily > b.ProductFamily || (a.ProductFamily == b.ProductFamily && a.DeviceName < b.DeviceName) {
			t.Fatalf(".sort=productFamily,-deviceName: %s/%s before %s/%s", a.ProductFamily, a.DeviceName, b.ProductFamily, b.DeviceName)
		}
	}
	// Ties keep @id order, so pages of a sorted walk neither repeat nor skip.
	rows := walkAll[ccItem](h, "ClientCounts", ".sort=-collectionTime", 13)
	seen := map[int64]bool{}
	for i, r := range rows {
		if seen[r.id()] {
			t.Fatalf("sorted walk repeats row %d", r.id())
		}
		seen[r.id()] = true
		if i > 0 {
			p := rows[i-1]
			if p.collected() < r.collected() || (p.collected() == r.collected() && p.id() > r.id()) {
				t.Fatalf(".sort=-collectionTime: row %d (%d) before %d (%d)", p.id(), p.collected(), r.id(), r.collected())
			}
		}
	}
	if total := countOf(h, "ClientCounts", ""); len(rows) != total {
		t.Errorf("sorted walk = %d rows; want %d", len(rows), total)
	}
}

// TestLatestSample follows what a client does: find the latest
// collectionTime, then read that sample's totals.
func TestLatestSample(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 2}))
	z := h.s.Sizes()
	var env envelope[ccItem]
	h.getOK(data("ClientCounts", ".full=true&.sort=-collectionTime&.maxResults=1"), &env)
	if len(env.QueryResponse.Entity) != 1 {
		t.Fatalf("latest row query returned %d rows", len(env.QueryResponse.Entity))
	}
	latest := env.QueryResponse.Entity[0].dto().collected()
	if want := testStart.UnixMilli() / 300_000 * 300_000; latest != want {
		t.Errorf("latest collectionTime = %d; want %d", latest, want)
	}
	h.getOK(data("ClientCounts", fmt.Sprintf(`.full=true&type=SSID&subkey="ROOT-DOMAIN"&key="All SSIDs"&collectionTime=%d`, latest)), &env)
	if q := env.QueryResponse; q.Count != 1 || q.Entity[0].dto().n("count") != z.Clients {
		t.Errorf("All SSIDs of the latest sample = %+v; want one row counting %d clients", q, z.Clients)
	}
	// Without the time filter a client would see three samples.
	if n := countOf(h, "ClientCounts", `type=SSID&subkey=ROOT-DOMAIN&key=All SSIDs`); n != 3 {
		t.Errorf("All SSIDs rows over all samples = %d; want 3", n)
	}
	if !strings.Contains(env.QueryResponse.RequestURL, "collectionTime=") {
		t.Errorf("@requestUrl %q; want the request's query", env.QueryResponse.RequestURL)
	}
}
