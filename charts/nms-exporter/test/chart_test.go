package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// largestMeasuredPeak is the highest peak RSS measured of one replica with
// all four vendors at large size (BENCHMARKS.md, Mist's wired, WAN, SLE,
// radio and health families at large: 339 to 374 MiB as landed): the
// default memory request must hold it.
var largestMeasuredPeak = resource.MustParse("374Mi")

// Each example renders, and every object decodes strictly into its type.
func TestEveryObjectDecodesStrictly(t *testing.T) {
	cases := map[string][]string{"default values": nil}
	for _, f := range valuesFiles(t) {
		cases[filepath.Base(f)] = []string{"--values", f}
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r := render(t, args...)
			if len(r.objects) == 0 {
				t.Fatal("rendered no object")
			}
			for _, o := range r.objects {
				var head struct {
					Metadata metav1.ObjectMeta `json:"metadata"`
				}
				if err := yaml.Unmarshal(o.doc, &head); err != nil {
					t.Fatalf("%s %q: %v", o.key, o.name, err)
				}
				if head.Metadata.Namespace != namespace {
					t.Errorf("%s %q: namespace %q; want the release's, %q", o.key, o.name, head.Metadata.Namespace, namespace)
				}
				if got := head.Metadata.Labels["app.kubernetes.io/instance"]; got != release {
					t.Errorf("%s %q: label app.kubernetes.io/instance = %q; want %q", o.key, o.name, got, release)
				}
			}
		})
	}
}

// The strict decoding the other tests rely on refuses a misspelled field,
// including one whose only fault is its case.
func TestStrictDecodingRefusesMisspelledFields(t *testing.T) {
	r := render(t)
	cases := []struct{ key, from, to string }{
		{"apps/v1/StatefulSet", "readinessProbe:", "readynessProbe:"},
		{"apps/v1/StatefulSet", "volumeClaimTemplates:", "volumeclaimTemplates:"},
		{"monitoring.coreos.com/v1alpha1/ScrapeConfig", "httpSDConfigs:", "httpSdConfigs:"},
		{"monitoring.coreos.com/v1/ServiceMonitor", "relabelings:", "relabellings:"},
		{"monitoring.coreos.com/v1/PrometheusRule", "    rules:", "    rule:"},
	}
	for _, c := range cases {
		i := slices.IndexFunc(r.objects, func(o object) bool { return o.key == c.key })
		if i < 0 {
			t.Fatalf("no %s rendered", c.key)
		}
		doc := r.objects[i].doc
		if !bytes.Contains(doc, []byte(c.from)) {
			t.Fatalf("%s %q has no %q to misspell", c.key, r.objects[i].name, c.from)
		}
		bad := bytes.Replace(doc, []byte(c.from), []byte(c.to), 1)
		err := decodeStrict(bad, kinds[c.key]())
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(strings.TrimSuffix(c.to, ":"))) {
			t.Errorf("%s with %q for %q: decodeStrict = %v; want an error naming the field", c.key, c.to, c.from, err)
		}
	}
}

