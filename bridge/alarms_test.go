package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// switchDown is a critical alarm with every field a vendor gives.
func switchDown(id string, started time.Time) model.Alarm {
	return model.Alarm{ID: id, Site: "AMS-HQ", Device: "ams-sw-1", Severity: "critical", VendorSeverity: "critical",
		Category: "infrastructure", Type: "switch_down", Text: "Switch ams-sw-1 is down", StartedAt: started,
		UpdatedAt: started, URL: "https://manage.mist.com/admin/?org_id=o1#!alarms"}
}

// TestAlarmsModeOneAlertPerAlarm: each active alarm is one alert with the
// labels and annotations of the schema in docs/alerts.md, starting when
// the alarm did; two alarms of one device are two alerts.
func TestAlarmsModeOneAlertPerAlarm(t *testing.T) {
	e := newAlarmEnv(t, "", 1, false)
	started := e.clock.Add(-time.Hour)
	major := model.Alarm{ID: "a2", Site: "AMS-HQ", Device: "ams-sw-1", Severity: "major", VendorSeverity: "major", Category: "infrastructure"}
	minor := model.Alarm{ID: "a3", Site: "AMS-HQ", Severity: "minor", VendorSeverity: "minor", Category: "connectivity", Type: "dhcp_failure"}
	e.world.setAlarms("org", switchDown("a1", started), major, minor)
	e.push()
	am := e.ams[0]
	firing := am.firing()
	if len(firing) != 3 {
		t.Fatalf("Alertmanager holds %d firing alerts; want 3, one per alarm: %v", len(firing), firing)
	}
	a1 := firing["org/a1"]
	wantLabels := map[string]string{
		"alertname": "NmsVendorAlarm", "source": "org", "vendor": "mist", "site": "AMS-HQ", "device": "ams-sw-1",
		"severity": "critical", "vendor_severity": "critical", "category": "infrastructure", "alarm_type": "switch_down",
		"alarm_id": "a1",
	}
	if !maps.Equal(a1.Labels, wantLabels) {
		t.Errorf("labels of a1 = %v; want %v", a1.Labels, wantLabels)
	}
	wantAnn := map[string]string{
		"summary": "critical switch_down alarm on ams-sw-1", "description": "Switch ams-sw-1 is down", "alarm_id": "a1",
		"url": "https://manage.mist.com/admin/?org_id=o1#!alarms", "runbook_url": RunbookURL,
	}
	if !maps.Equal(a1.Annotations, wantAnn) {
		t.Errorf("annotations of a1 = %v; want %v", a1.Annotations, wantAnn)
	}
	if !a1.StartsAt.Equal(started) || !a1.EndsAt.After(e.clock) {
		t.Errorf("a1 starts %v, ends %v; want the alarm's start %v and an end after now", a1.StartsAt, a1.EndsAt, started)
	}
	for _, tc := range []struct{ id, severity, summary, description string }{
		{"a2", "warning", "major infrastructure alarm on ams-sw-1",
			"A major infrastructure alarm is active on ams-sw-1 at site AMS-HQ, as mist source org reports."},
		{"a3", "info", "minor dhcp_failure alarm on AMS-HQ",
			"A minor dhcp_failure alarm is active at site AMS-HQ, as mist source org reports."},
	} {
		a := firing["org/"+tc.id]
		if a.Labels["severity"] != tc.severity || a.Annotations["summary"] != tc.summary || a.Annotations["description"] != tc.description {
			t.Errorf("alert of %s = severity %q, summary %q, description %q; want %q, %q, %q", tc.id,
				a.Labels["severity"], a.Annotations["summary"], a.Annotations["description"], tc.severity, tc.summary, tc.description)
		}
		if _, ok := a.Annotations["url"]; ok {
			t.Errorf("alert of %s has a url annotation; want none for an alarm without a URL", tc.id)
		}
		// A label or annotation with nothing to say is left out.
		for k, v := range a.Labels {
			if v == "" {
				t.Errorf("alert of %s has the empty label %s", tc.id, k)
			}
		}
	}
	if _, ok := firing["org/a3"].Labels["device"]; ok {
		t.Errorf("site alarm a3 has a device label; want none")
	}
}

