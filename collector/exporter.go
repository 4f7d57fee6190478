package collector

import (
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
