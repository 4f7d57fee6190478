package bridge

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
)

// RunbookURL is the runbook_url of every alert made from a vendor alarm.
const RunbookURL = "https://github.com/nmsexporter/nms_exporter/blob/main/docs/alerts.md#nmsvendoralarm"

// alarmKey identifies an alert of the alarms mode: the source and the
// vendor's alarm id. Alertmanager tells alerts apart by their labels,
// which hold both, so a resend dedupes and two alarms never merge.
type alarmKey struct{ source, id string }

// alarmState is what the alarms mode remembers between pushes.
type alarmState struct {
	gen     uint64 // the push being made, to tell what it has seen
	sources map[string]*sourceState
	// order is scratch space for the cap's sort, reused.
	order []int
	// pending are the alerts of the push being made.
	pending []pending
}

// sourceState is one source's alerts as Alertmanager was last told.
type sourceState struct {
	name, vendor string
	alarms       map[string]*tracked // by alarm id (idless keys for alarms without one)
	// left are the alarms the cap left out at the last push, each counted
	// once as it was left out.
	left    map[string]struct{}
	dropped prometheus.Counter
	gen     uint64 // the last push that read the source
	// known says the source's alarms collection has had data: until
	// then its empty list says nothing of the alarms acknowledged.
	known bool
	// src and truth are the source, and the source of truth describing
	// it, as last read, and since when: a reload may make either anew.
	src, truth *collector.Source
	since      time.Time
}

// tracked is one alarm's alert as last pushed.
type tracked struct {
	key      string
	alarm    model.Alarm // the alarm as last seen; its strings are the source's
	sot      enrichment  // what the source of truth says of its device
	ackLabel bool        // acknowledged="true" is among its labels
	startsAt time.Time
	gen      uint64 // the last push it was firing in
	silence  bool   // a silence is wanted for it (acknowledged: silence)
}

// enrichment is the labels a source of truth adds to an alarm's alert.
type enrichment struct{ location, role, tenant string }

// pending is an alert to send: firing, or resolved with endsAt now.
type pending struct {
	t        *tracked
	src      *sourceState
	resolved bool
	forget   bool // resolved: forget it once Alertmanager has it
}

// ruleSeverity puts a vendor alarm's severity on the rules' scale, so
// routes made for the rule alerts' severity label route it too.
func ruleSeverity(s string) string {
	switch s {
	case "critical":
		return "critical"
	case "major":
		return "warning"
	default:
		return "info"
	}
}

// keyOf is an alarm's key within its source: its id; an alarm the vendor
// gave no id is told apart by its labels.
func keyOf(a *model.Alarm) string {
	if a.ID != "" {
		return a.ID
	}
	return "\x00" + a.Site + "\x00" + a.Device + "\x00" + a.Severity + "\x00" + a.Category + "\x00" + a.Type
}

// sameLabels reports whether two alerts of one alarm have the same labels.
func sameLabels(a, b *tracked) bool {
	x, y := &a.alarm, &b.alarm
	return x.Site == y.Site && x.Device == y.Device && x.Severity == y.Severity && x.Category == y.Category &&
		x.Type == y.Type && a.sot == b.sot && a.ackLabel == b.ackLabel
}

// capOrder is the order in which the cap keeps alarms: the most severe
// first, then the oldest (an alarm of unknown start as of when the bridge
// first pushed it, or now), then by id so the choice is stable.
func capOrder(as []model.Alarm, starts []time.Time) func(i, j int) int {
	return func(i, j int) int {
		return cmp.Or(cmp.Compare(severityRank(as[i].Severity), severityRank(as[j].Severity)),
			starts[i].Compare(starts[j]), cmp.Compare(as[i].ID, as[j].ID))
	}
}

// pushAlarms is Push in the alarms mode: one alert per active alarm.
func (p *Pusher) pushAlarms(ctx context.Context) {
	now := p.now()
	st := &p.alarms
	st.gen++
	st.pending = st.pending[:0]
	endsAt := now.Add(4 * time.Duration(p.cfg.ResendInterval))
	sources := p.sources()
	truth := map[string]*collector.Source{}
	for _, s := range sources {
		for _, name := range s.Describes() {
			if _, ok := truth[name]; !ok {
				truth[name] = s
			}
		}
	}
	for _, s := range sources {
		if !p.wanted(s.Name) || s.AlarmList == nil {
			continue
		}
		ss := p.stateOf(s, truth[s.Name], now)
		if p.settling(now, ss, s, truth[s.Name]) {
			p.holdSource(ss)
			continue
		}
		p.collectSource(ss, s, s.SotOf(truth[s.Name]), now)
	}
	// Alarms gone, and the alarms of sources no longer pushed, resolve.
	for name, ss := range st.sources {
		for _, t := range ss.alarms {
			if t.gen != st.gen {
				st.pending = append(st.pending, pending{t: t, src: ss, resolved: true, forget: true})
			}
		}
		if len(ss.alarms) == 0 && ss.gen != st.gen {
			delete(st.sources, name)
		}
	}
	// Silences first, so an alarm acknowledged before its first push is
	// never notified.
	p.syncSilences(ctx, now, p.silenceWanted)
	p.sendPending(ctx, now, endsAt)
	p.expireSilences(ctx, p.keepSilence)
}

