package web

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
)

// statusRow is one collection on the status page.
type statusRow struct {
	Collection, LastSuccess, Age, Interval, Duration, Err string
	OK, Never                                             bool
	Items                                                 int
	Calls                                                 int64
}

// statusSource is one source on the status page.
type statusSource struct {
	Name, Vendor string
	Up           bool
	RenderErr    string
	Calls        int64
	Budget       []statusBudget
	Rows         []statusRow
}

type statusBudget struct {
	Window, Own, Vendor string
}

// StatusHandler serves /status: every source with its vendor, and each
// collection's last success, age, last error, interval in force, calls
// and budget left. Plain HTML that needs no JavaScript; it shows what the
// metrics show, and no secret is in either.
func StatusHandler(m *collector.Manager, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var page []statusSource
		for _, s := range m.Sources() {
			src := statusSource{Name: s.Name, Vendor: s.Vendor, Up: true, Calls: s.API.Total()}
			if err := s.RenderError(); err != nil {
				src.Up, src.RenderErr = false, err.Error()
			}
			for _, st := range s.Status() {
				row := statusRow{
					Collection: st.Collection, OK: st.Success, Items: st.Items, Calls: st.Calls, Err: st.Err,
					Interval: st.Interval.String(), Duration: st.Duration.Round(time.Millisecond).String(),
					Never: st.LastSuccess.IsZero(), LastSuccess: "never", Age: "-",
				}
				if !row.Never {
					row.LastSuccess = st.LastSuccess.UTC().Format(time.RFC3339)
					row.Age = now.Sub(st.LastSuccess).Round(time.Second).String()
				}
				if !st.Success {
					src.Up = false
				}
				src.Rows = append(src.Rows, row)
			}
			if s.Budget != nil {
				b := s.Budget.State()
				windows := map[string]*statusBudget{}
				for w, v := range b.Remaining {
					windows[w] = &statusBudget{Window: w, Own: formatCount(v), Vendor: "-"}
				}
				for w, v := range b.VendorRemaining {
					if windows[w] == nil {
						windows[w] = &statusBudget{Window: w, Own: "-"}
					}
					windows[w].Vendor = formatCount(v)
				}
				for _, wb := range windows {
					src.Budget = append(src.Budget, *wb)
				}
				sort.Slice(src.Budget, func(i, j int) bool { return src.Budget[i].Window < src.Budget[j].Window })
			}
			page = append(page, src)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := statusPage.Execute(w, struct {
			Now     string
			Shard   ShardLine
			Sources []statusSource
		}{now.UTC().Format(time.RFC3339), NewShardLine(m), page}); err != nil {
			logger.Error("rendering /status", "err", err)
		}
	})
}

func formatCount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nms_exporter status</title>
<style>
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}
td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.bad{color:#cf222e}.err{font-family:monospace;font-size:90%;max-width:40em;word-break:break-word}
</style></head><body>
<h1>nms_exporter status</h1>
<p>At {{.Now}}. Each source's data is refreshed in the background and served from a cache;
<a href="/">home</a>, <a href="/metrics">/metrics</a>.</p>
{{with .Shard}}{{if .Sharded}}<p>{{.}}</p>{{end}}{{end}}
{{range .Sources}}
<h2 id="{{.Name}}">{{.Name}} <small>({{.Vendor}})</small> {{if .Up}}<span class="ok">up</span>{{else}}<span class="bad">down</span>{{end}}</h2>
<p><a href="/probe?target={{.Name}}">/probe?target={{.Name}}</a> · {{.Calls}} API calls since start</p>
{{if .RenderErr}}<p><span class="bad">render failing:</span> <span class="err">{{.RenderErr}}</span></p>{{end}}
{{if .Budget}}<table><tr><th>budget window</th><th>left (own count)</th><th>left (vendor says)</th></tr>
{{range .Budget}}<tr><td>{{.Window}}</td><td>{{.Own}}</td><td>{{.Vendor}}</td></tr>{{end}}</table>{{end}}
<table>
<tr><th>collection</th><th>state</th><th>last success</th><th>age</th><th>interval in force</th><th>last refresh took</th><th>items</th><th>calls</th><th>last error</th></tr>
{{range .Rows}}<tr><td>{{.Collection}}</td><td>{{if .OK}}<span class="ok">ok</span>{{else if .Never}}<span class="bad">not yet</span>{{else}}<span class="bad">failing</span>{{end}}</td>
<td>{{.LastSuccess}}</td><td>{{.Age}}</td><td>{{.Interval}}</td><td>{{.Duration}}</td><td>{{.Items}}</td><td>{{.Calls}}</td><td class="err">{{.Err}}</td></tr>
{{end}}</table>
{{else}}<p>No sources configured.</p>{{end}}
</body></html>
`))

// ShardLine says, on the pages, which shard this replica is and how many
// of the configured sources it polls.
type ShardLine struct {
	Sharded                         bool
	Index, Total, Polls, Configured int
}

// NewShardLine reads the manager's shard and sources.
func NewShardLine(m *collector.Manager) ShardLine {
	s := m.Shard()
	return ShardLine{Sharded: s.Sharded(), Index: s.Index, Total: s.Total, Polls: len(m.Sources()), Configured: m.Configured()}
}

func (l ShardLine) String() string {
	if !l.Sharded {
		return fmt.Sprintf("Not sharded: this exporter polls every configured source (%d).", l.Polls)
	}
	return fmt.Sprintf("Shard %d of %d (numbered from 0): this replica polls %d of the %d configured sources; the other shards poll the rest.",
		l.Index, l.Total, l.Polls, l.Configured)
}
