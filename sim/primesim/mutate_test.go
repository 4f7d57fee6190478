package primesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestStepDeterministic(t *testing.T) {
	clock := simtest.NewClock(testStart)
	mk := func() *Server {
		s, err := New(Options{Seed: 21, Size: "small", MaxSessions: -1, RateLimit: -1, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := mk(), mk()
	before := serveDirect(t, a, allPaths()[0])
	for i := 0; i < 4; i++ {
		clock.Add(5 * time.Minute)
		a.Step()
		b.Step()
	}
	for _, p := range allPaths() {
		if !bytes.Equal(serveDirect(t, a, p), serveDirect(t, b, p)) {
			t.Errorf("GET %s differs between two servers after the same steps", p)
		}
	}
	if bytes.Equal(before, serveDirect(t, a, allPaths()[0])) {
		t.Errorf("AccessPointDetails unchanged after 4 steps")
	}
}

func TestStep(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 4, Size: "small"}))
	times := func(resource string) ([]int64, []int64) {
		seen := map[int64]bool{}
		var ids []int64
		for _, r := range walkAll[ccItem](h, resource, "type=SSID&subkey=ROOT-DOMAIN&key=All SSIDs", 1000) {
			seen[r.collected()] = true
			ids = append(ids, r.id())
		}
		var out []int64
		for k := range seen {
			out = append(out, k)
		}
		slices.Sort(out)
		return out, ids
	}
	t0, ids0 := times("ClientCounts")
	h0, _ := times("HistoricalClientCounts")
	z0 := h.S.Sizes()
	h.Clock.Add(5 * time.Minute)
	h.S.Step()
	t1, ids1 := times("ClientCounts")
	h1, hids1 := times("HistoricalClientCounts")
	// The new collection is taken at the clock's now, with new ids; the
	// history drops its oldest.
	now := h.Clock.Now().UnixMilli()
	if len(t1) != 1 || t1[0] != now || len(t0) != 1 || ids1[0] == ids0[0] {
		t.Errorf("ClientCounts times %v (ids %v) after a step, %v (ids %v) before; want one collection taken at %d with new ids", t1, ids1, t0, ids0, now)
	}
	if len(h1) != 288 || h1[0] != h0[1] || h1[286] != t0[0] || h1[287] != now || hids1[286] != ids0[0] {
		t.Errorf("history after a step: %d collections from %d to %d; want 288, shifted by one, ending with the previous latest and %d", len(h1), h1[0], h1[len(h1)-1], now)
	}
	z1 := h.S.Sizes()
	if z1.Alarms <= z0.Alarms || z1.UnreachableAPs == z0.UnreachableAPs && z1.Clients == z0.Clients {
		t.Errorf("Sizes before %+v, after %+v; want new alarms and changed APs or clients", z0, z1)
	}
	for i := 0; i < 5; i++ {
		h.Clock.Add(5 * time.Minute)
		h.S.Step()
	}
	// The world stays consistent: the latest sample matches the APs, and
	// every unreachable AP has its active alarm.
	z := h.S.Sizes()
	var env envelope[ccItem]
	h.GetOK(data("ClientCounts", `.full=true&type=SSID&key=All SSIDs&subkey=ROOT-DOMAIN`), &env)
	if got := env.QueryResponse.Entity[0].dto().n("count"); got != z.Clients {
		t.Errorf("latest All SSIDs = %d; want Sizes().Clients %d", got, z.Clients)
	}
	active := map[string]bool{}
	for _, a := range walkAll[alarmItem](h, "Alarms", "severity=ne(CLEARED)", 1000) {
		if a.Condition.Value == "AP_DISASSOCIATED" {
			active[strings.Split(a.DeviceName, ",")[0]] = true
		}
	}
	down := 0
	for _, a := range h.S.APs() {
		if !a.Reachable {
			down++
			if !active[a.Name] || a.Clients != 0 || a.Status != "MAJOR" && a.Status != "CRITICAL" {
				t.Errorf("unreachable AP %s: active alarm %v, clients %d, status %s", a.Name, active[a.Name], a.Clients, a.Status)
			}
		} else if active[a.Name] {
			t.Errorf("reachable AP %s still has an active AP_DISASSOCIATED alarm", a.Name)
		}
	}
	if down != z.UnreachableAPs {
		t.Errorf("down APs = %d; want %d", down, z.UnreachableAPs)
	}
}

