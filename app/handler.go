package app

import (
	"fmt"
	"html/template"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/bridge"
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/internal/connlimit"
	"github.com/nmsexporter/nms_exporter/web"
)

// Handler serves every endpoint of the exporter: /probe, /metrics, /sd,
// /status, /config, the webhooks, /-/ready, /-/healthy, /-/reload and the
// landing page.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", connlimit.InFlight(e.maxRequests, promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{Registry: e.reg})))
	mux.Handle("/probe", connlimit.InFlight(e.maxRequests, web.ProbeHandler(e.mgr, e.logger)))
	mux.Handle("/sd", web.SDHandler(e.mgr, e.externalURL))
	mux.Handle("/-/ready", web.ReadyHandler(e.mgr))
	mux.Handle("/status", connlimit.InFlight(e.maxRequests, web.StatusHandler(e.mgr, e.logger)))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "healthy") })
	mux.HandleFunc("/-/reload", e.serveReload)
	// The sources tell the bridge of the alarms a webhook changes
	// (AlarmsChanged); one that changes none asks for no push.
	mux.Handle("/webhooks/mist", bridge.WebhookHandler("mist", e.mgr.Sources, e.bridge, nil, e.logger))
	mux.HandleFunc("/config", func(w http.ResponseWriter, _ *http.Request) {
		// Secrets marshal as <secret>.
		b, err := yaml.Marshal(e.sc.Get())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// A proxy or base URL may carry a user and password.
		_, _ = io.WriteString(w, e.scrub.Load().String(string(b)))
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = landing.Execute(w, struct {
			Shard   web.ShardLine
			Sources []*collector.Source
		}{web.NewShardLine(e.mgr), e.mgr.Sources()})
	})
	return mux
}

func (e *Exporter) serveReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "reload takes POST", http.StatusMethodNotAllowed)
		return
	}
	reply := make(chan error, 1)
	select {
	case e.reloadCh <- reply:
	case <-r.Context().Done():
		return
	}
	if err := <-reply; err != nil {
		http.Error(w, "reload failed; the running config stays:\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "reloaded")
}

var landing = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nms_exporter</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em 1em;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body>
<h1>nms_exporter</h1>
<p>Exports network management systems' data to Prometheus. Each source's data is refreshed in the background and served from a cache.</p>
<h2>Sources</h2>
{{if .Shard.Sharded}}<p>{{.Shard}}</p>{{end}}
<table><tr><th>source</th><th>vendor</th><th>collections</th><th>metrics</th><th>status</th></tr>
{{range .Sources}}<tr><td>{{.Name}}</td><td>{{.Vendor}}</td><td>{{range .Status}}{{.Collection}}{{if .Success}} ✓{{else if .Attempts}} ✗{{else}} …{{end}} {{end}}</td><td><a href="/probe?target={{.Name}}">/probe?target={{.Name}}</a></td><td><a href="/status#{{.Name}}">status</a></td></tr>
{{else}}<tr><td colspan="5">{{if $.Shard.Sharded}}No configured source hashes to this shard.{{else}}No sources configured.{{end}}</td></tr>{{end}}
</table>
<h2>Endpoints</h2>
<ul>
<li><a href="/status">/status</a>: every source's collections, errors, intervals and budget</li>
<li><a href="/metrics">/metrics</a>: the exporter's own metrics</li>
<li><a href="/sd">/sd</a>: Prometheus HTTP service discovery, one target per source</li>
<li><a href="/config">/config</a>: the loaded configuration, secrets hidden</li>
<li><a href="/-/ready">/-/ready</a>, <a href="/-/healthy">/-/healthy</a></li>
</ul>
</body></html>
`))