// TestAlarmsModeResendsAndResolvesOnce: a resend is the same alert (same
// labels, same start); a cleared alarm is sent resolved once, with endsAt
// the push that found it gone.
func TestAlarmsModeResendsAndResolvesOnce(t *testing.T) {
	e := newAlarmEnv(t, "", 1, false)
	e.world.setAlarms("org", switchDown("a1", e.clock.Add(-time.Hour)), switchDown("a2", e.clock.Add(-time.Minute)))
	e.push()
	first := e.ams[0].last()
	e.clock = e.clock.Add(time.Minute)
	e.push()
	second := e.ams[0].last()
	if len(first) != 2 || len(second) != 2 {
		t.Fatalf("pushes sent %d and %d alerts; want 2 each", len(first), len(second))
	}
	for i := range first {
		if fingerprint(first[i].Labels) != fingerprint(second[i].Labels) || !first[i].StartsAt.Equal(second[i].StartsAt) {
			t.Errorf("resent alert %v starting %v; want the labels %v and start %v again", second[i].Labels, second[i].StartsAt, first[i].Labels, first[i].StartsAt)
		}
	}
	e.world.setAlarms("org", switchDown("a2", e.clock.Add(-2*time.Minute)))
	e.clock = e.clock.Add(time.Minute)
	e.push()
	r, _ := e.ams[0].sentOf("org", "a1")
	if len(r) != 1 || !r[0].EndsAt.Equal(e.clock) {
		t.Fatalf("after a1 cleared, its alert = %+v; want it sent resolved, endsAt %v", r, e.clock)
	}
	if _, ok := e.ams[0].firing()["org/a1"]; ok {
		t.Errorf("Alertmanager still holds a1 firing")
	}
	if e.pushResends("org", "a1") {
		t.Errorf("the resolution of a1 was sent again")
	}
	if got := testutil.ToFloat64(e.metrics.AlertsSent); got != 7 {
		t.Errorf("nms_bridge_alerts_sent_total = %v; want 7: 2, 2, a2 with a1's resolution, a2", got)
	}
}

// TestStartsAtOfAnAlarmWithoutStart: an alarm whose vendor gives no start
// starts at the first push that sent it, and keeps that start.
func TestStartsAtOfAnAlarmWithoutStart(t *testing.T) {
	e := newAlarmEnv(t, "", 1, false)
	a := switchDown("a1", time.Time{})
	e.world.setAlarms("org", a)
	first := e.clock
	e.push()
	e.clock = e.clock.Add(5 * time.Minute)
	e.push()
	if got := e.ams[0].firing()["org/a1"].StartsAt; !got.Equal(first) {
		t.Errorf("startsAt = %v; want the first push's time %v", got, first)
	}
	// A start in the future (a vendor's clock ahead) is now, never after
	// the end Alertmanager would be sent.
	e.world.setAlarms("org", switchDown("a2", e.clock.Add(time.Hour)))
	e.push()
	if got := e.ams[0].firing()["org/a2"].StartsAt; !got.Equal(e.clock) {
		t.Errorf("startsAt of an alarm starting in an hour = %v; want now, %v", got, e.clock)
	}
}

// TestRelabelledAlarmResolvesItsOldAlert: an alarm whose severity
// changes is a new label set to Alertmanager; the old one is resolved at
// once, not left firing until its endsAt.
func TestRelabelledAlarmResolvesItsOldAlert(t *testing.T) {
	e := newAlarmEnv(t, "", 1, false)
	a := switchDown("a1", e.clock.Add(-time.Hour))
	a.Severity = "major"
	e.world.setAlarms("org", a)
	e.push()
	a.Severity = "critical"
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	var firing []string
	e.ams[0].mu.Lock()
	for _, al := range e.ams[0].byLabels {
		if al.EndsAt.After(e.clock) {
			firing = append(firing, al.Labels["vendor_severity"])
		}
	}
	e.ams[0].mu.Unlock()
	if len(firing) != 1 || firing[0] != "critical" {
		t.Errorf("firing alerts of a1 after its severity rose = %v; want only the critical one", firing)
	}
}

// TestAggregatedModeKeepsCounts: mode: aggregated sends one alert per
// site, device, severity and category, counting its alarms, with no
// alarm_id.
func TestAggregatedModeKeepsCounts(t *testing.T) {
	e := newAlarmEnv(t, "  mode: aggregated\n", 1, false)
	e.world.setAlarms("org", switchDown("a1", e.clock), switchDown("a2", e.clock), model.Alarm{ID: "a3", Site: "AMS-HQ", Severity: "minor", Category: "connectivity"})
	e.push()
	batch := e.ams[0].last()
	if len(batch) != 2 {
		t.Fatalf("aggregated push = %d alerts; want 2: %v", len(batch), batch)
	}
	for _, a := range batch {
		if _, ok := a.Labels["alarm_id"]; ok {
			t.Errorf("aggregated alert %v has an alarm_id", a.Labels)
		}
		want := "1"
		if a.Labels["device"] == "ams-sw-1" {
			want = "2"
		}
		if a.Annotations["alarms"] != want {
			t.Errorf("alert %v counts %q alarms; want %s", a.Labels, a.Annotations["alarms"], want)
		}
	}
}

