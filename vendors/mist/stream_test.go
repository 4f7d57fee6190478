package mist

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// recorder is a StreamHandler that keeps everything it is told.
type recorder struct {
	mu         sync.Mutex
	updates    []DeviceUpdate
	up         map[int]bool
	ups, downs int
	failed     []string
	bad        []error
	reconnects []reconnect
}

type reconnect struct {
	conn int
	err  error
	wait time.Duration
}

func newRecorder() *recorder { return &recorder{up: map[int]bool{}} }

func (r *recorder) Connected(conn int, up bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.up[conn] = up
	if up {
		r.ups++
	} else {
		r.downs++
	}
}

func (r *recorder) Update(u DeviceUpdate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, u)
}

func (r *recorder) SubscribeFailed(channel, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, channel+": "+detail)
}

func (r *recorder) BadFrame(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = append(r.bad, err)
}

func (r *recorder) Reconnecting(conn int, err error, wait time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reconnects = append(r.reconnects, reconnect{conn, err, wait})
}

// waitFor polls the recorder until cond holds, failing the test after
// within.
func (r *recorder) waitFor(t *testing.T, within time.Duration, what string, cond func(r *recorder) bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r.mu.Lock()
		ok := cond(r)
		r.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("not within %s: %s (updates %d, ups %d, failed %v, bad %v, reconnects %v)", within, what, len(r.updates), r.ups, r.failed, r.bad, r.reconnects)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *recorder) snapshot() recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return recorder{updates: append([]DeviceUpdate(nil), r.updates...), ups: r.ups, downs: r.downs,
		failed: append([]string(nil), r.failed...), bad: append([]error(nil), r.bad...),
		reconnects: append([]reconnect(nil), r.reconnects...)}
}

// streamSim serves a simulator whose stream connections end with the test.
func streamSim(t *testing.T, so mistsim.StreamOptions) (*mistsim.Server, string) {
	t.Helper()
	sim, base := vendortest.Serve(t, mistsim.New, mistsim.Options{Seed: 5, Stream: so})
	t.Cleanup(sim.Close)
	return sim, base
}

// streaming runs Stream on every site of a simulator made with so until the
// test ends, the client's config section completed by extra.
func streaming(t *testing.T, so mistsim.StreamOptions, extra string) (*mistsim.Server, *recorder) {
	t.Helper()
	sim, base := streamSim(t, so)
	c, _ := newClient(t, mistConfig(t, base, extra, sim.Credentials()))
	h := newRecorder()
	runStream(t, c, sim.SiteIDs(), h)
	return sim, h
}

// quickStream shortens the client's backoff so that reconnects do not slow
// the tests; the waits after 429 and refused credentials stay.
func quickStream(c *Client) {
	c.stream.backoffBase = 10 * time.Millisecond
	c.stream.backoffMax = 50 * time.Millisecond
}

// nilWithin checks that errs gives nil within d; what names the wait.
func nilWithin(t *testing.T, errs <-chan error, d time.Duration, what string) {
	t.Helper()
	select {
	case err := <-errs:
		if err != nil {
			t.Errorf("%s = %v; want nil", what, err)
		}
	case <-time.After(d):
		t.Errorf("%s: nothing in %v", what, d)
	}
}

// runStream runs Stream until the test ends, and checks it returns nil
// soon after its context does.
func runStream(t *testing.T, c *Client, sites []string, h StreamHandler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Stream(ctx, sites, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			nilWithin(t, done, 5*time.Second, "Stream() after cancel")
		})
	}
	t.Cleanup(stop)
	return stop
}

func macsOf(sim *mistsim.Server) map[string]mistsim.DeviceInfo {
	m := map[string]mistsim.DeviceInfo{}
	for _, d := range sim.Devices() {
		m[d.MAC] = d
	}
	return m
}

