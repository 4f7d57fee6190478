package mist

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// StreamEndpoint names the stream's handshake in errors and request
// metrics; it is also the path of the URL StreamURL derives.
const StreamEndpoint = "/api-ws/v1/stream"

// maxFrameBytes bounds one frame: the library's default of 32 KiB is below
// what a switch's full message with its ports and modules can take, and a
// frame over the limit ends the connection.
const maxFrameBytes = 16 << 20

// StreamURL returns the stream's URL: stream.url when set, else the REST
// base URL with its host's api. changed to api-ws., https to wss (http to
// ws) and StreamEndpoint after its path (mist.md sections 1 and 15). A host
// without the api. prefix, such as a loopback simulator, is kept: it serves
// the stream itself.
func StreamURL(cfg *config.Mist) (string, error) {
	if cfg.Stream.URL != "" {
		u, err := url.Parse(cfg.Stream.URL)
		if err != nil || u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss") || u.User != nil {
			return "", errors.New("stream url: want a ws or wss URL without credentials")
		}
		return cfg.Stream.URL, nil
	}
	u, err := url.Parse(cfg.URL())
	if err != nil || u.Host == "" {
		return "", errors.New("deriving the stream URL: the base URL is not an absolute URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	default:
		return "", fmt.Errorf("deriving the stream URL: base URL scheme %q is not http or https", u.Scheme)
	}
	host := u.Hostname()
	if strings.HasPrefix(strings.ToLower(host), "api.") {
		host = "api-ws." + host[len("api."):]
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	} else {
		u.Host = host
	}
	u.Path = strings.TrimRight(u.Path, "/") + StreamEndpoint
	u.RawPath, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	return u.String(), nil
}

// DeviceUpdate is what one stream message says of one device. Messages
// are partial documents (mist.md section 15): a field the message left out
// is nil, never 0, and keeps what the poll or an earlier message said.
type DeviceUpdate struct {
	// MAC keys the device, lowercase hex as Mist writes it.
	MAC string
	// SiteID is the site whose channel carried the message.
	SiteID string
	// Received is when the frame arrived, by the client's clock.
	Received time.Time

	// Status is "disconnected" when Mist pushes a device going down.
	Status *string
	// Uptime is in seconds.
	Uptime *float64
	// LastSeen is in unix seconds.
	LastSeen   *float64
	NumClients *int
	Version    *string
	IP         *string
}

// StreamHandler receives what the stream brings. Each connection calls it
// from its own goroutine, so its methods must be safe for concurrent use,
// and quick: a slow handler holds up that connection's frames.
type StreamHandler interface {
	// Connected reports connection conn (0 to ceil(sites/channels per
	// connection)-1) up, once each of its subscribes was answered, and
	// down when it ends after that.
	Connected(conn int, up bool)
	// Update hands over one device's message.
	Update(DeviceUpdate)
	// SubscribeFailed reports a channel the server refused, with its
	// detail; that connection does not ask for it again, the next one does.
	SubscribeFailed(channel, detail string)
	// BadFrame reports a frame, or a part of one, that could not be read;
	// the rest of the stream goes on.
	BadFrame(err error)
	// Reconnecting reports that connection conn failed or ended with err,
	// and is dialled again after wait.
	Reconnecting(conn int, err error, wait time.Duration)
}

// streamTiming is how the stream keeps time, after MISTAPI's client
// (mist.md section 15); tests shorten it.
type streamTiming struct {
	// ackTimeout is how long a connection's subscribes may wait for their
	// answers before the connection is dropped and dialled again.
	ackTimeout time.Duration
	// pingEvery and pongTimeout keep the connection alive and find a dead
	// one: no server ping or idle timeout is documented.
	pingEvery   time.Duration
	pongTimeout time.Duration
	// The reconnect backoff starts at backoffBase and doubles up to
	// backoffMax; a connection up for stableAfter starts it again.
	backoffBase time.Duration
	backoffMax  time.Duration
	stableAfter time.Duration
	// throttleWait is the least wait after a 429 handshake.
	throttleWait time.Duration
	// authWait follows refused credentials: trying sooner would not help,
	// and failed logins lock the account out.
	authWait time.Duration
	sleep    func(context.Context, time.Duration) error
}