// TestCapKeepsTheMostSevereAndOldest: beyond max_alerts_per_source the
// least severe and newest alarms are left out, each counted once; an
// alarm pushed out by a more severe one is resolved.
func TestCapKeepsTheMostSevereAndOldest(t *testing.T) {
	e := newAlarmEnv(t, "  max_alerts_per_source: 3\n", 1, false)
	now := e.clock
	at := func(id, severity string, age time.Duration) model.Alarm {
		a := switchDown(id, now.Add(-age))
		a.Severity = severity
		return a
	}
	alarms := []model.Alarm{
		at("c-new", "critical", time.Minute), at("c-old", "critical", 3*time.Hour),
		at("m-old", "major", 5*time.Hour), at("m-new", "major", 2*time.Minute), at("w-oldest", "warning", 48*time.Hour),
	}
	e.world.setAlarms("org", alarms...)
	e.world.setAlarms("org2", at("x1", "minor", time.Minute))
	e.push()
	firing := func() []string {
		var ids []string
		for k := range e.ams[0].firing() {
			ids = append(ids, k)
		}
		slices.Sort(ids)
		return ids
	}
	if got, want := firing(), []string{"org/c-new", "org/c-old", "org/m-old", "org2/x1"}; !slices.Equal(got, want) {
		t.Errorf("firing = %v; want %v", got, want)
	}
	dropped := func(src string) float64 { return testutil.ToFloat64(e.metrics.AlertsDropped.WithLabelValues(src)) }
	if dropped("org") != 2 || dropped("org2") != 0 {
		t.Errorf("nms_bridge_alerts_dropped_total = org %v, org2 %v; want 2 and 0", dropped("org"), dropped("org2"))
	}
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if dropped("org") != 2 {
		t.Errorf("nms_bridge_alerts_dropped_total{source=org} after a resend = %v; want 2: each alarm counts once", dropped("org"))
	}
	// A new critical alarm pushes the major one out: it is resolved.
	e.world.setAlarms("org", append(alarms, at("c-newest", "critical", 0))...)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if got, want := firing(), []string{"org/c-new", "org/c-newest", "org/c-old", "org2/x1"}; !slices.Equal(got, want) {
		t.Errorf("firing after a new critical alarm = %v; want %v", got, want)
	}
	if dropped("org") != 3 {
		t.Errorf("nms_bridge_alerts_dropped_total{source=org} = %v; want 3", dropped("org"))
	}
	if n := testutil.CollectAndCount(e.metrics.AlertsDropped); n != 2 {
		t.Errorf("nms_bridge_alerts_dropped_total series = %d; want one per source pushed, 2", n)
	}
	e.metrics.Track(e.srcs[:1])
	if n := testutil.CollectAndCount(e.metrics.AlertsDropped); n != 1 {
		t.Errorf("nms_bridge_alerts_dropped_total series after org2 left = %d; want 1", n)
	}
}

// TestLargePushIsBatched: a source's alarms go in requests of at most
// maxBatch alerts.
func TestLargePushIsBatched(t *testing.T) {
	e := newAlarmEnv(t, "  max_alerts_per_source: 10000\n", 1, false)
	var alarms []model.Alarm
	for i := range 2500 {
		alarms = append(alarms, switchDown(fmt.Sprintf("a%05d", i), e.clock.Add(-time.Hour)))
	}
	e.world.setAlarms("org", alarms...)
	e.push()
	am := e.ams[0]
	am.mu.Lock()
	defer am.mu.Unlock()
	total := 0
	for _, b := range am.batches {
		if len(b) > maxBatch {
			t.Errorf("a request carried %d alerts; want at most %d", len(b), maxBatch)
		}
		total += len(b)
	}
	if len(am.batches) != 3 || total != 2500 || len(am.byLabels) != 2500 {
		t.Errorf("push = %d requests, %d alerts, %d distinct; want 3 requests of all 2500", len(am.batches), total, len(am.byLabels))
	}
}

// TestAckLabel: with acknowledged: label an acknowledged alarm's alert
// keeps firing with acknowledged="true" and says who acknowledged it and
// when; its unacknowledged label set resolves.
func TestAckLabel(t *testing.T) {
	e := newAlarmEnv(t, "", 1, false)
	a := switchDown("a1", e.clock.Add(-time.Hour))
	e.world.setAlarms("org", a)
	e.push()
	a.Acked, a.AckedBy, a.AckedAt = true, "alice@example.com", e.clock.Add(-time.Minute)
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	got := e.ams[0].firing()["org/a1"]
	if got.Labels["acknowledged"] != "true" || got.Annotations["acknowledged_by"] != "alice@example.com" ||
		got.Annotations["acknowledged_at"] != a.AckedAt.Format(time.RFC3339) {
		t.Errorf("acknowledged alarm's alert = %v %v; want acknowledged=\"true\", acknowledged_by alice, acknowledged_at %s",
			got.Labels, got.Annotations, a.AckedAt.Format(time.RFC3339))
	}
	if n := len(e.ams[0].firing()); n != 1 {
		t.Errorf("%d alerts firing; want 1: the unacknowledged label set resolved", n)
	}
	if n := len(e.ams[0].active()); n != 0 {
		t.Errorf("%d silences with acknowledged: label; want none", n)
	}
}