func TestStreamURL(t *testing.T) {
	for _, tc := range []struct{ name, section, want string }{
		{"default cloud", "", "wss://api-ws.mist.com/api-ws/v1/stream"},
		{"emea01", "    cloud: emea01\n", "wss://api-ws.eu.mist.com/api-ws/v1/stream"},
		{"apac03", "    cloud: apac03\n", "wss://api-ws.gc7.mist.com/api-ws/v1/stream"},
		{"base url with port", "    base_url: https://api.gc1.mist.com:8443/\n", "wss://api-ws.gc1.mist.com:8443/api-ws/v1/stream"},
		{"loopback simulator", "    base_url: http://127.0.0.1:8080\n", "ws://127.0.0.1:8080/api-ws/v1/stream"},
		{"IPv6 loopback", "    base_url: http://[::1]:8080\n", "ws://[::1]:8080/api-ws/v1/stream"},
		{"proxy path kept", "    base_url: https://proxy.example.com/mist/\n", "wss://proxy.example.com/mist/api-ws/v1/stream"},
		{"set", "    stream:\n      url: wss://ws.example.com/stream\n", "wss://ws.example.com/stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &vendortest.Parse(t, "mist:\n  - name: a\n    token: t\n"+tc.section, "m.yml").Mist[0]
			got, err := StreamURL(cfg)
			if err != nil || got != tc.want {
				t.Errorf("StreamURL() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := StreamURL(&config.Mist{BaseURL: "ftp://api.mist.com"}); err == nil {
		t.Error("StreamURL(ftp://...) = nil error; want one")
	}
	if _, err := StreamURL(&config.Mist{Stream: config.MistStream{URL: "wss://u:secret@h/x"}}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("StreamURL(url with credentials) = %v; want an error without them", err)
	}
}

// checkUpdates checks that updates name devices of the simulator on their
// own site, and returns the MACs seen.
func checkUpdates(t *testing.T, sim *mistsim.Server, ups []DeviceUpdate) map[string]bool {
	t.Helper()
	devs := macsOf(sim)
	seen := map[string]bool{}
	for _, u := range ups {
		d, ok := devs[u.MAC]
		if !ok {
			t.Errorf("update for %q, not a device of the simulator", u.MAC)
			continue
		}
		if u.SiteID != d.SiteID {
			t.Errorf("update for %s on site %s; the device is on %s", u.MAC, u.SiteID, d.SiteID)
		}
		if u.Received.IsZero() {
			t.Errorf("update for %s without a received time", u.MAC)
		}
		seen[u.MAC] = true
	}
	return seen
}

func TestStreamTokenAndLogin(t *testing.T) {
	for _, login := range []bool{false, true} {
		t.Run(fmt.Sprint("login=", login), func(t *testing.T) {
			sim, base := streamSim(t, mistsim.StreamOptions{Period: 50 * time.Millisecond})
			cfg := mistConfig(t, base, "", sim.Credentials())
			if login {
				cfg = loginConfig(t, base, sim.Credentials())
			}
			c, budget := newClient(t, cfg)
			h := newRecorder()
			runStream(t, c, sim.SiteIDs(), h)
			h.waitFor(t, 5*time.Second, "connected and 20 devices heard", func(r *recorder) bool {
				return r.up[0] && len(checkUpdates(t, sim, r.updates)) >= 20
			})
			s := h.snapshot()
			if len(s.bad) > 0 || len(s.failed) > 0 || len(s.reconnects) > 0 {
				t.Errorf("bad frames %v, failed %v, reconnects %v; want none", s.bad, s.failed, s.reconnects)
			}
			if got := sim.CallsByPath()[mistsim.StreamPath]; got != 1 {
				t.Errorf("handshakes = %d; want 1, subscribing every site on one connection", got)
			}
			if got := budget.Counts().HourUsed; got < 1 {
				t.Errorf("budget counts %d calls; want the handshake counted", got)
			}
		})
	}
}

func TestStreamDataForms(t *testing.T) {
	for _, so := range []mistsim.StreamOptions{
		{},
		{DataObject: true},
		{Binary: true},
		{DataObject: true, Binary: true},
	} {
		t.Run(fmt.Sprintf("object=%v,binary=%v", so.DataObject, so.Binary), func(t *testing.T) {
			so.Period = 40 * time.Millisecond
			sim, h := streaming(t, so, "")
			// An AP's basic message has no num_clients, its full one has:
			// both kinds must come, and the basic one must not read as 0.
			h.waitFor(t, 5*time.Second, "basic and full messages", func(r *recorder) bool {
				basic, full := false, false
				for _, u := range r.updates {
					if u.Version != nil && u.IP != nil && u.Uptime != nil && u.LastSeen != nil && u.NumClients == nil {
						basic = true
					}
					if u.NumClients != nil && u.Uptime != nil {
						full = true
					}
				}
				return basic && full
			})
			s := h.snapshot()
			checkUpdates(t, sim, s.updates)
			if len(s.bad) > 0 {
				t.Errorf("bad frames %v; want none", s.bad)
			}
			for _, u := range s.updates {
				if u.Status != nil {
					t.Errorf("update for %s has status %q; nothing went down", u.MAC, *u.Status)
				}
			}
		})
	}
}

func TestStreamAuthRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int // AuthStatus
		want   int
		login  bool
	}{
		{"bad token 401", 0, http.StatusUnauthorized, false},
		{"bad token 403", http.StatusForbidden, http.StatusForbidden, false},
		{"bad password", 0, http.StatusBadRequest, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, base := streamSim(t, mistsim.StreamOptions{Period: 50 * time.Millisecond, AuthStatus: tc.status})
			cr := sim.Credentials()
			var cfg *config.Mist
			secret := "not-the-secret-xyz"
			if tc.login {
				cr.Password = secret
				cfg = loginConfig(t, base, cr)
			} else {
				cr.Token = secret
				cfg = mistConfig(t, base, "", cr)
			}
			c, _ := newClient(t, cfg)
			quickStream(c)
			h := newRecorder()
			runStream(t, c, sim.SiteIDs(), h)
			h.waitFor(t, 2*time.Second, "a reconnect reported", func(r *recorder) bool { return len(r.reconnects) > 0 })
			time.Sleep(300 * time.Millisecond)
			s := h.snapshot()
			if len(s.reconnects) != 1 {
				t.Fatalf("reconnects = %v; want one, then a long wait", s.reconnects)
			}
			rc := s.reconnects[0]
			vendortest.CheckError(t, "Stream", rc.err, tc.want, "", secret)
			if rc.wait != c.stream.authWait || rc.wait < 10*time.Minute {
				t.Errorf("wait after %v = %v; want %v", rc.err, rc.wait, c.stream.authWait)
			}
			if s.ups > 0 || len(s.updates) > 0 {
				t.Errorf("connected %d times with %d updates; want none", s.ups, len(s.updates))
			}
		})
	}
}

