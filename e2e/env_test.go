package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nmsexporter/nms_exporter/app"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// testEnv is the exporter running on simulators, as a user runs it.
type testEnv struct {
	t       *testing.T
	sims    []*simulators.Simulator
	srv     *httptest.Server
	exp     *app.Exporter
	logs    *testtool.Buffer
	cfgFile string
	cfgText string
	secrets []string
}

func startEnv(t *testing.T) *testEnv { return startEnvWith(t, "") }

// testMistConsole is mist-a's portal, which its alarms link to.
const testMistConsole = "https://portal.example.net"

// testWebhookSecret signs mist-a's webhooks.
const testWebhookSecret = "whsec-e2e-5f4e3d2c1b"

// startEnvWith starts the exporter on simulators with extra config appended.
func startEnvWith(t *testing.T, extra string) *testEnv {
	t.Helper()
	env := &testEnv{t: t, logs: &testtool.Buffer{}}
	for _, o := range []struct {
		vendor string
		seed   int64
	}{{"mist", 1}, {"mist", 2}, {"prime", 1}, {"cxcloud", 1}, {"nautobot", 1}} {
		opts := simulators.Options{Seed: o.seed, Size: "small"}
		if o.vendor == "nautobot" {
			opts.Mirror = env.sims
		}
		s, err := registry.Simulators.Start(o.vendor, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		env.sims = append(env.sims, s)
	}
	a, b, pi, cx, nb := env.sims[0], env.sims[1], env.sims[2], env.sims[3], env.sims[4]
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.token"), []byte(a.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.cfgText = fmt.Sprintf(`mist:
  - name: mist-a
    base_url: %s
    token_file: a.token
    webhook_secret: %s
    console_url: %s
  - name: mist-b
    base_url: %s
    token: %s
    ports: {keep: neighbors}
  - name: mist-login
    base_url: %s
    email: %s
    password: %s
    collections:
      usage: {enabled: false}
prime:
  - name: prime-a
    base_url: %s
    username: %s
    password: %s
    hold: 10ms
cxcloud:
  - name: cx-a
    base_url: %s
    token_url: %s
    client_id: %s
    client_secret: %s
nautobot:
  - name: sot
    base_url: %s
    token: %s
    describes: [mist-a, mist-b, prime-a]
`+extra, a.BaseURL, testWebhookSecret, testMistConsole, b.BaseURL, b.Token, b.BaseURL, b.Email, b.Password, pi.BaseURL, pi.Username, pi.Password,
		cx.BaseURL, cx.TokenURL, cx.ClientID, cx.ClientSecret, nb.BaseURL, nb.Token)
	env.secrets = []string{a.Token, b.Token, b.Password, pi.Password, cx.ClientSecret, nb.Token, testWebhookSecret}
	env.cfgFile = filepath.Join(dir, "nms_exporter.yml")
	if err := os.WriteFile(env.cfgFile, []byte(env.cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	env.run(slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return env
}

// run serves the exporter on env.cfgFile until the test ends, and waits
// until it is ready.
func (e *testEnv) run(logger *slog.Logger) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	exp, err := app.NewExporter(ctx, logger, e.cfgFile, "")
	if err != nil {
		cancel()
		e.t.Fatalf("app.NewExporter(%s) = %v", e.cfgFile, err)
	}
	e.exp, e.srv = exp, httptest.NewServer(exp.Handler())
	e.t.Cleanup(func() {
		e.srv.Close()
		cancel()
		exp.Manager().Stop()
	})
	e.waitReady()
}

func (e *testEnv) waitReady() {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if code, _ := e.get("/-/ready"); code == http.StatusOK {
			e.settle()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("/-/ready did not answer 200 within 30s")
}

// settle waits until every source's served data shows its latest refresh.
func (e *testEnv) settle() {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range e.exp.Manager().Sources() {
		for !s.Settled() {
			if time.Now().After(deadline) {
				e.t.Fatalf("source %s's data was not rendered within 30s", s.Name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (e *testEnv) get(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *testEnv) post(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+path, "text/plain", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// refresh runs every collection of a source once, now.
// faults switches the i-th simulator's faults to these, each a fault name
// with its value as `simulate --fault` takes it; none clears them.
func (e *testEnv) faults(i int, faults ...string) {
	e.t.Helper()
	e.sims[i].ClearFaults()
	for _, f := range faults {
		name, value, _ := strings.Cut(f, "=")
		if err := e.sims[i].SetFault(name, value); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *testEnv) refresh(name string) {
	e.t.Helper()
	src, ok := e.exp.Manager().Source(name)
	if !ok {
		e.t.Fatalf("no source %q", name)
	}
	for _, st := range src.Status() {
		_ = src.Refresh(context.Background(), st.Collection)
	}
	e.settle()
}

func parse(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing the exposition: %v", err)
	}
	return mfs
}

// value is the value of the first series of mf that carries every one of
// labels with its value (any series for none), and whether there is one. A
// label the series lacks is no match: a misspelt name must not match all.
func value(mf *dto.MetricFamily, labels map[string]string) (float64, bool) {
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		matched := 0
		for _, lp := range m.GetLabel() {
			if want, ok := labels[lp.GetName()]; ok {
				if want != lp.GetValue() {
					break
				}
				matched++
			}
		}
		if matched != len(labels) {
			continue
		}
		if m.GetGauge() != nil {
			return m.GetGauge().GetValue(), true
		}
		return m.GetCounter().GetValue(), true
	}
	return 0, false
}

// promtoolCheck lints an exposition with the real promtool.
func promtoolCheck(t *testing.T, name, text string) {
	t.Helper()
	path := testtool.Path(t, "promtool", "Debian's prometheus package")
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool check metrics on %s: %v\n%s", name, err, out)
	}
}

// startDemoEnv runs the demo's simulators and generated config, as
// `go run . --demo` does.
func startDemoEnv(t *testing.T) *testEnv {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	file, closeSims, err := app.StartDemo(logger, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeSims)
	env := &testEnv{t: t, cfgFile: file}
	env.run(logger)
	return env
}

// demoConfig writes the demo's config for sims into dir and returns the
// file.
func demoConfig(t *testing.T, dir string, sims []*simulators.Simulator) string {
	t.Helper()
	file, err := simulators.DemoConfig(dir, sims)
	if err != nil {
		t.Fatal(err)
	}
	return file
}
