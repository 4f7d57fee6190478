package collector

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// APIStats counts one source's upstream requests. It implements
// vendors.Recorder and is collected with the source, so each source's
// counters appear on its own /probe.
type APIStats struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	total    atomic.Int64
}

// NewAPIStats returns empty request counters.
func NewAPIStats() *APIStats {
	return &APIStats{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "api_requests_total",
			Help: "Requests sent upstream, by endpoint path template and HTTP status (or error).",
		}, []string{"endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "api_request_duration_seconds",
			Help:    "Upstream request latency, by endpoint path template.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"endpoint"}),
	}
}

// ObserveRequest implements vendors.Recorder.
func (a *APIStats) ObserveRequest(endpoint, code string, d time.Duration) {
	a.requests.WithLabelValues(endpoint, code).Inc()
	a.duration.WithLabelValues(endpoint).Observe(d.Seconds())
	// Counted last: a scrape that reads this total then finds at least as
	// many requests in the counters, so health encoded for it stays right.
	a.total.Add(1)
}

// Total returns the requests sent upstream since the source started.
func (a *APIStats) Total() int64 { return a.total.Load() }

// Describe implements prometheus.Collector.
func (a *APIStats) Describe(ch chan<- *prometheus.Desc) {
	a.requests.Describe(ch)
	a.duration.Describe(ch)
}

// Collect implements prometheus.Collector.
func (a *APIStats) Collect(ch chan<- prometheus.Metric) {
	a.requests.Collect(ch)
	a.duration.Collect(ch)
}
