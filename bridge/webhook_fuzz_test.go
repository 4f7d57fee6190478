package bridge

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
)

func FuzzWebhookHandler(f *testing.F) {
	e := newEnv(f)
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
	h := e.webhook(func() { notified++ })

	f.Fuzz(func(t *testing.T, body []byte) {
		before := notified
		rec := e.postSigned(h, body)
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
