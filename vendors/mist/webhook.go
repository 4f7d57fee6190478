package mist

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/model"
)

// alarmDef is one entry of /api/v1/const/alarm_defs: what webhooks lack.
type alarmDef struct {
	Key      string `json:"key"`
	Group    string `json:"group"`
	Severity string `json:"severity"`
}

// alarmDefs caches the alarm definitions: they are constants of the cloud.
type alarmDefs struct {
	mu   sync.Mutex
	defs map[string]alarmDef
}

// alarmDefs returns the alarm definitions by type, fetched once.
func (c *Client) alarmDefs(ctx context.Context) (map[string]alarmDef, error) {
	c.defs.mu.Lock()
	defer c.defs.mu.Unlock()
	if c.defs.defs != nil {
		return c.defs.defs, nil
	}
	var list []alarmDef
	if _, err := c.get(ctx, "/api/v1/const/alarm_defs", "/api/v1/const/alarm_defs", &list); err != nil {
		return nil, fmt.Errorf("loading alarm definitions: %w", err)
	}
	defs := make(map[string]alarmDef, len(list))
	for _, d := range list {
		defs[d.Key] = d
	}
	c.defs.defs = defs
	return defs, nil
}

// webhook is the envelope Mist posts.
type webhook struct {
	Topic  string            `json:"topic"`
	Events []json.RawMessage `json:"events"`
}

type webhookAlarm struct {
	ID        string  `json:"id"`
	EventID   string  `json:"event_id"`
	Timestamp float64 `json:"timestamp"`
	LastSeen  float64 `json:"last_seen"`
	Update    bool    `json:"update"`
	OrgID     string  `json:"org_id"`
	SiteID    string  `json:"site_id"`
	Type      string  `json:"type"`
	Count     int     `json:"count"`
	alarmDevices
}

// WebhookResult is what a webhook delivered.
type WebhookResult struct {
	Topic string
	// Alarms are the alarm events in the order they came, as the exporter
	// counts them.
	Alarms []model.PushedAlarm
	Events int
	// Filtered counts the alarm and device events of sites the source's
	// site filter leaves out: counted, not kept.
	Filtered int
	// Devices are the device events that say a device went up or down.
	Devices []model.DeviceState
}

// webhookDevice is a device-events or device-updowns event: the former
// names the device by mac, the latter by ap.
type webhookDevice struct {
	MAC       string  `json:"mac"`
	AP        string  `json:"ap"`
	SiteID    string  `json:"site_id"`
	OrgID     string  `json:"org_id"`
	Type      string  `json:"type"`
	Timestamp float64 `json:"timestamp"`
}

// deviceUp reads a device event's type: whether it says the device went
// up, and whether it says either. The types come from the cloud's list of
// device events (mist.md section 8: AP_DISCONNECTED, AP_CONNECTED, ...),
// which the API document does not reproduce: a type that names a
// disconnection or a connection is read, any other left alone.
func deviceUp(typ string) (up, known bool) {
	t := strings.ToUpper(typ)
	switch {
	case strings.Contains(t, "DISCONNECTED"), strings.HasSuffix(t, "_DOWN"), t == "DOWN":
		return false, true
	case strings.Contains(t, "CONNECTED"), strings.HasSuffix(t, "_UP"), t == "UP":
		return true, true
	}
	return false, false
}

// ErrForeignOrg marks a webhook for an org other than the client's.
var ErrForeignOrg = fmt.Errorf("webhook for another org")

