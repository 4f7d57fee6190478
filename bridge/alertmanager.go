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
	firing map[string]alert // by fingerprint: what Alertmanager was last told is firing
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
	return &Pusher{
		cfg: cfg, sources: sources, client: hc, metrics: metrics, logger: logger.With("component", "alert_bridge"),
		now: time.Now, notify: make(chan struct{}, 1), firing: map[string]alert{},
	}, nil
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
	if err := p.send(ctx, batch); err != nil {
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

// send posts a batch to every Alertmanager, as Prometheus does for a
// cluster, retrying each with backoff. It fails only if none took it.
func (p *Pusher) send(ctx context.Context, batch []alert) error {
	body, err := json.Marshal(batch)
	if err != nil {
		return err
	}
	var lastErr error
	ok := 0
	for _, u := range p.cfg.URLs {
		if err := p.sendOne(ctx, strings.TrimRight(u, "/")+"/api/v2/alerts", body); err != nil {
			lastErr = err
			p.logger.Error("pushing alerts to Alertmanager", "url", u, "alerts", len(batch), "err", err)
			continue
		}
		ok++
	}
	if ok == 0 {
		return lastErr
	}
	p.metrics.AlertsSent.Add(float64(len(batch)))
	p.logger.Debug("pushed alerts", "alerts", len(batch))
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
		if err = p.post(ctx, url, body); err == nil {
			return nil
		}
		p.metrics.Errors.Inc()
		var refused *refusedError
		var redirect *vendors.RedirectError
		if errors.As(err, &refused) || errors.As(err, &redirect) {
			// Alertmanager will refuse the same body again, and a redirect
			// elsewhere, where the credentials must not go, point there again.
			return err
		}
	}
	return err
}

// refusedError is an answer that a retry of the same request cannot
// change: a 4xx other than 408 and 429.
type refusedError struct {
	status int
	msg    string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("POST /api/v2/alerts: HTTP %d: %s", e.status, e.msg)
}

func (p *Pusher) post(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if b := p.cfg.BasicAuth; b != nil {
		req.SetBasicAuth(b.Username, b.Password.Value())
	} else if p.cfg.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.BearerToken.Value())
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var msg [200]byte
		n, _ := io.ReadFull(resp.Body, msg[:])
		text := strings.TrimSpace(string(msg[:n]))
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return &refusedError{status: resp.StatusCode, msg: text}
		}
		return fmt.Errorf("POST /api/v2/alerts: HTTP %d: %s", resp.StatusCode, text)
	}
	return nil
}
