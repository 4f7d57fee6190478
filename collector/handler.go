package collector

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// ProbeHandler serves /probe?target=NAME: one source's cached data and
// health, so every source gets its own up and instance in Prometheus. NAME
// is a configured source name, never a URL: the credentials stay with the
// exporter's config.
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
		src.serveProbe(w, r, logger)
	})
}

// serveProbe answers a scrape in the format and coding it asks for. The
// health families are as of now, encoded again only when they changed;
// the data families come encoded and compressed from the source's cache,
// made when its data last changed. Both come from one view of the source's
// data, so the health never reports what the data lacks.
func (s *Source) serveProbe(w http.ResponseWriter, r *http.Request, logger *slog.Logger) {
	f, ct := negotiate(r.Header)
	v, data := s.served(f)
	if data == nil {
		http.Error(w, "encoding the data failed", http.StatusInternalServerError)
		return
	}
	h, err := s.health(v, ct)
	if err != nil {
		logger.Error("encoding source health", "target", s.Name, "err", err)
		http.Error(w, "encoding source health failed", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", string(ct))
	hdr.Set("Vary", "Accept, Accept-Encoding")
	if !acceptsGzip(r.Header) {
		hdr.Set("Content-Length", strconv.FormatInt(int64(len(h.text))+data.size, 10))
		if _, err := w.Write(h.text); err == nil {
			_ = data.inflateTo(w)
		}
		return
	}
	parts := gzipMember(h, data)
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	hdr.Set("Content-Encoding", "gzip")
	hdr.Set("Content-Length", strconv.Itoa(n))
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
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
