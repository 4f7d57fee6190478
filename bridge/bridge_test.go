package bridge

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry/registrytest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

type env struct {
	sim     *mistsim.Server
	src     *collector.Source
	am      *fakeAM
	pusher  *Pusher
	metrics *Metrics
	secret  string
}

func newEnv(t testing.TB) *env { return newEnvWith(t, "") }

// webhook is the webhook intake for the env's source, calling notify (if
// set) on each accepted alarm.
func (e *env) webhook(notify func()) http.Handler {
	return WebhookHandler("mist", func() []*collector.Source { return []*collector.Source{e.src} }, e.metrics, notify, slog.New(slog.DiscardHandler))
}

// postSigned posts body to h, signed with the env's secret.
func (e *env) postSigned(h http.Handler, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/mist", bytes.NewReader(body))
	req.Header.Set("X-Mist-Signature-v2", sign(e.secret, body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// newEnvWith is newEnv with more lines for the Mist source's section.
func newEnvWith(t testing.TB, extra string) *env {
	t.Helper()
	sim, simSrv := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 21})
	am := newFakeAM(nil)
	amSrv := httptest.NewServer(am)
	t.Cleanup(amSrv.Close)
	secret := "whsec-0f1e2d3c"
	y := fmt.Sprintf(`mist:
  - name: org
    base_url: %s
    token: %s
    webhook_secret: %s
%salertmanager:
  urls: [%s]
  min_severity: info
`, simSrv.URL, sim.Credentials().Token, secret, extra, amSrv.URL)
	cfg, err := config.Parse([]byte(y), "bridge.yml")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	src := registrytest.New(t, &cfg.Mist[0])
	// Every collection once, as a started source does: the bridge pushes a
	// source's alarms once its first refreshes have ended.
	registrytest.RefreshAll(t, src)
	m := NewMetrics()
	p, err := NewPusher(cfg.Alertmanager, func() []*collector.Source { return []*collector.Source{src} }, m, logger)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sim: sim, src: src, am: am, pusher: p, metrics: m, secret: secret}
}

func find(batch []alert, device string) (alert, bool) {
	for _, a := range batch {
		if a.Labels["device"] == device {
			return a, true
		}
	}
	return alert{}, false
}

func TestPushFiresAndResolves(t *testing.T) {
	e := newEnv(t)
	devs := e.sim.Devices()
	target := devs[len(devs)-1]
	id := e.sim.RaiseAlarm(mistsim.Alarm{Type: "switch_down", SiteID: target.SiteID, DeviceMACs: []string{target.MAC}, Hostnames: []string{target.Name}})
	if err := e.src.Refresh(context.Background(), "alarms"); err != nil {
		t.Fatal(err)
	}
	e.pusher.Push(context.Background())
	a, ok := find(e.am.last(), target.Name)
	if !ok {
		t.Fatalf("Alertmanager got %v; want an alert for %s", e.am.last(), target.Name)
	}
	for k, want := range map[string]string{"alertname": AlertName, "source": "org", "vendor": "mist", "severity": "critical", "site": target.Site} {
		if a.Labels[k] != want {
			t.Errorf("label %s = %q; want %q", k, a.Labels[k], want)
		}
	}
	if !a.EndsAt.After(time.Now()) || a.Annotations["summary"] == "" {
		t.Errorf("firing alert = %+v; want endsAt in the future and a summary", a)
	}
	started := a.StartsAt

	// A resend keeps the start: Alertmanager dedupes on the labels.
	e.pusher.Push(context.Background())
	if again, _ := find(e.am.last(), target.Name); !again.StartsAt.Equal(started) || fingerprint(again.Labels) != fingerprint(a.Labels) {
		t.Errorf("resent alert starts %v (fingerprint %s); want %v and the same fingerprint", again.StartsAt, fingerprint(again.Labels), started)
	}

	// The alarm clears: the next push resolves it with endsAt now.
	if err := e.sim.ClearAlarm(id); err != nil {
		t.Fatal(err)
	}
	if err := e.src.Refresh(context.Background(), "alarms"); err != nil {
		t.Fatal(err)
	}
	e.pusher.Push(context.Background())
	r, ok := find(e.am.last(), target.Name)
	if !ok || r.EndsAt.After(time.Now()) || !r.StartsAt.Equal(started) {
		t.Errorf("after the alarm cleared Alertmanager got %+v, %v; want it resolved (endsAt now)", r, ok)
	}
	e.pusher.Push(context.Background())
	if _, ok := find(e.am.last(), target.Name); ok {
		t.Errorf("a resolved alarm was sent again")
	}
}

