package primesim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestFilters(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 8}))
	z := h.S.Sizes()
	alarms := walkAll[alarmItem](h, "Alarms", "", 1000)
	rows := walkAll[ccItem](h, "ClientCounts", "", 1000)
	countAlarms := func(f func(alarmItem) bool) int { return simtest.CountIf(alarms, f) }
	countRows := func(f func(ccItem) bool) int { return simtest.CountIf(rows, f) }
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
		{"ClientCounts", "type=SSID", perDomainSSID},
		{"ClientCounts", `type="SSID"&subkey="ROOT-DOMAIN"`, 4},
		{"ClientCounts", `type=SSID&key="All SSIDs"&subkey=ROOT-DOMAIN`, 1},
		{"ClientCounts", `type=SSID&key="All SSIDs"&subkey=ROOT-DOMAIN&.and_filter=true`, 1},
		{"ClientCounts", "type=ACCESSPOINT", countRows(func(r ccItem) bool { return r.s("type") == "ACCESSPOINT" })},
		{"ClientCounts", "type=ACCESSPOINT&subkey=All", z.APs - z.UnreachableAPs},
		{"ClientCounts", "type=DEVICE&subkey=All", z.Controllers + z.Switches},
		{"ClientCounts", "type=VIRTUALDOMAIN", 4 * (z.Campuses + 1)},
		{"ClientCounts", fmt.Sprintf("collectionTime=%d", latest), z.ClientCountRows},
		{"ClientCounts", fmt.Sprintf("collectionTime=gt(%d)", latest-1), z.ClientCountRows},
		{"ClientCounts", fmt.Sprintf("collectionTime=lt(%d)", latest), 0},
		{"HistoricalClientCounts", fmt.Sprintf("collectionTime=gt(%d)&type=SSID&subkey=ROOT-DOMAIN", latest-3*DefaultCollectionInterval.Milliseconds()-1), 4 * 4},
		{"HistoricalClientCounts", fmt.Sprintf("collectionTime=gt(%d)&collectionTime=lt(%d)&key=All SSIDs", latest-DefaultCollectionInterval.Milliseconds()-1, latest),
			z.Campuses + 1},
		{"HistoricalClientCounts", `type=SSID&key="All SSIDs"&subkey=ROOT-DOMAIN`, 288},
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
		h.GetOK(data(resource, ".full=true&.maxResults=1000&"+query), &env)
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