// TestAckResolve: with acknowledged: resolve an acknowledged alarm's alert
// is sent resolved, saying who acknowledged it, and fires again when the
// alarm is unacknowledged.
func TestAckResolve(t *testing.T) {
	e := newAlarmEnv(t, "  acknowledged: resolve\n", 1, false)
	a := switchDown("a1", e.clock.Add(-time.Hour))
	e.world.setAlarms("org", a)
	e.push()
	a.Acked, a.AckedBy = true, "bob"
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	r, _ := e.ams[0].sentOf("org", "a1")
	if len(r) != 1 || r[0].EndsAt.After(e.clock) || r[0].Annotations["acknowledged_by"] != "bob" {
		t.Fatalf("after the ack, a1's alert = %+v; want it resolved, acknowledged_by bob", r)
	}
	if _, ok := r[0].Labels["acknowledged"]; ok {
		t.Errorf("resolved alert has the acknowledged label; want the labels it fired with")
	}
	if e.pushResends("org", "a1") {
		t.Errorf("an acknowledged alarm's alert was sent again while acknowledged")
	}
	a.Acked, a.AckedBy = false, ""
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if got, ok := e.ams[0].firing()["org/a1"]; !ok || !got.StartsAt.Equal(a.StartedAt) {
		t.Errorf("after the alarm was unacknowledged, a1 firing = %v (%+v); want it firing again from the alarm's start", ok, got)
	}
}

// ackSilenceEnv is an env with acknowledged: silence and two
// Alertmanagers, an alarm a1 raised and acknowledged by carol.
func ackSilenceEnv(t *testing.T) (*alarmEnv, model.Alarm) {
	e := newAlarmEnv(t, "  acknowledged: silence\n", 2, false)
	a := switchDown("a1", e.clock.Add(-time.Hour))
	a.Acked, a.AckedBy, a.AckedAt = true, "carol", e.clock.Add(-10*time.Minute)
	e.world.setAlarms("org", a, switchDown("a2", e.clock.Add(-time.Hour)))
	return e, a
}

// ownSilence returns the one active silence of an Alertmanager, failing
// the test unless there is exactly one.
func ownSilence(t *testing.T, am *fakeAM) silence {
	t.Helper()
	act := am.active()
	if len(act) != 1 {
		t.Fatalf("active silences = %+v; want one", act)
	}
	return act[0]
}

