// Package bridge pushes active vendor alarms to Alertmanager as alerts, and
// receives vendor webhooks that feed the alarms at once.
package bridge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// AlertName names every alert made from a vendor alarm.
const AlertName = "NmsVendorAlarm"

// alert is one alert of Alertmanager's v2 API.
type alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Pusher sends the sources' active alarms to Alertmanager on an interval,
// and at once when notified, and resolves alarms that have gone. It runs
// apart from collection: a slow or absent Alertmanager never holds up a
// refresh or a scrape.
type Pusher struct {
	cfg     *config.Alertmanager
	sources func() []*collector.Source
	client  *http.Client
	metrics *Metrics
	logger  *slog.Logger
	now     func() time.Time
	notify  chan struct{}

	mu     sync.Mutex
	firing map[string]alert // aggregated mode, by fingerprint: what Alertmanager was last told is firing
	alarms alarmState       // alarms mode
	// silences are the silences of acknowledged alarms the bridge keeps,
	// one set per Alertmanager URL.
	silences []*amSilences
	buf      []byte // the batch being written, reused
}

// NewPusher returns a pusher for the alarms of sources.
func NewPusher(cfg *config.Alertmanager, sources func() []*collector.Source, metrics *Metrics, logger *slog.Logger) (*Pusher, error) {
	hc, err := vendors.NewHTTPClient(vendors.HTTPOptions{
		Timeout: time.Duration(cfg.Timeout), CAFile: cfg.TLS.CAFile,
		InsecureSkipVerify: cfg.TLS.InsecureSkipVerify, ServerName: cfg.TLS.ServerName,
		UserAgent: "nms_exporter",
	})
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	p := &Pusher{
		cfg: cfg, sources: sources, client: hc, metrics: metrics, logger: logger.With("component", "alert_bridge"),
		now: time.Now, notify: make(chan struct{}, 1), firing: map[string]alert{},
		alarms: alarmState{sources: map[string]*sourceState{}},
	}
	for _, u := range cfg.URLs {
		p.silences = append(p.silences, &amSilences{url: strings.TrimRight(u, "/"), byKey: map[alarmKey]*silenceRec{}})
	}
	return p, nil
}

// Notify asks for a push now, as after a webhook.
func (p *Pusher) Notify() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// coalesce is how long a push asked for waits for more asks: a burst of
// webhooks makes one push, not one each.
const coalesce = time.Second

// Run pushes until ctx ends, then closes its idle connections: a pusher
// replaced on reload leaves none behind.
func (p *Pusher) Run(ctx context.Context) {
	defer p.client.CloseIdleConnections()
	t := time.NewTicker(time.Duration(p.cfg.ResendInterval))
	defer t.Stop()
	for {
		p.Push(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.notify:
			select {
			case <-ctx.Done():
				return
			case <-time.After(coalesce):
			}
			// Asks that came meanwhile are answered by this push.
			select {
			case <-p.notify:
			default:
			}
		}
	}
}

func (p *Pusher) wanted(source string) bool {
	return len(p.cfg.Sources) == 0 || slices.Contains(p.cfg.Sources, source)
}

func severityRank(s string) int {
	if i := slices.Index(config.Severities, s); i >= 0 {
		return i
	}
	return len(config.Severities)
}

