package collector

import (
	"context"
	"crypto/sha256"
	"fmt"
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
	return model.PushedAlarm{ID: id, Event: event, At: at,
		Alarm: model.AlarmCount{Site: "HQ", Device: device, Severity: "critical", Category: "infrastructure", Count: 1}}
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