// stateOf returns a source's state, noting when the source, or the
// source of truth describing it, is a new one: started, or rebuilt by a
// reload that changed its config.
func (p *Pusher) stateOf(s, truth *collector.Source, now time.Time) *sourceState {
	st := &p.alarms
	ss := st.sources[s.Name]
	if ss == nil {
		ss = &sourceState{name: s.Name, alarms: map[string]*tracked{}, dropped: p.metrics.pushing(s.Name)}
		st.sources[s.Name] = ss
	}
	if ss.src != s || ss.truth != truth {
		ss.src, ss.truth, ss.since = s, truth, now
	}
	ss.vendor, ss.gen = s.Vendor, st.gen
	return ss
}

// collectSource adds one source's alerts to the push.
func (p *Pusher) collectSource(ss *sourceState, s *collector.Source, sot *collector.SotIndex, now time.Time) {
	st := &p.alarms
	ss.known = alarmsKnown(s)
	alarms := s.ActiveAlarms()
	maxRank := severityRank(p.cfg.MinSeverity)
	resolveAcked := p.cfg.Acknowledged == config.AckResolve
	order := st.order[:0]
	for i := range alarms {
		a := &alarms[i]
		if severityRank(a.Severity) > maxRank || (resolveAcked && a.Acked) {
			continue
		}
		order = append(order, i)
	}
	if len(order) > p.cfg.MaxAlertsPerSource {
		order = p.applyCap(ss, alarms, order, now)
	} else if len(ss.left) > 0 {
		p.logger.Info("alarms within max_alerts_per_source again", "source", s.Name, "alarms", len(order))
		ss.left = nil
	}
	st.order = order
	for _, i := range order {
		a := &alarms[i]
		key := keyOf(a)
		next := tracked{key: key, alarm: *a, gen: st.gen}
		if d, ok := sot.Device(a.Device); ok {
			next.sot = enrichment{d.Location, d.Role, d.Tenant}
		}
		switch p.cfg.Acknowledged {
		case config.AckLabel:
			next.ackLabel = a.Acked
		case config.AckSilence:
			next.silence = a.Acked && a.ID != ""
		}
		prev := ss.alarms[key]
		next.startsAt = startOf(a, prev, now)
		if prev != nil && !sameLabels(prev, &next) {
			// Alertmanager knows the alert by its labels: the old ones
			// resolve, or they would fire until their endsAt.
			old := *prev
			st.pending = append(st.pending, pending{t: &old, src: ss, resolved: true})
		}
		if prev == nil {
			prev = new(tracked)
			ss.alarms[key] = prev
		}
		*prev = next
		st.pending = append(st.pending, pending{t: prev, src: ss})
	}
	if resolveAcked {
		// An alert resolved because its alarm was acknowledged tells who
		// acknowledged it, where the vendor says.
		for _, t := range ss.alarms {
			if t.gen == st.gen || t.alarm.ID == "" {
				continue
			}
			a, ok := model.FindAlarm(alarms, t.alarm.ID)
			if !ok || !a.Acked {
				continue
			}
			next := *t
			next.alarm = a
			if sameLabels(t, &next) {
				t.alarm = a
			}
		}
	}
}

// settling reports whether a new source's alerts wait for its first
// refreshes, and those of the source of truth that describes it (nil for
// none), to end: its alarms are empty until then, an alarm's site is
// joined from the device lists, and its device's location, role and
// tenant are labels; an alert whose labels fill in a poll later would be
// a second alert, notified again, and one resolved for an empty list
// would fire again. It waits two resend intervals at most, well within
// the four after which Alertmanager resolves what it was last sent.
func (p *Pusher) settling(now time.Time, ss *sourceState, s, truth *collector.Source) bool {
	if now.Sub(ss.since) >= 2*time.Duration(p.cfg.ResendInterval) {
		return false
	}
	return !s.Ready() || (truth != nil && !truth.Ready())
}

// holdSource keeps a settling source's alerts and silences as they are.
func (p *Pusher) holdSource(ss *sourceState) {
	ss.known = false
	for _, t := range ss.alarms {
		t.gen = p.alarms.gen
	}
	p.logger.Debug("waiting for the source's first refreshes before pushing its alarms", "source", ss.name)
}

// alarmsKnown reports whether a source's alarms collection has had data,
// from a refresh or saved state; a source without one has only webhooks.
func alarmsKnown(s *collector.Source) bool {
	for _, st := range s.Status() {
		if st.Collection == "alarms" {
			return !st.LastSuccess.IsZero()
		}
	}
	return true
}

