package alerts

import (
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// runbookBase is where every alert's runbook_url points, followed by
// "#<alertname in lower case>", the anchor of its section in docs/alerts.md.
const runbookBase = "https://github.com/nmsexporter/nms_exporter/blob/main/docs/alerts.md"

// docsPath is the alerts' documentation, relative to this folder.
const docsPath = "../docs/alerts.md"

// metricsPath lists every family the exporter serves, relative to this folder.
const metricsPath = "../docs/metrics.md"

// familyRE finds the exporter's metric names in an expression.
var familyRE = regexp.MustCompile(`\bnms_[a-z0-9_]+`)

// ruleFile is the part of a Prometheus rule file the tests read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// testFile is the part of a promtool rule test file the tests read.
type testFile struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTests []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `yaml:"exp_labels"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// promtool returns the path of promtool, failing the test when it is missing:
// the rules are only checked by the real thing.
func promtool(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "promtool", "Debian's prometheus package")
}

// files returns the rule files and the test files in this folder.
func files(t *testing.T) (rules, tests []string) {
	t.Helper()
	all, err := filepath.Glob("*.yml")
	if err != nil {
		t.Fatalf("filepath.Glob(%q) = %v; want nil", "*.yml", err)
	}
	for _, f := range all {
		if strings.HasSuffix(f, "_test.yml") {
			tests = append(tests, f)
		} else {
			rules = append(rules, f)
		}
	}
	if len(rules) == 0 {
		t.Fatalf("filepath.Glob(%q) found no rule files; want at least one", "*.yml")
	}
	return rules, tests
}

func testFileOf(ruleFile string) string {
	return strings.TrimSuffix(ruleFile, ".yml") + "_test.yml"
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("os.ReadFile(%q) = %v; want nil", path, err)
	}
	return b
}

func decode(t *testing.T, path string, v any) {
	t.Helper()
	b := readFile(t, path)
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("yaml.Unmarshal(%s) = %v; want nil", path, err)
	}
}

// alerts returns the alerting rules of a rule file, in order.
func alerts(t *testing.T, path string) []rule {
	t.Helper()
	var rf ruleFile
	decode(t, path, &rf)
	var out []rule
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// allAlerts yields every alerting rule of the rule files, with its file.
func allAlerts(t *testing.T) iter.Seq2[string, rule] {
	t.Helper()
	rules, _ := files(t)
	return func(yield func(string, rule) bool) {
		for _, f := range rules {
			for _, a := range alerts(t, f) {
				if !yield(f, a) {
					return
				}
			}
		}
	}
}

// TestPromtool runs promtool's rule checks on every rule file and its unit
// tests on every test file.
func TestPromtool(t *testing.T) {
	bin := promtool(t)
	rules, tests := files(t)
	if len(tests) == 0 {
		t.Fatalf("filepath.Glob(%q) found no test files; want one per rule file", "*_test.yml")
	}
	for _, run := range []struct {
		cmd   string
		files []string
	}{{"check", rules}, {"test", tests}} {
		for _, f := range run.files {
			t.Run(run.cmd+"/"+f, func(t *testing.T) {
				t.Parallel()
				out, err := exec.Command(bin, run.cmd, "rules", f).CombinedOutput()
				if err != nil {
					t.Errorf("promtool %s rules %s = %v; want success\n%s", run.cmd, f, err, out)
				}
			})
		}
	}
}

// TestEveryAlertTested requires a test file per rule file that loads it, and
// for every alert both a case where it fires and a case where it stays quiet.
func TestEveryAlertTested(t *testing.T) {
	rules, tests := files(t)
	for _, f := range tests {
		rf := strings.TrimSuffix(f, "_test.yml") + ".yml"
		if !slices.Contains(rules, rf) {
			t.Errorf("rule file of %s = none; want %s", f, rf)
		}
	}
	for _, f := range rules {
		t.Run(f, func(t *testing.T) {
			tf := testFileOf(f)
			if !slices.Contains(tests, tf) {
				t.Fatalf("test file of %s = none; want %s", f, tf)
			}
			var tst testFile
			decode(t, tf, &tst)
			if !slices.Contains(tst.RuleFiles, f) {
				t.Errorf("rule_files of %s = %q; want it to hold %q", tf, tst.RuleFiles, f)
			}
			fires := map[string]bool{}
			quiet := map[string]bool{}
			for _, tc := range tst.Tests {
				for _, at := range tc.AlertRuleTests {
					if len(at.ExpAlerts) > 0 {
						fires[at.Alertname] = true
					} else {
						quiet[at.Alertname] = true
					}
				}
			}
			for _, a := range alerts(t, f) {
				if !fires[a.Alert] {
					t.Errorf("cases in %s where %s fires = 0; want at least one alert_rule_test with exp_alerts", tf, a.Alert)
				}
				if !quiet[a.Alert] {
					t.Errorf("cases in %s where %s stays quiet = 0; want at least one alert_rule_test with exp_alerts: []", tf, a.Alert)
				}
			}
		})
	}
}

// TestAlertConventions checks what every alert carries: a unique Nms name, a
// for duration, the severity label repeated as an annotation, a summary, a
// description and the runbook anchor.
func TestAlertConventions(t *testing.T) {
	seen := map[string]string{}
	for f, a := range allAlerts(t) {
		t.Run(a.Alert, func(t *testing.T) {
			if prev, ok := seen[a.Alert]; ok {
				t.Errorf("files defining %s = %s, %s; want one", a.Alert, prev, f)
			}
			seen[a.Alert] = f
			if !strings.HasPrefix(a.Alert, "Nms") {
				t.Errorf("prefix of alert %q = not Nms; want Nms", a.Alert)
			}
			if a.For == "" {
				t.Errorf("for of %s = empty; want a duration", a.Alert)
			}
			sev := a.Labels["severity"]
			if !slices.Contains([]string{"critical", "warning", "info"}, sev) {
				t.Errorf("label severity of %s = %q; want critical, warning or info", a.Alert, sev)
			}
			if got := a.Annotations["severity"]; got != sev {
				t.Errorf("annotation severity of %s = %q; want %q", a.Alert, got, sev)
			}
			for _, k := range []string{"summary", "description"} {
				if strings.TrimSpace(a.Annotations[k]) == "" {
					t.Errorf("annotation %s of %s = empty; want text", k, a.Alert)
				}
			}
			if got, want := a.Annotations["runbook_url"], runbookBase+"#"+strings.ToLower(a.Alert); got != want {
				t.Errorf("runbook_url of %s = %q; want %q", a.Alert, got, want)
			}
		})
	}
}

// TestAlertsDocumented requires docs/alerts.md to list every alert in its
// table, with its severity and file, and to hold the section runbook_url
// points at.
func TestAlertsDocumented(t *testing.T) {
	doc := string(readFile(t, docsPath))
	for f, a := range allAlerts(t) {
		row := fmt.Sprintf("| [%s](#%s) | %s | `%s` |", a.Alert, strings.ToLower(a.Alert), a.Labels["severity"], f)
		if !strings.Contains(doc, row) {
			t.Errorf("table row of %s in %s = missing; want %q", a.Alert, docsPath, row)
		}
		if heading := "\n### " + a.Alert + "\n"; !strings.Contains(doc, heading) {
			t.Errorf("section of %s in %s = missing; want a heading %q", a.Alert, docsPath, strings.TrimSpace(heading))
		}
	}
}

// TestRuleMetricsServed requires every nms_ family a rule uses to be one the
// exporter serves, as listed in docs/metrics.md, so a renamed metric cannot
// leave a rule that never fires.
func TestRuleMetricsServed(t *testing.T) {
	doc := string(readFile(t, metricsPath))
	for f, a := range allAlerts(t) {
		for _, name := range familyRE.FindAllString(a.Expr, -1) {
			if !strings.Contains(doc, "| `"+name+"` |") {
				t.Errorf("family %s used by %s in %s = not in %s; want a family the exporter serves", name, a.Alert, f, metricsPath)
			}
		}
	}
}