func defaultStreamTiming() streamTiming {
	return streamTiming{
		ackTimeout:   10 * time.Second,
		pingEvery:    60 * time.Second,
		pongTimeout:  45 * time.Second,
		backoffBase:  2 * time.Second,
		backoffMax:   2 * time.Minute,
		stableAfter:  time.Minute,
		throttleWait: 30 * time.Second,
		authWait:     10 * time.Minute,
		sleep:        vendors.SleepContext,
	}
}

// Stream follows the device stats of the sites on Mist's WebSocket stream
// until ctx ends, then returns nil once every connection has closed. The
// sites are spread over ceil(len/channels_per_connection) connections,
// each dialled again with backoff whenever it fails or ends, subscribing
// its sites again: the stream replays nothing missed meanwhile, which the
// caller's next poll fills in. It returns an error at once only when it
// cannot start: the stream disabled or its URL wrong.
func (c *Client) Stream(ctx context.Context, siteIDs []string, h StreamHandler) error {
	if !c.cfg.Stream.Enabled {
		return errors.New("the stream is disabled (stream.enabled: false)")
	}
	wsURL, err := StreamURL(c.cfg)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(siteIDs))
	var chans []string
	for _, id := range siteIDs {
		if id != "" && !seen[id] {
			seen[id] = true
			chans = append(chans, "/sites/"+id+"/stats/devices")
		}
	}
	if len(chans) == 0 {
		<-ctx.Done()
		return nil
	}
	per := channelsPerConnection(c.cfg)
	var wg sync.WaitGroup
	for i := 0; i*per < len(chans); i++ {
		part := chans[i*per : min((i+1)*per, len(chans))]
		wg.Go(func() { c.keepStream(ctx, wsURL, i, part, h) })
	}
	wg.Wait()
	return nil
}

// keepStream runs connection conn until ctx ends, dialling it again after
// each failure.
func (c *Client) keepStream(ctx context.Context, wsURL string, conn int, chans []string, h StreamHandler) {
	t := &c.stream
	failures := 0
	for {
		start := time.Now()
		up, err := c.streamOnce(ctx, wsURL, conn, chans, h)
		if ctx.Err() != nil {
			return
		}
		if up && time.Since(start) >= t.stableAfter {
			failures = 0
		}
		wait := c.streamWait(err, failures)
		failures++
		h.Reconnecting(conn, err, wait)
		if t.sleep(ctx, wait) != nil {
			return
		}
	}
}

// streamWait is how long to wait after err, the failures-th in a row.
func (c *Client) streamWait(err error, failures int) time.Duration {
	t := &c.stream
	wait := t.backoffMax
	if failures < 20 {
		wait = min(t.backoffBase<<failures, t.backoffMax)
	}
	var budget *vendors.BudgetError
	switch st := vendors.StatusCode(err); {
	case st == http.StatusBadRequest || st == http.StatusUnauthorized || st == http.StatusForbidden:
		return t.authWait
	case st == http.StatusTooManyRequests:
		wait = max(wait, t.throttleWait)
		var ae *vendors.APIError
		if errors.As(err, &ae) {
			wait = max(wait, ae.RetryAfter)
		}
	case errors.As(err, &budget):
		wait = max(wait, time.Until(budget.Reset))
	}
	return wait
}

