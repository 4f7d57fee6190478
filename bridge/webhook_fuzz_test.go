package bridge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors/mist/mistsim"
)

// newFuzzEnv is newEnv for a testing.TB, so a fuzz test builds it once.
func newFuzzEnv(tb testing.TB) *env {
	tb.Helper()
	sim, err := mistsim.New(mistsim.Options{Seed: 21})
	if err != nil {
		tb.Fatal(err)
	}
	simSrv := httptest.NewServer(sim)
	tb.Cleanup(simSrv.Close)
	am := &fakeAM{}
	amSrv := httptest.NewServer(am)
	tb.Cleanup(amSrv.Close)
	secret := "whsec-0f1e2d3c"
	y := fmt.Sprintf(`mist:
  - name: org
    base_url: %s
    token: %s
    webhook_secret: %s
alertmanager:
  urls: [%s]
  min_severity: info
`, simSrv.URL, sim.Credentials().Token, secret, amSrv.URL)
	cfg, err := config.Parse([]byte(y), "bridge.yml")
	if err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	src, err := collector.NewSource(&cfg.Mist[0], collector.Options{Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range []string{"sites", "devices", "alarms"} {
		if err := src.Refresh(context.Background(), c); err != nil {
			tb.Fatal(err)
		}
	}
	m := collector.NewBridgeMetrics()
	p, err := NewPusher(cfg.Alertmanager, func() []*collector.Source { return []*collector.Source{src} }, m, logger)
	if err != nil {
		tb.Fatal(err)
	}
	return &env{sim: sim, src: src, am: am, pusher: p, metrics: m, secret: secret}
}

func FuzzWebhookHandler(f *testing.F) {
	e := newFuzzEnv(f)
	target := e.sim.Devices()[0]
	alarm := fmt.Sprintf(`{"topic": "alarms", "events": [{"id": "b3f0c2a1-9e8d-4c7b-8a6f-5e4d3c2b1a09", "org_id": %q, "site_id": %q, "type": "switch_down", "count": 1, "timestamp": 1720594000, "last_seen": 1720594000, "switches": [%q]}]}`,
		e.sim.Credentials().OrgID, target.SiteID, target.MAC)
	for _, s := range []string{
		alarm,
		alarm[:len(alarm)/2],
		alarm + "}",
		`{"topic": "alarms", "events": [`,
		`{"topic": "device-events", "events": [{"type": "AP_DISCONNECTED"}]}`,
		`{"topic": "alarms", "events": [{"id": "x", "org_id": "00000000-0000-0000-0000-00000000dead", "type": "gw_down"}]}`,
		`{"topic": "alarms", "events": [{"type": "gw_down"}]}`,
		`{"topic": "alarms", "events": [{"id": "y", "type": "no_such_alarm", "aps": ["aabbccddeeff"]}]}`,
		`{"events": []}`,
		`null`,
		``,
		"\x00\xff",
	} {
		f.Add([]byte(s))
	}
	notified := 0
	h := WebhookHandler("mist", func() []*collector.Source { return []*collector.Source{e.src} }, e.metrics, func() { notified++ }, slog.New(slog.DiscardHandler))

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/mist", bytes.NewReader(body))
		req.Header.Set("X-Mist-Signature-v2", sign(e.secret, body))
		rec := httptest.NewRecorder()
		before := notified
		h.ServeHTTP(rec, req)
		msg, _ := io.ReadAll(rec.Body)
		switch rec.Code {
		case http.StatusNoContent:
			if notified != before+1 {
				t.Errorf("webhook %q accepted without notifying", body)
			}
		case http.StatusBadRequest:
			if notified != before {
				t.Errorf("webhook %q refused but notified", body)
			}
			if !bytes.HasPrefix(msg, []byte("malformed webhook: ")) {
				t.Errorf("webhook %q = 400 %q; want the reason", body, msg)
			}
		case http.StatusRequestEntityTooLarge:
			if len(body) <= MaxWebhookBytes {
				t.Errorf("webhook of %d bytes = 413; want it read", len(body))
			}
		default:
			t.Errorf("signed webhook %q = %d %s; want 204, 400 or 413", body, rec.Code, msg)
		}
	})
}
