package test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// exporter returns the nms_exporter binary: $NMS_EXPORTER (make chart
// sets it to the one make build links), else one built from the
// repository into a temporary folder.
func exporter(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NMS_EXPORTER"); p != "" {
		return p
	}
	bin := filepath.Join(t.TempDir(), "nms_exporter")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the exporter: %v\n%s", err, out)
	}
	return bin
}

// The config the sharded example renders is one the exporter accepts, and
// every file and variable it names for a secret is one the pod has: each
// *_file path lies in a Secret mount (as one of its items, or one key's file
// where the whole Secret is mounted) and each *_env variable is set from the
// container's env. The test puts a file at each such path under a temporary
// root, points the config there, sets the variables and runs check-config.
func TestRenderedConfigPassesCheckConfig(t *testing.T) {
	for _, c := range defaultAndSharded {
		t.Run(c.name, func(t *testing.T) {
			r := render(t, c.args...)
			sts := one[appsv1.StatefulSet](t, r)
			ctr := container(t, sts)
			configFile := flagValue(t, ctr.Args, "--config.file")
			cm := named[corev1.ConfigMap](t, r, volume(t, sts, mountAt(t, ctr, filepath.Dir(configFile)).Name).ConfigMap.Name)
			text := cm.Data[filepath.Base(configFile)]

			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
				t.Fatalf("the rendered config is not YAML: %v\n%s", err, text)
			}
			root := t.TempDir()
			env := os.Environ()
			var named []string
			walk(&doc, "config", func(at, key string, value *yaml.Node) {
				switch {
				case strings.HasSuffix(key, "_file"):
					path := value.Value
					if !filepath.IsAbs(path) {
						path = filepath.Join(filepath.Dir(configFile), path)
					}
					if err := inSecretMount(sts, ctr, path); err != nil {
						t.Errorf("%s: %s: %v", at, value.Value, err)
						return
					}
					local := filepath.Join(root, path)
					if err := os.MkdirAll(filepath.Dir(local), 0o700); err != nil {
						t.Fatal(err)
					}
					content := []byte("not-a-real-secret\n")
					if key == "ca_file" {
						content = caPEM(t)
					}
					if err := os.WriteFile(local, content, 0o600); err != nil {
						t.Fatal(err)
					}
					value.Value = local
					named = append(named, at)
				case strings.HasSuffix(key, "_env"):
					if !slices.ContainsFunc(ctr.Env, func(e corev1.EnvVar) bool { return e.Name == value.Value }) {
						t.Errorf("%s: %s is not in the container's env", at, value.Value)
						return
					}
					env = append(env, value.Value+"=not-a-real-secret")
					named = append(named, at)
				}
			})
			if len(c.args) > 0 && len(named) == 0 {
				t.Fatal("the sharded example names no secret file or variable: nothing checked of its mounts")
			}

			out, err := yaml.Marshal(&doc)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(root, "nms_exporter.yml")
			if err := os.WriteFile(file, out, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(exporter(t), "check-config", file)
			cmd.Env = env
			if res, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("nms_exporter check-config on the rendered config: %v\n%s\nthe config:\n%s", err, res, text)
			}
		})
	}
}

// walk calls fn for each scalar value of a mapping key in n, with its path
// in the config ("config.mist[0].token_file").
func walk(n *yaml.Node, at string, fn func(at, key string, value *yaml.Node)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walk(c, at, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := at + "." + k.Value
			if v.Kind == yaml.ScalarNode {
				fn(p, k.Value, v)
			}
			walk(v, p, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walk(c, fmt.Sprintf("%s[%d]", at, i), fn)
		}
	}
}

