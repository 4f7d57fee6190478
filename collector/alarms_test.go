package collector

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/model"
)

// webhookSource is a fake source on clock that takes webhooks: each
// delivers the events of *next.
func webhookSource(clock *testtool.Clock, next *[]model.PushedAlarm, cols ...*Collection) *Source {
	s := fakeSource("hooked", cols...)
	s.now = clock.Now
	s.Webhook = func(context.Context, []byte, Data) (WebhookResult, error) {
		return WebhookResult{Alarms: *next, Events: len(*next)}, nil
	}
	return s
}

func alarmEvent(id, event string, at time.Time, device string) model.PushedAlarm {
	return model.PushedAlarm{Event: event, At: at,
		Alarm: model.Alarm{ID: id, Site: "HQ", Device: device, Severity: "critical", Category: "infrastructure", UpdatedAt: at}}
}

// TestWebhookDropsReplaysAndOutOfWindowEvents: an alarm event is applied
// once, and only while its date is within ten minutes of the clock; an
// update of the same alarm is a new event.
func TestWebhookDropsReplaysAndOutOfWindowEvents(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	var next []model.PushedAlarm
	s := webhookSource(clock, &next)
	now := clock.Now()
	for _, tc := range []struct {
		name    string
		event   model.PushedAlarm
		dropped string
	}{
		{"fresh", alarmEvent("a1", "raised", now, "ap-1"), ""},
		{"the same again", alarmEvent("a1", "raised", now, "ap-1"), DropDuplicate},
		{"an update of it", alarmEvent("a1", "updated", now.Add(time.Second), "ap-1"), ""},
		{"nine minutes old", alarmEvent("a2", "raised", now.Add(-9*time.Minute), "ap-2"), ""},
		{"ten minutes old", alarmEvent("a3", "raised", now.Add(-10*time.Minute), "ap-3"), DropStale},
		{"an hour old", alarmEvent("a4", "raised", now.Add(-time.Hour), "ap-4"), DropStale},
		{"not dated", alarmEvent("a5", "raised", time.Time{}, "ap-5"), DropStale},
		{"nine minutes ahead", alarmEvent("a6", "raised", now.Add(9*time.Minute), "ap-6"), ""},
		{"eleven minutes ahead", alarmEvent("a7", "raised", now.Add(11*time.Minute), "ap-7"), DropFuture},
	} {
		next = []model.PushedAlarm{tc.event}
		res, err := s.AcceptWebhook(context.Background(), nil)
		if err != nil {
			t.Fatalf("%s: AcceptWebhook() = %v", tc.name, err)
		}
		want := map[string]int{}
		if tc.dropped != "" {
			want[tc.dropped] = 1
		}
		if fmt.Sprint(res.Dropped) != fmt.Sprint(want) {
			t.Errorf("%s: dropped %v; want %v", tc.name, res.Dropped, want)
		}
	}
	got := fmt.Sprint(s.Alarms())
	for _, d := range []string{"ap-1", "ap-2", "ap-6"} {
		if !strings.Contains(got, d) {
			t.Errorf("alarms %s; want %s's", got, d)
		}
	}
	for _, d := range []string{"ap-3", "ap-4", "ap-5", "ap-7"} {
		if strings.Contains(got, d) {
			t.Errorf("alarms %s; want none of %s", got, d)
		}
	}
	if a := s.Alarms(); len(a) != 3 || a[0].Count != 1 {
		t.Errorf("alarms %v; want three, ap-1's counted once", a)
	}

	// Two minutes on, a replay of the event dated nine minutes back is
	// refused by its date, and the events whose date has left the window
	// are forgotten.
	clock.Advance(2 * time.Minute)
	next = []model.PushedAlarm{alarmEvent("a2", "raised", now.Add(-9*time.Minute), "ap-2")}
	if res, _ := s.AcceptWebhook(context.Background(), nil); res.Dropped[DropStale] != 1 {
		t.Errorf("replay of an event now 11 minutes old: dropped %v; want stale", res.Dropped)
	}
	clock.Advance(30 * time.Minute)
	next = []model.PushedAlarm{alarmEvent("a8", "raised", clock.Now(), "ap-8")}
	if _, err := s.AcceptWebhook(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := len(s.pushed.seen.keys); n != 1 {
		t.Errorf("%d events remembered half an hour on; want only the last one", n)
	}
}

// TestSeenEventsBounded: the events remembered are capped, the oldest
// forgotten first.
func TestSeenEventsBounded(t *testing.T) {
	var e seenEvents
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	key := func(i int) [sha256.Size]byte { return sha256.Sum256([]byte(fmt.Sprint(i))) }
	for i := range maxSeenEvents + 10 {
		if !e.add(key(i), now.Add(WebhookWindow), now) {
			t.Fatalf("event %d taken for a duplicate", i)
		}
	}
	if len(e.keys) != maxSeenEvents || len(e.queue) != maxSeenEvents {
		t.Errorf("%d keys, %d queued after %d events; want the cap, %d", len(e.keys), len(e.queue), maxSeenEvents+10, maxSeenEvents)
	}
	if !e.add(key(0), now.Add(WebhookWindow), now) || e.add(key(maxSeenEvents+9), now.Add(WebhookWindow), now) {
		t.Errorf("want the first event forgotten and the last remembered")
	}
}

// TestPushedAlarmsExpireWithoutPoll: with the alarms collection disabled,
// or failing, a pushed alarm is shown for its lifetime, then dropped from
// the alarms and from the scrape, with no poll.
func TestPushedAlarmsExpireWithoutPoll(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cols     []*Collection
		lifetime time.Duration
	}{
		{"alarms disabled", []*Collection{{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(1))}}, time.Hour},
		{"alarms failing every 30m", []*Collection{{Name: "alarms", Interval: 30 * time.Minute, Fetch: scripted(fail("HTTP 503"))}}, 90 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := testtool.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
			next := []model.PushedAlarm{alarmEvent("a1", "raised", clock.Now(), "ap-1")}
			s := webhookSource(clock, &next, tc.cols...)
			for _, c := range tc.cols {
				_ = s.Refresh(context.Background(), c.Name)
			}
			if _, err := s.AcceptWebhook(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			scrapeShows := func() bool {
				t.Helper()
				collectortest.WaitSettled(t, s)
				return strings.Contains(collectortest.Probe(s, nil).Body.String(), `nms_alarms_active{category="infrastructure",device="ap-1"`)
			}
			if !scrapeShows() || len(s.Alarms()) != 1 {
				t.Fatalf("after the webhook: alarms %v; want ap-1's, scraped", s.Alarms())
			}
			clock.Advance(tc.lifetime - time.Second)
			if !scrapeShows() || len(s.Alarms()) != 1 {
				t.Errorf("a second before its lifetime of %s ends: alarms %v; want ap-1's, scraped", tc.lifetime, s.Alarms())
			}
			clock.Advance(time.Second)
			if len(s.Alarms()) != 0 {
				t.Errorf("at the end of its lifetime of %s: alarms %v; want none", tc.lifetime, s.Alarms())
			}
			if scrapeShows() {
				t.Errorf("at the end of its lifetime of %s: the scrape still shows ap-1's alarm", tc.lifetime)
			}
			if len(s.pushed.alarms) != 0 {
				t.Errorf("%d pushed alarms kept past their lifetime; want none", len(s.pushed.alarms))
			}
		})
	}
}

