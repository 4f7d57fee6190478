package collector

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/model"
)

// WebhookWindow is how far an alarm event's date may lie from the
// exporter's clock, either way, for the event to be applied. Mist delivers
// within seconds, and the alarms collection (every minute by default)
// has polled several times since an older event; a signed body replayed
// later could only bring back an alarm a poll has since seen cleared.
const WebhookWindow = 10 * time.Minute

// maxSeenEvents caps the alarm events a source remembers to refuse a
// second delivery of: ten windows' worth of a 10,000-device org's alarms
// all at once, in a few MB.
const maxSeenEvents = 100_000

// minPushedLifetime, or pushedLifetimePolls intervals of the alarms
// collection in force when longer, is how long a pushed alarm is shown
// without a poll after it: long enough for a few polls to confirm or clear
// it, short enough that an alarm no poll can clear (the collection
// disabled or failing) does not stay forever.
const (
	minPushedLifetime   = time.Hour
	pushedLifetimePolls = 3
)

// Reasons an alarm event of a verified webhook is dropped.
const (
	DropStale     = "stale"     // dated before the window, or not dated
	DropFuture    = "future"    // dated after the window
	DropDuplicate = "duplicate" // already applied
)

// pushed holds alarms a vendor pushed by webhook, until a poll of the
// alarms collection that started after them reports the world as it is,
// or their lifetime ends.
type pushed struct {
	mu     sync.Mutex
	alarms map[string]pushedAlarm // by the vendor's alarm id
	seen   seenEvents
}

type pushedAlarm struct {
	alarm model.AlarmCount
	at    time.Time
}

// seenEvents remembers the alarm events applied while their date is
// within the window: a later delivery of one is refused by its date.
type seenEvents struct {
	keys  map[[sha256.Size]byte]struct{}
	queue []seenEvent // in the order remembered
}

type seenEvent struct {
	key   [sha256.Size]byte
	until time.Time
}

// add remembers an event until until, and reports whether it was new.
// The oldest are forgotten first once maxSeenEvents are remembered.
func (e *seenEvents) add(key [sha256.Size]byte, until, now time.Time) bool {
	for len(e.queue) > 0 && !e.queue[0].until.After(now) {
		e.drop()
	}
	if _, ok := e.keys[key]; ok {
		return false
	}
	if e.keys == nil {
		e.keys = map[[sha256.Size]byte]struct{}{}
	}
	e.keys[key] = struct{}{}
	e.queue = append(e.queue, seenEvent{key: key, until: until})
	for len(e.queue) > maxSeenEvents {
		e.drop()
	}
	return true
}

func (e *seenEvents) drop() {
	delete(e.keys, e.queue[0].key)
	e.queue = e.queue[1:]
}

// WebhookResult is what a verified webhook delivered.
type WebhookResult struct {
	// Alarms are the alarm events, in the order they came.
	Alarms []model.PushedAlarm
	// Events is the number of events in the body.
	Events int
	// Filtered counts the alarm events the source's filter leaves out:
	// counted, not kept.
	Filtered int
	// Dropped counts the alarm events not applied, by reason (DropStale,
	// DropFuture, DropDuplicate).
	Dropped map[string]int
	// Devices are the events that say a device went up or down: shown at
	// once, as a live feed's are (LiveDevices).
	Devices []model.DeviceState
}

// WebhookFunc decodes a verified webhook body, given the source's last
// data.
type WebhookFunc func(ctx context.Context, body []byte, d Data) (WebhookResult, error)

// ErrNoWebhook means the source takes no webhooks.
var ErrNoWebhook = errors.New("the source takes no webhooks")