func TestPushRetriesAndCountsErrors(t *testing.T) {
	e := newEnv(t)
	e.am.failures = 2
	e.pusher.Push(context.Background())
	if len(e.am.last()) == 0 {
		t.Fatalf("no batch arrived after two failures; want the third attempt to land")
	}
	if got := testutil.ToFloat64(e.metrics.Errors); got != 2 {
		t.Errorf("nms_bridge_errors_total = %v; want 2", got)
	}
	if got := testutil.ToFloat64(e.metrics.AlertsSent); got != float64(len(e.am.last())) {
		t.Errorf("nms_bridge_alerts_sent_total = %v; want %d", got, len(e.am.last()))
	}
}

// TestPushNotRetriedOnRefusal has Alertmanager refuse the batch with a
// 400: a retry would send the same body, so it is tried once.
func TestPushNotRetriedOnRefusal(t *testing.T) {
	e := newEnv(t)
	e.am.refuse = true
	e.pusher.Push(context.Background())
	e.am.mu.Lock()
	defer e.am.mu.Unlock()
	if e.am.posts != 1 {
		t.Errorf("%d posts for a refused batch; want 1", e.am.posts)
	}
}

// TestNotifyBurstMakesOnePush asks for a push 2,000 times at once, as a
// burst of webhooks does: the pusher sends a handful of batches, not one
// per ask.
func TestNotifyBurstMakesOnePush(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.pusher.Run(ctx)
		close(done)
	}()
	waitPosts := func(n int) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			e.am.mu.Lock()
			posts := e.am.posts
			e.am.mu.Unlock()
			if posts >= n || time.Now().After(deadline) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitPosts(1) // the first push, at start
	for range 2000 {
		e.pusher.Notify()
		time.Sleep(50 * time.Microsecond)
	}
	waitPosts(2)
	time.Sleep(2 * coalesce)
	cancel()
	<-done
	e.am.mu.Lock()
	defer e.am.mu.Unlock()
	if e.am.posts > 4 {
		t.Errorf("%d posts for one start and a burst of 2,000 asks; want at most 4", e.am.posts)
	}
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestWebhooks(t *testing.T) {
	e := newEnv(t)
	devs := e.sim.Devices()
	target := devs[0]
	alarmAt := func(id string, at time.Time) []byte {
		return []byte(fmt.Sprintf(`{"topic": "alarms", "events": [{"id": %q, "org_id": %q, "site_id": %q, "type": "switch_down", "count": 1, "timestamp": %d, "last_seen": %d, "switches": [%q]}]}`,
			id, e.sim.Credentials().OrgID, target.SiteID, at.Unix(), at.Unix(), target.MAC))
	}
	alarmBody := alarmAt("b3f0c2a1-9e8d-4c7b-8a6f-5e4d3c2b1a09", time.Now())
	// Signed by Mist once, and sent again by whoever kept them.
	stale := alarmAt("c0000000-0000-4000-8000-000000000001", time.Now().Add(-time.Hour))
	future := alarmAt("c0000000-0000-4000-8000-000000000002", time.Now().Add(time.Hour))
	before := alarmsOn(e.src, target.Name)
	notified := 0
	h := e.webhook(func() { notified++ })
	big := bytes.Repeat([]byte("x"), MaxWebhookBytes+1)
	for _, tc := range []struct {
		name, method string
		body         []byte
		sig          string
		code         int
		result       string
		dropped      string // the reason its alarm event is dropped for, if it is
	}{
		{"unsigned", http.MethodPost, alarmBody, "", http.StatusUnauthorized, "unsigned", ""},
		{"forged", http.MethodPost, alarmBody, sign("not-the-secret", alarmBody), http.StatusUnauthorized, "bad_signature", ""},
		{"not hex", http.MethodPost, alarmBody, "zz", http.StatusUnauthorized, "bad_signature", ""},
		{"oversized", http.MethodPost, big, sign(e.secret, big), http.StatusRequestEntityTooLarge, "too_large", ""},
		{"malformed", http.MethodPost, []byte(`{"topic": "alarms", "events": [`), sign(e.secret, []byte(`{"topic": "alarms", "events": [`)), http.StatusBadRequest, "malformed", ""},
		{"GET", http.MethodGet, nil, "", http.StatusMethodNotAllowed, "method", ""},
		{"device event", http.MethodPost, []byte(`{"topic": "device-events", "events": [{"type": "AP_DISCONNECTED"}]}`), sign(e.secret, []byte(`{"topic": "device-events", "events": [{"type": "AP_DISCONNECTED"}]}`)), http.StatusNoContent, "accepted", ""},
		{"alarm", http.MethodPost, alarmBody, sign(e.secret, alarmBody), http.StatusNoContent, "accepted", ""},
		{"replayed", http.MethodPost, alarmBody, sign(e.secret, alarmBody), http.StatusNoContent, "accepted", collector.DropDuplicate},
		{"stale", http.MethodPost, stale, sign(e.secret, stale), http.StatusNoContent, "accepted", collector.DropStale},
		{"future", http.MethodPost, future, sign(e.secret, future), http.StatusNoContent, "accepted", collector.DropFuture},
	} {
		t.Run(tc.name, func(t *testing.T) {
			source := ""
			if tc.code == http.StatusNoContent || tc.result == "malformed" {
				source = "org"
			}
			// The counters add up over the cases: each must rise by this one.
			counted := e.metrics.Webhooks.WithLabelValues(source, tc.result)
			before := testutil.ToFloat64(counted)
			req := httptest.NewRequest(tc.method, "/webhooks/mist", bytes.NewReader(tc.body))
			if tc.sig != "" {
				req.Header.Set("X-Mist-Signature-v2", tc.sig)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				body, _ := io.ReadAll(rec.Body)
				t.Errorf("%s webhook = %d %s; want %d", tc.name, rec.Code, body, tc.code)
			}
			if got := testutil.ToFloat64(counted) - before; got != 1 {
				t.Errorf("nms_webhook_requests_total{source=%q,result=%q} rose by %v; want this webhook counted, once", source, tc.result, got)
			}
			if tc.dropped != "" {
				if got := testutil.ToFloat64(e.metrics.WebhookDropped.WithLabelValues("org", tc.dropped)); got != 1 {
					t.Errorf("nms_webhook_alarms_dropped_total{source=org,reason=%q} = %v; want 1", tc.dropped, got)
				}
			}
		})
	}
	if got := alarmsOn(e.src, target.Name); got != before+1 {
		t.Errorf("%s has %d alarms after the webhooks; want %d: the polled ones and the one accepted, once", target.Name, got, before+1)
	}
	// The accepted alarm is in the source's state before any poll, and the
	// push was asked for.
	var found bool
	for _, a := range e.src.Alarms() {
		if a.Device == target.Name && a.Severity == "critical" && a.Site == target.Site {
			found = true
		}
	}
	if !found || notified != 5 {
		t.Errorf("alarms after the webhook = %v (push notified %d times); want %s's critical alarm and one notification per accepted webhook, 5", e.src.Alarms(), notified, target.Name)
	}
	if !strings.Contains(fmt.Sprint(e.src.Alarms()), target.Name) {
		t.Errorf("webhook alarm not served")
	}
}