// streamOnce dials connection conn, subscribes its channels and reads it
// until it fails or ctx ends; up says whether every subscribe was answered.
func (c *Client) streamOnce(ctx context.Context, wsURL string, conn int, chans []string, h StreamHandler) (up bool, err error) {
	t := &c.stream
	ws, err := c.dialStream(ctx, wsURL)
	if err != nil {
		return false, err
	}
	defer func() { _ = ws.CloseNow() }()
	ws.SetReadLimit(maxFrameBytes)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()

	r := newStreamReader(h, chans, c.now)
	readErr := make(chan error, 1)
	go func() { readErr <- r.run(cctx, ws) }()
	defer func() {
		if up {
			h.Connected(conn, false)
		}
	}()
	// stop closes the connection and waits for its reader.
	stop := func(err error) (bool, error) {
		cancel()
		_ = ws.CloseNow()
		if rerr := <-readErr; err == nil {
			err = rerr // the reader fails for the close; err says why
		}
		if ctx.Err() != nil {
			return up, ctx.Err()
		}
		return up, err
	}

	// The reader runs first: a server blocked on unread answers would stop
	// reading the subscribes.
	if err := subscribe(cctx, ws, chans, t.ackTimeout); err != nil {
		return stop(err)
	}
	ack := time.NewTimer(t.ackTimeout)
	defer ack.Stop()
	ping := time.NewTicker(t.pingEvery)
	defer ping.Stop()
	answered := r.all
	for {
		select {
		case err := <-readErr:
			if ctx.Err() != nil {
				return up, ctx.Err()
			}
			return up, err
		case <-answered:
			answered = nil
			ack.Stop()
			up = true
			h.Connected(conn, true)
		case <-ack.C:
			if !up {
				return stop(fmt.Errorf("%s: %d of %d subscribes answered within %s", StreamEndpoint, r.answeredCount(), len(chans), t.ackTimeout))
			}
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(cctx, t.pongTimeout)
			err := ws.Ping(pctx)
			pcancel()
			if err != nil {
				return stop(fmt.Errorf("%s: no pong within %s: %w", StreamEndpoint, t.pongTimeout, err))
			}
		case <-ctx.Done():
			return stop(ctx.Err())
		}
	}
}

// subscribe asks for every channel; the answers come to the reader.
func subscribe(ctx context.Context, ws *websocket.Conn, chans []string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for _, ch := range chans {
		b, _ := json.Marshal(map[string]string{"subscribe": ch})
		if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
			return fmt.Errorf("%s: subscribing: %w", StreamEndpoint, err)
		}
	}
	return nil
}

// dialStream opens a connection with the REST client's credentials: the
// token, or the login session's cookies, logging in first when there is
// no session and once more when the handshake is refused with 401, as a
// session that ended would be.
func (c *Client) dialStream(ctx context.Context, wsURL string) (*websocket.Conn, error) {
	if c.cfg.Token != "" {
		return c.handshake(ctx, wsURL)
	}
	gen, err := c.session(ctx, 0)
	if err != nil {
		return nil, err
	}
	ws, err := c.handshake(ctx, wsURL)
	if vendors.StatusCode(err) != http.StatusUnauthorized {
		return ws, err
	}
	if _, err := c.session(ctx, gen); err != nil {
		return nil, err
	}
	return c.handshake(ctx, wsURL)
}

// handshake dials once. It is one call against the source's budget
// (whether Mist counts it is not documented; mist.md section 15).
func (c *Client) handshake(ctx context.Context, wsURL string) (*websocket.Conn, error) {
	b := c.req.Budget
	if b != nil {
		if err := b.Acquire(ctx); err != nil {
			return nil, err
		}
	}
	hdr := http.Header{}
	if c.cfg.Token != "" {
		hdr.Set("Authorization", "Token "+c.cfg.Token.Value())
	} else if c.jar != nil {
		// The cookies are the REST host's: the stream's host differs
		// (api-ws.), and the jar would not hand them to it.
		if u, err := url.Parse(c.base); err == nil {
			var pairs []string
			for _, ck := range c.jar.Cookies(u) {
				pairs = append(pairs, ck.Name+"="+ck.Value)
			}
			if len(pairs) > 0 {
				hdr.Set("Cookie", strings.Join(pairs, "; "))
			}
		}
	}
	hc := *c.req.Client
	hc.Jar = nil // the cookies are in hdr already
	start := time.Now()
	ws, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: &hc, HTTPHeader: hdr})
	code := "error"
	if resp != nil {
		code = strconv.Itoa(resp.StatusCode)
		if b != nil {
			b.Observe(resp, nil)
		}
	}
	if c.req.Recorder != nil {
		c.req.Recorder.ObserveRequest(StreamEndpoint, code, time.Since(start))
	}
	switch {
	case err == nil:
		return ws, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
		e := &vendors.APIError{Method: http.MethodGet, Endpoint: StreamEndpoint, StatusCode: resp.StatusCode}
		if resp.Body != nil {
			e.Detail = bodyDetail(resp.Body)
		}
		if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return nil, e
	}
	return nil, fmt.Errorf("GET %s: %w", StreamEndpoint, err)
}

