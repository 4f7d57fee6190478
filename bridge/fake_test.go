package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/model"
)

// The bridge's tests of the alarms mode run on fake sources whose alarms,
// devices and source-of-truth records the test sets, and on a fake
// Alertmanager that keeps alerts as Alertmanager does (the last state of
// each label set) and silences as its v2 API makes them.

// fakeWorld is what the fake sources serve at their next refresh.
type fakeWorld struct {
	mu      sync.Mutex
	alarms  map[string][]model.Alarm // by source
	devices map[string][]model.Device
	sot     []model.SotDevice
}

func (w *fakeWorld) setAlarms(source string, as ...model.Alarm) {
	w.mu.Lock()
	defer w.mu.Unlock()
	as = slices.Clone(as)
	model.SortAlarms(as)
	w.alarms[source] = as
}

// fakeData is one refresh of a fake source.
type fakeData struct {
	Alarms  []model.Alarm
	Devices []model.Device
	Sot     []model.SotDevice
}

// fakeVendors stand in for mist and nautobot: every collection a section
// enables yields the world as it is, the alarms collection's is listed.
func (w *fakeWorld) vendors() []collector.Vendor {
	parts := func(name string, enabled []string, describes []string) *collector.Parts {
		alarms := collector.NewKey[*fakeData]("alarms")
		devices := collector.NewKey[*fakeData]("devices")
		p := &collector.Parts{Describes: describes}
		for _, c := range enabled {
			p.Collections = append(p.Collections, collector.Collect(collector.NewKey[*fakeData](c), func(context.Context) (*fakeData, error) {
				w.mu.Lock()
				defer w.mu.Unlock()
				return &fakeData{Alarms: w.alarms[name], Devices: w.devices[name], Sot: w.sot}, nil
			}, func(*fakeData) int { return 1 }))
		}
		if describes == nil {
			p.Alarms = func(d collector.Data) []model.Alarm {
				v, _ := collector.Get(d, alarms)
				if v == nil {
					return nil
				}
				return v.Alarms
			}
			p.Devices = func(d collector.Data) []model.Device {
				v, _ := collector.Get(d, devices)
				if v == nil {
					return nil
				}
				return v.Devices
			}
		} else {
			p.SotDevices = func(d collector.Data) []model.SotDevice {
				v, _ := collector.Get(d, devices)
				if v == nil {
					return nil
				}
				return v.Sot
			}
		}
		return p
	}
	return []collector.Vendor{
		collector.NewVendor("mist", time.Minute, func(cfg *config.Mist, _ collector.Env) (*collector.Parts, error) {
			return parts(cfg.Name, cfg.Enabled(), nil), nil
		}),
		collector.NewVendor("nautobot", time.Minute, func(cfg *config.Nautobot, _ collector.Env) (*collector.Parts, error) {
			return parts(cfg.Name, cfg.Enabled(), cfg.Describes), nil
		}),
	}
}

// alarmEnv is a pusher on fake sources and fake Alertmanagers.
type alarmEnv struct {
	t       *testing.T
	world   *fakeWorld
	srcs    []*collector.Source
	ams     []*fakeAM
	cfg     *config.Config
	pusher  *Pusher
	metrics *Metrics
	clock   time.Time
}