// TestAckSilence: with acknowledged: silence an acknowledged alarm's
// alert keeps firing and each Alertmanager gets one silence matching its
// alertname, source and alarm_id, made by nms_exporter with the vendor
// user and time in its comment, a week long and renewed while the alarm
// stays acknowledged, expired when it is unacknowledged or clears.
func TestAckSilence(t *testing.T) {
	e, a := ackSilenceEnv(t)
	e.push()
	for i, am := range e.ams {
		s := ownSilence(t, am)
		want := []matcher{{Name: "alertname", Value: "NmsVendorAlarm"}, {Name: "source", Value: "org"}, {Name: "alarm_id", Value: "a1"}}
		if len(s.Matchers) != 3 {
			t.Fatalf("Alertmanager %d: matchers = %+v; want %+v", i, s.Matchers, want)
		}
		for j, m := range s.Matchers {
			if m.Name != want[j].Name || m.Value != want[j].Value || m.IsRegex || m.IsEqual == nil || !*m.IsEqual {
				t.Errorf("Alertmanager %d: matcher %d = %+v; want %s=%q, equal, not a regex", i, j, m, want[j].Name, want[j].Value)
			}
		}
		if s.CreatedBy != "nms_exporter" || !strings.HasPrefix(s.Comment, "nms_exporter alarm org/a1: ") ||
			!strings.Contains(s.Comment, "carol") || !strings.Contains(s.Comment, a.AckedAt.Format(time.RFC3339)) {
			t.Errorf("Alertmanager %d: silence by %q, %q; want nms_exporter, the marker, carol and %s", i, s.CreatedBy, s.Comment, a.AckedAt.Format(time.RFC3339))
		}
		if !s.EndsAt.Equal(e.clock.Add(7 * 24 * time.Hour)) {
			t.Errorf("Alertmanager %d: silence ends %v; want a week from now", i, s.EndsAt)
		}
		if f := am.firing()["org/a1"]; f.Labels == nil {
			t.Errorf("Alertmanager %d: a1's alert not firing; want it firing, silenced", i)
		} else if _, ok := f.Labels["acknowledged"]; ok {
			t.Errorf("Alertmanager %d: a1's alert has the acknowledged label under acknowledged: silence", i)
		}
	}
	// Resends make no second silence; four days on, it is renewed.
	e.clock = e.clock.Add(time.Minute)
	e.push()
	first := ownSilence(t, e.ams[0])
	e.clock = e.clock.Add(4 * 24 * time.Hour)
	e.push()
	renewed := ownSilence(t, e.ams[0])
	if !renewed.EndsAt.Equal(e.clock.Add(7*24*time.Hour)) || renewed.ID != first.ID {
		t.Errorf("after four days the silence = %s ending %v; want %s renewed in place to end %v", renewed.ID, renewed.EndsAt, first.ID, e.clock.Add(7*24*time.Hour))
	}
	// Unacknowledged: expired; acknowledged again: a new one; cleared:
	// expired and the alert resolved.
	a.Acked = false
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	for i, am := range e.ams {
		if act := am.active(); len(act) != 0 {
			t.Errorf("Alertmanager %d: silences after the unack = %+v; want none", i, act)
		}
	}
	a.Acked = true
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	again := ownSilence(t, e.ams[1])
	e.world.setAlarms("org", switchDown("a2", e.clock.Add(-time.Hour)))
	e.clock = e.clock.Add(time.Minute)
	e.push()
	for i, am := range e.ams {
		if act := am.active(); len(act) != 0 {
			t.Errorf("Alertmanager %d: silences after the clear = %+v; want none", i, act)
		}
		if _, ok := am.firing()["org/a1"]; ok {
			t.Errorf("Alertmanager %d: a1 still firing after it cleared", i)
		}
	}
	if s, _ := e.ams[1].silence(again.ID); !s.EndsAt.Equal(e.clock) {
		t.Errorf("the second silence ends %v; want expired now, %v", s.EndsAt, e.clock)
	}
	if got := testutil.ToFloat64(e.metrics.SilenceErrors); got != 0 {
		t.Errorf("nms_bridge_silence_errors_total = %v; want 0", got)
	}
}

// TestSilencesOfOthersUntouched: silences the bridge did not make, even
// on the same alert or by the same creator without the marker, are never
// changed or expired; a restarted bridge takes up its own silence rather
// than making a second, and expires it when the alarm clears.
func TestSilencesOfOthersUntouched(t *testing.T) {
	e, _ := ackSilenceEnv(t)
	eq := true
	byHand := silence{Matchers: []matcher{{Name: "alertname", Value: AlertName, IsEqual: &eq}, {Name: "source", Value: "org", IsEqual: &eq},
		{Name: "alarm_id", Value: "a1", IsEqual: &eq}}, StartsAt: e.clock.Add(-time.Hour), EndsAt: e.clock.Add(30 * 24 * time.Hour),
		CreatedBy: "dave", Comment: "nms_exporter alarm org/a1: looks like ours, is not"}
	sameCreator := byHand
	sameCreator.CreatedBy, sameCreator.Comment = "nms_exporter", "maintenance of ams-sw-1"
	otherAlarm := byHand
	otherAlarm.CreatedBy, otherAlarm.Comment = "nms_exporter", "nms_exporter alarm org/a1x: the marker of another alarm"
	var others []string
	for _, s := range []silence{byHand, sameCreator, otherAlarm} {
		others = append(others, e.ams[0].addSilence(s))
	}
	e.push()
	own := func() []silence {
		var out []silence
		for _, s := range e.ams[0].active() {
			if !strings.Contains(strings.Join(others, " "), s.ID) {
				out = append(out, s)
			}
		}
		return out
	}
	mine := own()
	if len(mine) != 1 {
		t.Fatalf("the bridge's silences = %+v; want one", mine)
	}
	// A restart: the pusher's first push, before the sources have read
	// their alarms, keeps the silence; then it takes it up, making none.
	e.restart()
	e.clock = e.clock.Add(time.Minute)
	e.pusher.Push(context.Background())
	if got := own(); len(got) != 1 || got[0].ID != mine[0].ID {
		t.Errorf("after a restart, before the first poll, the bridge's silences = %+v; want %s kept", got, mine[0].ID)
	}
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if got := own(); len(got) != 1 || got[0].ID != mine[0].ID {
		t.Errorf("after a restart the bridge's silences = %+v; want %s taken up", got, mine[0].ID)
	}
	// The alarm clears: the bridge's silence is expired, the others not.
	e.world.setAlarms("org")
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if got := own(); len(got) != 0 {
		t.Errorf("after the clear the bridge's silences = %+v; want none", got)
	}
	for _, id := range others {
		s, _ := e.ams[0].silence(id)
		if !s.EndsAt.Equal(byHand.EndsAt) || !s.StartsAt.Equal(byHand.StartsAt) {
			t.Errorf("silence %s (%s, %q) was changed: ends %v; want it untouched", id, s.CreatedBy, s.Comment, s.EndsAt)
		}
	}
}