// bodyDetail is the detail of a refused handshake's JSON body, shortened.
func bodyDetail(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 4096))
	var d struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(b, &d) != nil {
		return ""
	}
	s := strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' '
		}
		return r
	}, d.Detail)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// streamReader reads one connection's frames and counts the answers to
// its subscribes.
type streamReader struct {
	h   StreamHandler
	now func() time.Time

	mu       sync.Mutex
	want     map[string]bool // the channels asked for, true once answered
	answered int
	all      chan struct{} // closed when every channel is answered
}

func newStreamReader(h StreamHandler, chans []string, now func() time.Time) *streamReader {
	r := &streamReader{h: h, now: now, want: make(map[string]bool, len(chans)), all: make(chan struct{})}
	for _, ch := range chans {
		r.want[ch] = false
	}
	return r
}

func (r *streamReader) run(ctx context.Context, ws *websocket.Conn) error {
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return fmt.Errorf("%s: reading: %w", StreamEndpoint, err)
		}
		r.frame(b, r.now())
	}
}

// answer counts a channel's first answer, acknowledged or refused.
func (r *streamReader) answer(ch string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if done, ok := r.want[ch]; !ok || done {
		return
	}
	r.want[ch] = true
	r.answered++
	if r.answered == len(r.want) {
		close(r.all)
	}
}

func (r *streamReader) answeredCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answered
}

// frame handles one frame, text or binary alike.
func (r *streamReader) frame(b []byte, at time.Time) {
	f, err := parseFrame(b)
	if err != nil {
		r.h.BadFrame(err)
		return
	}
	switch f.Event {
	case "channel_subscribed":
		r.answer(f.Channel)
	case "subscribe_failed":
		r.h.SubscribeFailed(f.Channel, f.detail())
		r.answer(f.Channel)
	case "data":
		site, ok := deviceStatsSite(f.Channel)
		if !ok {
			return // not a channel this client asks for
		}
		ups, err := deviceUpdates(f.Data, site, at)
		for _, u := range ups {
			r.h.Update(u)
		}
		if err != nil {
			r.h.BadFrame(fmt.Errorf("%s: %w", f.Channel, err))
		}
	}
}

// streamFrame is a server frame (mist.md section 15).
type streamFrame struct {
	Event   string          `json:"event"`
	Channel string          `json:"channel"`
	Detail  json.RawMessage `json:"detail"`
	Data    json.RawMessage `json:"data"`
}

// detail is the frame's detail, a string or whatever JSON Mist sent.
func (f *streamFrame) detail() string {
	var s string
	if json.Unmarshal(f.Detail, &s) == nil {
		return s
	}
	return string(f.Detail)
}

// parseFrame decodes a frame without its NUL bytes, which binary frames
// have been seen to carry (mist.md section 15).
func parseFrame(b []byte) (streamFrame, error) {
	if bytes.IndexByte(b, 0) >= 0 {
		b = bytes.ReplaceAll(b, []byte{0}, nil)
	}
	var f streamFrame
	if err := json.Unmarshal(b, &f); err != nil {
		return streamFrame{}, fmt.Errorf("a frame of %d bytes is not a JSON object: %w", len(b), err)
	}
	return f, nil
}