// TestReloadedSourceRefusesReplays: a source a reload puts in place of
// another of the same account refuses the events the old one applied.
func TestReloadedSourceRefusesReplays(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	next := []model.PushedAlarm{alarmEvent("a1", "raised", clock.Now(), "ap-1")}
	old := webhookSource(clock, &next)
	if _, err := old.AcceptWebhook(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	s := webhookSource(clock, &next)
	s.carryWebhooks(old)
	if res, _ := s.AcceptWebhook(context.Background(), nil); res.Dropped[DropDuplicate] != 1 || len(s.Alarms()) != 0 {
		t.Errorf("the old source's event replayed to its successor: dropped %v, alarms %v; want a duplicate, none", res.Dropped, s.Alarms())
	}
}

// polledAlarms is a fake alarms collection: each refresh answers with what
// *list holds then, after calling during, if set, as if the poll read the
// vendor while that happened.
func polledAlarms(list *[]model.Alarm, during *func()) *Collection {
	return &Collection{Name: "alarms", Interval: time.Minute, Fetch: func(context.Context) (any, int, error) {
		if f := *during; f != nil {
			f()
		}
		out := slices.Clone(*list)
		model.SortAlarms(out)
		return out, len(out), nil
	}}
}

func listAlarms(d Data) []model.Alarm {
	v, _ := d.entries["alarms"].data.([]model.Alarm)
	return v
}

// alarmIDs shows a list of alarms as "id:severity" pairs, in its order.
func alarmIDs(as []model.Alarm) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%s:%s ", a.ID, a.Severity)
	}
	return strings.TrimSpace(b.String())
}