// TestSilenceFailureDoesNotStopPushes: an Alertmanager whose silence API
// fails still gets the alerts; the failure is counted and the silence made
// when it answers again. The other Alertmanager is not held up.
func TestSilenceFailureDoesNotStopPushes(t *testing.T) {
	e, _ := ackSilenceEnv(t)
	e.ams[0].silenceDown = true
	e.push()
	if _, ok := e.ams[0].firing()["org/a1"]; !ok {
		t.Errorf("Alertmanager 0 got no alert while its silences failed; want the push to go on")
	}
	if n := len(e.ams[1].active()); n != 1 {
		t.Errorf("Alertmanager 1 has %d silences; want 1", n)
	}
	if got := testutil.ToFloat64(e.metrics.SilenceErrors); got < 1 {
		t.Errorf("nms_bridge_silence_errors_total = %v; want the failure counted", got)
	}
	e.ams[0].mu.Lock()
	e.ams[0].silenceDown = false
	e.ams[0].mu.Unlock()
	e.clock = e.clock.Add(time.Minute)
	e.push()
	ownSilence(t, e.ams[0])
	if n := len(e.ams[1].active()); n != 1 {
		t.Errorf("Alertmanager 1 has %d silences after the retry; want still 1", n)
	}
}

// TestOtherAckModesExpireLeftSilences: a bridge started with another
// acknowledgement mode, or the aggregated mode, expires the silences a
// silence config left, and only those.
func TestOtherAckModesExpireLeftSilences(t *testing.T) {
	for _, tc := range []struct{ mode, ack string }{{"alarms", "label"}, {"alarms", "resolve"}, {"aggregated", "label"}} {
		t.Run(tc.mode+"/"+tc.ack, func(t *testing.T) {
			e, _ := ackSilenceEnv(t)
			e.push()
			eq := true
			foreign := e.ams[0].addSilence(silence{Matchers: []matcher{{Name: "device", Value: "ams-sw-1", IsEqual: &eq}},
				StartsAt: e.clock, EndsAt: e.clock.Add(time.Hour), CreatedBy: "erin", Comment: "switch swap"})
			e.cfg.Alertmanager.Mode, e.cfg.Alertmanager.Acknowledged = tc.mode, tc.ack
			e.pusher = e.newPusher()
			e.clock = e.clock.Add(time.Minute)
			e.push()
			for i, am := range e.ams {
				for _, s := range am.active() {
					if s.ID != foreign {
						t.Errorf("Alertmanager %d keeps the bridge's silence %s; want it expired", i, s.ID)
					}
				}
			}
			if s, _ := e.ams[0].silence(foreign); !s.EndsAt.After(e.clock) {
				t.Errorf("someone else's silence ends %v; want it untouched", s.EndsAt)
			}
		})
	}
}

// TestEnrichment: with a Nautobot source describing the vendor source,
// the alerts of its devices get their location, role and tenant, the
// device found by serial, else by name; without one they get none.
func TestEnrichment(t *testing.T) {
	for _, withSot := range []bool{true, false} {
		t.Run(fmt.Sprint("sot=", withSot), func(t *testing.T) {
			e := newAlarmEnv(t, "", 1, withSot)
			e.world.devices["org"] = []model.Device{{Name: "ams-sw-1", Serial: "FOX1234"}, {Name: "ams-ap-2"}}
			e.world.devices["org2"] = []model.Device{{Name: "ams-sw-1", Serial: "FOX1234"}}
			e.world.sot = []model.SotDevice{
				{Name: "AMS-CORE-SW-1", Serial: "fox1234", Location: "Amsterdam HQ", Role: "core-switch", Tenant: "acme"},
				{Name: "ams-ap-2", Location: "Amsterdam HQ", Role: "access-point"},
			}
			ap := switchDown("a2", e.clock)
			ap.Device = "ams-ap-2"
			unknown := switchDown("a3", e.clock)
			unknown.Device = "ams-gw-9"
			e.world.setAlarms("org", switchDown("a1", e.clock), ap, unknown)
			e.world.setAlarms("org2", switchDown("b1", e.clock))
			e.push()
			firing := e.ams[0].firing()
			for _, tc := range []struct {
				key                    string
				location, role, tenant string
			}{
				{"org/a1", "Amsterdam HQ", "core-switch", "acme"},
				{"org/a2", "Amsterdam HQ", "access-point", ""},
				{"org/a3", "", "", ""},
				{"org2/b1", "", "", ""}, // a source Nautobot does not describe
			} {
				if !withSot {
					tc.location, tc.role, tc.tenant = "", "", ""
				}
				l := firing[tc.key].Labels
				if l == nil {
					t.Fatalf("no alert of %s", tc.key)
				}
				for k, want := range map[string]string{"location": tc.location, "role": tc.role, "tenant": tc.tenant} {
					if got, ok := l[k]; got != want || (want == "" && ok) {
						t.Errorf("label %s of %s = %q (present %v); want %q", k, tc.key, got, ok, want)
					}
				}
			}
		})
	}
}