// inSecretMount says why path is no file of a Secret the container mounts.
func inSecretMount(sts *appsv1.StatefulSet, ctr corev1.Container, path string) error {
	for _, m := range ctr.VolumeMounts {
		rel, err := filepath.Rel(m.MountPath, path)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			continue
		}
		i := slices.IndexFunc(sts.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 || sts.Spec.Template.Spec.Volumes[i].Secret == nil {
			return fmt.Errorf("lies in %s, volume %q, which is no Secret", m.MountPath, m.Name)
		}
		secret := sts.Spec.Template.Spec.Volumes[i].Secret
		if len(secret.Items) == 0 {
			if strings.Contains(rel, "/") {
				return fmt.Errorf("Secret %q is mounted whole at %s: its files are its keys, with no folder", secret.SecretName, m.MountPath)
			}
			return nil
		}
		if !slices.ContainsFunc(secret.Items, func(k corev1.KeyToPath) bool { return k.Path == rel }) {
			return fmt.Errorf("Secret %q at %s has no item with path %q: %+v", secret.SecretName, m.MountPath, rel, secret.Items)
		}
		return nil
	}
	return fmt.Errorf("no Secret is mounted there")
}

// caPEM returns a self-signed CA certificate, for a ca_file.
func caPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// A secret given inline in the config is refused, naming where it is and
// what to do instead, without printing it.
func TestInlineSecretsRefused(t *testing.T) {
	const secret = "s3cr3t-inline-value"
	for _, c := range []struct{ config, at, key string }{
		{`{"mist":[{"name":"a","cloud":"emea01","token":"` + secret + `"}]}`, "config.mist[0].token", "token"},
		{`{"prime":[{"name":"p","base_url":"https://pi.example.com","username":"u","password":"` + secret + `"}]}`, "config.prime[0].password", "password"},
		{`{"cxcloud":[{"name":"c","client_id":"i","client_secret":"` + secret + `"}]}`, "config.cxcloud[0].client_secret", "client_secret"},
		{`{"mist":[{"name":"a","cloud":"emea01","token_file":"/t","webhook_secret":"` + secret + `"}]}`, "config.mist[0].webhook_secret", "webhook_secret"},
		{`{"alertmanager":{"urls":["http://am:9093"],"basic_auth":{"username":"u","password":"` + secret + `"}}}`, "config.alertmanager.basic_auth.password", "password"},
		{`{"alertmanager":{"urls":["http://am:9093"],"bearer_token":"` + secret + `"}}`, "config.alertmanager.bearer_token", "bearer_token"},
	} {
		t.Run(c.at, func(t *testing.T) {
			out, errOut, err := helmTemplate(t, "--set-json", "config="+c.config)
			if err == nil {
				t.Fatalf("helm template with %s inline succeeded; want it refused", c.at)
			}
			msg := string(errOut)
			if !strings.Contains(msg, c.at+":") || !strings.Contains(msg, c.key+"_file") || !strings.Contains(msg, "secretMounts") {
				t.Errorf("error %q; want it to name %s and point at %s_file and secretMounts", msg, c.at, c.key)
			}
			if strings.Contains(msg, secret) || strings.Contains(string(out), secret) {
				t.Errorf("the refusal prints the secret: %s", msg)
			}
		})
	}
}

// values.schema.json refuses a misspelled or impossible value before
// anything renders.
func TestValuesSchemaRefusesMistakes(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"misspelled key", []string{"--set", "shard=3"}, "shard"},
		{"no shard", []string{"--set", "shards=0"}, "shards"},
		{"misspelled secret mount key", []string{"--set-json", `secretMounts=[{"name":"a","secretname":"b"}]`}, "secretMounts"},
		{"bad duration", []string{"--set", "scrapeConfig.scrapeInterval=1 minute"}, "scrapeInterval"},
		{"bad quantity", []string{"--set", "resources.limits.memory=1 GB"}, "memory"},
		{"flag without dashes", []string{"--set-json", `extraArgs=["log.level=debug"]`}, "extraArgs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errOut, err := helmTemplate(t, c.args...)
			if err == nil {
				t.Fatalf("helm template %q succeeded; want the schema to refuse it", c.args)
			}
			if !strings.Contains(string(errOut), c.want) {
				t.Errorf("helm template %q: %s; want it to name %s", c.args, errOut, c.want)
			}
		})
	}
}
