package test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// chartDir is the chart, relative to this folder.
const chartDir = ".."

// repoRoot is the exporter's repository, relative to this folder.
const repoRoot = "../../.."

// namespace is the one every render is made for: not "default", so that a
// name left without it shows.
const namespace = "monitoring"

// release is the release name of every render.
const release = "nms"

// kinds maps each apiVersion and kind the chart may render to its Go type.
// A kind not here fails the test: a new object gets a type to be checked
// against.
var kinds = map[string]func() any{
	"v1/ConfigMap":                                func() any { return &corev1.ConfigMap{} },
	"v1/Service":                                  func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                           func() any { return &corev1.ServiceAccount{} },
	"apps/v1/StatefulSet":                         func() any { return &appsv1.StatefulSet{} },
	"policy/v1/PodDisruptionBudget":               func() any { return &policyv1.PodDisruptionBudget{} },
	"monitoring.coreos.com/v1/ServiceMonitor":     func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule":     func() any { return &monitoringv1.PrometheusRule{} },
	"monitoring.coreos.com/v1alpha1/ScrapeConfig": func() any { return &monitoringv1alpha1.ScrapeConfig{} },
}

// object is one rendered document, decoded into its type.
type object struct {
	key  string // apiVersion/kind
	name string
	doc  []byte // the YAML as rendered
	obj  any
}

// rendered is a whole render, by kind.
type rendered struct {
	objects []object
}

// all returns the objects of one apiVersion/kind.
func all[T any](r rendered) []*T {
	var out []*T
	for _, o := range r.objects {
		if v, ok := o.obj.(*T); ok {
			out = append(out, v)
		}
	}
	return out
}

// one returns the only object of its type, failing the test otherwise.
func one[T any](t *testing.T, r rendered) *T {
	t.Helper()
	objs := all[T](r)
	if len(objs) != 1 {
		var zero T
		t.Fatalf("rendered %d objects of type %T; want 1", len(objs), &zero)
	}
	return objs[0]
}

// helm returns the path of helm: $HELM (make chart sets it to the one
// tools/helm pins), else helm on the PATH. Missing, the test fails: the
// chart is only checked by the real thing.
func helm(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HELM"); p != "" {
		return p
	}
	p, err := exec.LookPath("helm")
	if err != nil {
		t.Fatalf("helm not found: run the tests with make chart, which builds the helm tools/helm pins (or set HELM)")
	}
	return p
}

// helmTemplate runs helm template on the chart with the given arguments,
// returning its output and error output.
func helmTemplate(t *testing.T, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command(helm(t), append([]string{"template", release, chartDir, "--namespace", namespace}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// render renders the chart with the given arguments and decodes every
// object strictly, failing the test at the first that does not decode.
func render(t *testing.T, args ...string) rendered {
	t.Helper()
	out, errOut, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatalf("helm template %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	r, err := decodeAll(out)
	if err != nil {
		t.Fatalf("helm template %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// decodeAll splits a render into its documents and decodes each strictly
// into the Go type of its apiVersion and kind.
func decodeAll(out []byte) (rendered, error) {
	var r rendered
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return r, nil
		}
		if err != nil {
			return r, fmt.Errorf("splitting the render: %w", err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return r, fmt.Errorf("reading a document's kind: %w\n%s", err, doc)
		}
		if head.Kind == "" {
			continue // a document of comments only
		}
		key := head.APIVersion + "/" + head.Kind
		newObj, ok := kinds[key]
		if !ok {
			return r, fmt.Errorf("%s %q: no Go type to check it against; add it to kinds", key, head.Metadata.Name)
		}
		obj := newObj()
		if err := decodeStrict(doc, obj); err != nil {
			return r, fmt.Errorf("%s %q: %w", key, head.Metadata.Name, err)
		}
		r.objects = append(r.objects, object{key: key, name: head.Metadata.Name, doc: doc, obj: obj})
	}
}

// decodeStrict decodes YAML into v as the API server does: a duplicate key,
// a field v's type lacks or one whose case differs is an error.
func decodeStrict(doc []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, v)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// valuesFiles returns the chart's example values files, ci/*.yaml.
func valuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("filepath.Glob(ci/*.yaml) = %v, %v; want the chart's examples", files, err)
	}
	return files
}

// shardedValues is the example with several shards, secrets and every
// Prometheus Operator object.
var shardedValues = filepath.Join(chartDir, "ci", "sharded-values.yaml")

// defaultAndSharded are the values the tests of every deployment render
// the chart with: the defaults, and the sharded example.
var defaultAndSharded = []struct {
	name string
	args []string
}{
	{"default values", nil},
	{"sharded", []string{"--values", shardedValues}},
}