func TestStreamChannelLimit(t *testing.T) {
	t.Run("several connections", func(t *testing.T) {
		sim, h := streaming(t, mistsim.StreamOptions{Period: 50 * time.Millisecond, MaxChannels: 1}, "    stream:\n      channels_per_connection: 1\n")
		n := len(sim.SiteIDs())
		h.waitFor(t, 5*time.Second, "every connection up and every site heard", func(r *recorder) bool {
			sites := map[string]bool{}
			for _, u := range r.updates {
				sites[u.SiteID] = true
			}
			return r.ups == n && len(sites) == n
		})
		if got := sim.CallsByPath()[mistsim.StreamPath]; got != n {
			t.Errorf("handshakes = %d; want %d, one a site", got, n)
		}
		if s := h.snapshot(); len(s.failed) > 0 {
			t.Errorf("failed subscribes %v; want none", s.failed)
		}
	})
	t.Run("failures reported", func(t *testing.T) {
		sim, h := streaming(t, mistsim.StreamOptions{Period: 50 * time.Millisecond, MaxChannels: 2}, "")
		n := len(sim.SiteIDs())
		h.waitFor(t, 5*time.Second, "the connection up with its refusals", func(r *recorder) bool { return r.ups == 1 && len(r.failed) == n-2 })
		time.Sleep(200 * time.Millisecond)
		s := h.snapshot()
		if !strings.Contains(s.failed[0], "too many channels") {
			t.Errorf("failed subscribe %q; want the server's detail", s.failed[0])
		}
		if len(s.failed) != n-2 || len(s.reconnects) > 0 {
			t.Errorf("failed %v, reconnects %v; want %d failures, not asked again", s.failed, s.reconnects, n-2)
		}
	})
}

