package packaging

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// composeFile is the part of compose.yaml the tests read.
type composeFile struct {
	Services map[string]struct {
		Build       any               `yaml:"build"`
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		Environment map[string]string `yaml:"environment"`
		DependsOn   []string          `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// The services compose.yaml runs, by name.
const (
	exporterService     = "nms-exporter"
	prometheusService   = "prometheus"
	alertmanagerService = "alertmanager"
	grafanaService      = "grafana"
)

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(readFile(t, filepath.Join(repo, "compose.yaml"))))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, name := range []string{exporterService, prometheusService, alertmanagerService, grafanaService} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("compose.yaml has no service %q", name)
		}
	}
	return c
}

// binds returns a service's host-folder mounts, target: source relative to
// the repository, and fails on a named volume compose.yaml does not declare
// or a host path that does not exist.
func (c composeFile) binds(t *testing.T, service string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range c.Services[service].Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 {
			t.Fatalf("compose.yaml: %s volume %q names no target", service, v)
		}
		src, target := parts[0], parts[1]
		if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
			if _, ok := c.Volumes[src]; !ok {
				t.Errorf("compose.yaml: %s mounts volume %q, which is not declared under volumes:", service, src)
			}
			continue
		}
		if len(parts) != 3 || parts[2] != "ro" {
			t.Errorf("compose.yaml: %s mounts %s read-write; the repository's files are only read", service, src)
		}
		if _, err := os.Stat(filepath.Join(repo, src)); err != nil {
			t.Errorf("compose.yaml: %s mounts %s: %v", service, src, err)
		}
		out[target] = src
	}
	return out
}

// containerTree copies a service's host-folder mounts into a temporary
// folder at their container paths, so that a tool checks the files as the
// container sees them, relative paths and all.
func (c composeFile) containerTree(t *testing.T, service string) string {
	t.Helper()
	root := t.TempDir()
	for target, src := range c.binds(t, service) {
		dst := filepath.Join(root, target)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(repo, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestComposeExporter checks the exporter's service: the Dockerfile's image
// in the demo, its exposed port published, and the state volume mounted.
func TestComposeExporter(t *testing.T) {
	c := loadCompose(t)
	im := loadImage(t)
	svc := c.Services[exporterService]
	if svc.Build == nil {
		t.Errorf("compose.yaml: %s is not built from the Dockerfile", exporterService)
	}
	if !slices.Equal(svc.Command, []string{"--demo"}) {
		t.Errorf("compose.yaml: %s command %v; want [--demo]", exporterService, svc.Command)
	}
	if !slices.Contains(svc.Ports, im.port+":"+im.port) {
		t.Errorf("compose.yaml: %s publishes %v; want %s:%s", exporterService, svc.Ports, im.port, im.port)
	}
	if !slices.ContainsFunc(svc.Volumes, func(v string) bool { return strings.HasSuffix(v, ":"+im.volume) }) {
		t.Errorf("compose.yaml: %s mounts nothing at the state volume %s", exporterService, im.volume)
	}
	for name, s := range c.Services {
		if name != exporterService && (!strings.Contains(s.Image, ":") || strings.HasSuffix(s.Image, ":latest")) {
			t.Errorf("compose.yaml: %s runs %q; pin a version, so that a new release cannot break the demo unseen", name, s.Image)
		}
	}
}

// promConfig is the part of a Prometheus config the tests read.
type promConfig struct {
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
}

// readmePrometheus returns the README's Prometheus section's config.
func readmePrometheus(t *testing.T) promConfig {
	t.Helper()
	readme := readFile(t, filepath.Join(repo, "README.md"))
	_, section, ok := strings.Cut(readme, "\n## Prometheus\n")
	if !ok {
		t.Fatal("the README has no Prometheus section")
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("the README's Prometheus section has no yaml block")
	}
	var p promConfig
	if err := yaml.Unmarshal([]byte(block), &p); err != nil {
		t.Fatalf("the README's Prometheus config: %v", err)
	}
	return p
}

// TestComposePrometheus checks the Prometheus service: its config is the
// README's scrape config, promtool accepts it as the container sees it,
// it loads every rule file of alerts/ and no test file, and it alerts to
// the Alertmanager service.
func TestComposePrometheus(t *testing.T) {
	c := loadCompose(t)
	binds := c.binds(t, prometheusService)
	const configPath = "/etc/prometheus/prometheus.yml"
	src, ok := binds[configPath]
	if !ok {
		t.Fatalf("compose.yaml mounts no config at %s, where the image reads it", configPath)
	}
	var p promConfig
	if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(repo, src))), &p); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if want := readmePrometheus(t).ScrapeConfigs; !reflect.DeepEqual(p.ScrapeConfigs, want) {
		t.Errorf("%s scrape_configs:\n%v\nwant the README's:\n%v", src, p.ScrapeConfigs, want)
	}
	for _, sc := range p.ScrapeConfigs {
		b, _ := yaml.Marshal(sc)
		if !strings.Contains(string(b), exporterService+":"+loadImage(t).port) {
			t.Errorf("%s: job %v does not scrape the %s service", src, sc["job_name"], exporterService)
		}
	}

	// The rule files mounted are alerts/'s, without their tests.
	var mounted, want []string
	for target, s := range binds {
		if strings.HasPrefix(s, "./alerts/") {
			mounted = append(mounted, filepath.Base(target))
		}
	}
	all, _ := filepath.Glob(filepath.Join(repo, "alerts", "*.yml"))
	for _, f := range all {
		if !strings.HasSuffix(f, "_test.yml") {
			want = append(want, filepath.Base(f))
		}
	}
	slices.Sort(mounted)
	if !slices.Equal(mounted, want) {
		t.Errorf("compose.yaml mounts the rule files %v; want alerts/'s %v", mounted, want)
	}

	var targets []string
	for _, am := range p.Alerting.Alertmanagers {
		for _, sc := range am.StaticConfigs {
			targets = append(targets, sc.Targets...)
		}
	}
	if !slices.Equal(targets, []string{alertmanagerService + ":9093"}) {
		t.Errorf("%s alerts to %v; want [%s:9093]", src, targets, alertmanagerService)
	}

	promtool := testtool.Path(t, "promtool", "Debian's prometheus package")
	root := c.containerTree(t, prometheusService)
	out, err := exec.Command(promtool, "check", "config", filepath.Join(root, configPath)).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config, as the container sees it: %v\n%s", err, out)
	}
	if found := fmt.Sprintf("%d rule files found", len(want)); !strings.Contains(string(out), found) {
		t.Errorf("promtool check config did not say %q: the rule_files glob misses the mounted rules\n%s", found, out)
	}
}

// TestComposeAlertmanager checks that Alertmanager's service reads
// docs/alertmanager.yml, and amtool accepts it there.
func TestComposeAlertmanager(t *testing.T) {
	c := loadCompose(t)
	const configPath = "/etc/alertmanager/alertmanager.yml"
	src, ok := c.binds(t, alertmanagerService)[configPath]
	if !ok || src != "./docs/alertmanager.yml" {
		t.Fatalf("compose.yaml mounts %q at %s; want ./docs/alertmanager.yml", src, configPath)
	}
	amtool := testtool.Path(t, "amtool", "Debian's prometheus-alertmanager package")
	root := c.containerTree(t, alertmanagerService)
	if out, err := exec.Command(amtool, "check-config", filepath.Join(root, configPath)).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config, as the container sees it: %v\n%s", err, out)
	}
}

// grafanaDatasources is Grafana's data source provisioning file, as far as
// compose.yaml's uses it.
type grafanaDatasources struct {
	APIVersion  int `yaml:"apiVersion"`
	Datasources []struct {
		Name      string         `yaml:"name"`
		UID       string         `yaml:"uid"`
		Type      string         `yaml:"type"`
		Access    string         `yaml:"access"`
		URL       string         `yaml:"url"`
		IsDefault bool           `yaml:"isDefault"`
		Editable  bool           `yaml:"editable"`
		JSONData  map[string]any `yaml:"jsonData"`
	} `yaml:"datasources"`
}

// grafanaDashboards is Grafana's dashboard provisioning file, as far as
// compose.yaml's uses it.
type grafanaDashboards struct {
	APIVersion int `yaml:"apiVersion"`
	Providers  []struct {
		Name            string `yaml:"name"`
		Folder          string `yaml:"folder"`
		Type            string `yaml:"type"`
		DisableDeletion bool   `yaml:"disableDeletion"`
		AllowUIUpdates  bool   `yaml:"allowUiUpdates"`
		Options         struct {
			Path string `yaml:"path"`
		} `yaml:"options"`
	} `yaml:"providers"`
}

// TestComposeGrafana checks Grafana's provisioning: a default Prometheus
// data source at the Prometheus service, and a dashboard provider whose
// folder holds every dashboard of dashboards/.
func TestComposeGrafana(t *testing.T) {
	c := loadCompose(t)
	var ds grafanaDatasources
	var db grafanaDashboards
	var sawDS, sawDB bool
	var dashboardFolders, dashboards []string
	for target, src := range c.binds(t, grafanaService) {
		switch {
		case strings.HasPrefix(target, "/etc/grafana/provisioning/datasources/"):
			decodeStrict(t, src, &ds)
			sawDS = true
		case strings.HasPrefix(target, "/etc/grafana/provisioning/dashboards/"):
			decodeStrict(t, src, &db)
			sawDB = true
		case strings.HasPrefix(src, "./dashboards/"):
			if dir := filepath.Dir(target); !slices.Contains(dashboardFolders, dir) {
				dashboardFolders = append(dashboardFolders, dir)
			}
			dashboards = append(dashboards, filepath.Base(src))
		}
	}
	if !sawDS || !sawDB {
		t.Fatalf("compose.yaml mounts a data source file: %v, a dashboard provider file: %v; want both in /etc/grafana/provisioning", sawDS, sawDB)
	}
	if d := ds.Datasources; ds.APIVersion != 1 || len(d) != 1 || d[0].Type != "prometheus" || !d[0].IsDefault ||
		d[0].URL != "http://"+prometheusService+":9090" {
		t.Errorf("Grafana's data sources %+v; want apiVersion 1 and one default prometheus at http://%s:9090 (the dashboards' datasource variable starts on the default)", ds, prometheusService)
	}
	if p := db.Providers; db.APIVersion != 1 || len(p) != 1 || p[0].Type != "file" || len(dashboardFolders) != 1 || p[0].Options.Path != dashboardFolders[0] {
		t.Errorf("Grafana's dashboard providers %+v; want apiVersion 1 and one file provider of the folder compose.yaml mounts the dashboards in (%v)", db, dashboardFolders)
	}
	all, _ := filepath.Glob(filepath.Join(repo, "dashboards", "*.json"))
	var want []string
	for _, f := range all {
		want = append(want, filepath.Base(f))
	}
	slices.Sort(dashboards)
	if len(want) == 0 || !slices.Equal(dashboards, want) {
		t.Errorf("compose.yaml mounts the dashboards %v; want dashboards/'s %v", dashboards, want)
	}
}

// decodeStrict decodes a YAML file of the repository, refusing keys v
// lacks: Grafana ignores a misspelt key in a provisioning file.
func decodeStrict(t *testing.T, src string, v any) {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(readFile(t, filepath.Join(repo, src))))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
}
