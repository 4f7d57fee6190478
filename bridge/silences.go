package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
)

// With acknowledged: silence, an alarm acknowledged at the vendor keeps
// its alert firing, and the bridge silences that alert in each
// Alertmanager, through its v2 API, until the alarm clears or is
// unacknowledged. It only ever changes the silences it made: each says
// createdBy silenceCreator, and its comment starts with its marker, which
// names the alarm its matchers match.

const (
	// silenceCreator is the createdBy of the bridge's silences.
	silenceCreator = "nms_exporter"
	// silenceFor is how long a silence is made for: far ahead, so that
	// an exporter stopped for days leaves no acknowledged alarm
	// notifying, and the silence still ends on its own.
	silenceFor = 7 * 24 * time.Hour
	// renewWithin: a silence with less than this left is made to end
	// silenceFor from now.
	renewWithin = silenceFor / 2
	// maxSilenceCalls bounds the silence requests to one Alertmanager in
	// one push; the rest wait for the next push, so that thousands of
	// alarms acknowledged at once do not hold the push for minutes.
	maxSilenceCalls = 500
)

// amSilences are the bridge's silences in one Alertmanager.
type amSilences struct {
	url string
	// listed says the Alertmanager's silences have been read since the
	// bridge started, and byKey holds the bridge's own among them.
	listed bool
	// tried says the one listing made outside acknowledged: silence, to
	// expire what such a config left, has been tried.
	tried bool
	byKey map[alarmKey]*silenceRec
	extra []string // ids of the bridge's silences found twice for one alarm
}

// silenceRec is one silence the bridge keeps.
type silenceRec struct {
	id               string
	startsAt, endsAt time.Time
}

// marker starts the comment of the silence of one alarm.
func marker(k alarmKey) string { return "nms_exporter alarm " + k.source + "/" + k.id }

// matcher and silence are Alertmanager's v2 API's.
type matcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"` // absent before Alertmanager 0.22: equal
}

