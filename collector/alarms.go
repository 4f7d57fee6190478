package collector

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash/maphash"
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

// pushedAlarm is the last event applied of one alarm.
type pushedAlarm struct {
	alarm   model.Alarm
	cleared bool
	date    time.Time // the event's, as the vendor gave it
	at      time.Time // when it was applied, on the source's clock
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
	if s.applyPushed(res.Alarms, now, &res) > 0 {
		s.cache.touch()
		s.rebuildSoon() // the scrapes show the pushed alarms without waiting on a poll
		s.checkAlarms()
	}
	return res, nil
}

// applyPushed keeps the alarm events that are dated within the window and
// new, each in place of the alarm's earlier one, counts the others in
// res.Dropped, and returns how many it kept.
func (s *Source) applyPushed(events []model.PushedAlarm, now time.Time, res *WebhookResult) int {
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	kept := 0
	for _, p := range events {
		reason := ""
		switch {
		case !p.At.After(now.Add(-WebhookWindow)): // not dated, too
			reason = DropStale
		case p.At.After(now.Add(WebhookWindow)):
			reason = DropFuture
		case !s.pushed.seen.add(sha256.Sum256([]byte(p.Alarm.ID+"\x00"+p.Event)), p.At.Add(WebhookWindow), now):
			reason = DropDuplicate
		}
		if reason != "" {
			res.Dropped = addDrop(res.Dropped, reason)
			continue
		}
		if s.pushed.alarms == nil {
			s.pushed.alarms = map[string]pushedAlarm{}
		}
		s.pushed.alarms[p.Alarm.ID] = pushedAlarm{alarm: p.Alarm, cleared: p.Cleared, date: p.At, at: now}
		kept++
	}
	return kept
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
		s.checkAlarms()
	}
}

// ActiveAlarms returns the source's active alarms, one per vendor alarm
// id, sorted by id: the last poll's, with the alarms pushed by webhook
// since that poll began, within their lifetime, in place of the poll's
// record of the same alarm unless that record is the newer (its UpdatedAt
// after the event's date); an alarm whose last event cleared it is left
// out. It is made from the data as they are at the call: between
// versions the source keeps only the counts and a hash of the list, as a
// vendor's list may be a copy of its alarms (Prime's joins their sites)
// that would double what they hold. It may share the vendor's records:
// callers must not change it.
func (s *Source) ActiveAlarms() []model.Alarm { return s.mergeAlarms(s.cache.view(), s.now()).list }

// Alarms returns the active alarms counted by the labels of
// nms_alarms_active, as the scrapes show them.
func (s *Source) Alarms() []model.AlarmCount { return s.alarmsOf(s.cache.view()).counts }

// activeAlarms is the active alarms as of one version of the source's
// data, and what is derived from them.
type activeAlarms struct {
	version uint64
	// until is when a pushed alarm of the list reaches the end of its
	// lifetime, and the list must be made again; zero for never.
	until time.Time
	// list is the alarms themselves, set only by mergeAlarms: alarmsOf
	// keeps what is derived from them.
	list   []model.Alarm
	counts []model.AlarmCount
	sum    uint64 // hash of list, to tell a change
}

// alarmsOf returns the counts and the hash of the active alarms as of v,
// made once per version of the data: the render, the bridge and the
// change check all read them.
func (s *Source) alarmsOf(v view) *activeAlarms {
	now := s.now()
	if m := s.alarmMemo.Load(); m != nil && m.version == v.version && (m.until.IsZero() || now.Before(m.until)) {
		return m
	}
	m := s.mergeAlarms(v, now)
	m.counts = model.CountAlarms(m.list)
	m.sum = alarmsSum(s.alarmSeed, m.list)
	m.list = nil
	s.alarmMemo.Store(m)
	return m
}

// mergeAlarms merges the last poll's alarms with those pushed since, as
// ActiveAlarms says.
func (s *Source) mergeAlarms(v view, now time.Time) *activeAlarms {
	m := &activeAlarms{version: v.version}
	var polled []model.Alarm
	if s.AlarmList != nil {
		polled = s.AlarmList(v.data())
	}
	e := v.entries["alarms"]
	pollStart := e.lastSuccess.Add(-e.duration)
	life := pushedLifetime(e.interval)
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	var newer map[string]pushedAlarm
	for id, p := range s.pushed.alarms {
		end := p.at.Add(life)
		switch {
		case !e.lastSuccess.IsZero() && p.at.Before(pollStart):
			delete(s.pushed.alarms, id) // a later poll has seen it, or its end
		case !now.Before(end):
			// Past its lifetime: left out, and forgotten by expirePushed,
			// which also has the data rebuilt.
		default:
			if newer == nil {
				newer = map[string]pushedAlarm{}
			}
			newer[id] = p
			if m.until.IsZero() || end.Before(m.until) {
				m.until = end
			}
		}
	}
	if len(newer) == 0 {
		m.list = polled
		return m
	}
	m.list = make([]model.Alarm, 0, len(polled)+len(newer))
	for _, a := range polled {
		p, ok := newer[a.ID]
		if !ok || a.ID == "" {
			m.list = append(m.list, a)
			continue
		}
		delete(newer, a.ID)
		switch {
		case a.UpdatedAt.After(p.date):
			// The poll read the alarm after the event: it is the newer.
			m.list = append(m.list, a)
		case !p.cleared:
			m.list = append(m.list, p.alarm)
		}
	}
	for _, p := range newer {
		if !p.cleared {
			m.list = append(m.list, p.alarm)
		}
	}
	model.SortAlarms(m.list)
	return m
}

// checkAlarms tells Options.AlarmsChanged when the active alarms differ
// from what it was last told of.
func (s *Source) checkAlarms() {
	if s.alarmsChanged == nil {
		return
	}
	sum := s.alarmsOf(s.cache.view()).sum
	if s.alarmsTold.Swap(sum) != sum {
		s.alarmsChanged(s.Name)
	}
}

// alarmsSum hashes every field of every alarm of a list.
func alarmsSum(seed maphash.Seed, as []model.Alarm) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var b [8]byte
	putTime := func(t time.Time) {
		n := int64(0)
		if !t.IsZero() {
			n = t.UnixNano()
		}
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	for _, a := range as {
		for _, f := range [...]string{a.ID, a.Site, a.Device, a.Severity, a.VendorSeverity, a.Category, a.Type, a.Text, a.AckedBy, a.URL} {
			h.WriteString(f)
			h.WriteByte(0)
		}
		putTime(a.StartedAt)
		putTime(a.UpdatedAt)
		putTime(a.AckedAt)
		if a.Acked {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	}
	return h.Sum64()
}

// addDrop counts one dropped event for reason.
func addDrop(dropped map[string]int, reason string) map[string]int {
	if dropped == nil {
		dropped = map[string]int{}
	}
	dropped[reason]++
	return dropped
}