func TestSetAPReachable(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	var ap APInfo
	for _, a := range h.S.APs() {
		if a.Reachable && a.Clients > 0 {
			ap = a
			break
		}
	}
	detail := func() apItem {
		var env envelope[apItem]
		h.GetOK(fmt.Sprintf("%sAccessPointDetails/%d.json", dataPrefix, ap.ID), &env)
		return env.QueryResponse.Entity[0].dto()
	}
	latestRows := func() (apRows, all int) {
		var env envelope[ccItem]
		h.GetOK(data("ClientCounts", ".full=true&.sort=-collectionTime&.maxResults=1"), &env)
		latest := env.QueryResponse.Entity[0].dto().collected()
		for _, r := range walkAll[ccItem](h, "ClientCounts", fmt.Sprintf("collectionTime=%d", latest), 1000) {
			if strings.ReplaceAll(r.s("key"), ":", "") == ap.RadioMAC {
				apRows++
			}
			if r.typeKey() == [3]string{"SSID", "All SSIDs", RootDomain} {
				all = r.n("count")
			}
		}
		return apRows, all
	}
	z0 := h.S.Sizes()
	rows0, all0 := latestRows()
	if rows0 == 0 || all0 != z0.Clients {
		t.Fatalf("before: %d ACCESSPOINT rows, All SSIDs %d; want > 0, %d", rows0, all0, z0.Clients)
	}

	if err := h.S.SetAPReachable(ap.Name, false); err != nil {
		t.Fatalf("SetAPReachable(%s, false) error: %v", ap.Name, err)
	}
	d := detail()
	if d.ReachabilityStatus != "UNREACHABLE" || d.ClientCount != 0 || d.UpTime != 0 || d.UnifiedApInfo.ControllerName != "" || d.Status != "MAJOR" {
		t.Errorf("downed AP = %+v; want UNREACHABLE, 0 clients, no uptime, no controller, status MAJOR", d)
	}
	rows, all := latestRows()
	z := h.S.Sizes()
	if rows != 0 || all != all0-ap.Clients || z.Clients != all || z.ActiveAlarms != z0.ActiveAlarms+1 || z.UnreachableAPs != z0.UnreachableAPs+1 {
		t.Errorf("after down: rows %d, All SSIDs %d, Sizes %+v; want 0, %d, one more active alarm and unreachable AP", rows, all, z, all0-ap.Clients)
	}
	var alarms envelope[alarmItem]
	h.GetOK(data("Alarms", ".full=true&.sort=-@id&.maxResults=1"), &alarms)
	a := alarms.QueryResponse.Entity[0].dto()
	if a.Condition.Value != "AP_DISASSOCIATED" || a.Category.Value != "AP" || a.Severity != "MAJOR" ||
		a.DeviceName != ap.Name+","+macColon(parseHex(ap.RadioMAC)) || a.AlarmFoundAt != isoDate(testStart.UnixMilli()) {
		t.Errorf("newest alarm = %+v; want AP_DISASSOCIATED for %s at %s", a, ap.Name, isoDate(testStart.UnixMilli()))
	}

	h.Clock.Add(time.Minute)
	if err := h.S.SetAPReachable(ap.Name, true); err != nil {
		t.Fatalf("SetAPReachable(%s, true) error: %v", ap.Name, err)
	}
	h.Clock.Add(time.Minute)
	d = detail()
	if d.ReachabilityStatus != "REACHABLE" || d.ClientCount != ap.Clients || d.UpTime != 6000 || d.UnifiedApInfo.ControllerName == "" {
		t.Errorf("restored AP = %+v; want REACHABLE, %d clients, upTime 6000 (60 s), a controller", d, ap.Clients)
	}
	if rows, all := latestRows(); rows != rows0 || all != all0 || h.S.Sizes().ActiveAlarms != z0.ActiveAlarms {
		t.Errorf("after restore: rows %d, All SSIDs %d, active alarms %d; want %d, %d, %d", rows, all, h.S.Sizes().ActiveAlarms, rows0, all0, z0.ActiveAlarms)
	}
	if err := h.S.SetAPReachable("no-such-ap", false); err == nil {
		t.Errorf("SetAPReachable(unknown) error = nil; want an error")
	}
}

