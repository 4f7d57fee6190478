package mistsim

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// StreamPath is where the WebSocket stream (mist.md section 15) is served.
// The real one is on the REST host with api. changed to api-ws.; a loopback
// simulator has one host, so the stream is on the same listener and only
// the path tells it apart.
const StreamPath = "/api-ws/v1/stream"

// Stream defaults: the period is what a third party observed (20-30 s per
// device), the channel limit Juniper's per connection.
const (
	DefaultStreamPeriod      = 30 * time.Second
	DefaultStreamMaxChannels = 2000
)

// StreamOptions shape the WebSocket stream where the spec leaves a choice.
type StreamOptions struct {
	// Period is how often each device reports (0 = 30 s), each one
	// within ±20 % of it, fixed by its MAC.
	Period time.Duration
	// MaxChannels is the most channels one connection may hold (0 = 2000);
	// a subscribe beyond it fails.
	MaxChannels int
	// AuthStatus answers a handshake without valid credentials (0 = 401):
	// the real status is not documented.
	AuthStatus int
	// DataObject sends data as a JSON object, as the spec's command
	// examples do, instead of a JSON-encoded string, as stats channels do.
	DataObject bool
	// Binary sends frames as binary messages (UTF-8 JSON), which real
	// clients have had to accept, instead of text.
	Binary bool
	// SilentDown sends nothing when a device goes down: its messages
	// stop. By default a message with status "disconnected" is pushed at
	// once, so that a test sees the change without waiting for silence.
	SilentDown bool
}

// streamHub tracks the open stream connections, for pushes at Step and
// for Close.
type streamHub struct {
	mu    sync.Mutex
	conns map[*streamConn]struct{}
	wg    sync.WaitGroup
	seq   atomic.Int64 // _offset_* values, growing over all messages
}

type streamSub struct {
	site int
	next map[int32]time.Time // when each device reports next
	full map[int32]bool      // an AP's next message is its full one
}

type streamConn struct {
	s      *Server
	c      *websocket.Conn
	cancel context.CancelFunc
	typ    websocket.MessageType

	mu      sync.Mutex // guards subs and pending
	subs    map[string]*streamSub
	pending []int32 // devices whose state changed, to push at once
	kick    chan struct{}
}

// serveStream is the handshake: credentials (token or login cookies) as
// for REST, the call counted and charged, then the upgrade.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, f Faults, match bool) {
	now := s.now()
	rc := &reqCtx{r: r, tmpl: StreamPath, now: now, nowMs: now.UnixMilli(), opts: &s.opts}
	if match && f.StreamRefuse {
		st := f.StreamRefuseStatus
		if st == 0 {
			st = http.StatusTooManyRequests
		}
		s.write(w, detail(st, s.rateLimitMsg()), Faults{})
		return
	}
	if resp, ok := s.authenticate(rc); !ok {
		if st := s.opts.Stream.AuthStatus; st != 0 && resp.status == http.StatusUnauthorized {
			resp.status = st
		}
		s.write(w, resp, Faults{})
		return
	}
	if resp, ok := s.admit(rc, match && f.RateLimit, f.RetryAfter); !ok {
		s.write(w, resp, Faults{})
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return // Accept has answered
	}
	ctx, cancel := context.WithCancel(context.Background())
	sc := &streamConn{s: s, c: c, cancel: cancel, typ: websocket.MessageText, subs: map[string]*streamSub{}, kick: make(chan struct{}, 1)}
	if s.opts.Stream.Binary {
		sc.typ = websocket.MessageBinary
	}
	h := &s.hub
	h.mu.Lock()
	if h.conns == nil {
		h.conns = map[*streamConn]struct{}{}
	}
	h.conns[sc] = struct{}{}
	h.wg.Add(2)
	h.mu.Unlock()
	defer h.wg.Done()
	go func() { defer h.wg.Done(); sc.readLoop(ctx) }()
	sc.sendLoop(ctx)
	cancel()
	_ = c.CloseNow()
	h.mu.Lock()
	delete(h.conns, sc)
	h.mu.Unlock()
}

// StreamChannels lists the channels subscribed on the open stream
// connections, sorted, a channel once per connection holding it.
func (s *Server) StreamChannels() []string {
	h := &s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for sc := range h.conns {
		sc.mu.Lock()
		for ch := range sc.subs {
			out = append(out, ch)
		}
		sc.mu.Unlock()
	}
	slices.Sort(out)
	return out
}