// AcceptWebhook feeds a verified webhook's alarms into the source's alarm
// state at once, without waiting for the next poll, and returns what the
// body held. An event dated outside WebhookWindow of the source's clock,
// or delivered before, is dropped and counted: a signature proves who
// wrote a body, not when it was sent.
func (s *Source) AcceptWebhook(ctx context.Context, body []byte) (WebhookResult, error) {
	if s.Webhook == nil {
		return WebhookResult{}, ErrNoWebhook
	}
	res, err := s.Webhook(ctx, body, s.cache.data())
	if err != nil {
		return res, err
	}
	now := s.now()
	feed := &LiveFeed{s}
	for _, d := range res.Devices {
		// Dated as the alarms are: a signed body replayed later must not
		// bring back a state a poll has since seen change.
		switch {
		case !d.At.After(now.Add(-WebhookWindow)):
			res.Dropped = addDrop(res.Dropped, DropStale)
		case d.At.After(now.Add(WebhookWindow)):
			res.Dropped = addDrop(res.Dropped, DropFuture)
		default:
			feed.Device(d)
		}
	}
	kept := 0
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	for _, p := range res.Alarms {
		reason := ""
		switch {
		case !p.At.After(now.Add(-WebhookWindow)): // not dated, too
			reason = DropStale
		case p.At.After(now.Add(WebhookWindow)):
			reason = DropFuture
		case !s.pushed.seen.add(sha256.Sum256([]byte(p.ID+"\x00"+p.Event)), p.At.Add(WebhookWindow), now):
			reason = DropDuplicate
		}
		if reason != "" {
			res.Dropped = addDrop(res.Dropped, reason)
			continue
		}
		if s.pushed.alarms == nil {
			s.pushed.alarms = map[string]pushedAlarm{}
		}
		s.pushed.alarms[p.ID] = pushedAlarm{alarm: p.Alarm, at: now}
		kept++
	}
	if kept > 0 {
		s.cache.touch()
		s.rebuildSoon() // the scrapes show the pushed alarms without waiting on a poll
	}
	return res, nil
}

// carryWebhooks goes on from the events the source this one replaces has
// applied, so that a reload does not open a window for their replay.
func (s *Source) carryWebhooks(old *Source) {
	if s.Vendor != old.Vendor || s.Identity != old.Identity || s == old {
		return
	}
	old.pushed.mu.Lock()
	queue := append([]seenEvent(nil), old.pushed.seen.queue...)
	old.pushed.mu.Unlock()
	now := s.now()
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	for _, e := range queue {
		s.pushed.seen.add(e.key, e.until, now)
	}
}

// pushedLifetime is how long a pushed alarm is shown without a poll after
// it, given the alarms collection's interval in force (0 without one).
func pushedLifetime(interval time.Duration) time.Duration {
	return max(minPushedLifetime, pushedLifetimePolls*interval)
}

// expirePushed forgets the pushed alarms whose lifetime has ended, and
// has the data rebuilt without them: nothing else changes when no poll
// runs.
func (s *Source) expirePushed() {
	now := s.now()
	life := pushedLifetime(s.cache.get("alarms").interval)
	s.pushed.mu.Lock()
	expired := 0
	for id, p := range s.pushed.alarms {
		if !now.Before(p.at.Add(life)) {
			delete(s.pushed.alarms, id)
			expired++
		}
	}
	s.pushed.mu.Unlock()
	if expired > 0 {
		s.cache.touch()
		s.rebuildSoon()
	}
}

// Alarms returns the active alarms: the last poll's, plus those pushed by
// webhook since that poll began and within their lifetime.
func (s *Source) Alarms() []model.AlarmCount { return s.alarmsOf(s.cache.view()) }

// alarmsOf returns the active alarms as of v.
func (s *Source) alarmsOf(v view) []model.AlarmCount {
	var polled []model.AlarmCount
	if s.AlarmList != nil {
		polled = s.AlarmList(v.data())
	}
	e := v.entries["alarms"]
	pollStart := e.lastSuccess.Add(-e.duration)
	now, life := s.now(), pushedLifetime(e.interval)
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	if len(s.pushed.alarms) == 0 {
		return polled
	}
	type key struct{ site, device, severity, category string }
	counts := map[key]int{}
	var order []key
	add := func(a model.AlarmCount) {
		k := key{a.Site, a.Device, a.Severity, a.Category}
		if _, ok := counts[k]; !ok {
			order = append(order, k)
		}
		counts[k] += a.Count
	}
	for _, a := range polled {
		add(a)
	}
	for id, p := range s.pushed.alarms {
		switch {
		case !e.lastSuccess.IsZero() && p.at.Before(pollStart):
			delete(s.pushed.alarms, id) // a later poll has seen it, or its end
		case !now.Before(p.at.Add(life)):
			// Past its lifetime: left out, and forgotten by expirePushed,
			// which also has the data rebuilt.
		default:
			add(p.alarm)
		}
	}
	out := make([]model.AlarmCount, 0, len(order))
	for _, k := range order {
		out = append(out, model.AlarmCount{Site: k.site, Device: k.device, Severity: k.severity, Category: k.category, Count: counts[k]})
	}
	model.SortAlarmCounts(out)
	return out
}

// addDrop counts one dropped event for reason.
func addDrop(dropped map[string]int, reason string) map[string]int {
	if dropped == nil {
		dropped = map[string]int{}
	}
	dropped[reason]++
	return dropped
}