// TestWebhookAndPollMakeOneAlert: an alarm a poll found and a webhook
// then told of again is one alarm, so one alert.
func TestWebhookAndPollMakeOneAlert(t *testing.T) {
	e := newEnv(t)
	target := e.sim.Devices()[0]
	id := e.sim.RaiseAlarm(mistsim.Alarm{Type: "switch_down", Severity: "critical", SiteID: target.SiteID, DeviceMACs: []string{target.MAC}, Hostnames: []string{target.Name}})
	if err := e.src.Refresh(context.Background(), "alarms"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	body := []byte(fmt.Sprintf(`{"topic": "alarms", "events": [{"id": %q, "org_id": %q, "site_id": %q, "type": "switch_down", "severity": "critical", "count": 1, "timestamp": %d, "last_seen": %d, "switches": [%q], "hostnames": [%q]}]}`,
		id, e.sim.Credentials().OrgID, target.SiteID, now, now+1, target.MAC, target.Name))
	if rec := e.postSigned(e.webhook(nil), body); rec.Code != http.StatusNoContent {
		t.Fatalf("webhook = %d %s; want 204", rec.Code, rec.Body)
	}
	e.pusher.Push(context.Background())
	n := 0
	for _, a := range e.am.last() {
		if a.Labels["alarm_id"] == id {
			n++
			if a.Labels["device"] != target.Name {
				t.Errorf("alert of %s on device %q; want %s", id, a.Labels["device"], target.Name)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d alerts of alarm %s told of by a poll and a webhook; want 1", n, id)
	}
}

// TestEncodedAlertsAreJSON: the alerts the bridge writes itself read back
// as encoding/json reads them, whatever the vendor's strings hold.
func TestEncodedAlertsAreJSON(t *testing.T) {
	for _, text := range []string{
		`quotes " and \ backslashes`, "new\nline\ttab\r\x00\x1f", "ünïcødé ✓ 🚨", "bad utf-8 \xff\xfe end", "\u2028\u2029", "",
	} {
		p := &Pusher{}
		ss := &sourceState{name: "org", vendor: "mist"}
		tr := &tracked{alarm: model.Alarm{ID: text + "id", Device: text, Severity: "critical", Text: text, Acked: true, AckedBy: text},
			startsAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
		b := p.appendAlert(nil, ss, tr, time.Date(2026, 1, 2, 3, 9, 5, 0, time.UTC))
		var got alert
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("alert with %q = %s: %v", text, b, err)
		}
		want, _ := json.Marshal(text)
		var wantText string
		_ = json.Unmarshal(want, &wantText)
		if got.Labels["device"] != wantText || got.Annotations["acknowledged_by"] != wantText || !got.StartsAt.Equal(tr.startsAt) {
			t.Errorf("alert with %q read back as device %q, acknowledged_by %q, startsAt %v; want %q and %v",
				text, got.Labels["device"], got.Annotations["acknowledged_by"], got.StartsAt, wantText, tr.startsAt)
		}
	}
}

// TestPushKeepsGoingWhenOneAlertmanagerIsDown: alerts reach the
// Alertmanager that answers; a resolution one of them missed is sent
// again only while none took it.
func TestPushKeepsGoingWhenOneAlertmanagerIsDown(t *testing.T) {
	e := newAlarmEnv(t, "", 2, false)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadRequest) }))
	t.Cleanup(down.Close)
	e.cfg.Alertmanager.URLs[0] = down.URL
	e.pusher = e.newPusher()
	e.world.setAlarms("org", switchDown("a1", e.clock))
	e.push()
	if _, ok := e.ams[1].firing()["org/a1"]; !ok {
		t.Errorf("the Alertmanager that answers has no alert; want a1")
	}
	if got := testutil.ToFloat64(e.metrics.Errors); got < 1 {
		t.Errorf("nms_bridge_errors_total = %v; want the refused push counted", got)
	}
}