// Webhook decodes a webhook body whose signature was already verified. An
// alarm's site and device are named from the last sites and devices data;
// its severity and category come from the cloud's alarm definitions. An
// alarm the last poll listed (alarms) keeps that record's site and device
// and what the event does not carry: its acknowledgement and note. The
// site filter applies as it does to polled alarms: an alarm of a site it
// leaves out, or of a site not known yet while a filter is set, is counted
// in Filtered and not kept.
func (c *Client) Webhook(ctx context.Context, body []byte, sites *Sites, devices *Devices, alarms *Alarms) (*WebhookResult, error) {
	var w webhook
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("decoding webhook: %w", err)
	}
	if w.Topic == "" {
		return nil, fmt.Errorf("decoding webhook: no topic")
	}
	out := &WebhookResult{Topic: w.Topic, Events: len(w.Events)}
	switch strings.ReplaceAll(w.Topic, "_", "-") {
	case "alarms":
	case "device-events", "device-updowns":
		// The OAS spells one sample device_events (mist.md section 8).
		return out, c.deviceEvents(ctx, w.Events, out)
	default:
		// Others are accepted and counted; the next poll carries their
		// effect.
		return out, nil
	}
	defs, err := c.alarmDefs(ctx)
	if err != nil {
		return nil, err
	}
	siteNames := map[string]string{}
	if sites != nil {
		for _, s := range sites.Sites {
			siteNames[s.ID] = s.Name
		}
	}
	byMAC := devices.Index() // nil without devices: every lookup misses
	var idx *siteIndex
	if len(c.cfg.Sites.Names) > 0 || c.cfg.Sites.Regex != "" {
		if idx, err = c.siteIndex(ctx); err != nil {
			return nil, err
		}
	}
	org, _ := c.org(ctx)
	console := ConsoleURL(c.cfg.ConsoleURL, c.base, org)
	for i, raw := range w.Events {
		var a webhookAlarm
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("decoding webhook event %d: %w", i, err)
		}
		if a.ID == "" || a.Type == "" {
			return nil, fmt.Errorf("webhook event %d: an alarm needs an id and a type", i)
		}
		if org != "" && a.OrgID != "" && a.OrgID != org {
			return nil, fmt.Errorf("%w (org %s)", ErrForeignOrg, a.OrgID)
		}
		if idx != nil && !idx.keeps(a.SiteID, true) {
			out.Filtered++
			continue
		}
		site := siteNames[a.SiteID]
		if site == "" {
			site = a.SiteID
		}
		dev := a.device()
		if d, ok := byMAC[dev]; ok {
			dev = d.Name
		}
		def := defs[a.Type]
		rec := model.Alarm{
			ID: a.ID, Site: site, Device: dev, Severity: Severity(def.Severity), VendorSeverity: def.Severity,
			Category: strings.ToLower(def.Group), Type: a.Type, StartedAt: epoch(a.Timestamp), UpdatedAt: epoch(a.LastSeen),
			URL: console,
		}
		if alarms != nil {
			if polled, ok := model.FindAlarm(alarms.Alarms, a.ID); ok {
				rec.Text, rec.Acked, rec.AckedBy, rec.AckedAt = polled.Text, polled.Acked, polled.AckedBy, polled.AckedAt
				// Named as the poll names it, so that its labels do not
				// change from one to the other (a host name, a MAC named
				// as NameAlarmDevices names it).
				rec.Site, rec.Device = polled.Site, polled.Device
				if d, ok := byMAC[rec.Device]; ok {
					rec.Device = d.Name
				}
			}
		}
		// The later of the two dates the event: an update of an alarm that
		// began an hour ago keeps that timestamp and brings a new last_seen.
		out.Alarms = append(out.Alarms, model.PushedAlarm{Event: a.event(), At: epoch(max(a.Timestamp, a.LastSeen)), Alarm: rec})
	}
	return out, nil
}

// event identifies one delivery's event: a redelivery carries the same
// fields, while an update of the alarm (update true, a later last_seen, a
// new count) is another event with the same alarm id.
func (a *webhookAlarm) event() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return strings.Join([]string{a.ID, a.EventID, f(a.Timestamp), f(a.LastSeen), strconv.Itoa(a.Count), strconv.FormatBool(a.Update)}, "\x00")
}

// maxEpoch is the last second of year 9999: later readings are nonsense
// that would overflow a time.Time.
const maxEpoch = 253402300799

// epoch turns Mist's epoch seconds, fractions allowed, into a time in
// UTC; zero or less, or not a number, is no time at all. The fraction is
// kept to the microsecond: a float64 of this century's seconds holds no
// more, and its last digits would read 1720594000.746 as .746000051.
func epoch(sec float64) time.Time {
	if math.IsNaN(sec) || sec <= 0 {
		return time.Time{}
	}
	sec = min(sec, maxEpoch)
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC()
}

// deviceEvents reads the up and down events of a device-events or
// device-updowns webhook into out, keeping the site filter as alarms do.
func (c *Client) deviceEvents(ctx context.Context, events []json.RawMessage, out *WebhookResult) error {
	var idx *siteIndex
	if len(c.cfg.Sites.Names) > 0 || c.cfg.Sites.Regex != "" {
		var err error
		if idx, err = c.siteIndex(ctx); err != nil {
			return err
		}
	}
	org, _ := c.org(ctx)
	for i, raw := range events {
		var e webhookDevice
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("decoding webhook event %d: %w", i, err)
		}
		if org != "" && e.OrgID != "" && e.OrgID != org {
			return fmt.Errorf("%w (org %s)", ErrForeignOrg, e.OrgID)
		}
		mac := normalMAC(cmp.Or(e.MAC, e.AP))
		up, known := deviceUp(e.Type)
		if mac == "" || !known {
			continue
		}
		if idx != nil && !idx.keeps(e.SiteID, true) {
			out.Filtered++
			continue
		}
		out.Devices = append(out.Devices, model.DeviceState{MAC: mac, Up: up, At: epoch(e.Timestamp)})
	}
	return nil
}

// macSeparators are what a MAC may be written with: one Replacer for every
// call, as building one costs 6 kB.
var macSeparators = strings.NewReplacer(":", "", "-", "", ".", "")

// normalMAC writes a MAC as Mist's device stats do: lower-case hex
// digits, no separators.
func normalMAC(mac string) string {
	return strings.ToLower(macSeparators.Replace(mac))
}