// The StatefulSet runs one shard per pod, with a volume of its own, without
// privilege, probed on /-/healthy and /-/ready.
func TestStatefulSetRunsOneShardPerPod(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		shards int32
	}{
		{"default values", nil, 1},
		{"sharded", []string{"--values", shardedValues}, 3},
		{"shards set", []string{"--set", "shards=5"}, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := render(t, c.args...)
			sts := one[appsv1.StatefulSet](t, r)
			if sts.Spec.Replicas == nil || *sts.Spec.Replicas != c.shards {
				t.Errorf("replicas = %v; want %d", sts.Spec.Replicas, c.shards)
			}
			if sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
				t.Errorf("podManagementPolicy = %q; want Parallel: shards do not wait for each other", sts.Spec.PodManagementPolicy)
			}
			pod := sts.Spec.Template
			if sel, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector); err != nil || !sel.Matches(labels.Set(pod.Labels)) {
				t.Errorf("selector %v does not match the pod's labels %v (%v)", sts.Spec.Selector, pod.Labels, err)
			}
			ctr := container(t, sts)
			args := ctr.Args
			if !slices.Contains(args, fmt.Sprintf("--total-shards=%d", c.shards)) || !slices.Contains(args, "--shard.from-hostname") {
				t.Errorf("args %q; want --total-shards=%d and --shard.from-hostname", args, c.shards)
			}
			if slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--shard=") }) {
				t.Errorf("args %q: --shard with --shard.from-hostname stops the exporter", args)
			}

			// The headless Service names each pod, and publishes it before
			// its first refresh ends.
			headless := named[corev1.Service](t, r, sts.Spec.ServiceName)
			if headless.Spec.ClusterIP != corev1.ClusterIPNone || !headless.Spec.PublishNotReadyAddresses {
				t.Errorf("Service %q (serviceName): clusterIP %q, publishNotReadyAddresses %v; want None, true",
					headless.Name, headless.Spec.ClusterIP, headless.Spec.PublishNotReadyAddresses)
			}
			for _, svc := range all[corev1.Service](r) {
				if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) || len(svc.Spec.Selector) == 0 {
					t.Errorf("Service %q selects %v, not the pods (%v)", svc.Name, svc.Spec.Selector, pod.Labels)
				}
				for _, p := range svc.Spec.Ports {
					if p.TargetPort.StrVal != "http" || !slices.ContainsFunc(ctr.Ports, func(cp corev1.ContainerPort) bool { return cp.Name == "http" }) {
						t.Errorf("Service %q port %q targets %v; want the container's port http", svc.Name, p.Name, p.TargetPort)
					}
				}
			}

			// --storage.path is a volume claimed per pod.
			storage := flagValue(t, args, "--storage.path")
			mount := mountAt(t, ctr, storage)
			if !slices.ContainsFunc(sts.Spec.VolumeClaimTemplates, func(p corev1.PersistentVolumeClaim) bool { return p.Name == mount.Name }) {
				t.Errorf("--storage.path=%s is on volume %q, which is no volumeClaimTemplate", storage, mount.Name)
			}
			if mount.ReadOnly {
				t.Errorf("--storage.path=%s is mounted read-only", storage)
			}

			// --config.file is the ConfigMap's file.
			configFile := flagValue(t, args, "--config.file")
			vol := volume(t, sts, mountAt(t, ctr, filepath.Dir(configFile)).Name)
			if vol.ConfigMap == nil {
				t.Fatalf("--config.file=%s: volume %q is no ConfigMap", configFile, vol.Name)
			}
			cm := named[corev1.ConfigMap](t, r, vol.ConfigMap.Name)
			if _, ok := cm.Data[filepath.Base(configFile)]; !ok {
				t.Errorf("ConfigMap %q has no %s; its keys: %v", cm.Name, filepath.Base(configFile), keys(cm.Data))
			}
			if pod.Annotations["checksum/config"] == "" {
				t.Error("the pod template has no checksum/config: a changed config would not roll the pods")
			}

			checkProbes(t, ctr)
			checkSecurity(t, sts, ctr)
			checkResources(t, ctr)
		})
	}
}

// container returns the StatefulSet's one container.
func container(t *testing.T, sts *appsv1.StatefulSet) corev1.Container {
	t.Helper()
	if n := len(sts.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("StatefulSet %q has %d containers; want 1", sts.Name, n)
	}
	return sts.Spec.Template.Spec.Containers[0]
}

func checkProbes(t *testing.T, ctr corev1.Container) {
	t.Helper()
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"startupProbe", ctr.StartupProbe, "/-/healthy"},
		{"livenessProbe", ctr.LivenessProbe, "/-/healthy"},
		{"readinessProbe", ctr.ReadinessProbe, "/-/ready"},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s: %+v; want an HTTP GET of %s", p.name, p.probe, p.path)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.StrVal != "http" {
			t.Errorf("%s: GET %s on port %v; want %s on http", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path)
		}
	}
	if !slices.ContainsFunc(ctr.Ports, func(p corev1.ContainerPort) bool { return p.Name == "http" && p.ContainerPort == 9877 }) {
		t.Errorf("ports %+v; want http on 9877", ctr.Ports)
	}
	if !slices.Contains(ctr.Args, "--web.listen-address=:9877") {
		t.Errorf("args %q; want --web.listen-address=:9877, the port the probes and Services use", ctr.Args)
	}
}

