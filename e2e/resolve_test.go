package e2e

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/dashboards"
)

// ruleFiles reads the bundled alert rule files (not their tests), by path.
func ruleFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(repo, "alerts", "*.yml"))
	out := map[string][]byte{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.yml") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	if len(out) == 0 {
		t.Fatal("no rule files in alerts/")
	}
	return out
}

// ruleExprs returns every rule expression of the bundled alert rules, by
// file.
func ruleExprs(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for f, b := range ruleFiles(t) {
		var doc struct {
			Groups []struct {
				Rules []struct {
					Expr string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range doc.Groups {
			for _, r := range g.Rules {
				out[f] = append(out[f], r.Expr)
			}
		}
	}
	return out
}

// unresolved lists the metric names the expressions select that the
// exporter does not serve. A histogram's series resolve to its family.
func unresolved(t *testing.T, exprs map[string][]string, served map[string]bool) []string {
	t.Helper()
	var out []string
	for file, list := range exprs {
		for _, e := range list {
			names, err := dashboards.MetricNames(e)
			if err != nil {
				t.Errorf("%s: %q: %v", file, e, err)
				continue
			}
			for _, n := range names {
				base := n
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(n, suffix); ok && served[b] {
						base = b
					}
				}
				if !served[base] {
					out = append(out, file+": "+n)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestDashboardsAndRulesResolve checks every metric every dashboard and
// alert rule selects against a live scrape of the demo: a renamed metric
// fails here, not on an operator's screen.
func TestDashboardsAndRulesResolve(t *testing.T) {
	env := startDemoEnv(t)
	served := map[string]bool{"up": true} // Prometheus' own, per target
	paths := []string{"/metrics"}
	for _, s := range env.exp.Manager().Sources() {
		paths = append(paths, "/probe?target="+s.Name)
	}
	for _, p := range paths {
		_, body := env.get(p)
		for n := range parse(t, body) {
			served[n] = true
		}
	}
	dash, err := dashboards.Exprs()
	if err != nil {
		t.Fatal(err)
	}
	if len(dash) == 0 {
		t.Fatal("no dashboards")
	}
	rules := ruleExprs(t)
	if len(rules) == 0 {
		t.Fatal("no alert rules")
	}
	for _, set := range []map[string][]string{dash, rules} {
		for _, missing := range unresolved(t, set, served) {
			t.Errorf("selects a metric the exporter does not serve: %s", missing)
		}
	}

	// A deliberately broken copy: one renamed metric must be caught.
	broken := map[string][]string{}
	renamed := 0
	for f, list := range dash {
		for _, e := range list {
			if strings.Contains(e, "nms_device_up") {
				e = strings.ReplaceAll(e, "nms_device_up", "nms_device_is_up")
				renamed++
			}
			broken[f] = append(broken[f], e)
		}
	}
	if renamed == 0 {
		t.Fatal("no dashboard selects nms_device_up; the broken copy renames nothing")
	}
	if got := unresolved(t, broken, served); len(got) < renamed {
		t.Errorf("a copy with nms_device_up renamed in %d queries gave %d findings; want each caught", renamed, len(got))
	}
}
