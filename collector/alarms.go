package collector

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// pushed holds alarms a vendor pushed by webhook, until a poll of the
// alarms collection that started after them reports the world as it is.
type pushed struct {
	mu     sync.Mutex
	alarms map[string]pushedAlarm // by the vendor's alarm id
}

type pushedAlarm struct {
	alarm vendors.AlarmCount
	at    time.Time
}

// WebhookResult is what a verified webhook delivered.
type WebhookResult struct {
	// Alarms are the alarms to keep, by the vendor's alarm id.
	Alarms map[string]vendors.AlarmCount
	// Events is the number of events in the body.
	Events int
	// Filtered counts the alarm events the source's filter leaves out:
	// counted, not kept.
	Filtered int
}

// WebhookFunc decodes a verified webhook body, given the source's last
// data.
type WebhookFunc func(ctx context.Context, body []byte, data map[string]any) (WebhookResult, error)

// ErrNoWebhook means the source takes no webhooks.
var ErrNoWebhook = errors.New("the source takes no webhooks")

// AcceptWebhook feeds a verified webhook's alarms into the source's alarm
// state at once, without waiting for the next poll, and returns what the
// body held.
func (s *Source) AcceptWebhook(ctx context.Context, body []byte) (WebhookResult, error) {
	if s.Webhook == nil {
		return WebhookResult{}, ErrNoWebhook
	}
	res, err := s.Webhook(ctx, body, s.cache.data())
	if err != nil {
		return res, err
	}
	alarms := res.Alarms
	now := s.now()
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	if s.pushed.alarms == nil {
		s.pushed.alarms = map[string]pushedAlarm{}
	}
	for id, a := range alarms {
		s.pushed.alarms[id] = pushedAlarm{alarm: a, at: now}
	}
	s.cache.touch()
	s.rebuildSoon() // the scrapes show the pushed alarms without waiting on a poll
	return res, nil
}

// Alarms returns the active alarms: the last poll's, plus those pushed by
// webhook since that poll began.
func (s *Source) Alarms() []vendors.AlarmCount { return s.alarmsOf(s.cache.view()) }

// alarmsOf returns the active alarms as of v.
func (s *Source) alarmsOf(v view) []vendors.AlarmCount {
	var polled []vendors.AlarmCount
	if s.AlarmList != nil {
		polled = s.AlarmList(v.data())
	}
	e := v.entries["alarms"]
	pollStart := e.lastSuccess.Add(-e.duration)
	s.pushed.mu.Lock()
	defer s.pushed.mu.Unlock()
	if len(s.pushed.alarms) == 0 {
		return polled
	}
	type key struct{ site, device, severity, category string }
	counts := map[key]int{}
	var order []key
	add := func(a vendors.AlarmCount) {
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
		if !e.lastSuccess.IsZero() && p.at.Before(pollStart) {
			delete(s.pushed.alarms, id) // a later poll has seen it, or its end
			continue
		}
		add(p.alarm)
	}
	out := make([]vendors.AlarmCount, 0, len(order))
	for _, k := range order {
		out = append(out, vendors.AlarmCount{Site: k.site, Device: k.device, Severity: k.severity, Category: k.category, Count: counts[k]})
	}
	vendors.SortAlarmCounts(out)
	return out
}