// downs steps the simulator until a device goes down, returning those that
// did.
func downs(t *testing.T, sim *mistsim.Server) map[string]bool {
	t.Helper()
	for range 20 {
		before := macsOf(sim)
		sim.Step()
		down := map[string]bool{}
		for mac, d := range macsOf(sim) {
			if before[mac].Connected && !d.Connected {
				down[mac] = true
			}
		}
		if len(down) > 0 {
			return down
		}
	}
	t.Fatal("20 steps took no device down")
	return nil
}

func TestStreamDeviceDownPushed(t *testing.T) {
	// An hour's period: only the push can bring the change in time.
	sim, h := streaming(t, mistsim.StreamOptions{Period: time.Hour}, "")
	h.waitFor(t, 5*time.Second, "connected", func(r *recorder) bool { return r.up[0] })
	down := downs(t, sim)
	h.waitFor(t, time.Second, "a disconnected update", func(r *recorder) bool {
		for _, u := range r.updates {
			if down[u.MAC] && u.Status != nil && *u.Status == "disconnected" {
				return true
			}
		}
		return false
	})
}

func TestStreamSilentDown(t *testing.T) {
	sim, h := streaming(t, mistsim.StreamOptions{Period: 60 * time.Millisecond, SilentDown: true}, "")
	h.waitFor(t, 5*time.Second, "devices heard", func(r *recorder) bool { return len(r.updates) > 40 })
	down := downs(t, sim)
	// A frame sent just before the step may still be on its way.
	cutoff := time.Now().Add(100 * time.Millisecond)
	h.waitFor(t, 5*time.Second, "devices still up heard after the step", func(r *recorder) bool {
		n := 0
		for _, u := range r.updates {
			if u.Received.After(cutoff) && !down[u.MAC] {
				n++
			}
		}
		return n > 40
	})
	for _, u := range h.snapshot().updates {
		if u.Status != nil {
			t.Errorf("update for %s with status %q; want silence", u.MAC, *u.Status)
		}
		if down[u.MAC] && u.Received.After(cutoff) {
			t.Errorf("update for %s, down, at %v; want silence", u.MAC, u.Received)
		}
	}
}

func TestStreamDropReconnects(t *testing.T) {
	sim, base := streamSim(t, mistsim.StreamOptions{Period: 50 * time.Millisecond})
	c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
	quickStream(c)
	h := newRecorder()
	runStream(t, c, sim.SiteIDs(), h)
	h.waitFor(t, 5*time.Second, "connected", func(r *recorder) bool { return r.up[0] && len(r.updates) > 0 })
	sim.SetFaults(mistsim.Faults{StreamDrop: true})
	h.waitFor(t, 5*time.Second, "the drop reported", func(r *recorder) bool { return len(r.reconnects) > 0 && r.downs > 0 })
	sim.SetFaults(mistsim.Faults{})
	since := time.Now()
	h.waitFor(t, 5*time.Second, "connected again, updates resumed", func(r *recorder) bool {
		n := 0
		for _, u := range r.updates {
			if u.Received.After(since) {
				n++
			}
		}
		return r.up[0] && r.ups >= 2 && n > 10
	})
	s := h.snapshot()
	if got := sim.CallsByPath()[mistsim.StreamPath]; got < 2 {
		t.Errorf("handshakes = %d; want a new one after the drop", got)
	}
	for _, rc := range s.reconnects {
		if rc.wait > c.stream.backoffMax {
			t.Errorf("wait after a drop = %v; want the backoff, at most %v", rc.wait, c.stream.backoffMax)
		}
	}
}

