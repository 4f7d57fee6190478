package collector

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/exposition"
)

// ProbeHandler serves /probe?target=NAME: one source's cached data and
// health, so every source gets its own up and instance in Prometheus. NAME
// is a configured source name, never a URL: the credentials stay with the
// exporter's config.
func ProbeHandler(m *Manager, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "a scrape is a GET", http.StatusMethodNotAllowed)
			return
		}
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
	f, ct := exposition.Negotiate(r.Header)
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
	if !exposition.AcceptsGzip(r.Header) {
		hdr.Set("Content-Length", strconv.FormatInt(int64(len(h.Text()))+data.Size(), 10))
		if _, err := w.Write(h.Text()); err == nil {
			_ = data.InflateTo(w)
		}
		return
	}
	parts := exposition.GzipMember(h, data)
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
// source, aimed at this exporter with the source as the probe's target
// parameter. The exporter's address is external's when set (the URL users
// reach it by, behind a proxy), else the Host the request came by, which
// must then be a plain host or host:port: a Host header is the client's
// to write, and nothing else may reach Prometheus' targets.
func SDHandler(m *Manager, external *url.URL) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, scheme, path := r.Host, "http", "/probe"
		if r.TLS != nil {
			scheme = "https"
		}
		if external != nil {
			host, scheme = external.Host, external.Scheme
			path = strings.TrimRight(external.Path, "/") + "/probe"
		} else if !validHost(host) {
			http.Error(w, fmt.Sprintf("the request's Host %q is not a host:port; start the exporter with --web.external-url", host), http.StatusBadRequest)
			return
		}
		groups := []targetGroup{}
		for _, s := range m.Sources() {
			groups = append(groups, targetGroup{
				Targets: []string{host},
				Labels: map[string]string{
					"__scheme__":       scheme,
					"__param_target":   s.Name,
					"__metrics_path__": path,
					"source":           s.Name,
					"vendor":           s.Vendor,
				},
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(groups)
	})
}

// validHost reports whether h is a host or host:port and nothing more.
func validHost(h string) bool {
	if h == "" || strings.ContainsAny(h, "/?#@ \t\r\n\\\"'<>") {
		return false
	}
	u, err := url.Parse("http://" + h)
	if err != nil || u.Host != h || u.Hostname() == "" {
		return false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		return err == nil && n > 0 && n < 65536
	}
	return true
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