// Close ends every stream connection and waits for their goroutines.
func (s *Server) Close() {
	h := &s.hub
	h.mu.Lock()
	for sc := range h.conns {
		sc.cancel()
		_ = sc.c.CloseNow()
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// pushStream hands devices whose state changed to every connection, which
// sends them at once where it subscribed to their site.
func (s *Server) pushStream(changed []int32) {
	if len(changed) == 0 {
		return
	}
	h := &s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	for sc := range h.conns {
		sc.mu.Lock()
		sc.pending = append(sc.pending, changed...)
		sc.mu.Unlock()
		select {
		case sc.kick <- struct{}{}:
		default:
		}
	}
}

func (sc *streamConn) send(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return sc.c.Write(ctx, sc.typ, b)
}

type streamEvent struct {
	Event   string `json:"event"`
	Channel string `json:"channel"`
	Detail  string `json:"detail,omitempty"`
	Data    any    `json:"data,omitempty"`
}

// readLoop takes subscribes and unsubscribes; reading also answers pings.
func (sc *streamConn) readLoop(ctx context.Context) {
	defer sc.cancel()
	for {
		_, b, err := sc.c.Read(ctx)
		if err != nil {
			return
		}
		var msg struct {
			Subscribe   *string `json:"subscribe"`
			Unsubscribe *string `json:"unsubscribe"`
		}
		if json.Unmarshal(b, &msg) != nil {
			continue // not ours to judge: the real server's answer is unknown
		}
		switch {
		case msg.Subscribe != nil:
			if ev := sc.subscribe(*msg.Subscribe); sc.send(ctx, ev) != nil {
				return
			}
		case msg.Unsubscribe != nil:
			sc.mu.Lock()
			delete(sc.subs, *msg.Unsubscribe)
			sc.mu.Unlock()
		}
	}
}

// siteChannels are the site channels that exist; only stats/devices
// carries data here.
var siteChannels = []string{"stats/devices", "stats/clients", "devices", "stats/mxedges", "mxedges", "pcaps"}

var orgChannels = []string{"insights/summary", "stats/mxedges", "mxedges"}

func (sc *streamConn) subscribe(ch string) streamEvent {
	s := sc.s
	fail := func(d string) streamEvent { return streamEvent{Event: "subscribe_failed", Channel: ch, Detail: d} }
	parts := strings.SplitN(strings.TrimPrefix(ch, "/"), "/", 3)
	if len(parts) < 3 {
		return fail("unknown channel")
	}
	site := -1
	switch parts[0] {
	case "sites":
		si, ok := s.w.siteByID[parts[1]]
		switch {
		case s.w.foreignSites[parts[1]]:
			return fail(msgForbidden)
		case !ok:
			return fail("site not found")
		case !knownChannel(parts[2], siteChannels) && !strings.HasPrefix(parts[2], "stats/maps/"):
			return fail("unknown channel")
		case parts[2] == "stats/devices":
			site = si
		}
	case "orgs":
		switch {
		case parts[1] == s.w.foreignOrgID:
			return fail(msgForbidden)
		case parts[1] != s.w.orgID:
			return fail("org not found")
		case parts[2] == "stats/devices" || parts[2] == "stats/clients":
			return fail("channel not supported") // no org-level stats channel exists
		case !knownChannel(parts[2], orgChannels):
			return fail("unknown channel")
		}
	default:
		return fail("unknown channel")
	}
	most := s.opts.Stream.MaxChannels
	if most == 0 {
		most = DefaultStreamMaxChannels
	}
	sub := &streamSub{site: site, next: map[int32]time.Time{}, full: map[int32]bool{}}
	if site >= 0 {
		// The first messages spread over one period. The world's lock is
		// taken before the connection's, as due takes them: the other order
		// deadlocks with a Step waiting between the two.
		now := time.Now()
		s.mu.RLock()
		for _, di := range s.w.sites[site].devs {
			frac := float64(simkit.Mix(s.w.devs[di].macNum^0x57e4)%1000) / 1000
			sub.next[di] = now.Add(time.Duration(frac * float64(sc.s.streamPeriod())))
		}
		s.mu.RUnlock()
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if _, dup := sc.subs[ch]; !dup && len(sc.subs) >= most {
		return fail("too many channels: at most " + itoa(most) + " per connection")
	}
	if _, dup := sc.subs[ch]; !dup {
		sc.subs[ch] = sub
	}
	return streamEvent{Event: "channel_subscribed", Channel: ch}
}

func knownChannel(rest string, list []string) bool {
	for _, c := range list {
		if rest == c {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func (s *Server) streamPeriod() time.Duration {
	if p := s.opts.Stream.Period; p > 0 {
		return p
	}
	return DefaultStreamPeriod
}

// devicePeriod is a device's own period: within ±20 % of the stream's.
func (s *Server) devicePeriod(d *device) time.Duration {
	frac := float64(simkit.Mix(d.macNum^0x9e71)%401)/1000 - 0.2
	return time.Duration(float64(s.streamPeriod()) * (1 + frac))
}

// sendLoop sends what is due: each subscribed device's messages in turn,
// and pushed changes at once. It ends with the connection, or when the
// stream_drop fault drops it.
func (sc *streamConn) sendLoop(ctx context.Context) {
	tick := min(max(sc.s.streamPeriod()/5, 5*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-sc.kick:
		}
		if f := sc.s.Faults(); f.StreamDrop && simkit.Applies(f.PathPrefix, StreamPath) {
			return // dropped without a close frame, as a broken network does
		}
		for _, ev := range sc.due(time.Now()) {
			if sc.send(ctx, ev) != nil {
				return
			}
		}
	}
}

// due collects the data frames to send now: pushed changes first, then the
// periodic messages whose time came.
func (sc *streamConn) due(now time.Time) []streamEvent {
	s := sc.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	nowMs := s.now().UnixMilli()
	var out []streamEvent
	pending := sc.pending
	sc.pending = nil
	for ch, sub := range sc.subs {
		if sub.site < 0 {
			continue
		}
		for _, di := range pending {
			if _, ok := sub.next[di]; !ok {
				continue
			}
			d := &s.w.devs[di]
			if !d.connected && s.opts.Stream.SilentDown {
				continue
			}
			out = append(out, sc.frame(ch, di, true, nowMs))
			sub.next[di] = now.Add(s.devicePeriod(d))
			sub.full[di] = false
		}
	}
	for ch, sub := range sc.subs {
		if sub.site < 0 {
			continue
		}
		for _, di := range s.w.sites[sub.site].devs {
			if at := sub.next[di]; now.Before(at) {
				continue
			}
			d := &s.w.devs[di]
			sub.next[di] = now.Add(s.devicePeriod(d))
			if !d.connected {
				continue // a device that is down is silent
			}
			full := d.typ != typeAP || sub.full[di]
			out = append(out, sc.frame(ch, di, full, nowMs))
			if d.typ == typeAP {
				sub.full[di] = !sub.full[di]
			}
		}
	}
	return out
}

// AP messages alternate: the basic one, then the full one (mist.md 15).
var (
	apBasicKeys = []string{"mac", "last_seen", "uptime", "version", "ip"}
	apFullKeys  = []string{"mac", "model", "uptime", "last_seen", "num_clients", "cpu_util", "mem_used_kb",
		"tx_bytes", "rx_bytes", "tx_bps", "rx_bps", "power_src", "radio_stat", "port_stat", "lldp_stat", "env_stat"}
	devKeys = []string{"mac", "type", "model", "version", "ip", "ext_ip", "uptime", "last_seen", "cpu_stat",
		"memory_stat", "module_stat", "spu_stat", "clients_stats"}
)

// frame is device di's data message on ch: a partial document keyed by
// mac, as the stream sends them, not the REST object.
func (sc *streamConn) frame(ch string, di int32, full bool, nowMs int64) streamEvent {
	s := sc.s
	w := s.w
	d := &w.devs[di]
	var doc map[string]json.RawMessage
	b, _ := json.Marshal(w.deviceStatJSON(int(di), nowMs, &s.opts, func(string) bool { return false }))
	_ = json.Unmarshal(b, &doc)
	keys := devKeys
	offsetKey := "_offset_devstats"
	switch {
	case d.typ == typeAP && full:
		keys, offsetKey = apFullKeys, "_offset_apstats"
	case d.typ == typeAP:
		keys, offsetKey = apBasicKeys, "_offset_apbasic"
	}
	out := kv{}
	for _, k := range keys {
		if v, ok := doc[k]; ok {
			out.add(k, v)
		}
	}
	if d.typ == typeAP && !full {
		out.add("ip_stat", map[string]string{"ip": d.ip})
	}
	if !d.connected {
		out = kv{}
		out.add("mac", d.mac)
		out.add("status", "disconnected")
		out.add("uptime", 0)
		out.add("last_seen", secsNum(d.downMs))
	}
	out.add(offsetKey, 4_639_768_000+s.hub.seq.Add(1))
	out.add("_time", secsNum(nowMs))
	body, _ := json.Marshal(out)
	ev := streamEvent{Event: "data", Channel: ch}
	if s.opts.Stream.DataObject {
		ev.Data = json.RawMessage(body)
	} else {
		ev.Data = string(body)
	}
	return ev
}
