package mistsim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsClient is a test's stream connection: a goroutine reads every frame
// into frames, which also lets pings be answered.
type wsClient struct {
	t      *testing.T
	c      *websocket.Conn
	frames chan wsFrame
	done   chan struct{}
}

type wsFrame struct {
	typ websocket.MessageType
	ev  map[string]any
}

func streamURL(h *harness) string { return "ws" + strings.TrimPrefix(h.TS.URL, "http") + StreamPath }

func dialStream(t *testing.T, h *harness, hdr http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, streamURL(h), &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, resp, err
	}
	wc := &wsClient{t: t, c: c, frames: make(chan wsFrame, 4096), done: make(chan struct{})}
	go func() {
		defer close(wc.done)
		for {
			typ, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			var ev map[string]any
			if json.Unmarshal(b, &ev) != nil {
				t.Errorf("stream frame %q is not JSON", b)
				return
			}
			wc.frames <- wsFrame{typ, ev}
		}
	}()
	t.Cleanup(func() { _ = c.CloseNow(); <-wc.done })
	return wc, resp, nil
}

func tokenHeader(h *harness) http.Header {
	return http.Header{"Authorization": {"Token " + h.C.Token}}
}

func (wc *wsClient) send(v any) {
	wc.t.Helper()
	b, _ := json.Marshal(v)
	if err := wc.c.Write(context.Background(), websocket.MessageText, b); err != nil {
		wc.t.Fatalf("stream write: %v", err)
	}
}

// next waits for the next frame that keep accepts.
func (wc *wsClient) next(within time.Duration, keep func(wsFrame) bool) (wsFrame, bool) {
	deadline := time.After(within)
	for {
		select {
		case f := <-wc.frames:
			if keep(f) {
				return f, true
			}
		case <-deadline:
			return wsFrame{}, false
		case <-wc.done:
			return wsFrame{}, false
		}
	}
}

func event(name string) func(wsFrame) bool {
	return func(f wsFrame) bool { return f.ev["event"] == name }
}

// dataDoc decodes a data frame's data, string or object.
func dataDoc(t *testing.T, f wsFrame) map[string]any {
	t.Helper()
	switch d := f.ev["data"].(type) {
	case string:
		var m map[string]any
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("data %q is not a JSON document: %v", d, err)
		}
		return m
	case map[string]any:
		return d
	}
	t.Fatalf("data = %v; want a string or an object", f.ev["data"])
	return nil
}

func streamHarness(t *testing.T, o Options) *harness {
	if o.Stream.Period == 0 {
		o.Stream.Period = 40 * time.Millisecond
	}
	h := newHarness(t, o)
	t.Cleanup(h.S.Close)
	return h
}