// deviceStatsSite returns the site of a /sites/{id}/stats/devices channel.
func deviceStatsSite(ch string) (string, bool) {
	rest, ok := strings.CutPrefix(ch, "/sites/")
	if !ok {
		return "", false
	}
	site, ok := strings.CutSuffix(rest, "/stats/devices")
	if !ok || site == "" || strings.Contains(site, "/") {
		return "", false
	}
	return site, true
}

// maxDataDepth bounds the nesting of strings and arrays in a frame's data:
// a string holding an array of strings is as deep as Mist's forms go.
const maxDataDepth = 4

// deviceUpdates decodes a data frame's data: a device document as an
// object or a JSON-encoded string, or an array of either. The documents
// that decode are returned even when others do not.
func deviceUpdates(data json.RawMessage, site string, at time.Time) ([]DeviceUpdate, error) {
	var ups []DeviceUpdate
	var errs []error
	var walk func(raw []byte, depth int)
	walk = func(raw []byte, depth int) {
		raw = bytes.TrimSpace(raw)
		if depth > maxDataDepth {
			errs = append(errs, errors.New("data nested too deep"))
			return
		}
		if len(raw) == 0 {
			errs = append(errs, errors.New("no data"))
			return
		}
		switch raw[0] {
		case '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				errs = append(errs, fmt.Errorf("data string: %w", err))
				return
			}
			walk([]byte(s), depth+1)
		case '[':
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				errs = append(errs, fmt.Errorf("data array: %w", err))
				return
			}
			for _, it := range items {
				walk(it, depth+1)
			}
		case '{':
			u, err := deviceUpdate(raw)
			if err != nil {
				errs = append(errs, err)
			}
			if u.MAC != "" {
				u.SiteID, u.Received = site, at
				ups = append(ups, u)
			}
		default:
			errs = append(errs, fmt.Errorf("data %.20q is not a document, a string or an array", raw))
		}
	}
	walk(data, 0)
	return ups, errors.Join(errs...)
}

// deviceUpdate decodes one device document, leaving out the keys it does
// not read, the internal _* ones among them. A known key of the wrong type
// is left out and reported; the update keeps the others.
func deviceUpdate(raw []byte) (DeviceUpdate, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return DeviceUpdate{}, fmt.Errorf("device document: %w", err)
	}
	var u DeviceUpdate
	var errs []error
	mac, err := field[string](doc, "mac")
	switch {
	case err != nil:
		return u, err
	case mac == nil || *mac == "":
		return u, errors.New("a device document without a mac")
	}
	u.MAC = strings.ToLower(*mac)
	keep := func(err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("device %s: %w", u.MAC, err))
		}
	}
	u.Status, err = field[string](doc, "status")
	keep(err)
	u.Uptime, err = field[float64](doc, "uptime")
	keep(err)
	u.LastSeen, err = field[float64](doc, "last_seen")
	keep(err)
	u.Version, err = field[string](doc, "version")
	keep(err)
	u.IP, err = field[string](doc, "ip")
	keep(err)
	n, err := field[float64](doc, "num_clients")
	keep(err)
	if n != nil {
		if *n < 0 || *n > math.MaxInt32 || *n != math.Trunc(*n) {
			keep(fmt.Errorf("num_clients %v is not a count", *n))
		} else {
			v := int(*n)
			u.NumClients = &v
		}
	}
	return u, errors.Join(errs...)
}

// field decodes doc[key]: nil when the key is missing or null.
func field[T any](doc map[string]json.RawMessage, key string) (*T, error) {
	raw, ok := doc[key]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("%s: %s is not a %T", key, truncate(raw, 20), *v)
	}
	return v, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func channelsPerConnection(cfg *config.Mist) int {
	return min(cmp.Or(cfg.Stream.ChannelsPerConnection, config.DefaultStreamChannels), config.MaxStreamChannels)
}

// StreamConnections is how many connections the stream of cfg opens for
// sites: each handshake counts as a call against the token's hourly budget
// (mist.md section 15: unverified, so assumed).
func StreamConnections(cfg *config.Mist, sites int) int {
	if !cfg.Stream.Enabled {
		return 0
	}
	per := channelsPerConnection(cfg)
	return (sites + per - 1) / per
}