func parseHex(s string) uint64 {
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func TestRaiseClearAlarm(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3}))
	get := func(id int64, domain string) (alarmItem, int) {
		r := h.Get(fmt.Sprintf("%sAlarms/%d.json?_ctx.domain=%s", dataPrefix, id, domain))
		if r.Status != 200 {
			return alarmItem{}, r.Status
		}
		var env envelope[alarmItem]
		h.GetOK(fmt.Sprintf("%sAlarms/%d.json?_ctx.domain=%s", dataPrefix, id, domain), &env)
		return env.QueryResponse.Entity[0].dto(), 200
	}
	var sw deviceItem
	for _, d := range walkAll[deviceItem](h, "Devices", "productFamily=Switches and Hubs&_ctx.domain=EU-Campus", 100) {
		sw = d
		break
	}
	z0 := h.S.Sizes()
	id := h.S.RaiseAlarm(Alarm{DeviceName: sw.DeviceName, Condition: "LINK_DOWN", Acknowledged: true})
	a, st := get(id, "EU-Campus")
	if st != 200 || a.ID != id || a.AlarmID != id || a.Category != (enumItem{2, "Switches and Hubs"}) || a.Condition != (enumItem{4, "LINK_DOWN"}) ||
		a.Severity != "MAJOR" || !a.AcknowledgementStatus || a.DeviceName != sw.DeviceName || a.Source != sw.IPAddress ||
		a.AlarmFoundAt != isoDate(testStart.UnixMilli()) {
		t.Errorf("raised alarm = %d %+v; want LINK_DOWN on %s in EU-Campus", st, a, sw.DeviceName)
	}
	if _, st := get(id, "NA-Campus"); st != 404 {
		t.Errorf("EU alarm in NA-Campus = %d; want 404", st)
	}
	if z := h.S.Sizes(); z.ActiveAlarms != z0.ActiveAlarms+1 || z.AcknowledgedAlarms != z0.AcknowledgedAlarms+1 {
		t.Errorf("Sizes after RaiseAlarm = %+v; want one more active, acknowledged alarm", z)
	}
	h.Clock.Add(time.Minute)
	if err := h.S.ClearAlarm(id); err != nil {
		t.Fatalf("ClearAlarm(%d) error: %v", id, err)
	}
	a, _ = get(id, RootDomain)
	if a.Severity != "CLEARED" || a.LastUpdatedAt != isoDate(testStart.Add(time.Minute).UnixMilli()) || a.AlarmFoundAt != isoDate(testStart.UnixMilli()) {
		t.Errorf("cleared alarm = %+v; want CLEARED, updated a minute later", a)
	}
	if err := h.S.ClearAlarm(id); err != nil {
		t.Errorf("second ClearAlarm error = %v; want nil", err)
	}
	if err := h.S.ClearAlarm(1); err == nil {
		t.Errorf("ClearAlarm(unknown) error = nil; want an error")
	}

	// An AP alarm sets the AP's status.
	ap := h.S.APs()[3]
	id = h.S.RaiseAlarm(Alarm{DeviceName: ap.Name, Condition: "AP_RADIO_DOWN", Severity: "CRITICAL"})
	if got := h.S.APs()[3].Status; got != "CRITICAL" {
		t.Errorf("AP status after a CRITICAL alarm = %s; want CRITICAL", got)
	}
	a, _ = get(id, RootDomain)
	if a.DeviceName != ap.Name+","+macColon(parseHex(ap.RadioMAC)) || a.Category.Value != "AP" {
		t.Errorf("AP alarm = %+v; want deviceName <name>,<radio MAC> in category AP", a)
	}
	_ = h.S.ClearAlarm(id)
	if got := h.S.APs()[3].Status; got != ap.Status {
		t.Errorf("AP status after clearing = %s; want %s", got, ap.Status)
	}

	// No device: a System alarm only ROOT-DOMAIN sees; unknown names are
	// kept with new ordinals.
	id = h.S.RaiseAlarm(Alarm{Category: "Custom", Condition: "MY_CHECK", Message: "hello"})
	a, _ = get(id, RootDomain)
	if a.Category != (enumItem{len(categories), "Custom"}) || a.Condition != (enumItem{len(condDefs), "MY_CHECK"}) || a.Severity != "WARNING" || a.Message != "hello" || a.DeviceName != "" {
		t.Errorf("custom alarm = %+v", a)
	}
	if _, st := get(id, "NA-Campus"); st != 404 {
		t.Errorf("device-less alarm in NA-Campus = %d; want 404", st)
	}
	id2 := h.S.RaiseAlarm(Alarm{})
	if a, _ := get(id2, RootDomain); a.Category.Value != "System" || id2 <= id {
		t.Errorf("default alarm = %+v (id %d after %d); want a System alarm with a larger id", a, id2, id)
	}
}

// TestHistoryWindow: the history keeps HistoryWindow of collections at
// CollectionInterval, and no more than that many when Step runs faster.
func TestHistoryWindow(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 4, CollectionInterval: 10 * time.Minute, HistoryWindow: time.Hour}))
	if n := h.S.Sizes().ClientCountSamples; n != 6 {
		t.Fatalf("collections = %d; want 6 (1 h by 10 min)", n)
	}
	times := func() []int64 {
		var out []int64
		for _, r := range walkAll[ccItem](h, "HistoricalClientCounts", "type=SSID&key=All SSIDs&subkey=ROOT-DOMAIN", 100) {
			out = append(out, r.collected())
		}
		return out
	}
	t0 := times()
	if len(t0) != 6 || t0[5]-t0[0] != 50*60_000 {
		t.Errorf("history times %v; want 6, 10 min apart", t0)
	}
	for i := 0; i < 20; i++ {
		h.Clock.Add(time.Second)
		h.S.Step()
	}
	t1 := times()
	if len(t1) != 6 || t1[5] != h.Clock.Now().UnixMilli() || t1[0] != h.Clock.Now().UnixMilli()-5000 {
		t.Errorf("history after 20 steps a second apart = %v; want the 6 newest", t1)
	}
	h.Clock.Add(2 * time.Hour)
	h.S.Step()
	if t2 := times(); len(t2) != 1 || h.S.Sizes().ClientCountSamples != 1 {
		t.Errorf("history after a step 2 h later = %v; want the new collection only", t2)
	}
}

