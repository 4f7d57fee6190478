package collector

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/exposition"
)

// ReloadState reports the outcome of config reloads.
type ReloadState interface {
	LastReload() (ok bool, lastSuccess time.Time)
}

var (
	reloadSuccessDesc = desc("config_last_reload_successful", "1 if the last config reload succeeded.")
	reloadTimeDesc    = desc("config_last_reload_success_timestamp_seconds", "When the config was last loaded successfully, in unix seconds.")
)

// ReloadCollector exposes the config reload state on /metrics.
type ReloadCollector struct{ State ReloadState }

// Describe implements prometheus.Collector.
func (c ReloadCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- reloadSuccessDesc
	ch <- reloadTimeDesc
}

// Collect implements prometheus.Collector.
func (c ReloadCollector) Collect(ch chan<- prometheus.Metric) {
	ok, at := c.State.LastReload()
	var ts float64
	if !at.IsZero() {
		ts = float64(at.Unix())
	}
	ch <- prometheus.MustNewConstMetric(reloadSuccessDesc, prometheus.GaugeValue, exposition.BoolValue(ok))
	ch <- prometheus.MustNewConstMetric(reloadTimeDesc, prometheus.GaugeValue, ts)
}

// BridgeMetrics counts the alert bridge's work, on /metrics.
type BridgeMetrics struct {
	AlertsSent prometheus.Counter
	Errors     prometheus.Counter
	Webhooks   *prometheus.CounterVec
	// WebhookFiltered counts the webhook alarms a source's filter left out.
	WebhookFiltered *prometheus.CounterVec
	// WebhookDropped counts the webhook alarm events not applied, by reason.
	WebhookDropped *prometheus.CounterVec
}

// NewBridgeMetrics returns the alert bridge's and webhook receiver's
// counters.
func NewBridgeMetrics() *BridgeMetrics {
	return &BridgeMetrics{
		AlertsSent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "bridge_alerts_sent_total",
			Help: "Alerts (firing and resolved) Alertmanager accepted from the alert bridge.",
		}),
		Errors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "bridge_errors_total",
			Help: "Failed attempts to push alerts to an Alertmanager.",
		}),
		Webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_requests_total",
			Help: "Webhook requests received, by source and result (accepted, unsigned, bad_signature, too_large, malformed, method).",
		}, []string{"source", "result"}),
		WebhookFiltered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_alarms_filtered_total",
			Help: "Alarm events of accepted webhooks that the source's site filter left out, by source.",
		}, []string{"source"}),
		WebhookDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_alarms_dropped_total",
			Help: fmt.Sprintf("Alarm events of accepted webhooks not applied, by source and reason (stale or future: dated over %.0f minutes from the exporter's clock; duplicate: applied before).", webhookWindow.Minutes()),
		}, []string{"source", "reason"}),
	}
}

// Collectors returns the counters, to register.
func (m *BridgeMetrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.AlertsSent, m.Errors, m.Webhooks, m.WebhookFiltered, m.WebhookDropped}
}