func TestStreamAuth(t *testing.T) {
	h := streamHarness(t, Options{Seed: 3})
	if _, resp, err := dialStream(t, h, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("handshake without credentials: %v, %v; want 401", err, resp)
	}
	if _, resp, err := dialStream(t, h, http.Header{"Authorization": {"Token nope"}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("handshake with a bad token: %v; want 401", err)
	}
	if _, _, err := dialStream(t, h, tokenHeader(h)); err != nil {
		t.Errorf("handshake with the token: %v; want 101", err)
	}
	// The login session's cookies do too.
	r := h.Request("POST", "/api/v1/login", fmt.Sprintf(`{"email":%q,"password":%q}`, h.C.Email, h.C.Password), map[string]string{"Authorization": ""})
	if r.Status != http.StatusOK {
		t.Fatalf("login = %d %s", r.Status, r.Body)
	}
	var cookies []string
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	if _, _, err := dialStream(t, h, http.Header{"Cookie": {strings.Join(cookies, "; ")}}); err != nil {
		t.Errorf("handshake with the login cookies: %v; want 101", err)
	}
	o := streamHarness(t, Options{Seed: 3, Stream: StreamOptions{AuthStatus: http.StatusForbidden}})
	if _, resp, err := dialStream(t, o, nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("handshake without credentials with AuthStatus 403: %v; want 403", err)
	}
	if got := h.S.CallsByPath()[StreamPath]; got != 2 {
		t.Errorf("stream handshakes counted = %d; want 2 (one call each)", got)
	}
}

func TestStreamSubscribe(t *testing.T) {
	h := streamHarness(t, Options{Seed: 3})
	wc, _, err := dialStream(t, h, tokenHeader(h))
	if err != nil {
		t.Fatal(err)
	}
	site := h.S.SiteIDs()[0]
	tests := []struct {
		channel, want string
	}{
		{"/sites/" + site + "/stats/devices", "channel_subscribed"},
		{"/sites/" + site + "/stats/clients", "channel_subscribed"},
		{"/orgs/" + h.C.OrgID + "/insights/summary", "channel_subscribed"},
		{"/orgs/" + h.C.OrgID + "/stats/devices", "subscribe_failed"},
		{"/sites/" + site + "/bogus", "subscribe_failed"},
		{"/sites/00000000-0000-0000-0000-000000000000/stats/devices", "subscribe_failed"},
		{"/sites/" + h.S.ForeignSiteIDs()[0] + "/stats/devices", "subscribe_failed"},
	}
	for _, tt := range tests {
		wc.send(map[string]string{"subscribe": tt.channel})
		f, ok := wc.next(2*time.Second, func(f wsFrame) bool { return f.ev["event"] != "data" })
		if !ok || f.ev["event"] != tt.want || f.ev["channel"] != tt.channel {
			t.Errorf("subscribe %s = %v; want %s", tt.channel, f.ev, tt.want)
		}
		// A missing detail decodes as nil, not "": read it as a string.
		if d, _ := f.ev["detail"].(string); tt.want == "subscribe_failed" && d == "" {
			t.Errorf("subscribe_failed for %s without a detail: %v", tt.channel, f.ev)
		}
	}
	// Data frames: strings holding partial documents keyed by mac; APs
	// alternate basic and full messages.
	seen := map[string]map[string]int{}
	ch := "/sites/" + site + "/stats/devices"
	for len(seen) < 5 {
		f, ok := wc.next(2*time.Second, event("data"))
		if !ok {
			t.Fatalf("no data frames on %s", ch)
		}
		if f.ev["channel"] != ch || f.typ != websocket.MessageText {
			t.Fatalf("data frame channel %v, type %v; want %s, text", f.ev["channel"], f.typ, ch)
		}
		if _, ok := f.ev["data"].(string); !ok {
			t.Fatalf("data = %T; want a JSON-encoded string", f.ev["data"])
		}
		doc := dataDoc(t, f)
		mac, _ := doc["mac"].(string)
		if mac == "" || doc["id"] != nil || doc["site_id"] != nil || doc["name"] != nil {
			t.Fatalf("data doc %v; want mac and no id, site_id or name", doc)
		}
		if seen[mac] == nil {
			seen[mac] = map[string]int{}
		}
		for k := range doc {
			if strings.HasPrefix(k, "_offset_") {
				seen[mac][k]++
			}
		}
	}
	basic, full := 0, 0
	for mac, kinds := range seen {
		basic += kinds["_offset_apbasic"]
		full += kinds["_offset_apstats"]
		if len(kinds) != 1 && kinds["_offset_devstats"] > 0 {
			t.Errorf("%s mixes switch and AP messages: %v", mac, kinds)
		}
	}
	if basic == 0 {
		t.Errorf("no AP basic messages among %v", seen)
	}
	_ = full

	// After unsubscribing, no more data.
	wc.send(map[string]string{"unsubscribe": ch})
	time.Sleep(100 * time.Millisecond)
	for len(wc.frames) > 0 {
		<-wc.frames
	}
	if f, ok := wc.next(300*time.Millisecond, event("data")); ok {
		t.Errorf("data after unsubscribe: %v", f.ev)
	}
}

func TestStreamDataForms(t *testing.T) {
	h := streamHarness(t, Options{Seed: 3, Stream: StreamOptions{DataObject: true, Binary: true}})
	wc, _, err := dialStream(t, h, tokenHeader(h))
	if err != nil {
		t.Fatal(err)
	}
	wc.send(map[string]string{"subscribe": "/sites/" + h.S.SiteIDs()[0] + "/stats/devices"})
	fulls := 0
	for i := 0; i < 40 && fulls == 0; i++ {
		f, ok := wc.next(2*time.Second, event("data"))
		if !ok {
			t.Fatal("no data frames")
		}
		if f.typ != websocket.MessageBinary {
			t.Fatalf("frame type %v; want binary", f.typ)
		}
		doc, ok := f.ev["data"].(map[string]any)
		if !ok {
			t.Fatalf("data = %T; want an object", f.ev["data"])
		}
		if doc["_offset_apstats"] != nil {
			fulls++
			if doc["radio_stat"] == nil || doc["model"] == nil {
				t.Errorf("full AP message %v; want radio_stat and model", doc)
			}
		}
	}
	if fulls == 0 {
		t.Errorf("no full AP message in 40 frames")
	}
}

func TestStreamStepPush(t *testing.T) {
	// A long period: only a push can bring the change in time.
	h := streamHarness(t, Options{Seed: 3, Stream: StreamOptions{Period: time.Hour}})
	wc, _, err := dialStream(t, h, tokenHeader(h))
	if err != nil {
		t.Fatal(err)
	}
	for _, site := range h.S.SiteIDs() {
		wc.send(map[string]string{"subscribe": "/sites/" + site + "/stats/devices"})
		if _, ok := wc.next(2*time.Second, event("channel_subscribed")); !ok {
			t.Fatal("no channel_subscribed")
		}
	}
	before := map[string]bool{}
	for _, d := range h.S.Devices() {
		before[d.MAC] = d.Connected
	}
	h.S.Step()
	var downs []string
	for _, d := range h.S.Devices() {
		if before[d.MAC] && !d.Connected {
			downs = append(downs, d.MAC)
		}
	}
	if len(downs) == 0 {
		t.Fatal("Step took no device down")
	}
	start := time.Now()
	f, ok := wc.next(time.Second, func(f wsFrame) bool {
		return f.ev["event"] == "data" && dataDoc(t, f)["status"] == "disconnected"
	})
	if !ok {
		t.Fatalf("no disconnected message within 1s of Step (down: %v)", downs)
	}
	if mac := dataDoc(t, f)["mac"]; mac != downs[0] && !contains(downs, fmt.Sprint(mac)) {
		t.Errorf("pushed down for %v; want one of %v", mac, downs)
	}
	t.Logf("pushed in %v", time.Since(start))
	// And back up: a full message at once.
	if err := h.S.SetDeviceConnected(downs[0], true); err != nil {
		t.Fatal(err)
	}
	if _, ok := wc.next(time.Second, func(f wsFrame) bool {
		d := dataDoc(t, f)
		return f.ev["event"] == "data" && d["mac"] == downs[0] && d["status"] == nil
	}); !ok {
		t.Errorf("no message for %s within 1s of coming back", downs[0])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStreamChannelLimit(t *testing.T) {
	h := streamHarness(t, Options{Seed: 3, Stream: StreamOptions{MaxChannels: 2}})
	wc, _, err := dialStream(t, h, tokenHeader(h))
	if err != nil {
		t.Fatal(err)
	}
	sites := h.S.SiteIDs()
	want := []string{"channel_subscribed", "channel_subscribed", "channel_subscribed", "subscribe_failed"}
	chans := []string{"/sites/" + sites[0] + "/stats/devices", "/sites/" + sites[1] + "/stats/devices",
		"/sites/" + sites[1] + "/stats/devices", "/sites/" + sites[2] + "/stats/devices"}
	for i, ch := range chans {
		wc.send(map[string]string{"subscribe": ch})
		f, ok := wc.next(2*time.Second, func(f wsFrame) bool { return f.ev["event"] != "data" })
		if !ok || f.ev["event"] != want[i] {
			t.Errorf("subscribe %d (%s) = %v; want %s", i+1, ch, f.ev, want[i])
		}
	}
}

func TestStreamFaults(t *testing.T) {
	h := streamHarness(t, Options{Seed: 3})
	wc, _, err := dialStream(t, h, tokenHeader(h))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := wc.c.Ping(ctx); err != nil {
		t.Errorf("ping: %v; want a pong", err)
	}
	h.S.SetFaults(Faults{StreamDrop: true})
	select {
	case <-wc.done:
	case <-time.After(2 * time.Second):
		t.Errorf("stream_drop: the connection is still open after 2s")
	}
	h.S.SetFaults(Faults{StreamRefuse: true})
	if _, resp, err := dialStream(t, h, tokenHeader(h)); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("stream_refuse handshake: %v; want 429", err)
	}
	h.S.SetFaults(Faults{StreamRefuse: true, StreamRefuseStatus: http.StatusServiceUnavailable})
	if _, resp, err := dialStream(t, h, tokenHeader(h)); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("stream_refuse with status 503: %v; want 503", err)
	}
	h.S.SetFaults(Faults{})
	if _, _, err := dialStream(t, h, tokenHeader(h)); err != nil {
		t.Errorf("handshake after the faults cleared: %v", err)
	}
}

// TestStreamClose checks that Close ends every connection's goroutines,
// with clients still attached and pushes in flight.
func TestStreamClose(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, Stream: StreamOptions{Period: 10 * time.Millisecond}})
	var wg sync.WaitGroup
	for range 4 {
		wc, _, err := dialStream(t, h, tokenHeader(h))
		if err != nil {
			t.Fatal(err)
		}
		wc.send(map[string]string{"subscribe": "/sites/" + h.S.SiteIDs()[0] + "/stats/devices"})
		wg.Add(1)
		go func() { defer wg.Done(); h.S.Step() }()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { h.S.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}
