// Package web serves the exporter's pages and endpoints over the running
// sources: /probe, /sd, /-/ready and /status.
package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/exposition"
)

// ProbeHandler serves /probe?target=NAME: one source's cached data and
// health, so every source gets its own up and instance in Prometheus. NAME
// is a configured source name, never a URL: the credentials stay with the
// exporter's config. A source another shard polls is not found here (404,
// naming the shard); an unknown name is a bad request.
func ProbeHandler(m *collector.Manager, logger *slog.Logger) http.Handler {
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
		if shard, elsewhere := m.Elsewhere(name); !ok && elsewhere {
			// A configured source another replica polls: nothing here, and
			// the scraper is told where it is.
			own := m.Shard()
			http.Error(w, fmt.Sprintf("target %q is polled by shard %d of %d, not by this replica (shard %d): scrape the replica of shard %d, whose /sd lists it",
				name, shard, own.Total, own.Index, shard), http.StatusNotFound)
			return
		}
		if !ok {
			http.Error(w, fmt.Sprintf("unknown target %q: not a configured source name (see /sd)", name), http.StatusBadRequest)
			return
		}
		f, ct := exposition.Negotiate(r.Header)
		h, data, err := src.Scrape(f, ct)
		if err != nil {
			logger.Error("serving a scrape", "target", src.Name, "err", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		exposition.Write(w, r.Header, ct, h, data)
	})
}

// targetGroup is one entry of Prometheus' HTTP service discovery format.
type targetGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

// SDHandler serves Prometheus HTTP service discovery: one target group per
// source this replica polls (its shard's), aimed at this exporter with the
// source as the probe's target parameter. The exporter's address is external's when set (the URL users
// reach it by, behind a proxy), else the Host the request came by, which
// must then be a plain host or host:port: a Host header is the client's
// to write, and nothing else may reach Prometheus' targets.
func SDHandler(m *collector.Manager, external *url.URL) http.Handler {
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
func ReadyHandler(m *collector.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !m.Ready() {
			http.Error(w, "not ready: first refresh still running", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ready")
	})
}