func TestStreamThrottledHandshake(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  mistsim.Faults
		atLeast time.Duration
		status  int
	}{
		{"stream_refuse", mistsim.Faults{StreamRefuse: true}, 30 * time.Second, http.StatusTooManyRequests},
		{"throttle", mistsim.Faults{RateLimit: true}, 30 * time.Second, http.StatusTooManyRequests},
		{"stream_refuse 503", mistsim.Faults{StreamRefuse: true, StreamRefuseStatus: http.StatusServiceUnavailable}, 0, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, base := streamSim(t, mistsim.StreamOptions{Period: 50 * time.Millisecond})
			c, _ := newClient(t, mistConfig(t, base, "", sim.Credentials()))
			quickStream(c)
			// The waits are recorded, not slept.
			var mu sync.Mutex
			var slept []time.Duration
			c.stream.sleep = func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				slept = append(slept, d)
				mu.Unlock()
				return vendors.SleepContext(ctx, 5*time.Millisecond)
			}
			sim.SetFaults(tc.faults)
			h := newRecorder()
			runStream(t, c, sim.SiteIDs(), h)
			h.waitFor(t, 5*time.Second, "a refusal reported", func(r *recorder) bool { return len(r.reconnects) > 0 })
			sim.SetFaults(mistsim.Faults{})
			h.waitFor(t, 5*time.Second, "connected once the refusals end", func(r *recorder) bool { return r.up[0] })
			s := h.snapshot()
			rc := s.reconnects[0]
			if got := vendors.StatusCode(rc.err); got != tc.status {
				t.Errorf("refusal = %v; want HTTP %d", rc.err, tc.status)
			}
			mu.Lock()
			defer mu.Unlock()
			if rc.wait < tc.atLeast || slept[0] != rc.wait {
				t.Errorf("wait = %v, slept %v; want at least %v, slept as reported", rc.wait, slept[0], tc.atLeast)
			}
			if tc.atLeast == 0 && rc.wait > c.stream.backoffMax {
				t.Errorf("wait after %d = %v; want the backoff", tc.status, rc.wait)
			}
		})
	}
}

func TestStreamBackoffDoubles(t *testing.T) {
	c := &Client{cfg: &config.Mist{}, stream: defaultStreamTiming()}
	want := []time.Duration{2, 4, 8, 16, 32, 64, 120, 120}
	for i, w := range want {
		if got := c.streamWait(errors.New("dropped"), i); got != w*time.Second {
			t.Errorf("streamWait(failure %d) = %v; want %v", i, got, w*time.Second)
		}
	}
	if got := c.streamWait(errors.New("dropped"), 1000); got != 2*time.Minute {
		t.Errorf("streamWait(failure 1000) = %v; want the cap", got)
	}
	retry := &vendors.APIError{StatusCode: http.StatusTooManyRequests, RetryAfter: 90 * time.Second}
	if got := c.streamWait(retry, 0); got != 90*time.Second {
		t.Errorf("streamWait(429 with Retry-After 90s) = %v; want 90s", got)
	}
	if got := c.streamWait(fmt.Errorf("x: %w", &vendors.APIError{StatusCode: http.StatusForbidden}), 0); got != 10*time.Minute {
		t.Errorf("streamWait(403) = %v; want 10m", got)
	}
}

