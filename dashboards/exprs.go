package dashboards

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// files holds every dashboard in this folder, so that callers in other
// packages read the same JSON whatever their working directory.
//
//go:embed *.json
var files embed.FS

// rateInterval is what $__rate_interval, $__interval and $__range become
// before parsing: Grafana fills them in at query time.
const rateInterval = "5m"

// board is the part of a Grafana dashboard the checks read.
type board struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	Tags          []string `json:"tags"`
	Editable      *bool    `json:"editable"`
	SchemaVersion int      `json:"schemaVersion"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Links  []dashLink `json:"links"`
	Panels []panel    `json:"panels"`
}

// dashLink is one of the links at the top of a dashboard: to the dashboards
// carrying Tags, or to URL.
type dashLink struct {
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	URL         string   `json:"url"`
	Tags        []string `json:"tags"`
	AsDropdown  bool     `json:"asDropdown"`
	KeepTime    bool     `json:"keepTime"`
	IncludeVars bool     `json:"includeVars"`
}

// dataLink is a link on a panel's values.
type dataLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// variable is a template variable.
type variable struct {
	Name       string          `json:"name"`
	Label      string          `json:"label"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Datasource json.RawMessage `json:"datasource"`
	Refresh    int             `json:"refresh"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
}

// panel is a dashboard panel; a row holds its collapsed panels in Panels.
type panel struct {
	ID          int             `json:"id"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Datasource  json.RawMessage `json:"datasource"`
	GridPos     struct {
		X int `json:"x"`
		Y int `json:"y"`
		W int `json:"w"`
		H int `json:"h"`
	} `json:"gridPos"`
	FieldConfig struct {
		Defaults struct {
			Unit  string     `json:"unit"`
			Links []dataLink `json:"links"`
		} `json:"defaults"`
		Overrides []override `json:"overrides"`
	} `json:"fieldConfig"`
	Targets         []target         `json:"targets"`
	Transformations []transformation `json:"transformations"`
	Panels          []panel          `json:"panels"`
}

// override sets properties (links among them) on the fields a matcher picks.
type override struct {
	Matcher struct {
		ID      string          `json:"id"`
		Options json.RawMessage `json:"options"`
	} `json:"matcher"`
	Properties []struct {
		ID    string          `json:"id"`
		Value json.RawMessage `json:"value"`
	} `json:"properties"`
}

// transformation is one step Grafana applies to a panel's data; organize
// drops and renames fields.
type transformation struct {
	ID      string `json:"id"`
	Options struct {
		ExcludeByName map[string]bool   `json:"excludeByName"`
		RenameByName  map[string]string `json:"renameByName"`
	} `json:"options"`
}

// target is one query of a panel.
type target struct {
	RefID      string          `json:"refId"`
	Expr       string          `json:"expr"`
	Datasource json.RawMessage `json:"datasource"`
}

// queryText returns a variable's query, which Grafana stores either as a
// string or as an object with a query field.
func (v variable) queryText() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var o struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(v.Query, &o) == nil {
		return o.Query
	}
	return ""
}

// allPanels returns the panels of b, with the panels of collapsed rows.
func (b *board) allPanels() []panel {
	var out []panel
	for _, p := range b.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// loadBoards decodes every bundled dashboard, keyed by file name.
func loadBoards() (map[string]*board, error) {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, err
	}
	boards := make(map[string]*board, len(names))
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		b := &board{}
		if err := json.Unmarshal(data, b); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		boards[name] = b
	}
	return boards, nil
}

// varRef matches Grafana's variable syntaxes: ${name}, ${name:format},
// [[name]] and $name.
var varRef = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)`)

// substitute replaces Grafana's variables in s so that Prometheus' parser
// accepts it: the interval variables become the duration interval, the
// millisecond and second forms the matching numbers, and every other
// variable its own name, a plain value.
func substitute(s, interval string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		switch name {
		case "__rate_interval", "__interval", "__range":
			return interval
		case "__rate_interval_ms", "__interval_ms", "__range_ms":
			return "300000"
		case "__range_s":
			return "300"
		}
		return name
	})
}

// variablePromQL returns the PromQL inside a query variable's query and the
// label it lists: label_values(expr, label) gives expr and label,
// query_result(expr) gives expr; label_values(label) has no PromQL.
// Anything else is returned whole, to be parsed as PromQL.
func variablePromQL(q string) (expr, label string, ok bool) {
	q = strings.TrimSpace(q)
	switch {
	case strings.HasPrefix(q, "label_values(") && strings.HasSuffix(q, ")"):
		inner := q[len("label_values(") : len(q)-1]
		i := lastTopLevelComma(inner)
		if i < 0 {
			return "", strings.TrimSpace(inner), false
		}
		return strings.TrimSpace(inner[:i]), strings.TrimSpace(inner[i+1:]), true
	case strings.HasPrefix(q, "query_result(") && strings.HasSuffix(q, ")"):
		return strings.TrimSpace(q[len("query_result(") : len(q)-1]), "", true
	case q == "":
		return "", "", false
	}
	return q, "", true
}

// lastTopLevelComma returns the index of the last comma in s outside
// brackets and quotes, or -1.
func lastTopLevelComma(s string) int {
	depth, last := 0, -1
	var quote rune
	escaped := false
	for i, r := range s {
		switch {
		case quote != 0:
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == quote:
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(' || r == '{' || r == '[':
			depth++
		case r == ')' || r == '}' || r == ']':
			depth--
		case r == ',' && depth == 0:
			last = i
		}
	}
	return last
}

// boardExprs returns every PromQL expression of b with its variables
// substituted: the panels' targets, then the query variables' PromQL.
func boardExprs(b *board, interval string) []string {
	var out []string
	for _, p := range b.allPanels() {
		for _, t := range p.Targets {
			if strings.TrimSpace(t.Expr) != "" {
				out = append(out, substitute(t.Expr, interval))
			}
		}
	}
	for _, v := range b.Templating.List {
		if v.Type != "query" {
			continue
		}
		if expr, _, ok := variablePromQL(v.queryText()); ok {
			out = append(out, substitute(expr, interval))
		}
	}
	return out
}

// Exprs returns every PromQL expression of every bundled dashboard, keyed by
// file name (overview.json, ...): each panel target's expression, then the
// PromQL inside each query variable, with Grafana's variables replaced by
// plain values ($__rate_interval by 5m, $job by job).
func Exprs() (map[string][]string, error) {
	boards, err := loadBoards()
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(boards))
	for name, b := range boards {
		out[name] = boardExprs(b, rateInterval)
	}
	return out, nil
}

// parseExpr parses a PromQL expression with Prometheus' own parser.
func parseExpr(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(expr)
}

// MetricNames returns the metric names expr selects, sorted and without
// repeats: each vector selector's name, or its __name__ equality matcher.
func MetricNames(expr string) ([]string, error) {
	e, err := parseExpr(expr)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name != "" {
			seen[vs.Name] = true
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == "__name__" && m.Type == labels.MatchEqual && m.Value != "" {
				seen[m.Value] = true
			}
		}
		return nil
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}