// startOf is an alert's startsAt: the alarm's own start, else when the
// bridge first pushed it; never after now, which Alertmanager would refuse
// with the resolution's endsAt.
func startOf(a *model.Alarm, prev *tracked, now time.Time) time.Time {
	switch {
	case !a.StartedAt.IsZero() && a.StartedAt.Before(now):
		return a.StartedAt
	case !a.StartedAt.IsZero():
		return now
	case prev != nil:
		return prev.startsAt
	default:
		return now
	}
}

// applyCap keeps the first max_alerts_per_source alarms of order in the
// cap's order, counts those newly left out, and returns those kept.
func (p *Pusher) applyCap(ss *sourceState, alarms []model.Alarm, order []int, now time.Time) []int {
	starts := make([]time.Time, len(alarms))
	for _, i := range order {
		a := &alarms[i]
		starts[i] = startOf(a, ss.alarms[keyOf(a)], now)
	}
	less := capOrder(alarms, starts)
	slices.SortFunc(order, less)
	keep := p.cfg.MaxAlertsPerSource
	left := make(map[string]struct{}, len(order)-keep)
	newly := 0
	for _, i := range order[keep:] {
		k := keyOf(&alarms[i])
		left[k] = struct{}{}
		if _, ok := ss.left[k]; !ok {
			newly++
		}
	}
	if newly > 0 {
		ss.dropped.Add(float64(newly))
	}
	if len(ss.left) == 0 {
		p.logger.Warn("more alarms than max_alerts_per_source; the least severe and newest are left out",
			"source", ss.name, "alarms", len(order), "max_alerts_per_source", keep)
	}
	ss.left = left
	return order[:keep]
}

// sendPending sends the push's alerts in batches of at most maxBatch, and
// forgets the resolved ones a batch delivered. A resolution whose batch
// failed is sent again at the next push.
func (p *Pusher) sendPending(ctx context.Context, now, endsAt time.Time) {
	st := &p.alarms
	for start := 0; start < len(st.pending); start += maxBatch {
		batch := st.pending[start:min(start+maxBatch, len(st.pending))]
		b := append(p.buf[:0], '[')
		for i, pa := range batch {
			if i > 0 {
				b = append(b, ',')
			}
			ends := endsAt
			if pa.resolved {
				ends = now
			}
			b = p.appendAlert(b, pa.src, pa.t, ends)
		}
		b = append(b, ']')
		p.buf = b
		if err := p.send(ctx, b, len(batch)); err != nil {
			continue
		}
		for _, pa := range batch {
			if pa.forget && pa.src.alarms[pa.t.key] == pa.t {
				delete(pa.src.alarms, pa.t.key)
			}
		}
	}
	// Let go of the alarms the pending list points at until the next push.
	clear(st.pending)
	st.pending = st.pending[:0]
	if cap(p.buf) > 4*maxBatch<<10 {
		p.buf = nil // a batch of unusually long texts is not kept
	}
}

// appendAlert writes one alert of Alertmanager's v2 API, as
// docs/alerts.md#nmsvendoralarm describes it.
func (p *Pusher) appendAlert(b []byte, ss *sourceState, t *tracked, endsAt time.Time) []byte {
	a := &t.alarm
	o := openObject(b)
	o.key("labels")
	l := openObject(o.b)
	l.str("alertname", AlertName)
	l.str("source", ss.name)
	l.str("vendor", ss.vendor)
	l.str("site", a.Site)
	l.str("device", a.Device)
	l.str("severity", ruleSeverity(a.Severity))
	l.str("vendor_severity", a.Severity)
	l.str("category", a.Category)
	l.str("alarm_type", a.Type)
	l.str("alarm_id", a.ID)
	if t.ackLabel {
		l.str("acknowledged", "true")
	}
	l.str("location", t.sot.location)
	l.str("role", t.sot.role)
	l.str("tenant", t.sot.tenant)
	o.b = l.close()

	o.key("annotations")
	n := openObject(o.b)
	what := cmp.Or(a.Type, a.Category)
	where := cmp.Or(a.Device, a.Site, ss.name)
	if what == "" {
		n.text("summary", a.Severity, " alarm on ", where)
	} else {
		n.text("summary", a.Severity, " ", what, " alarm on ", where)
	}
	if a.Text != "" {
		n.str("description", a.Text)
	} else {
		// No text from the vendor: a sentence from the labels.
		on := ""
		if a.Device != "" {
			on = " on " + a.Device
		}
		at := ""
		if a.Site != "" {
			at = " at site " + a.Site
		}
		n.text("description", "A ", a.Severity, " ", cmp.Or(what, "vendor"), " alarm is active", on, at, ", as ", ss.vendor, " source ", ss.name, " reports.")
	}
	n.str("alarm_id", a.ID)
	n.str("url", a.URL)
	n.str("runbook_url", RunbookURL)
	if a.Acked {
		n.str("acknowledged_by", a.AckedBy)
		if !a.AckedAt.IsZero() {
			n.time("acknowledged_at", a.AckedAt)
		}
	}
	o.b = n.close()
	o.time("startsAt", t.startsAt)
	o.time("endsAt", endsAt)
	return o.close()
}