type silence struct {
	ID        string    `json:"id,omitempty"`
	Matchers  []matcher `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
	Status    *struct {
		State string `json:"state"`
	} `json:"status,omitempty"`
}

// ownKey returns the alarm a silence of the bridge is for, and false for
// any other silence: made by someone else, matching more or other labels
// than one alarm's alert, or expired.
func ownKey(s *silence) (alarmKey, bool) {
	if s.CreatedBy != silenceCreator || len(s.Matchers) != 3 || (s.Status != nil && s.Status.State == "expired") {
		return alarmKey{}, false
	}
	var k alarmKey
	name := ""
	for _, m := range s.Matchers {
		if m.IsRegex || (m.IsEqual != nil && !*m.IsEqual) {
			return alarmKey{}, false
		}
		switch m.Name {
		case "alertname":
			name = m.Value
		case "source":
			k.source = m.Value
		case "alarm_id":
			k.id = m.Value
		}
	}
	if name != AlertName || k.source == "" || k.id == "" {
		return alarmKey{}, false
	}
	rest, ok := strings.CutPrefix(s.Comment, marker(k))
	if !ok || (rest != "" && rest[0] != ':') {
		return alarmKey{}, false
	}
	return k, true
}

// silenceWanted reports whether the push being made wants the alert of
// alarm k silenced.
func (p *Pusher) silenceWanted(k alarmKey) *tracked {
	ss := p.alarms.sources[k.source]
	if ss == nil {
		return nil
	}
	t := ss.alarms[k.id]
	if t == nil || t.gen != p.alarms.gen || !t.silence {
		return nil
	}
	return t
}

// keepSilence reports whether the bridge's silence of alarm k stays: its
// alarm is pushed and acknowledged, or its source, just started, has not
// yet read its alarms (a restart must not unsilence them for a poll).
func (p *Pusher) keepSilence(k alarmKey) bool {
	if p.cfg.Acknowledged != config.AckSilence || p.cfg.Mode != config.ModeAlarms {
		return false
	}
	ss := p.alarms.sources[k.source]
	if ss == nil || ss.gen != p.alarms.gen {
		return false
	}
	return !ss.known || p.silenceWanted(k) != nil
}

// listSilences reads an Alertmanager's silences once, keeping the
// bridge's own. With acknowledged: silence it is tried at every push
// until it succeeds, and no silence is made there before: one the bridge
// made before a restart is taken up, not made twice. Otherwise it is tried
// once, to expire what an earlier config left.
func (p *Pusher) listSilences(ctx context.Context, am *amSilences) bool {
	if am.listed {
		return true
	}
	if p.cfg.Acknowledged != config.AckSilence || p.cfg.Mode != config.ModeAlarms {
		if am.tried {
			return false
		}
		am.tried = true
	}
	b, err := p.request(ctx, http.MethodGet, am.url+"/api/v2/silences", nil)
	var all []silence
	if err == nil {
		err = json.Unmarshal(b, &all)
	}
	if err != nil {
		p.silenceError("listing the silences of Alertmanager", am.url, alarmKey{}, err)
		return false
	}
	for i := range all {
		s := &all[i]
		k, ok := ownKey(s)
		if !ok {
			continue
		}
		rec := &silenceRec{id: s.ID, startsAt: s.StartsAt, endsAt: s.EndsAt}
		if prev := am.byKey[k]; prev != nil {
			// Two for one alarm (a cluster's members share the one made in
			// each): the one ending last stays, of those ending together
			// the greatest id, so that every member keeps the same one.
			if c := prev.endsAt.Compare(rec.endsAt); c > 0 || (c == 0 && prev.id > rec.id) {
				prev, rec = rec, prev
			}
			am.extra = append(am.extra, prev.id)
		}
		am.byKey[k] = rec
	}
	am.listed = true
	p.logger.Debug("found the bridge's silences", "url", am.url, "silences", len(am.byKey))
	return true
}

func (p *Pusher) silenceError(what, amURL string, k alarmKey, err error) {
	p.metrics.SilenceErrors.Inc()
	args := []any{"request", what, "url", amURL, "err", err}
	if k.source != "" {
		args = append(args, "source", k.source, "alarm_id", k.id)
	}
	p.logger.Error("a silence request failed; tried again at the next push", args...)
}

// syncSilences makes, in each Alertmanager, the silences the push wants
// that are missing, and renews those ending within renewWithin. wanted is
// nil where the bridge wants none.
func (p *Pusher) syncSilences(ctx context.Context, now time.Time, wanted func(alarmKey) *tracked) {
	for _, am := range p.silences {
		if !p.listSilences(ctx, am) || wanted == nil || p.cfg.Acknowledged != config.AckSilence {
			continue
		}
		calls := 0
	sources:
		for _, ss := range p.alarms.sources {
			for _, t := range ss.alarms {
				if calls >= maxSilenceCalls || ctx.Err() != nil {
					break sources
				}
				k := alarmKey{ss.name, t.alarm.ID}
				if wanted(k) == nil {
					continue
				}
				rec := am.byKey[k]
				if rec != nil && rec.endsAt.Sub(now) >= renewWithin {
					continue
				}
				calls++
				p.putSilence(ctx, am, k, t, rec, now)
			}
		}
	}
}

// putSilence makes the silence of one alarm's alert, or renews rec.
func (p *Pusher) putSilence(ctx context.Context, am *amSilences, k alarmKey, t *tracked, rec *silenceRec, now time.Time) {
	comment := marker(k) + ": acknowledged at the vendor"
	if t.alarm.AckedBy != "" {
		comment += " by " + t.alarm.AckedBy
	}
	if !t.alarm.AckedAt.IsZero() {
		comment += " at " + t.alarm.AckedAt.UTC().Format(time.RFC3339)
	}
	comment += "; expired by nms_exporter when the alarm clears or is unacknowledged."
	eq := true
	s := silence{
		Matchers: []matcher{
			{Name: "alertname", Value: AlertName, IsEqual: &eq},
			{Name: "source", Value: k.source, IsEqual: &eq},
			{Name: "alarm_id", Value: k.id, IsEqual: &eq},
		},
		StartsAt: now, EndsAt: now.Add(silenceFor), CreatedBy: silenceCreator, Comment: comment,
	}
	what := "silencing an acknowledged alarm's alert"
	if rec != nil {
		// The same id and start renew the silence in place.
		s.ID, s.StartsAt = rec.id, rec.startsAt
		what = "renewing the silence of an acknowledged alarm's alert"
	}
	body, err := json.Marshal(s)
	if err != nil {
		p.silenceError(what, am.url, k, err)
		return
	}
	b, err := p.request(ctx, http.MethodPost, am.url+"/api/v2/silences", body)
	var status *statusError
	if rec != nil && errors.As(err, &status) && status.status == http.StatusNotFound {
		// Gone from the Alertmanager (its storage lost): made anew next
		// push.
		delete(am.byKey, k)
	}
	var answer struct {
		SilenceID string `json:"silenceID"`
	}
	if err == nil {
		err = json.Unmarshal(b, &answer)
	}
	if err == nil && answer.SilenceID == "" {
		err = errors.New("POST /api/v2/silences: no silenceID in the answer")
	}
	if err != nil {
		p.silenceError(what, am.url, k, err)
		return
	}
	if rec == nil || rec.id != answer.SilenceID {
		// A silence Alertmanager could not change in place it replaced.
		rec = &silenceRec{startsAt: now}
		am.byKey[k] = rec
	}
	rec.id, rec.endsAt = answer.SilenceID, s.EndsAt
	p.logger.Debug("silenced an acknowledged alarm's alert", "url", am.url, "source", k.source, "alarm_id", k.id, "silence", rec.id)
}

// expireSilences expires, in each Alertmanager, the bridge's silences
// keep does not keep: their alarm cleared, unacknowledged, left out, or
// no longer pushed. keep is nil where the bridge keeps none.
func (p *Pusher) expireSilences(ctx context.Context, keep func(alarmKey) bool) {
	for _, am := range p.silences {
		if !am.listed {
			continue
		}
		calls := 0
		for len(am.extra) > 0 && calls < maxSilenceCalls {
			calls++
			if p.expire(ctx, am, alarmKey{}, am.extra[0]) {
				am.extra = am.extra[1:]
			} else {
				break
			}
		}
		for k, rec := range am.byKey {
			if calls >= maxSilenceCalls || ctx.Err() != nil {
				break
			}
			if keep != nil && keep(k) {
				continue
			}
			calls++
			if p.expire(ctx, am, k, rec.id) {
				delete(am.byKey, k)
			}
		}
	}
}

// expire expires one silence, and reports whether it is gone: expired,
// or unknown to the Alertmanager (which older versions answer with a 500).
func (p *Pusher) expire(ctx context.Context, am *amSilences, k alarmKey, id string) bool {
	u := am.url + "/api/v2/silence/" + url.PathEscape(id)
	_, err := p.request(ctx, http.MethodDelete, u, nil)
	if err == nil {
		p.logger.Debug("expired a silence", "url", am.url, "source", k.source, "alarm_id", k.id, "silence", id)
		return true
	}
	b, gerr := p.request(ctx, http.MethodGet, u, nil)
	var status *statusError
	if errors.As(gerr, &status) && status.status == http.StatusNotFound {
		return true
	}
	var s silence
	if gerr == nil && json.Unmarshal(b, &s) == nil && s.Status != nil && s.Status.State == "expired" {
		return true
	}
	p.silenceError("expiring a silence the bridge made", am.url, k, err)
	return false
}
