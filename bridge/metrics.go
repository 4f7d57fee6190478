package bridge

import (
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/exposition"
)

// Metrics counts the alert bridge's work, on /metrics.
type Metrics struct {
	AlertsSent prometheus.Counter
	Errors     prometheus.Counter
	// AlertsDropped counts the alarms the cap (max_alerts_per_source)
	// left out, by source, each once as it is left out.
	AlertsDropped *prometheus.CounterVec
	// SilenceErrors counts the failed requests of the silences the bridge
	// keeps for acknowledged alarms.
	SilenceErrors prometheus.Counter
	Webhooks      *prometheus.CounterVec
	// WebhookFiltered counts the webhook alarms a source's filter left out.
	WebhookFiltered *prometheus.CounterVec
	// WebhookDropped counts the webhook alarm events not applied, by reason.
	WebhookDropped *prometheus.CounterVec

	mu      sync.Mutex
	tracked map[string]bool // the sources that take webhooks
	pushed  map[string]bool // the sources AlertsDropped has a series of
}

// pushing gives a source pushed alarm by alarm its AlertsDropped series,
// at 0 until the cap first leaves an alarm out.
func (m *Metrics) pushing(source string) prometheus.Counter {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pushed == nil {
		m.pushed = map[string]bool{}
	}
	m.pushed[source] = true
	return m.AlertsDropped.WithLabelValues(source)
}

// dropReasons are the reasons WebhookDropped counts.
var dropReasons = []string{collector.DropStale, collector.DropFuture, collector.DropDuplicate}

// Track keeps the webhook alarm families to the sources that take
// webhooks: each at 0 until it counts, so a dashboard sees the series
// before the first drop, and a source gone from the config takes its
// series with it, as it takes its nms_bridge_alerts_dropped_total.
func (m *Metrics) Track(sources []*collector.Source) {
	keep := map[string]bool{}
	for _, s := range sources {
		if s.WebhookSecret == "" {
			continue
		}
		keep[s.Name] = true
		m.WebhookFiltered.WithLabelValues(s.Name)
		for _, r := range dropReasons {
			m.WebhookDropped.WithLabelValues(s.Name, r)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.tracked {
		if !keep[name] {
			m.WebhookFiltered.DeleteLabelValues(name)
			for _, r := range dropReasons {
				m.WebhookDropped.DeleteLabelValues(name, r)
			}
		}
	}
	m.tracked = keep
	running := map[string]bool{}
	for _, s := range sources {
		running[s.Name] = true
	}
	for name := range m.pushed {
		if !running[name] {
			m.AlertsDropped.DeleteLabelValues(name)
			delete(m.pushed, name)
		}
	}
}

// NewMetrics returns the alert bridge's and webhook receiver's
// counters.
func NewMetrics() *Metrics {
	return &Metrics{
		AlertsSent: prometheus.NewCounter(counterOpts("bridge_alerts_sent_total",
			"Alerts (firing and resolved) Alertmanager accepted from the alert bridge.")),
		Errors: prometheus.NewCounter(counterOpts("bridge_errors_total",
			"Failed attempts to push alerts to an Alertmanager.")),
		AlertsDropped: prometheus.NewCounterVec(counterOpts("bridge_alerts_dropped_total",
			"Active alarms the alert bridge left out because their source had more than max_alerts_per_source, by source; each counted once as it is left out, the least severe and newest first."),
			[]string{"source"}),
		SilenceErrors: prometheus.NewCounter(counterOpts("bridge_silence_errors_total",
			"Failed requests to an Alertmanager for the silences of acknowledged alarms (list, create, renew, expire); each is tried again at the next push.")),
		Webhooks: prometheus.NewCounterVec(counterOpts("webhook_requests_total",
			"Webhook requests received, by source and result (accepted, unsigned, bad_signature, too_large, malformed, method)."),
			[]string{"source", "result"}),
		WebhookFiltered: prometheus.NewCounterVec(counterOpts("webhook_alarms_filtered_total",
			"Alarm events of accepted webhooks that the source's site filter left out, by source."),
			[]string{"source"}),
		WebhookDropped: prometheus.NewCounterVec(counterOpts("webhook_alarms_dropped_total",
			fmt.Sprintf("Alarm events of accepted webhooks not applied, by source and reason (stale or future: dated over %.0f minutes from the exporter's clock; duplicate: applied before).", collector.WebhookWindow.Minutes())),
			[]string{"source", "reason"}),
	}
}

// counterOpts names one of the exporter's own counters.
func counterOpts(name, help string) prometheus.CounterOpts {
	return prometheus.CounterOpts{Namespace: exposition.Namespace, Name: name, Help: help}
}

// Collectors returns the counters, to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.AlertsSent, m.Errors, m.AlertsDropped, m.SilenceErrors, m.Webhooks, m.WebhookFiltered, m.WebhookDropped}
}