func checkSecurity(t *testing.T, sts *appsv1.StatefulSet, ctr corev1.Container) {
	t.Helper()
	pod := sts.Spec.Template.Spec
	ps := pod.SecurityContext
	if ps == nil || !isTrue(ps.RunAsNonRoot) || !is(ps.RunAsUser, 65534) || !is(ps.FSGroup, 65534) ||
		ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v; want runAsNonRoot, runAsUser and fsGroup 65534, seccomp RuntimeDefault", ps)
	}
	cs := ctr.SecurityContext
	if cs == nil || !isTrue(cs.RunAsNonRoot) || !is(cs.RunAsUser, 65534) || !isTrue(cs.ReadOnlyRootFilesystem) ||
		cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation ||
		cs.Capabilities == nil || !slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(cs.Capabilities.Add) != 0 ||
		cs.SeccompProfile == nil || cs.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("container securityContext %+v; want non-root 65534, read-only root, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault", cs)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token: the exporter never calls the Kubernetes API")
	}
}

func checkResources(t *testing.T, ctr corev1.Container) {
	t.Helper()
	req, lim := ctr.Resources.Requests, ctr.Resources.Limits
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		r, okR := req[name]
		l, okL := lim[name]
		if !okR || !okL {
			t.Errorf("resources %+v: want a request and a limit of %s", ctr.Resources, name)
			continue
		}
		if r.Cmp(l) > 0 {
			t.Errorf("%s request %s above its limit %s", name, r.String(), l.String())
		}
	}
	if m := req[corev1.ResourceMemory]; m.Cmp(largestMeasuredPeak) < 0 {
		t.Errorf("memory request %s below the largest measured peak of one replica, %s", m.String(), largestMeasuredPeak.String())
	}
}

// The demo example turns off what the sharded one turns on.
func TestDemoValues(t *testing.T) {
	r := render(t, "--values", filepath.Join(chartDir, "ci", "demo-values.yaml"))
	sts := one[appsv1.StatefulSet](t, r)
	ctr := container(t, sts)
	if !slices.Contains(ctr.Args, "--demo") {
		t.Errorf("args %q; want --demo", ctr.Args)
	}
	if len(sts.Spec.VolumeClaimTemplates) != 0 || sts.Spec.PersistentVolumeClaimRetentionPolicy != nil {
		t.Errorf("persistence off: volumeClaimTemplates %v, retention %v; want none", sts.Spec.VolumeClaimTemplates, sts.Spec.PersistentVolumeClaimRetentionPolicy)
	}
	state := volume(t, sts, mountAt(t, ctr, flagValue(t, ctr.Args, "--storage.path")).Name)
	if state.EmptyDir == nil {
		t.Errorf("persistence off: the state volume is %+v; want an emptyDir", state.VolumeSource)
	}
	if !strings.Contains(ctr.Image, "@sha256:") {
		t.Errorf("image %q; want the digest the example pins", ctr.Image)
	}
	if sa := sts.Spec.Template.Spec.ServiceAccountName; sa != "default" || len(all[corev1.ServiceAccount](r)) != 0 {
		t.Errorf("serviceAccount.create false: serviceAccountName %q and %d ServiceAccounts; want default and none", sa, len(all[corev1.ServiceAccount](r)))
	}
	for _, o := range r.objects {
		if strings.HasPrefix(o.key, "monitoring.coreos.com/") {
			t.Errorf("%s %q rendered with the Prometheus Operator's objects off", o.key, o.name)
		}
	}
	if n := len(all[corev1.ConfigMap](r)); n != 1 {
		t.Errorf("%d ConfigMaps with the dashboards off; want the config's alone", n)
	}
}