// fingerprint identifies an alert by its labels, so a resend dedupes.
func fingerprint(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\x00%s\x00", k, labels[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// current builds the alerts for the alarms active now.
func (p *Pusher) current(now time.Time) map[string]alert {
	out := map[string]alert{}
	maxRank := severityRank(p.cfg.MinSeverity)
	// Alertmanager resolves an alert whose endsAt passes without a resend.
	endsAt := now.Add(4 * time.Duration(p.cfg.ResendInterval))
	for _, s := range p.sources() {
		if !p.wanted(s.Name) {
			continue
		}
		for _, a := range s.Alarms() {
			if severityRank(a.Severity) > maxRank {
				continue
			}
			labels := map[string]string{"alertname": AlertName, "source": s.Name, "vendor": s.Vendor, "severity": a.Severity}
			for k, v := range map[string]string{"site": a.Site, "device": a.Device, "category": a.Category} {
				if v != "" {
					labels[k] = v
				}
			}
			where := a.Device
			if where == "" {
				where = "site " + a.Site
			}
			out[fingerprint(labels)] = alert{
				Labels: labels,
				Annotations: map[string]string{
					"summary": fmt.Sprintf("%s %s alarm on %s", a.Severity, a.Category, where),
					"description": fmt.Sprintf("%d active %s alarm(s) of category %q on %s at site %q, reported by %s source %s.",
						a.Count, a.Severity, a.Category, where, a.Site, s.Vendor, s.Name),
					"alarms": fmt.Sprint(a.Count),
				},
				EndsAt: endsAt,
			}
		}
	}
	return out
}

// Push sends every active alert, and resolves those that have gone.
func (p *Pusher) Push(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfg.Mode == config.ModeAggregated {
		p.pushAggregated(ctx)
		// Silences a pusher of the alarms mode left, found once.
		p.syncSilences(ctx, p.now(), nil)
		p.expireSilences(ctx, nil)
		return
	}
	p.pushAlarms(ctx)
}

// maxBatch is the most alerts one POST carries: a large source's alarms
// go in several requests of under a megabyte, not one of tens.
const maxBatch = 1000

// pushAggregated is Push in the aggregated mode.
func (p *Pusher) pushAggregated(ctx context.Context) {
	now := p.now()
	cur := p.current(now)
	batch := make([]alert, 0, len(cur))
	for fp, a := range cur {
		a.StartsAt = now
		if prev, ok := p.firing[fp]; ok {
			a.StartsAt = prev.StartsAt
		}
		cur[fp] = a
		batch = append(batch, a)
	}
	var resolved []string
	for fp, prev := range p.firing {
		if _, ok := cur[fp]; !ok {
			prev.EndsAt = now
			batch = append(batch, prev)
			resolved = append(resolved, fp)
		}
	}
	if len(batch) == 0 {
		return
	}
	failed := false
	for chunk := range slices.Chunk(batch, maxBatch) {
		body, err := json.Marshal(chunk)
		if err == nil {
			err = p.send(ctx, body, len(chunk))
		}
		failed = failed || err != nil
	}
	if failed {
		// Keep what was firing, so the resolution is sent next time.
		for fp, a := range cur {
			if _, ok := p.firing[fp]; !ok {
				p.firing[fp] = a
			}
		}
		return
	}
	for _, fp := range resolved {
		delete(p.firing, fp)
	}
	for fp, a := range cur {
		p.firing[fp] = a
	}
}

// send posts a batch of n alerts to every Alertmanager, as Prometheus
// does for a cluster, retrying each with backoff. It fails only if none
// took it.
func (p *Pusher) send(ctx context.Context, body []byte, n int) error {
	var lastErr error
	ok := 0
	for _, u := range p.cfg.URLs {
		if err := p.sendOne(ctx, strings.TrimRight(u, "/")+"/api/v2/alerts", body); err != nil {
			lastErr = err
			p.logger.Error("pushing alerts to Alertmanager", "url", u, "alerts", n, "err", err)
			continue
		}
		ok++
	}
	if ok == 0 {
		return lastErr
	}
	p.metrics.AlertsSent.Add(float64(n))
	p.logger.Debug("pushed alerts", "alerts", n, "bytes", len(body))
	return nil
}

const attempts = 3

func (p *Pusher) sendOne(ctx context.Context, url string, body []byte) error {
	var err error
	for i := range attempts {
		if i > 0 {
			wait := time.Duration(rand.Int64N(int64(time.Second) << i))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		if _, err = p.request(ctx, http.MethodPost, url, body); err == nil {
			return nil
		}
		p.metrics.Errors.Inc()
		var status *statusError
		var redirect *vendors.RedirectError
		if (errors.As(err, &status) && status.refused()) || errors.As(err, &redirect) {
			// Alertmanager will refuse the same body again, and a redirect
			// elsewhere, where the credentials must not go, point there again.
			return err
		}
	}
	return err
}

// statusError is an Alertmanager's answer other than 2xx.
type statusError struct {
	method, path string
	status       int
	msg          string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.method, e.path, e.status, e.msg)
}

// refused says a retry of the same request cannot change the answer: a
// 4xx other than 408 and 429.
func (e *statusError) refused() bool {
	return e.status/100 == 4 && e.status != http.StatusRequestTimeout && e.status != http.StatusTooManyRequests
}

// maxAnswer caps what is read of an Alertmanager's answer: a list of
// silences, at most.
const maxAnswer = 64 << 20

// request sends one request to an Alertmanager with the configured
// credentials, and returns the body of its 2xx answer.
func (p *Pusher) request(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b := p.cfg.BasicAuth; b != nil {
		req.SetBasicAuth(b.Username, b.Password.Value())
	} else if p.cfg.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.BearerToken.Value())
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var msg [200]byte
		n, _ := io.ReadFull(resp.Body, msg[:])
		return nil, &statusError{method: method, path: req.URL.Path, status: resp.StatusCode, msg: strings.TrimSpace(string(msg[:n]))}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err == nil && len(b) > maxAnswer {
		err = fmt.Errorf("%s %s: answer over %d bytes", method, req.URL.Path, maxAnswer)
	}
	return b, err
}
