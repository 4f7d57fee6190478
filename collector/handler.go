package collector

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ProbeHandler serves /probe?target=NAME: one source's cached data and
// health, from a registry made for the request, so every source gets its own
// up and instance in Prometheus. NAME is a configured source name, never a
// URL: the credentials stay with the exporter's config.
func ProbeHandler(m *Manager, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("target")
		if name == "" {
			http.Error(w, "missing target parameter: /probe?target=<source name>", http.StatusBadRequest)
			return
		}
		src, ok := m.Source(name)
		if !ok {
			http.Error(w, fmt.Sprintf("unknown target %q: not a configured source name (see /sd)", name), http.StatusBadRequest)
			return
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(src.Collector())
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{
			ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelError),
			ErrorHandling: promhttp.ContinueOnError,
		}).ServeHTTP(w, r)
	})
}

// targetGroup is one entry of Prometheus' HTTP service discovery format.
type targetGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

// SDHandler serves Prometheus HTTP service discovery: one target group per
// source, aimed at this exporter (the host the request reached it by) with
// the source as the probe's target parameter.
func SDHandler(m *Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		groups := []targetGroup{}
		for _, s := range m.Sources() {
			groups = append(groups, targetGroup{
				Targets: []string{r.Host},
				Labels: map[string]string{
					"__param_target":   s.Name,
					"__metrics_path__": "/probe",
					"source":           s.Name,
					"vendor":           s.Vendor,
				},
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(groups)
	})
}

// ReadyHandler answers 200 once every source has finished its first refresh
// attempt, 503 before.
func ReadyHandler(m *Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !m.Ready() {
			http.Error(w, "not ready: first refresh still running", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ready")
	})
}