// TestAcknowledgeAlarm: AcknowledgeAlarm sets and clears
// acknowledgementStatus, moving lastUpdatedAt only with
// Options.AckUpdatesAlarm; ActiveAlarms says what the DTO says.
func TestAcknowledgeAlarm(t *testing.T) {
	for _, moves := range []bool{false, true} {
		h := newHarness(t, relaxed(Options{Seed: 3, AckUpdatesAlarm: moves}))
		ap := h.S.APs()[0]
		id := h.S.RaiseAlarm(Alarm{DeviceName: ap.Name, Condition: "AP_RADIO_DOWN", Message: "Radio 802.11a/n/ac is down."})
		get := func() alarmItem {
			var env envelope[alarmItem]
			h.GetOK(fmt.Sprintf("%sAlarms/%d.json", dataPrefix, id), &env)
			return env.QueryResponse.Entity[0].dto()
		}
		h.Clock.Add(time.Minute)
		if err := h.S.AcknowledgeAlarm(id, true); err != nil {
			t.Fatal(err)
		}
		a := get()
		updated := isoDate(testStart.UnixMilli())
		if moves {
			updated = isoDate(testStart.Add(time.Minute).UnixMilli())
		}
		if !a.AcknowledgementStatus || a.LastUpdatedAt != updated || a.AlarmFoundAt != isoDate(testStart.UnixMilli()) {
			t.Errorf("AckUpdatesAlarm %t: acknowledged alarm = %+v; want acknowledged, updated %s", moves, a, updated)
		}
		i := slices.IndexFunc(h.S.ActiveAlarms(), func(x AlarmInfo) bool { return x.ID == id })
		if i < 0 {
			t.Fatalf("ActiveAlarms() lacks %d", id)
		}
		info := h.S.ActiveAlarms()[i]
		if !info.Acknowledged || info.Condition != "AP_RADIO_DOWN" || info.Category != "AP" || info.Message != a.Message ||
			info.Severity != a.Severity || info.DeviceName != a.DeviceName || isoDate(info.UpdatedAt.UnixMilli()) != a.LastUpdatedAt {
			t.Errorf("ActiveAlarms() has %+v; want what the DTO says, %+v", info, a)
		}
		if err := h.S.AcknowledgeAlarm(id, false); err != nil || get().AcknowledgementStatus {
			t.Errorf("AcknowledgeAlarm(%d, false) = %v; want the acknowledgement gone", id, err)
		}
		if err := h.S.AcknowledgeAlarm(1, true); err == nil {
			t.Errorf("AcknowledgeAlarm(unknown) = nil; want an error")
		}
		_ = h.S.ClearAlarm(id)
		if slices.ContainsFunc(h.S.ActiveAlarms(), func(x AlarmInfo) bool { return x.ID == id }) {
			t.Errorf("ActiveAlarms() still has the cleared alarm %d", id)
		}
	}
}

// TestStringEnums: with Options.StringEnumsAt an alarm's category and
// condition are their values alone at those versions, objects at the
// others; v4 cannot be listed.
func TestStringEnums(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 3, StringEnumsAt: []string{"v1"}}))
	id := h.S.RaiseAlarm(Alarm{Category: "System", Condition: "BACKUP_FAILED"})
	for _, v := range []string{"v1", "v2"} {
		var env envelope[map[string]json.RawMessage]
		h.GetOK(fmt.Sprintf("/webacs/api/%s/data/Alarms/%d.json", v, id), &env)
		dto := env.QueryResponse.Entity[0].dto()
		want := `"BACKUP_FAILED"`
		if v != "v1" {
			want = fmt.Sprintf(`{"ordinal":%d,"value":"BACKUP_FAILED"}`, slices.IndexFunc(condDefs, func(c condDef) bool { return c.name == "BACKUP_FAILED" }))
		}
		if string(dto["condition"]) != want {
			t.Errorf("%s condition = %s; want %s", v, dto["condition"], want)
		}
	}
	if _, err := New(Options{StringEnumsAt: []string{"v4"}}); err == nil {
		t.Errorf("New with StringEnumsAt v4 = nil error; want one: v4's enumerations are objects")
	}
}