// TestPushWaitsForFirstRefreshes: a source's alarms wait for its first
// refreshes, and those of the Nautobot source describing it, to end, so
// that their labels do not fill in a poll later as a second alert; they
// wait two resend intervals at most.
func TestPushWaitsForFirstRefreshes(t *testing.T) {
	e := newAlarmEnv(t, "", 1, true)
	e.world.setAlarms("org", switchDown("a1", e.clock))
	e.world.setAlarms("org2", switchDown("b1", e.clock))
	refresh := func(s *collector.Source, only string) {
		for _, c := range s.Collections {
			if only == "" || c.Name == only {
				if err := s.Refresh(context.Background(), c.Name); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	src := map[string]*collector.Source{}
	for _, s := range e.srcs {
		src[s.Name] = s
	}
	// org2 has refreshed everything; org only its alarms; sot nothing.
	refresh(src["org2"], "")
	refresh(src["org"], "alarms")
	e.pusher.Push(context.Background())
	firing := e.ams[0].firing()
	if _, ok := firing["org2/b1"]; !ok || len(firing) != 1 {
		t.Errorf("first push = %v; want org2's alarm only: org waits for its refreshes", firing)
	}
	// org has refreshed, its source of truth not: it still waits.
	refresh(src["org"], "")
	e.clock = e.clock.Add(time.Minute)
	e.pusher.Push(context.Background())
	if _, ok := e.ams[0].firing()["org/a1"]; ok {
		t.Errorf("org's alarm pushed before Nautobot, which describes org, had refreshed")
	}
	// Two resend intervals on, it is pushed whatever is missing.
	e.clock = e.clock.Add(time.Minute)
	e.pusher.Push(context.Background())
	if _, ok := e.ams[0].firing()["org/a1"]; !ok {
		t.Errorf("org's alarm not pushed two resend intervals after the start")
	}
}

// TestSilencesInACluster: two members of a cluster share their silences,
// so an alarm acknowledged while the bridge runs has one per member; a
// restarted bridge keeps the same one through both and expires the other,
// and the clear expires it.
func TestSilencesInACluster(t *testing.T) {
	e, a := ackSilenceEnv(t)
	// The second URL is another member of the first's cluster: the same
	// silences.
	member := httptest.NewServer(e.ams[0])
	t.Cleanup(member.Close)
	e.cfg.Alertmanager.URLs[1] = member.URL
	e.restart()
	// Both members listed before the ack: each gets a silence made.
	unacked := a
	unacked.Acked = false
	e.world.setAlarms("org", unacked)
	e.push()
	e.world.setAlarms("org", a)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if n := len(e.ams[0].active()); n != 2 {
		t.Fatalf("%d silences in the cluster; want one made through each member, 2", n)
	}
	e.restart()
	e.clock = e.clock.Add(time.Minute)
	e.push()
	kept := ownSilence(t, e.ams[0])
	// Renewed through both members, it stays the one silence.
	e.clock = e.clock.Add(4 * 24 * time.Hour)
	e.push()
	if s := ownSilence(t, e.ams[0]); !s.EndsAt.Equal(e.clock.Add(silenceFor)) || s.ID != kept.ID {
		t.Errorf("after the renewal the silence = %s ending %v; want %s ending %v", s.ID, s.EndsAt, kept.ID, e.clock.Add(silenceFor))
	}
	e.world.setAlarms("org")
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if act := e.ams[0].active(); len(act) != 0 {
		t.Errorf("silences after %s cleared = %+v; want none", a.ID, act)
	}
	if got := testutil.ToFloat64(e.metrics.SilenceErrors); got != 0 {
		t.Errorf("nms_bridge_silence_errors_total = %v; want 0: expiring a silence a member already expired is no error", got)
	}
}

// TestRebuiltSourceKeepsItsAlerts: a source a reload makes anew has no
// alarms until it refreshes; its alerts are neither resolved meanwhile nor
// sent twice after.
func TestRebuiltSourceKeepsItsAlerts(t *testing.T) {
	e := newAlarmEnv(t, "", 1, false)
	e.world.setAlarms("org", switchDown("a1", e.clock.Add(-time.Hour)))
	e.push()
	pusher := e.pusher
	e.restart() // new sources; the pusher stays, as on a reload of the sources' config
	e.pusher = pusher
	e.clock = e.clock.Add(time.Minute)
	e.pusher.Push(context.Background())
	if r, _ := e.ams[0].sentOf("org", "a1"); len(r) != 1 || !r[0].EndsAt.After(e.clock) {
		t.Errorf("a1 after its source was rebuilt, before its refresh = %+v; want it left firing, not resolved", r)
	}
	e.clock = e.clock.Add(time.Minute)
	e.push()
	if n := len(e.ams[0].firing()); n != 1 {
		t.Errorf("%d alerts firing after the rebuilt source refreshed; want a1's one", n)
	}
}
