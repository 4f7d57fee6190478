package dashboards

import (
	"bytes"
	"encoding/json"
	"iter"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// The rules below are those of Grafana's dashboard-linter, which cannot be
// installed here, and of the project: see docs/dashboards.md.

// wantDatasource is the datasource every panel, target and query variable uses.
var wantDatasource = map[string]any{"type": "prometheus", "uid": "${datasource}"}

// units are the Grafana unit ids the dashboards may use (a subset of
// packages/grafana-data/src/valueFormats/categories.ts). The last line's
// are for the interface, radio and device health families: bits and counts
// per second, watts, dBm and degrees Celsius.
var units = []string{
	"none", "short", "string", "percent", "percentunit", "s", "ms", "dtdurations", "dtdurationms",
	"dateTimeAsIso", "dateTimeFromNow", "reqps", "ops", "bool", "bool_yes_no", "bool_on_off",
	"bps", "cps", "watt", "dBm", "celsius",
}

// vendorBoards are the dashboards of one vendor, which pick sources and sites.
var vendorBoards = []string{"mist.json", "mist_wired.json", "prime.json", "prime_wireless.json", "cxcloud.json", "nautobot.json"}

// sentinel stands for $__rate_interval when checking that rate, irate and
// increase use it: no dashboard writes this range by hand.
const sentinel = "7h7m7s"

// rangeFuncs are the functions that may read a counter.
var rangeFuncs = []string{"rate", "irate", "increase"}

func boards(t *testing.T) map[string]*board {
	t.Helper()
	b, err := loadBoards()
	if err != nil {
		t.Fatalf("loadBoards() error = %v; want nil", err)
	}
	if len(b) < 7 {
		t.Fatalf("len(loadBoards()) = %d; want at least 7", len(b))
	}
	return b
}

// sortedNames returns the keys of m in order, so that failures read the same
// on every run.
func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// mustParseExpr parses an expression a test writes out.
func mustParseExpr(t *testing.T, expr string) parser.Expr {
	t.Helper()
	e, err := parseExpr(expr)
	if err != nil {
		t.Fatalf("parseExpr(%q) error = %v", expr, err)
	}
	return e
}

func decodeRef(raw json.RawMessage) map[string]any {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// families reads docs/metrics.md: every family the exporter serves, by type.
func families(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, f := range familyLabels(t) {
		out[name] = f.typ
	}
	return out
}

// seriesNames returns every metric name the families serve, with the
// _bucket, _sum and _count series of histograms and summaries, and whether
// each is a counter's (counters and those series may only be read by rate,
// irate or increase).
func seriesNames(fams map[string]string) map[string]bool {
	out := map[string]bool{}
	for name, typ := range fams {
		switch typ {
		case "counter":
			out[name] = true
		case "histogram", "summary":
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				out[name+s] = true
			}
			out[name] = typ == "histogram"
		default:
			out[name] = false
		}
	}
	return out
}

func TestDashboardsParse(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("*.json")
	if err != nil || len(paths) < 7 {
		t.Fatalf("filepath.Glob(*.json) = %v, %v; want the bundled dashboards", paths, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("os.ReadFile(%s) error = %v; want nil", p, err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Errorf("json.Unmarshal(%s) error = %v; want nil", p, err)
			continue
		}
		if path := findNull(v, "$"); path != "" {
			t.Errorf("%s: value at %s = null; want no nulls (current schema)", p, path)
		}
	}
}

// findNull returns the path of the first null in v, or "".
func findNull(v any, path string) string {
	switch x := v.(type) {
	case nil:
		return path
	case map[string]any:
		for _, k := range sortedNames(x) {
			if p := findNull(x[k], path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findNull(e, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestDashboardSettings(t *testing.T) {
	t.Parallel()
	uids := map[string]string{}
	uidPattern := regexp.MustCompile(`^nms-[a-z0-9-]+$`)
	for _, name := range sortedNames(boards(t)) {
		b := boards(t)[name]
		if !uidPattern.MatchString(b.UID) || len(b.UID) > 40 {
			t.Errorf("%s: uid = %q; want nms-<name>, at most 40 characters", name, b.UID)
		}
		if other, ok := uids[b.UID]; ok {
			t.Errorf("%s: uid = %q; want unique, %s has it too", name, b.UID, other)
		}
		uids[b.UID] = name
		if !strings.HasPrefix(b.Title, "nms_exporter / ") {
			t.Errorf("%s: title = %q; want it to start with %q", name, b.Title, "nms_exporter / ")
		}
		if b.Description == "" {
			t.Errorf("%s: description = %q; want a description", name, b.Description)
		}
		if !slices.Contains(b.Tags, "nms_exporter") {
			t.Errorf("%s: tags = %v; want nms_exporter among them", name, b.Tags)
		}
		// Editable, Grafana's default: a user may open a panel's editor to
		// see and try its query, and save a copy; provisioning still keeps
		// the file's version (see docs/dashboards.md).
		if b.Editable == nil || !*b.Editable {
			t.Errorf("%s: editable = %v; want true", name, fmtBool(b.Editable))
		}
		if b.SchemaVersion < 39 {
			t.Errorf("%s: schemaVersion = %d; want 39 or later", name, b.SchemaVersion)
		}
	}
}

// fmtBool shows an optional setting: its value, or that it is missing.
func fmtBool(b *bool) string {
	if b == nil {
		return "missing"
	}
	return strconv.FormatBool(*b)
}

func TestTemplateVariables(t *testing.T) {
	t.Parallel()
	for _, name := range sortedNames(boards(t)) {
		b := boards(t)[name]
		vars := map[string]variable{}
		datasources := 0
		for _, v := range b.Templating.List {
			vars[v.Name] = v
			if v.Refresh != 2 {
				t.Errorf("%s: variable %s refresh = %d; want 2 (on time range change)", name, v.Name, v.Refresh)
			}
			switch v.Type {
			case "datasource":
				datasources++
				if v.Name != "datasource" || v.queryText() != "prometheus" {
					t.Errorf("%s: datasource variable = %s query %q; want datasource query %q", name, v.Name, v.queryText(), "prometheus")
				}
			case "query":
				if got := decodeRef(v.Datasource); !reflect.DeepEqual(got, wantDatasource) {
					t.Errorf("%s: variable %s datasource = %v; want %v", name, v.Name, got, wantDatasource)
				}
			}
		}
		if datasources != 1 {
			t.Errorf("%s: datasource variables = %d; want 1", name, datasources)
		}
		for _, want := range []string{"job", "instance"} {
			v, ok := vars[want]
			if !ok {
				t.Errorf("%s: variable %s = missing; want a query variable", name, want)
				continue
			}
			if v.Type != "query" || !v.Multi || !v.IncludeAll || v.AllValue != ".+" {
				t.Errorf("%s: variable %s = type %s multi %v includeAll %v allValue %q; want query, multi, includeAll, allValue .+",
					name, want, v.Type, v.Multi, v.IncludeAll, v.AllValue)
			}
			if _, label, _ := variablePromQL(v.queryText()); label != want {
				t.Errorf("%s: variable %s lists label %q; want %q", name, want, label, want)
			}
		}
		if !slices.Contains(vendorBoards, name) {
			continue
		}
		src, ok := vars["source"]
		if !ok {
			t.Errorf("%s: variable source = missing; want label_values of nms_source_up by job", name)
		} else if q := src.queryText(); !strings.HasPrefix(q, "label_values(nms_source_up{") || !strings.Contains(q, `job=~"$job"`) || !strings.HasSuffix(q, ", source)") {
			t.Errorf("%s: variable source query = %q; want label_values(nms_source_up{job=~\"$job\", ...}, source)", name, q)
		}
		if _, ok := vars["site"]; !ok {
			t.Errorf("%s: variable site = missing; want a site variable", name)
		}
	}
}

func TestPanels(t *testing.T) {
	t.Parallel()
	for _, name := range sortedNames(boards(t)) {
		b := boards(t)[name]
		panels := b.allPanels()
		if len(panels) < 8 || len(panels) > 20 {
			t.Errorf("%s: panels = %d; want 8 to 20", name, len(panels))
		}
		ids := map[int]bool{}
		titles := map[string]bool{}
		for i, p := range panels {
			if p.Type == "row" {
				continue
			}
			if ids[p.ID] {
				t.Errorf("%s: panel %q id = %d; want unique", name, p.Title, p.ID)
			}
			ids[p.ID] = true
			if strings.TrimSpace(p.Title) == "" {
				t.Errorf("%s: panel %d title = %q; want a title", name, i, p.Title)
			}
			if titles[p.Title] {
				t.Errorf("%s: panel title %q = repeated; want each title once", name, p.Title)
			}
			titles[p.Title] = true
			if strings.TrimSpace(p.Description) == "" {
				t.Errorf("%s: panel %q description = %q; want a description", name, p.Title, p.Description)
			}
			if u := p.FieldConfig.Defaults.Unit; !slices.Contains(units, u) {
				t.Errorf("%s: panel %q unit = %q; want one of %v", name, p.Title, u, units)
			}
			if got := decodeRef(p.Datasource); !reflect.DeepEqual(got, wantDatasource) {
				t.Errorf("%s: panel %q datasource = %v; want %v", name, p.Title, got, wantDatasource)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q targets = 0; want at least one", name, p.Title)
			}
			for _, tg := range p.Targets {
				if got := decodeRef(tg.Datasource); !reflect.DeepEqual(got, wantDatasource) {
					t.Errorf("%s: panel %q target %s datasource = %v; want %v", name, p.Title, tg.RefID, got, wantDatasource)
				}
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("%s: panel %q target %s expr = %q; want a query", name, p.Title, tg.RefID, tg.Expr)
				}
			}
			g := p.GridPos
			if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
				t.Errorf("%s: panel %q gridPos = %+v; want inside 24 columns", name, p.Title, g)
			}
		}
		for i, p := range b.Panels {
			for _, q := range b.Panels[i+1:] {
				a, c := p.GridPos, q.GridPos
				if a.X < c.X+c.W && c.X < a.X+a.W && a.Y < c.Y+c.H && c.Y < a.Y+a.H {
					t.Errorf("%s: gridPos of %q %+v and %q %+v = overlapping; want apart", name, p.Title, a, q.Title, c)
				}
			}
		}
	}
}

// query is one PromQL expression of a dashboard and where it comes from.
type query struct {
	where string
	raw   string
	panel bool
}

func queries(b *board) []query {
	var out []query
	for _, p := range b.allPanels() {
		for _, tg := range p.Targets {
			out = append(out, query{where: "panel " + p.Title + " target " + tg.RefID, raw: tg.Expr, panel: true})
		}
	}
	for _, v := range b.Templating.List {
		if v.Type != "query" {
			continue
		}
		if expr, _, ok := variablePromQL(v.queryText()); ok {
			out = append(out, query{where: "variable " + v.Name, raw: expr})
		}
	}
	return out
}

func TestQueriesParse(t *testing.T) {
	t.Parallel()
	for _, name := range sortedNames(boards(t)) {
		for _, q := range queries(boards(t)[name]) {
			expr := substitute(q.raw, rateInterval)
			if _, err := parseExpr(expr); err != nil {
				t.Errorf("%s: %s: ParseExpr(%q) error = %v; want nil", name, q.where, expr, err)
			}
		}
	}
}

func TestRateInterval(t *testing.T) {
	t.Parallel()
	want, err := time.ParseDuration(sentinel)
	if err != nil {
		t.Fatal(err)
	}
	inspectQueries(t, sentinel, func(name string, q query, _ parser.Expr, n parser.Node, _ []parser.Node) {
		c, ok := n.(*parser.Call)
		if !ok || !slices.Contains(rangeFuncs, c.Func.Name) {
			return
		}
		ms, ok := c.Args[0].(*parser.MatrixSelector)
		if !ok || ms.Range != want {
			t.Errorf("%s: %s: range of %s = %s; want [$__rate_interval]", name, q.where, c.Func.Name, c.Args[0])
		}
	})
}

// panelExprs yields the panels' queries of a board that parse, with
// rateInterval for $__rate_interval; those that do not are
// TestQueriesParse's to report.
func panelExprs(b *board) iter.Seq2[query, parser.Expr] {
	return func(yield func(query, parser.Expr) bool) {
		for _, q := range queries(b) {
			if !q.panel {
				continue
			}
			e, err := parseExpr(substitute(q.raw, rateInterval))
			if err != nil {
				continue
			}
			if !yield(q, e) {
				return
			}
		}
	}
}

// inspectQueries parses every query of every board with interval for
// $__rate_interval and calls fn with each node of it and its path. Queries
// that do not parse are TestQueriesParse's to report.
func inspectQueries(t *testing.T, interval string, fn func(board string, q query, e parser.Expr, n parser.Node, path []parser.Node)) {
	for _, name := range sortedNames(boards(t)) {
		for _, q := range queries(boards(t)[name]) {
			e, err := parseExpr(substitute(q.raw, interval))
			if err != nil {
				continue
			}
			parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
				fn(name, q, e, n, path)
				return nil
			})
		}
	}
}

func TestCountersOnlyInRate(t *testing.T) {
	t.Parallel()
	counters := seriesNames(families(t))
	inspectQueries(t, rateInterval, func(name string, q query, e parser.Expr, n parser.Node, path []parser.Node) {
		vs, ok := n.(*parser.VectorSelector)
		if !ok || !counters[vs.Name] {
			return
		}
		inRate := false
		if len(path) >= 2 {
			_, isRange := path[len(path)-1].(*parser.MatrixSelector)
			c, isCall := path[len(path)-2].(*parser.Call)
			inRate = isRange && isCall && slices.Contains(rangeFuncs, c.Func.Name)
		}
		if !inRate {
			t.Errorf("%s: %s: counter %s read by %q; want it only inside rate, irate or increase", name, q.where, vs.Name, e)
		}
	})
}

func TestSelectorsHaveJobAndInstance(t *testing.T) {
	t.Parallel()
	for _, name := range sortedNames(boards(t)) {
		b := boards(t)[name]
		// lists maps each query variable to the label it lists, so that a
		// matcher on instance must use a variable listing instances.
		lists := map[string]string{}
		for _, v := range b.Templating.List {
			if v.Type == "query" {
				_, label, _ := variablePromQL(v.queryText())
				lists[v.Name] = label
			}
		}
		var need []string
		for _, l := range []string{"job", "instance"} {
			if _, ok := lists[l]; ok {
				need = append(need, l)
			}
		}
		for q, e := range panelExprs(b) {
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				vs, ok := n.(*parser.VectorSelector)
				if !ok {
					return nil
				}
				for _, l := range need {
					if !hasVariableMatcher(vs.LabelMatchers, l, lists) {
						t.Errorf("%s: %s: selector %s matcher on %s = missing; want %s=~\"$<variable listing %s>\"", name, q.where, vs, l, l, l)
					}
				}
				return nil
			})
		}
	}
}

// hasVariableMatcher reports whether ms holds a regex matcher on label whose
// value is a variable (already substituted by its name) that lists label.
func hasVariableMatcher(ms []*labels.Matcher, label string, lists map[string]string) bool {
	for _, m := range ms {
		if m.Name == label && m.Type == labels.MatchRegexp && lists[m.Value] == label {
			return true
		}
	}
	return false
}

func TestMetricNamesDocumented(t *testing.T) {
	t.Parallel()
	known := seriesNames(families(t))
	all, err := Exprs()
	if err != nil {
		t.Fatalf("Exprs() error = %v; want nil", err)
	}
	for _, name := range sortedNames(all) {
		for _, expr := range all[name] {
			names, err := MetricNames(expr)
			if err != nil {
				t.Errorf("%s: MetricNames(%q) error = %v; want nil", name, expr, err)
				continue
			}
			if len(names) == 0 {
				t.Errorf("%s: MetricNames(%q) = none; want at least one metric", name, expr)
			}
			for _, n := range names {
				if _, ok := known[n]; !ok {
					t.Errorf("%s: MetricNames(%q) has %s; want only families in docs/metrics.md", name, expr, n)
				}
			}
		}
	}
}

func TestExprs(t *testing.T) {
	t.Parallel()
	all, err := Exprs()
	if err != nil {
		t.Fatalf("Exprs() error = %v; want nil", err)
	}
	for _, want := range []string{"overview.json", "mist.json", "mist_wired.json", "prime.json", "prime_wireless.json", "cxcloud.json", "nautobot.json", "exporter.json", "device.json"} {
		if len(all[want]) == 0 {
			t.Errorf("len(Exprs()[%q]) = 0; want its expressions", want)
		}
	}
	for name, exprs := range all {
		for _, e := range exprs {
			if strings.Contains(e, "$") || strings.Contains(e, "[[") {
				t.Errorf("Exprs()[%q] has %q; want every variable substituted", name, e)
			}
		}
	}
}

func TestSubstitute(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"rate interval", `rate(x{job=~"$job"}[$__rate_interval])`, `rate(x{job=~"job"}[5m])`},
		{"braces and format", `x{instance=~"${instance:regex}", site=~"${site}"}`, `x{instance=~"instance", site=~"site"}`},
		{"old syntax", `x{job=~"[[job]]"}[$__interval]`, `x{job=~"job"}[5m]`},
		{"range", `increase(x[$__range])`, `increase(x[5m])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := substitute(tt.in, rateInterval); got != tt.want {
				t.Errorf("substitute(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestVariablePromQL(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, expr, label string }{
		{"label values", `label_values(nms_source_up{job=~"$job"}, instance)`, `nms_source_up{job=~"$job"}`, "instance"},
		{"comma inside selector", `label_values(x{a="1", b=~"c,d"}, site)`, `x{a="1", b=~"c,d"}`, "site"},
		{"label only", `label_values(job)`, "", "job"},
		{"query result", `query_result(topk(5, x))`, `topk(5, x)`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expr, label, _ := variablePromQL(tt.in)
			if expr != tt.expr || label != tt.label {
				t.Errorf("variablePromQL(%q) = %q, %q; want %q, %q", tt.in, expr, label, tt.expr, tt.label)
			}
		})
	}
}

func TestMetricNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"selector", `nms_source_up{job="a"}`, []string{"nms_source_up"}},
		{"name matcher", `{__name__="nms_clients", site="x"}`, []string{"nms_clients"}},
		{"join", `count by (role) ((nms_device_up == 0) * on (serial) group_left (role) max by (serial, role) (nms_sot_device_info))`,
			[]string{"nms_device_up", "nms_sot_device_info"}},
		{"rate and repeat", `sum(rate(nms_api_requests_total[5m])) / sum(rate(nms_api_requests_total[5m]))`, []string{"nms_api_requests_total"}},
		{"no metric", `vector(1)`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MetricNames(tt.in)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("MetricNames(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := MetricNames("rate(x[$__rate_interval])"); err == nil {
		t.Errorf("MetricNames(unsubstituted) error = nil; want a parse error")
	}
}

func TestGrafanaSchemaTypes(t *testing.T) {
	// The dashboards are type-checked against @grafana/schema with tsc.
	testtool.Path(t, "npm", "Debian's npm package")
	cmd := exec.Command("bash", filepath.Join("typecheck", "check.sh"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash typecheck/check.sh = %v\n%s; want success", err, out.String())
	}
}
