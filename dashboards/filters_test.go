package dashboards

import (
	"bufio"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// The checks below keep the source, vendor and site variables on every
// query that can use them. See docs/dashboards.md.

// family is one row of docs/metrics.md.
type family struct {
	typ    string
	labels map[string]bool
	// probe is set for the families of /probe, whose series /sd labels with
	// source and vendor.
	probe bool
}

// familyLabels reads every family's type and labels from docs/metrics.md.
func familyLabels(t *testing.T) map[string]family {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "docs", "metrics.md"))
	if err != nil {
		t.Fatalf("os.Open(docs/metrics.md) error = %v; want nil", err)
	}
	defer func() { _ = f.Close() }()
	row := regexp.MustCompile("^\\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \\| (\\w+) \\| ([^|]*) \\|")
	out := map[string]family{}
	probe := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			probe = strings.Contains(line, "/probe")
			continue
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fam := family{typ: m[2], labels: map[string]bool{}, probe: probe}
		for _, l := range strings.Split(m[3], ",") {
			if l = strings.TrimSpace(l); l != "" {
				fam.labels[l] = true
			}
		}
		out[m[1]] = fam
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading docs/metrics.md: %v", err)
	}
	if len(out) == 0 || !out["nms_device_up"].probe || out["nms_exporter_build_info"].probe {
		t.Fatalf("familyLabels(docs/metrics.md) = %d families; want both tables, /probe's and /metrics'", len(out))
	}
	return out
}

// selectorLabels returns the labels a selected series carries in
// Prometheus: the family's own, job and instance, and for /probe families
// the source and vendor that /sd adds. Histogram series keep le.
func selectorLabels(vs *parser.VectorSelector, fams map[string]family) map[string]bool {
	name := vs.Name
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			name = m.Value
		}
	}
	fam, ok := fams[name]
	if !ok {
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			if f, found := fams[strings.TrimSuffix(name, s)]; found && strings.HasSuffix(name, s) {
				fam, ok = f, true
				if s == "_bucket" {
					fam.labels = maps.Clone(f.labels)
					fam.labels["le"] = true
				}
			}
		}
	}
	out := map[string]bool{"job": true, "instance": true}
	if !ok {
		return out
	}
	maps.Copy(out, fam.labels)
	if fam.probe {
		out["source"], out["vendor"] = true, true
	}
	return out
}

// companion reports whether vs reads another source than the dashboard's
// own: a selector whose instance matcher takes a variable other than
// instance, such as the Nautobot source of a serial join. The source, vendor
// and site of the vendor's devices do not apply to it.
func companion(vs *parser.VectorSelector, lists map[string]string) bool {
	for _, m := range vs.LabelMatchers {
		if m.Name == "instance" && m.Type == labels.MatchRegexp && m.Value != "instance" && lists[m.Value] == "instance" {
			return true
		}
	}
	return false
}

// siteFree reports whether a selector may read every site: one that only
// tests the rows of a left side already filtered by site (the right side of
// and or unless: an uplink's neighbour may stand in another site), and one of
// wireless controllers, which serve the access points of every site (their
// own families carry no site).
func siteFree(vs *parser.VectorSelector, n parser.Node, path []parser.Node) bool {
	for _, m := range vs.LabelMatchers {
		if m.Name == "device_type" && m.Type == labels.MatchEqual && m.Value == "controller" {
			return true
		}
	}
	for i, a := range path {
		b, ok := a.(*parser.BinaryExpr)
		if !ok || (b.Op != parser.LAND && b.Op != parser.LUNLESS) {
			continue
		}
		child := n
		if i+1 < len(path) {
			child = path[i+1]
		}
		if child == parser.Node(b.RHS) {
			return true
		}
	}
	return false
}

// filterLabel gives, for a label a family may carry, the variable that must
// filter it: Nautobot's locations are its sites.
var filterLabel = map[string]string{"source": "source", "vendor": "vendor", "site": "site", "location": "site"}

func TestFilterVariables(t *testing.T) {
	t.Parallel()
	fams := familyLabels(t)
	for _, name := range sortedNames(boards(t)) {
		b := boards(t)[name]
		lists := map[string]string{}
		vars := map[string]variable{}
		for _, v := range b.Templating.List {
			vars[v.Name] = v
			if v.Type == "query" {
				_, label, _ := variablePromQL(v.queryText())
				lists[v.Name] = label
			}
		}
		// A dashboard of one vendor pins it in its source variable; one
		// spanning vendors filters by a vendor variable instead.
		spans := true
		if src, ok := vars["source"]; ok {
			spans = !strings.Contains(src.queryText(), `vendor="`)
		}
		needed := map[string]bool{}
		for q, e := range panelExprs(b) {
			parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
				vs, ok := n.(*parser.VectorSelector)
				if !ok || companion(vs, lists) {
					return nil
				}
				have := selectorLabels(vs, fams)
				for _, label := range slices.Sorted(maps.Keys(filterLabel)) {
					variable := filterLabel[label]
					if !have[label] || (label == "vendor" && !spans) || (variable == "site" && siteFree(vs, n, path)) {
						continue
					}
					needed[variable] = true
					if !hasVariableMatcherNamed(vs.LabelMatchers, label, variable) {
						t.Errorf("%s: %s: selector %s matcher on %s = missing; want %s=~\"$%s\"", name, q.where, vs, label, label, variable)
					}
				}
				return nil
			})
		}
		for _, v := range slices.Sorted(maps.Keys(needed)) {
			if lists[v] != v && !(v == "site" && lists[v] == "location") {
				t.Errorf("%s: variable %s = missing or lists %q; want a query variable listing %s, as its panels filter by it", name, v, lists[v], v)
			}
		}
		if src, ok := vars["source"]; ok && spans && !strings.Contains(src.queryText(), `vendor=~"$vendor"`) {
			t.Errorf("%s: variable source query = %q; want the sources of the vendors picked, vendor=~\"$vendor\"", name, src.queryText())
		}
	}
}

// hasVariableMatcherNamed reports whether ms holds a regex matcher on label
// whose value is the variable named (already substituted by its name).
func hasVariableMatcherNamed(ms []*labels.Matcher, label, variable string) bool {
	for _, m := range ms {
		if m.Name == label && m.Type == labels.MatchRegexp && m.Value == variable {
			return true
		}
	}
	return false
}

func TestSiteFree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr string
		want       []bool // per selector, in order
	}{
		{"left of and is filtered", `nms_interface_up and on (instance, device) nms_device_info`, []bool{false, true}},
		{"right of unless", `nms_device_up unless (nms_device_info)`, []bool{false, true}},
		{"or keeps both", `nms_device_up or nms_device_info`, []bool{false, false}},
		{"join is not a filter", `nms_device_up * on (serial) group_left (role) nms_sot_device_info`, []bool{false, false}},
		{"nested right side", `topk(3, nms_ap_clients and on (device) (nms_device_info or nms_device_up))`, []bool{false, true, true}},
		{"controllers", `nms_device_up{device_type="controller"}`, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := mustParseExpr(t, tt.expr)
			var got []bool
			parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok {
					got = append(got, siteFree(vs, n, path))
				}
				return nil
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("siteFree of each selector of %q = %v; want %v", tt.expr, got, tt.want)
			}
		})
	}
}