// newAlarmEnv starts n fake Alertmanagers and a pusher with these lines
// in its alertmanager section, on fake mist sources "org" and "org2"; sot
// adds a nautobot source "sot" describing "org".
func newAlarmEnv(t *testing.T, amLines string, n int, sot bool) *alarmEnv {
	t.Helper()
	e := &alarmEnv{t: t, world: &fakeWorld{alarms: map[string][]model.Alarm{}, devices: map[string][]model.Device{}},
		clock: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	var urls []string
	for range n {
		am := newFakeAM(e.now)
		srv := httptest.NewServer(am)
		t.Cleanup(srv.Close)
		e.ams = append(e.ams, am)
		urls = append(urls, srv.URL)
	}
	y := "mist:\n  - name: org\n    token: t1\n  - name: org2\n    token: t2\n"
	if sot {
		y += "nautobot:\n  - name: sot\n    base_url: http://nautobot.invalid\n    token: t3\n    describes: [org]\n"
	}
	y += fmt.Sprintf("alertmanager:\n  urls: [%s]\n  min_severity: info\n%s", strings.Join(urls, ", "), amLines)
	cfg, err := config.Parse([]byte(y), "bridge.yml")
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	e.metrics = NewMetrics()
	e.restart()
	return e
}

// restart makes the sources and the pusher anew, as a restart of the
// exporter does: the sources have read nothing yet.
func (e *alarmEnv) restart() {
	e.srcs = nil
	for _, sc := range e.cfg.Sources() {
		s, err := collector.NewSource(sc, collector.Options{Vendors: e.world.vendors(), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			e.t.Fatal(err)
		}
		e.srcs = append(e.srcs, s)
	}
	e.pusher = e.newPusher()
}

// newPusher is a pusher of the env's config, as a restart makes one.
func (e *alarmEnv) newPusher() *Pusher {
	p, err := NewPusher(e.cfg.Alertmanager, func() []*collector.Source { return e.srcs }, e.metrics, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	p.now = e.now
	return p
}

func (e *alarmEnv) now() time.Time { return e.clock }

// refresh has every source read the world, and the pusher push.
func (e *alarmEnv) push() {
	e.t.Helper()
	for _, s := range e.srcs {
		for _, c := range s.Collections {
			if err := s.Refresh(context.Background(), c.Name); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.pusher.Push(context.Background())
}

// pushResends pushes a minute later and reports whether the first
// Alertmanager was sent the alarm's alert again.
func (e *alarmEnv) pushResends(source, id string) bool {
	e.t.Helper()
	_, before := e.ams[0].sentOf(source, id)
	e.clock = e.clock.Add(time.Minute)
	e.push()
	_, after := e.ams[0].sentOf(source, id)
	return after != before
}

// fakeAM is an Alertmanager v2 API that keeps what it is sent: the
// alerts as batches and as Alertmanager holds them (the last of each
// label set), and silences, made, changed and expired as Alertmanager
// 0.25 does.
type fakeAM struct {
	mu          sync.Mutex
	now         func() time.Time
	batches     [][]alert
	bytes       int
	failures    int  // answer 500 to this many posts of alerts first
	refuse      bool // answer 400 to every post of alerts
	posts       int
	silenceDown bool // answer 503 to every silence request
	silenceReqs int
	byLabels    map[string]alert
	silences    []*silence
	nextID      int
}

func newFakeAM(now func() time.Time) *fakeAM {
	if now == nil {
		now = time.Now
	}
	return &fakeAM{now: now, byLabels: map[string]alert{}}
}

func (f *fakeAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/v2/alerts" && r.Method == http.MethodPost:
		f.postAlerts(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/v2/silence"):
		f.silenceReqs++
		if f.silenceDown {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		f.serveSilences(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAM) postAlerts(w http.ResponseWriter, r *http.Request) {
	f.posts++
	if f.refuse {
		http.Error(w, "bad alerts", http.StatusBadRequest)
		return
	}
	if f.failures > 0 {
		f.failures--
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.bytes += len(body)
	var b []alert
	if err := json.Unmarshal(body, &b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, a := range b {
		if a.Labels == nil || !a.EndsAt.IsZero() && a.EndsAt.Before(a.StartsAt) {
			http.Error(w, "start time must be before end time", http.StatusBadRequest)
			return
		}
	}
	for _, a := range b {
		f.byLabels[fingerprint(a.Labels)] = a
	}
	f.batches = append(f.batches, b)
}

func (f *fakeAM) serveSilences(w http.ResponseWriter, r *http.Request) {
	now := f.now()
	state := func(s *silence) {
		st := "active"
		switch {
		case !now.Before(s.EndsAt):
			st = "expired"
		case now.Before(s.StartsAt):
			st = "pending"
		}
		s.Status = &struct {
			State string `json:"state"`
		}{st}
	}
	find := func(id string) *silence {
		for _, s := range f.silences {
			if s.ID == id {
				return s
			}
		}
		return nil
	}
	switch {
	case r.URL.Path == "/api/v2/silences" && r.Method == http.MethodGet:
		for _, s := range f.silences {
			state(s)
		}
		_ = json.NewEncoder(w).Encode(f.silences)
	case r.URL.Path == "/api/v2/silences" && r.Method == http.MethodPost:
		var s silence
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.Status = nil
		if s.ID != "" {
			prev := find(s.ID)
			if prev == nil {
				http.Error(w, "silence not found", http.StatusNotFound)
				return
			}
			state(prev)
			// Changed in place only while active, with the same matchers
			// and start; else replaced by a new silence.
			if prev.Status.State == "active" && sameMatchers(prev.Matchers, s.Matchers) && prev.StartsAt.Equal(s.StartsAt) && s.EndsAt.After(now) {
				prev.EndsAt, prev.Comment = s.EndsAt, s.Comment
				_ = json.NewEncoder(w).Encode(map[string]string{"silenceID": prev.ID})
				return
			}
			if prev.Status.State == "active" {
				prev.EndsAt = now
			}
		}
		if s.StartsAt.Before(now) {
			s.StartsAt = now
		}
		f.nextID++
		s.ID = fmt.Sprintf("s-%d", f.nextID)
		f.silences = append(f.silences, &s)
		_ = json.NewEncoder(w).Encode(map[string]string{"silenceID": s.ID})
	case strings.HasPrefix(r.URL.Path, "/api/v2/silence/"):
		s := find(strings.TrimPrefix(r.URL.Path, "/api/v2/silence/"))
		if s == nil {
			// Alertmanager 0.25 answers an unknown id's DELETE with 500.
			code := http.StatusNotFound
			if r.Method == http.MethodDelete {
				code = http.StatusInternalServerError
			}
			http.Error(w, "silence not found", code)
			return
		}
		state(s)
		switch r.Method {
		case http.MethodGet:
			_ = json.NewEncoder(w).Encode(s)
		case http.MethodDelete:
			if s.Status.State != "expired" {
				s.EndsAt = now
			}
		}
	default:
		http.NotFound(w, r)
	}
}

// active returns the silences active now.
func (f *fakeAM) active() []silence {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []silence
	for _, s := range f.silences {
		if !f.now().Before(s.StartsAt) && f.now().Before(s.EndsAt) {
			out = append(out, *s)
		}
	}
	return out
}

// addSilence makes a silence as someone else would.
func (f *fakeAM) addSilence(s silence) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	s.ID = fmt.Sprintf("s-%d", f.nextID)
	f.silences = append(f.silences, &s)
	return s.ID
}

// silence returns the silence of this id.
func (f *fakeAM) silence(id string) (silence, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.silences {
		if s.ID == id {
			return *s, true
		}
	}
	return silence{}, false
}

// firing returns the alerts Alertmanager holds as firing now, by alarm
// source and id ("source/id").
func (f *fakeAM) firing() map[string]alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]alert{}
	for _, a := range f.byLabels {
		if a.EndsAt.After(f.now()) {
			out[a.Labels["source"]+"/"+a.Labels["alarm_id"]] = a
		}
	}
	return out
}

// sentOf returns the alerts of alarm source/id in the last batch that
// had any, and how many batches had one.
func (f *fakeAM) sentOf(source, id string) (last []alert, batches int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.batches {
		var in []alert
		for _, a := range b {
			if a.Labels["source"] == source && a.Labels["alarm_id"] == id {
				in = append(in, a)
			}
		}
		if len(in) > 0 {
			last, batches = in, batches+1
		}
	}
	return last, batches
}

func (f *fakeAM) last() []alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.batches) == 0 {
		return nil
	}
	return f.batches[len(f.batches)-1]
}

func sameMatchers(a, b []matcher) bool {
	return slices.EqualFunc(a, b, func(x, y matcher) bool {
		return x.Name == y.Name && x.Value == y.Value && x.IsRegex == y.IsRegex && (x.IsEqual == nil || *x.IsEqual) == (y.IsEqual == nil || *y.IsEqual)
	})
}
