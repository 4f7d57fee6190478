package collector

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
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
		// Health is gathered now; the data families come encoded from
		// the source's cache, made when its data last changed.
		// Both come from one view of the source's data, so the health
		// never reports what the data lacks.
		v, data := src.served()
		reg := prometheus.NewRegistry()
		reg.MustRegister(src.healthCollector(v))
		health, err := reg.Gather()
		if err != nil {
			logger.Error("gathering source health", "target", name, "err", err)
			http.Error(w, "gathering source health failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", string(textFormat))
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			// A gzip stream may hold several members: the health families
			// compressed now, then the data families as they are kept.
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			if encode(zw, health) != nil || zw.Close() != nil {
				return
			}
			_, _ = w.Write(data)
			return
		}
		if encode(w, health) != nil {
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			logger.Error("reading the encoded data", "target", name, "err", err)
			return
		}
		_, _ = io.Copy(w, zr)
	})
}

func encode(w io.Writer, mfs []*dto.MetricFamily) error {
	enc := expfmt.NewEncoder(w, textFormat)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip.
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			// gzip;q=0 refuses it.
			q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
			weight, err := strconv.ParseFloat(q, 64)
			return !ok || err != nil || weight > 0
		}
	}
	return false
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