// TestWebhookAndPollMakeOneAlarm: an alarm a webhook told of and a poll
// lists is one alarm, and counts once, whichever came first; a cleared
// event takes it out; a poll that began after the event has the last
// word, and one that began before keeps its record only if it is the
// newer.
func TestWebhookAndPollMakeOneAlarm(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	var next []model.PushedAlarm
	var polled []model.Alarm
	var during func()
	s := webhookSource(clock, &next, polledAlarms(&polled, &during))
	s.AlarmList = listAlarms
	ctx := context.Background()
	alarm := func(id, severity string, updated time.Time) model.Alarm {
		return model.Alarm{ID: id, Site: "HQ", Device: "ap-" + id, Severity: severity, Category: "infrastructure", UpdatedAt: updated}
	}
	push := func(events ...model.PushedAlarm) {
		t.Helper()
		next = events
		if _, err := s.AcceptWebhook(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	event := func(a model.Alarm, name string, cleared bool) model.PushedAlarm {
		return model.PushedAlarm{Event: name, At: clock.Now(), Alarm: a, Cleared: cleared}
	}
	poll := func() {
		t.Helper()
		if err := s.Refresh(ctx, "alarms"); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step, want string) {
		t.Helper()
		got := s.ActiveAlarms()
		if alarmIDs(got) != want {
			t.Errorf("%s: ActiveAlarms() = %s; want %s", step, alarmIDs(got), want)
		}
		n := 0
		for _, c := range s.Alarms() {
			n += c.Count
		}
		if n != len(got) {
			t.Errorf("%s: Alarms() counts %d alarms %v; want each of the %d once", step, n, s.Alarms(), len(got))
		}
	}

	t0 := clock.Now()
	polled = []model.Alarm{alarm("a1", "warning", t0), alarm("a2", "minor", t0)}
	poll()
	check("first poll", "a1:warning a2:minor")

	clock.Advance(time.Minute)
	push(event(alarm("a1", "critical", clock.Now()), "a1 worse", false))
	check("an update of a polled alarm", "a1:critical a2:minor")

	// A webhook that lands while a poll runs tells of an alarm the poll
	// also reads: before, it was counted twice until the next poll.
	clock.Advance(time.Minute)
	during = func() {
		push(event(alarm("a3", "major", clock.Now()), "a3 raised", false))
		clock.Advance(time.Second)
	}
	polled = append(polled, alarm("a3", "major", clock.Now()))
	poll()
	during = nil
	check("a new alarm both pushed and polled", "a1:warning a2:minor a3:major")

	clock.Advance(time.Minute)
	push(event(alarm("a2", "minor", clock.Now()), "a2 cleared", true))
	check("a cleared event", "a1:warning a3:major")

	// The poll that began after the clear finds a2 still open, and is
	// believed: the vendor's own list is the later word.
	clock.Advance(time.Minute)
	poll()
	check("a poll after the clear", "a1:warning a2:minor a3:major")

	// A poll that began before an update read the alarm after it: its
	// record is the newer, and stays.
	clock.Advance(time.Minute)
	during = func() {
		push(event(alarm("a1", "major", clock.Now()), "a1 major", false))
		clock.Advance(time.Second)
		polled[0] = alarm("a1", "critical", clock.Now())
	}
	poll()
	during = nil
	check("a poll that read the alarm after the event", "a1:critical a2:minor a3:major")

	// One that read it before the event: the event is the newer.
	clock.Advance(time.Minute)
	during = func() {
		clock.Advance(time.Second)
		push(event(alarm("a3", "critical", clock.Now()), "a3 critical", false))
	}
	poll()
	during = nil
	check("a poll that read the alarm before the event", "a1:critical a2:minor a3:critical")

	// Gone from a poll that began after every event: cleared.
	clock.Advance(time.Minute)
	polled = polled[:1]
	poll()
	check("a poll without a2 and a3", "a1:critical")
}

// TestAlarmsChangedTellsOfChanges: the hook is called after a refresh or a
// webhook that changes the active alarms, an acknowledgement included,
// and not after one that leaves them as they were.
func TestAlarmsChangedTellsOfChanges(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	var next []model.PushedAlarm
	var polled []model.Alarm
	var during func()
	devices := &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(3))}
	s := webhookSource(clock, &next, polledAlarms(&polled, &during), devices)
	s.AlarmList = listAlarms
	var told []string
	s.alarmsChanged = func(source string) { told = append(told, source) }
	ctx := context.Background()
	a1 := model.Alarm{ID: "a1", Site: "HQ", Device: "ap-1", Severity: "major", Category: "infrastructure", UpdatedAt: clock.Now()}
	for _, step := range []struct {
		name string
		do   func() error
		tell bool
	}{
		{"first poll, no alarms", func() error { return s.Refresh(ctx, "alarms") }, false},
		{"an alarm raised", func() error { polled = []model.Alarm{a1}; return s.Refresh(ctx, "alarms") }, true},
		{"the same again", func() error { return s.Refresh(ctx, "alarms") }, false},
		{"another collection", func() error { return s.Refresh(ctx, "devices") }, false},
		{"acknowledged", func() error {
			acked := a1
			acked.Acked, acked.AckedBy, acked.AckedAt = true, "Jane", clock.Now()
			polled = []model.Alarm{acked}
			return s.Refresh(ctx, "alarms")
		}, true},
		{"a webhook of a new alarm", func() error {
			clock.Advance(time.Second)
			next = []model.PushedAlarm{alarmEvent("a2", "raised", clock.Now(), "ap-2")}
			_, err := s.AcceptWebhook(ctx, nil)
			return err
		}, true},
		{"the webhook delivered again", func() error { _, err := s.AcceptWebhook(ctx, nil); return err }, false},
		{"a failed poll", func() error {
			s.Collections[0].Fetch = scripted(fail("HTTP 503"))
			_ = s.Refresh(ctx, "alarms")
			return nil
		}, false},
		{"the pushed alarm's lifetime ends", func() error {
			clock.Advance(pushedLifetime(time.Minute))
			s.expirePushed()
			return nil
		}, true},
	} {
		told = nil
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if want := step.tell; (len(told) == 1 && told[0] == s.Name) != want || len(told) > 1 {
			t.Errorf("%s: AlarmsChanged called with %q; want one call: %t", step.name, told, want)
		}
	}
}