func TestStreamCancelEndsEverything(t *testing.T) {
	sim, base := streamSim(t, mistsim.StreamOptions{Period: 20 * time.Millisecond})
	c, _ := newClient(t, mistConfig(t, base, "    stream:\n      channels_per_connection: 1\n", sim.Credentials()))
	before := runtime.NumGoroutine()
	h := newRecorder()
	stop := runStream(t, c, sim.SiteIDs(), h)
	n := len(sim.SiteIDs())
	h.waitFor(t, 5*time.Second, "every connection up", func(r *recorder) bool { return r.ups == n && len(r.updates) > 0 })
	stop()
	if s := h.snapshot(); s.downs != n {
		t.Errorf("connections reported down = %d; want %d", s.downs, n)
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines = %d; want at most %d as before the stream\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStreamPings checks both sides of the keepalive against a server of
// the test's own: one that answers pings and sends its own, and one that
// never reads, so no pong comes.
func TestStreamPings(t *testing.T) {
	for _, deaf := range []bool{false, true} {
		t.Run(fmt.Sprint("deaf=", deaf), func(t *testing.T) {
			serverPing := make(chan error, 1)
			quit := make(chan struct{})
			base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws, err := websocket.Accept(w, r, nil)
				if err != nil {
					return
				}
				defer func() { _ = ws.CloseNow() }()
				if deaf {
					<-quit
					return
				}
				go func() {
					ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
					defer cancel()
					select {
					case serverPing <- ws.Ping(ctx):
					default:
					}
				}()
				for {
					_, b, err := ws.Read(r.Context())
					if err != nil {
						return
					}
					ch := strings.TrimSuffix(strings.TrimPrefix(string(b), `{"subscribe":"`), `"}`)
					_ = ws.Write(r.Context(), websocket.MessageText, []byte(`{"event":"channel_subscribed","channel":"`+ch+`"}`))
				}
			}))
			t.Cleanup(func() { close(quit) })
			c, _ := newClient(t, mistSection(t, base, "    token: t\n"))
			c.stream.pingEvery = 20 * time.Millisecond
			c.stream.pongTimeout = 100 * time.Millisecond
			quickStream(c)
			h := newRecorder()
			runStream(t, c, []string{"s1"}, h)
			if deaf {
				h.waitFor(t, 3*time.Second, "no pong reported", func(r *recorder) bool {
					return len(r.reconnects) > 0 && strings.Contains(r.reconnects[0].err.Error(), "no pong")
				})
				return
			}
			h.waitFor(t, 3*time.Second, "connected", func(r *recorder) bool { return r.up[0] })
			nilWithin(t, serverPing, 3*time.Second, "server ping")
			time.Sleep(200 * time.Millisecond) // ten client pings
			if s := h.snapshot(); len(s.reconnects) > 0 {
				t.Errorf("reconnects %v; want the pinged connection kept", s.reconnects)
			}
		})
	}
}

// TestStreamAckTimeout: a server that answers no subscribe is dropped and
// dialled again.
func TestStreamAckTimeout(t *testing.T) {
	var mu sync.Mutex
	dials := 0
	base := vendortest.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		mu.Lock()
		dials++
		mu.Unlock()
		defer func() { _ = ws.CloseNow() }()
		for {
			if _, _, err := ws.Read(r.Context()); err != nil {
				return
			}
		}
	}))
	c, _ := newClient(t, mistSection(t, base, "    token: t\n"))
	c.stream.ackTimeout = 50 * time.Millisecond
	quickStream(c)
	h := newRecorder()
	runStream(t, c, []string{"s1", "s2"}, h)
	h.waitFor(t, 3*time.Second, "two ack timeouts", func(r *recorder) bool { return len(r.reconnects) >= 2 })
	s := h.snapshot()
	if !strings.Contains(s.reconnects[0].err.Error(), "0 of 2 subscribes answered") {
		t.Errorf("reconnect for %v; want the subscribes unanswered", s.reconnects[0].err)
	}
	mu.Lock()
	defer mu.Unlock()
	if dials < 2 {
		t.Errorf("dials = %d; want a new connection after the timeout", dials)
	}
}

func TestStreamDisabled(t *testing.T) {
	c, _ := newClient(t, mistSection(t, "http://127.0.0.1:1", "    token: t\n    stream:\n      enabled: false\n"))
	if err := c.Stream(context.Background(), []string{"s"}, newRecorder()); err == nil {
		t.Error("Stream() with the stream disabled = nil; want an error")
	}
}

// TestStreamTLS: over https the stream is wss, and the upgrade must go
// over HTTP/1.1 although the client tries HTTP/2 first.
func TestStreamTLS(t *testing.T) {
	sim, err := mistsim.New(mistsim.Options{Seed: 5, Stream: mistsim.StreamOptions{Period: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	c, _ := newClient(t, mistConfig(t, srv.URL, "    tls:\n      insecure_skip_verify: true\n", sim.Credentials()))
	if u, _ := StreamURL(c.cfg); !strings.HasPrefix(u, "wss://") {
		t.Fatalf("StreamURL() = %q; want wss", u)
	}
	h := newRecorder()
	runStream(t, c, sim.SiteIDs(), h)
	h.waitFor(t, 5*time.Second, "connected with updates", func(r *recorder) bool { return r.up[0] && len(r.updates) > 0 })
}
