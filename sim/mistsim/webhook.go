package mistsim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// AlarmInfo is one open alarm as the simulator holds it: what the alarm
// search (E17) sends of it.
type AlarmInfo struct {
	ID, SiteID, Type, Group, Severity, Note string
	Count                                   int
	Timestamp, LastSeen                     time.Time
	Acked                                   bool
	AckedAt                                 time.Time // to the second, as acked_time is sent
	AckAdminName                            string
	APs, Switches, Gateways, Hostnames      []string
}

// OpenAlarms returns the open alarms, in the order they were made.
func (s *Server) OpenAlarms() []AlarmInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []AlarmInfo
	for _, a := range s.w.alarms {
		if a.resolved {
			continue
		}
		info := AlarmInfo{
			ID: a.id, SiteID: a.siteID, Type: a.typ, Group: a.group, Severity: a.severity, Note: a.note, Count: a.count,
			Timestamp: time.UnixMilli(a.tsMs), LastSeen: time.UnixMilli(a.lastSeenMs), Acked: a.acked,
			APs: a.aps, Switches: a.switches, Gateways: a.gateways, Hostnames: a.hostnames,
		}
		if a.acked {
			info.AckedAt, info.AckAdminName = time.Unix(a.ackedMs/1000, 0), a.ackAdmin
		}
		out = append(out, info)
	}
	return out
}

// webhookAlarmJSON is an alarms webhook's event (mist.md section 8, OAS
// webhook_alarm_event): no group, severity, acknowledgement or note, and
// of the device lists only aps (plus bssids and ssids), at most 10 each.
type webhookAlarmJSON struct {
	ID        string   `json:"id"`
	EventID   string   `json:"event_id"`
	OrgID     string   `json:"org_id"`
	SiteID    string   `json:"site_id"`
	Type      string   `json:"type"`
	Count     int      `json:"count"`
	Timestamp float64  `json:"timestamp"`
	LastSeen  float64  `json:"last_seen"`
	Update    bool     `json:"update"`
	APs       []string `json:"aps,omitempty"`
	BSSIDs    []string `json:"bssids,omitempty"`
	SSIDs     []string `json:"ssids,omitempty"`
	// With Options.WebhookDeviceLists only.
	Switches  []string `json:"switches,omitempty"`
	Gateways  []string `json:"gateways,omitempty"`
	Hostnames []string `json:"hostnames,omitempty"`
}

// AlarmWebhook returns the body Mist would post to an alarms webhook for
// the alarms of ids as they are now: {"topic": "alarms", "events": [...]}.
// update marks the events as updates of alarms sent before. Signing it is
// the caller's: HMAC-SHA256 of these bytes with the webhook's secret, hex,
// in X-Mist-Signature-v2. Mist's documents tell of no event for an alarm
// that is resolved: asking for one is an error.
func (s *Server) AlarmWebhook(update bool, ids ...string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	events := make([]webhookAlarmJSON, 0, len(ids))
	for _, id := range ids {
		a, ok := w.alarmByID[id]
		switch {
		case !ok:
			return nil, fmt.Errorf("mistsim: no alarm with id %q", id)
		case a.resolved:
			return nil, fmt.Errorf("mistsim: alarm %q is resolved: the webhook documents tell of no event for that", id)
		}
		e := webhookAlarmJSON{
			ID: a.id, OrgID: w.orgID, SiteID: a.siteID, Type: a.typ, Count: a.count,
			Timestamp: secsNum(a.tsMs), LastSeen: secsNum(a.lastSeenMs), Update: update,
			APs: first10(a.aps), BSSIDs: first10(a.bssids), SSIDs: first10(a.ssids),
			// One event id per state of the alarm: a redelivery repeats it.
			EventID: stableUUID(a.id + "/" + strconv.FormatInt(a.lastSeenMs, 10) + "/" + strconv.Itoa(a.count)),
		}
		if s.opts.WebhookDeviceLists {
			e.Switches, e.Gateways, e.Hostnames = first10(a.switches), first10(a.gateways), first10(a.hostnames)
		}
		events = append(events, e)
	}
	return json.Marshal(struct {
		Topic  string             `json:"topic"`
		Events []webhookAlarmJSON `json:"events"`
	}{"alarms", events})
}

// first10 caps a webhook's per-type list at 10 (mist.md section 8).
func first10(l []string) []string { return l[:min(len(l), 10)] }