// Prometheus reads the /sd of every shard as job "nms", and each replica's
// /metrics once as job "nms_exporter": the jobs alerts/ names.
func TestPrometheusScrapesEveryShard(t *testing.T) {
	for _, c := range defaultAndSharded {
		t.Run(c.name, func(t *testing.T) {
			r := render(t, c.args...)
			sts := one[appsv1.StatefulSet](t, r)
			sc := one[monitoringv1alpha1.ScrapeConfig](t, r)
			if sc.Spec.JobName == nil || *sc.Spec.JobName != "nms" {
				t.Errorf("ScrapeConfig jobName %v; want nms", sc.Spec.JobName)
			}
			if sc.Spec.MetricsPath == nil || *sc.Spec.MetricsPath != "/probe" {
				t.Errorf("ScrapeConfig metricsPath %v; want /probe", sc.Spec.MetricsPath)
			}
			var urls, want []string
			for _, sd := range sc.Spec.HTTPSDConfigs {
				urls = append(urls, string(sd.URL))
			}
			for i := range *sts.Spec.Replicas {
				want = append(want, fmt.Sprintf("http://%s-%d.%s.%s.svc.cluster.local:9877/sd", sts.Name, i, sts.Spec.ServiceName, namespace))
			}
			if !slices.Equal(urls, want) {
				t.Errorf("ScrapeConfig httpSDConfigs %q; want each shard's /sd by its pod's name, %q", urls, want)
			}
			if !slices.ContainsFunc(sc.Spec.RelabelConfigs, func(rc monitoringv1.RelabelConfig) bool {
				return slices.Equal(rc.SourceLabels, []monitoringv1.LabelName{"__param_target"}) && rc.TargetLabel == "instance"
			}) {
				t.Errorf("ScrapeConfig relabelings %+v; want instance from __param_target, the source's name", sc.Spec.RelabelConfigs)
			}

			sm := one[monitoringv1.ServiceMonitor](t, r)
			sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
			if err != nil {
				t.Fatalf("ServiceMonitor selector: %v", err)
			}
			var selected []*corev1.Service
			for _, svc := range all[corev1.Service](r) {
				if sel.Matches(labels.Set(svc.Labels)) {
					selected = append(selected, svc)
				}
			}
			if len(selected) != 1 {
				t.Fatalf("ServiceMonitor selects %d Services; want 1, or each replica is scraped once per Service", len(selected))
			}
			if len(sm.Spec.Endpoints) != 1 {
				t.Fatalf("ServiceMonitor has %d endpoints; want 1", len(sm.Spec.Endpoints))
			}
			ep := sm.Spec.Endpoints[0]
			if ep.Path != "/metrics" || !slices.ContainsFunc(selected[0].Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == ep.Port }) {
				t.Errorf("ServiceMonitor endpoint %s on port %q; want /metrics on a port of Service %q", ep.Path, ep.Port, selected[0].Name)
			}
			smJob := ""
			for _, rc := range ep.RelabelConfigs {
				if rc.TargetLabel == "job" && rc.Replacement != nil {
					smJob = *rc.Replacement
				}
			}
			if smJob != "nms_exporter" {
				t.Errorf("ServiceMonitor sets job %q; want nms_exporter", smJob)
			}

			// Every job a rule names is one the chart scrapes.
			jobs := []string{smJob}
			if sc.Spec.JobName != nil {
				jobs = append(jobs, *sc.Spec.JobName)
			}
			for _, f := range ruleFiles(t) {
				for _, g := range f.spec.Groups {
					for _, rule := range g.Rules {
						for _, m := range jobRE.FindAllStringSubmatch(rule.Expr.String(), -1) {
							if !slices.Contains(jobs, m[1]) {
								t.Errorf("%s: %s %s names job %q, which the chart does not scrape (%q)", f.name, g.Name, rule.Alert, m[1], jobs)
							}
						}
					}
				}
			}
		})
	}
}