// TestLatestCollection follows what a client does: read the org total
// from ClientCounts, which holds one collection, and back-fill from
// HistoricalClientCounts with collectionTime=gt(...).
func TestLatestCollection(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 2}))
	z := h.S.Sizes()
	var env envelope[ccItem]
	h.GetOK(data("ClientCounts", `.full=true&type=SSID&subkey="ROOT-DOMAIN"&key="All SSIDs"&.and_filter=true`), &env)
	q := env.QueryResponse
	if q.Count != 1 || q.Entity[0].dto().n("count") != z.Clients {
		t.Fatalf("All SSIDs = %+v; want one row counting %d clients", q, z.Clients)
	}
	latest := q.Entity[0].dto().collected()
	if want := testStart.UnixMilli() / 300_000 * 300_000; latest != want {
		t.Errorf("latest collectionTime = %d; want %d", latest, want)
	}
	if !strings.Contains(q.RequestURL, "key=") {
		t.Errorf("@requestUrl %q; want the request's query", q.RequestURL)
	}
	// The history holds 24 h at 5 minutes, the latest included, with
	// the same rows (ids and counts) for the latest collection.
	hist := walkAll[ccItem](h, "HistoricalClientCounts", `type=SSID&subkey=ROOT-DOMAIN&key=All SSIDs`, 100)
	if len(hist) != 288 {
		t.Fatalf("history of All SSIDs = %d rows; want 288", len(hist))
	}
	for i, r := range hist {
		if want := latest - int64(287-i)*300_000; r.collected() != want {
			t.Fatalf("history row %d collected at %d; want %d", i, r.collected(), want)
		}
		if i > 0 && r.id() <= hist[i-1].id() {
			t.Fatalf("history row %d has @id %d after %d; want new, ascending ids per collection", i, r.id(), hist[i-1].id())
		}
		if r.n("count") == 0 {
			t.Errorf("history row %d counts no clients", i)
		}
	}
	if last := hist[287]; last.id() != q.Entity[0].dto().id() || !sameCounts(last, q.Entity[0].dto()) {
		t.Errorf("newest history row %v; want the ClientCounts row %v", last, q.Entity[0].dto())
	}
	if hist[0].n("count") == hist[1].n("count") && hist[1].n("count") == hist[2].n("count") {
		t.Errorf("history counts do not vary: %d, %d, %d", hist[0].n("count"), hist[1].n("count"), hist[2].n("count"))
	}
	// Back-fill: the collections after a time, whole.
	since := latest - 2*300_000
	back := walkAll[ccItem](h, "HistoricalClientCounts", fmt.Sprintf("collectionTime=gt(%d)", since), 1000)
	if len(back) != 2*z.ClientCountRows && len(back) < z.ClientCountRows {
		t.Errorf("back-fill since %d = %d rows; want two collections", since, len(back))
	}
	one := map[int64]int{}
	for _, r := range back {
		one[r.collected()]++
	}
	if len(one) != 2 || one[latest] != z.ClientCountRows {
		t.Errorf("back-fill collections %v; want 2, the latest with %d rows", one, z.ClientCountRows)
	}
	// A history row answers by its id, with its DTO key.
	var get envelope[ccItem]
	h.GetOK(fmt.Sprintf("%sHistoricalClientCounts/%d.json", dataPrefix, hist[5].id()), &get)
	if e := get.QueryResponse.Entity; len(e) != 1 || e[0].DTOType != "historicalClientCountsDTO" || e[0].dto().id() != hist[5].id() || !sameCounts(e[0].dto(), hist[5]) {
		t.Errorf("GET history row %d = %+v; want it", hist[5].id(), get.QueryResponse)
	}
	if r := h.Get(fmt.Sprintf("%sClientCounts/%d.json", dataPrefix, hist[5].id())); r.Status != 404 {
		t.Errorf("GET an old collection's row from ClientCounts = %d; want 404", r.Status)
	}
}

// TestHistoryPagingAtSize walks a filtered history page by page on a
// medium world, as a back-fill does, and checks pages neither repeat
// nor skip rows.
func TestHistoryPagingAtSize(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 2, Size: "medium", HistoryWindow: 2 * time.Hour, HistoryDTOKey: "clientCountsDTO"}))
	if z := h.S.Sizes(); z.ClientCountSamples != 24 {
		t.Fatalf("collections with a 2 h history = %d; want 24", z.ClientCountSamples)
	}
	start := time.Now()
	rows := walkAll[ccItem](h, "HistoricalClientCounts", "type=DEVICE&subkey=All", 50)
	t.Logf("walk of %d rows took %v", len(rows), time.Since(start))
	z := h.S.Sizes()
	if len(rows) != 24*(z.Controllers+z.Switches) {
		t.Errorf("DEVICE All rows over the history = %d; want %d", len(rows), 24*(z.Controllers+z.Switches))
	}
	seen := map[int64]bool{}
	for _, r := range rows {
		if seen[r.id()] {
			t.Fatalf("row %d twice", r.id())
		}
		seen[r.id()] = true
	}
	var env envelope[ccItem]
	h.GetOK(data("HistoricalClientCounts", ".full=true&.maxResults=1"), &env)
	if e := env.QueryResponse.Entity; len(e) != 1 || e[0].DTOType != "clientCountsDTO" || e[0].CC == nil {
		t.Errorf("history entity with HistoryDTOKey clientCountsDTO = %+v", e)
	}
}