// alarmsOn counts the active alarms of a device.
func alarmsOn(src *collector.Source, device string) int {
	n := 0
	for _, a := range src.Alarms() {
		if a.Device == device {
			n += a.Count
		}
	}
	return n
}

// TestReplayedWebhookKeepsClearedAlarmCleared: a signed alarm webhook
// sent again after a poll found the alarm cleared does not bring it back;
// the second delivery is counted as a duplicate.
func TestReplayedWebhookKeepsClearedAlarmCleared(t *testing.T) {
	e := newEnv(t)
	target := e.sim.Devices()[0]
	now := time.Now().Unix()
	body := []byte(fmt.Sprintf(`{"topic": "alarms", "events": [{"id": "d0000000-0000-4000-8000-00000000beef", "org_id": %q, "site_id": %q, "type": "switch_down", "count": 1, "timestamp": %d, "last_seen": %d, "switches": [%q]}]}`,
		e.sim.Credentials().OrgID, target.SiteID, now, now, target.MAC))
	h := e.webhook(nil)
	post := func() {
		t.Helper()
		if rec := e.postSigned(h, body); rec.Code != http.StatusNoContent {
			t.Fatalf("signed webhook = %d %s; want 204", rec.Code, rec.Body)
		}
	}
	polled := alarmsOn(e.src, target.Name)
	post()
	if got := alarmsOn(e.src, target.Name); got != polled+1 {
		t.Fatalf("%s has %d alarms after the webhook; want %d", target.Name, got, polled+1)
	}
	// The simulator never raised it: the next poll finds it cleared.
	time.Sleep(10 * time.Millisecond)
	if err := e.src.Refresh(context.Background(), "alarms"); err != nil {
		t.Fatal(err)
	}
	if got := alarmsOn(e.src, target.Name); got != polled {
		t.Fatalf("%s has %d alarms after the poll; want the %d polled", target.Name, got, polled)
	}
	post()
	if got := alarmsOn(e.src, target.Name); got != polled {
		t.Errorf("%s has %d alarms after the webhook was replayed; want the cleared alarm to stay cleared (%d)", target.Name, got, polled)
	}
	if got := testutil.ToFloat64(e.metrics.WebhookDropped.WithLabelValues("org", collector.DropDuplicate)); got != 1 {
		t.Errorf("nms_webhook_alarms_dropped_total{source=org,reason=duplicate} = %v; want 1", got)
	}
}