// jobRE finds the jobs a rule's expression names.
var jobRE = regexp.MustCompile(`\bjob\s*=\s*"([^"]*)"`)

// ruleFile is one rule file of alerts/, decoded as a PrometheusRule's spec.
type ruleFile struct {
	name string // file name
	spec monitoringv1.PrometheusRuleSpec
}

// ruleFiles returns the rule files of alerts/, without their tests, each
// decoded strictly: a field the Prometheus Operator does not know fails.
func ruleFiles(t *testing.T) []ruleFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "alerts", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []ruleFile
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.yml") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := ruleFile{name: filepath.Base(p)}
		if err := decodeStrict(b, &f.spec); err != nil {
			t.Fatalf("%s as a PrometheusRule's spec: %v", p, err)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatalf("no rule files in %s", filepath.Join(repoRoot, "alerts"))
	}
	return out
}

// The chart's PrometheusRules hold exactly the rules of alerts/: one per
// file, with its groups, names, expressions, durations, labels and
// annotations.
func TestPrometheusRulesAreTheAlerts(t *testing.T) {
	r := render(t, "--values", shardedValues)
	sts := one[appsv1.StatefulSet](t, r)
	got := map[string]*monitoringv1.PrometheusRule{}
	for _, pr := range all[monitoringv1.PrometheusRule](r) {
		got[pr.Name] = pr
		if pr.Labels["release"] != "kube-prometheus-stack" {
			t.Errorf("PrometheusRule %q labels %v; want prometheusRule.labels among them", pr.Name, pr.Labels)
		}
	}
	files := ruleFiles(t)
	for _, f := range files {
		name := sts.Name + "-" + strings.ReplaceAll(strings.TrimSuffix(f.name, ".yml"), "_", "-")
		pr, ok := got[name]
		if !ok {
			t.Errorf("no PrometheusRule %q for alerts/%s; rendered: %v", name, f.name, keys(got))
			continue
		}
		if !reflect.DeepEqual(pr.Spec, f.spec) {
			t.Errorf("PrometheusRule %q differs from alerts/%s:\n got: %s\nwant: %s", name, f.name, summary(pr.Spec), summary(f.spec))
		}
	}
	if len(got) != len(files) {
		t.Errorf("%d PrometheusRules (%v); want one per rule file of alerts/, %d", len(got), keys(got), len(files))
	}
}

// summary lists a spec's rules, one line each, for a readable difference.
func summary(s monitoringv1.PrometheusRuleSpec) string {
	var b strings.Builder
	for _, g := range s.Groups {
		for _, r := range g.Rules {
			fmt.Fprintf(&b, "\n  %s/%s%s for %v: %s", g.Name, r.Alert, r.Record, r.For, strings.Join(strings.Fields(r.Expr.String()), " "))
		}
	}
	return b.String()
}