// TestWebhookSiteFilter: a webhook alarm of a site the source's filter
// leaves out is accepted and counted, not kept.
func TestWebhookSiteFilter(t *testing.T) {
	probe := newEnv(t)
	devs := probe.sim.Devices()
	kept, other := devs[0], devs[len(devs)-1]
	if kept.Site == other.Site {
		t.Fatalf("devices %s and %s share a site; the test needs two", kept.Name, other.Name)
	}
	e := newEnvWith(t, "    sites:\n      names: [\""+kept.Site+"\"]\n")
	body := []byte(fmt.Sprintf(`{"topic": "alarms", "events": [
		{"id": "a1", "site_id": %[1]q, "type": "switch_down", "timestamp": %[5]d, "last_seen": %[5]d, "switches": [%[2]q]},
		{"id": "a2", "site_id": %[3]q, "type": "switch_down", "timestamp": %[5]d, "last_seen": %[5]d, "switches": [%[4]q]}]}`,
		kept.SiteID, kept.MAC, other.SiteID, other.MAC, time.Now().Unix()))
	if rec := e.postSigned(e.webhook(nil), body); rec.Code != http.StatusNoContent {
		t.Fatalf("webhook = %d %s; want 204", rec.Code, rec.Body)
	}
	if got := testutil.ToFloat64(e.metrics.WebhookFiltered.WithLabelValues("org")); got != 1 {
		t.Errorf("nms_webhook_alarms_filtered_total{source=org} = %v; want 1", got)
	}
	for _, a := range e.src.Alarms() {
		if a.Site == other.Site {
			t.Errorf("alarm %+v of the filtered site %s is kept", a, other.Site)
		}
	}
	if !strings.Contains(fmt.Sprint(e.src.Alarms()), kept.Name) {
		t.Errorf("alarms %v; want the kept site's webhook alarm", e.src.Alarms())
	}
}

// TestTrackKeepsWebhookSeriesToTheSources: a source that takes webhooks
// has its drop and filter counters at 0 from the start, one per reason; a
// source gone from the config takes its series with it.
func TestTrackKeepsWebhookSeriesToTheSources(t *testing.T) {
	e := newEnv(t)
	e.metrics.Track([]*collector.Source{e.src})
	if n := testutil.CollectAndCount(e.metrics.WebhookDropped); n != len(dropReasons) {
		t.Errorf("nms_webhook_alarms_dropped_total series = %d; want one per reason, %d", n, len(dropReasons))
	}
	if got := testutil.ToFloat64(e.metrics.WebhookFiltered.WithLabelValues(e.src.Name)); got != 0 {
		t.Errorf("nms_webhook_alarms_filtered_total = %v; want 0", got)
	}
	e.metrics.Track(nil)
	if n := testutil.CollectAndCount(e.metrics.WebhookDropped) + testutil.CollectAndCount(e.metrics.WebhookFiltered); n != 0 {
		t.Errorf("webhook alarm series after the source left = %d; want 0", n)
	}
}