// Every dashboard of dashboards/ is a ConfigMap that Grafana's sidecar picks
// up, holding the file as it is.
func TestDashboardConfigMaps(t *testing.T) {
	r := render(t, "--values", shardedValues)
	byKey := map[string]*corev1.ConfigMap{}
	for _, cm := range all[corev1.ConfigMap](r) {
		if cm.Labels["grafana_dashboard"] == "" {
			continue
		}
		if cm.Labels["grafana_dashboard"] != "1" || cm.Annotations["grafana_folder"] != "nms_exporter" {
			t.Errorf("ConfigMap %q: labels %v, annotations %v; want grafana_dashboard 1 and the example's folder annotation", cm.Name, cm.Labels, cm.Annotations)
		}
		for k := range cm.Data {
			byKey[k] = cm
		}
	}
	paths, err := filepath.Glob(filepath.Join(repoRoot, "dashboards", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards in %s (%v)", filepath.Join(repoRoot, "dashboards"), err)
	}
	for _, p := range paths {
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cm, ok := byKey[filepath.Base(p)]
		if !ok {
			t.Errorf("no ConfigMap labelled grafana_dashboard holds %s", filepath.Base(p))
			continue
		}
		got := cm.Data[filepath.Base(p)]
		if got != string(want) {
			t.Errorf("ConfigMap %q's %s differs from dashboards/%s", cm.Name, filepath.Base(p), filepath.Base(p))
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("ConfigMap %q's %s is not JSON", cm.Name, filepath.Base(p))
		}
	}
	if len(byKey) != len(paths) {
		t.Errorf("%d dashboards in ConfigMaps (%v); want the %d of dashboards/", len(byKey), keys(byKey), len(paths))
	}
}

// The chart's copies of alerts/ and dashboards/ (.Files.Get reads only files
// inside the chart) are the files themselves.
func TestChartFilesAreCurrent(t *testing.T) {
	for _, c := range []struct{ src, glob, copy string }{
		{"alerts", "*.yml", "files/alerts"},
		{"dashboards", "*.json", "files/dashboards"},
	} {
		src, err := filepath.Glob(filepath.Join(repoRoot, c.src, c.glob))
		if err != nil {
			t.Fatal(err)
		}
		src = slices.DeleteFunc(src, func(p string) bool { return strings.HasSuffix(p, "_test.yml") })
		copies, err := filepath.Glob(filepath.Join(chartDir, c.copy, c.glob))
		if err != nil {
			t.Fatal(err)
		}
		names := func(paths []string) []string {
			var out []string
			for _, p := range paths {
				out = append(out, filepath.Base(p))
			}
			return out
		}
		if !slices.Equal(names(src), names(copies)) {
			t.Errorf("%s holds %q; %s/%s holds %q: run make chart-files", c.copy, names(copies), c.src, c.glob, names(src))
			continue
		}
		for _, p := range src {
			a, errA := os.ReadFile(p)
			b, errB := os.ReadFile(filepath.Join(chartDir, c.copy, filepath.Base(p)))
			if errA != nil || errB != nil {
				t.Fatalf("reading %s: %v, %v", filepath.Base(p), errA, errB)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs from %s/%s: run make chart-files", c.copy, filepath.Base(p), c.src, filepath.Base(p))
			}
		}
	}
}

// The chart's appVersion, which the image tag defaults to, is the
// exporter's version.
func TestAppVersionIsTheExportersVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(b, &chart); err != nil {
		t.Fatal(err)
	}
	v, err := os.ReadFile(filepath.Join(repoRoot, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(string(v)); chart.AppVersion != want {
		t.Errorf("Chart.yaml appVersion %q; want VERSION's, %q", chart.AppVersion, want)
	}
}

// named returns the rendered object of type T and that name.
func named[T any, P interface {
	*T
	GetName() string
}](t *testing.T, r rendered, name string) *T {
	t.Helper()
	for _, o := range all[T](r) {
		if P(o).GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %q rendered", reflect.TypeFor[T]().Name(), name)
	return nil
}

// volume returns the pod's volume of that name.
func volume(t *testing.T, sts *appsv1.StatefulSet, name string) corev1.Volume {
	t.Helper()
	for _, v := range sts.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return v
		}
	}
	for _, p := range sts.Spec.VolumeClaimTemplates {
		if p.Name == name {
			return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: name}}}
		}
	}
	t.Fatalf("no volume %q in the pod", name)
	return corev1.Volume{}
}

// mountAt returns the container's volume mount at that path.
func mountAt(t *testing.T, ctr corev1.Container, path string) corev1.VolumeMount {
	t.Helper()
	for _, m := range ctr.VolumeMounts {
		if filepath.Clean(m.MountPath) == filepath.Clean(path) {
			return m
		}
	}
	t.Fatalf("nothing mounted at %s: %+v", path, ctr.VolumeMounts)
	return corev1.VolumeMount{}
}

// flagValue returns the value of --name=value among args.
func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	t.Fatalf("args %q have no %s", args, name)
	return ""
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

func is(n *int64, want int64) bool { return n != nil && *n == want }
