package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// receiver is the test's own Alertmanager webhook receiver.
type receiver struct {
	mu     sync.Mutex
	alerts []amAlert
}

type amAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var msg struct {
		Alerts []amAlert `json:"alerts"`
	}
	if err := json.NewDecoder(req.Body).Decode(&msg); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.alerts = append(r.alerts, msg.Alerts...)
	r.mu.Unlock()
}

// seen reports whether an alert with this name, status and labels arrived.
func (r *receiver) seen(name, status string, labels map[string]string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
next:
	for _, a := range r.alerts {
		if a.Labels["alertname"] != name || a.Status != status {
			continue
		}
		for k, v := range labels {
			if a.Labels[k] != v {
				continue next
			}
		}
		return true
	}
	return false
}

func (r *receiver) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.alerts {
		out = append(out, a.Labels["alertname"]+"/"+a.Status+"/"+a.Labels["device"])
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs a real server until the test ends, and waits for its
// readiness endpoint.
func startProcess(t *testing.T, name, readyURL string, args ...string) {
	t.Helper()
	path := testtool.Path(t, name, "Debian's prometheus and prometheus-alertmanager packages")
	var out bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, tail(out.String(), 3000))
		}
	})
	waitFor(t, 30*time.Second, name+" ready", func() bool {
		resp, err := http.Get(readyURL)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// forZero matches the rules' `for:` durations.
var forZero = regexp.MustCompile(`(?m)^(\s+for:\s*).*$`)

// TestAlertsEndToEnd runs the real Prometheus and Alertmanager on loopback
// with the bundled rules, against the exporter on the simulators, and
// follows a device going down and a critical alarm through three paths to
// the test's own receiver and back to resolved: Prometheus' rules, the
// exporter's direct push, and a signed Mist webhook. The rules' `for:`
// durations are set to zero in the copy Prometheus loads, so the test waits
// seconds, not minutes.
func TestAlertsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus and Alertmanager")
	}
	dir := t.TempDir()
	recv := &receiver{}
	hook := httptest.NewServer(recv)
	defer hook.Close()

	amAddr := freeAddr(t)
	amCfg := fmt.Sprintf(`route:
  receiver: test
  group_by: [alertname, instance, site, device]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: %s/hook
        send_resolved: true
`, hook.URL)
	writeFile(t, filepath.Join(dir, "am.yml"), amCfg)
	startProcess(t, "prometheus-alertmanager", "http://"+amAddr+"/-/ready",
		"--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")

	env := startEnvWith(t, fmt.Sprintf(`alertmanager:
  urls: [http://%s]
  resend_interval: 1s
  min_severity: critical
  sources: [mist-a]
`, amAddr))

	// The bundled rules, with every `for:` set to zero.
	rules := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rules, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, b := range ruleFiles(t) {
		writeFile(t, filepath.Join(rules, filepath.Base(f)), forZero.ReplaceAllString(string(b), "${1}0s"))
	}
	exporter, _ := url.Parse(env.srv.URL)
	promAddr := freeAddr(t)
	promCfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%s/*.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['%s']
scrape_configs:
%s  - job_name: nms_exporter
    static_configs:
      - targets: ['%s']
`, rules, amAddr, nmsJob(env.srv.URL), exporter.Host)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), promCfg)
	if out, err := exec.Command("promtool", "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	startProcess(t, "prometheus", "http://"+promAddr+"/-/ready",
		"--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)

	// A device goes down and a critical alarm appears on another.
	sim := env.sims[0].Server.(*mistsim.Server)
	var ap, sw mistsim.DeviceInfo
	for _, d := range sim.Devices() {
		switch {
		case d.Type == "ap" && d.Connected && ap.MAC == "":
			ap = d
		case d.Type == "switch" && sw.MAC == "":
			sw = d
		}
	}
	if err := sim.SetDeviceConnected(ap.MAC, false); err != nil {
		t.Fatal(err)
	}
	alarm := sim.RaiseAlarm(mistsim.Alarm{Type: "switch_down", Severity: "critical", DeviceMACs: []string{sw.MAC}, Hostnames: []string{sw.Name}})
	env.refresh("mist-a")

	const wait = 90 * time.Second
	down := map[string]string{"instance": "mist-a", "device": ap.Name}
	critical := map[string]string{"instance": "mist-a", "device": sw.Name}
	pushed := map[string]string{"source": "mist-a", "device": sw.Name}
	waitFor(t, wait, "NmsDeviceDown, NmsCriticalAlarm and the pushed NmsVendorAlarm firing", func() bool {
		return recv.seen("NmsDeviceDown", "firing", down) && recv.seen("NmsCriticalAlarm", "firing", critical) &&
			recv.seen("NmsVendorAlarm", "firing", pushed)
	})

	// Both clear: every path resolves.
	if err := sim.SetDeviceConnected(ap.MAC, true); err != nil {
		t.Fatal(err)
	}
	if err := sim.ClearAlarm(alarm); err != nil {
		t.Fatal(err)
	}
	env.refresh("mist-a")
	waitFor(t, wait, "the three alerts resolved", func() bool {
		return recv.seen("NmsDeviceDown", "resolved", down) && recv.seen("NmsCriticalAlarm", "resolved", critical) &&
			recv.seen("NmsVendorAlarm", "resolved", pushed)
	})

	// A signed Mist webhook raises an alarm the polls have not seen: it is
	// pushed at once, and resolved when a poll after it finds it gone.
	var gw mistsim.DeviceInfo
	for _, d := range sim.Devices() {
		if d.Type == "gateway" {
			gw = d
		}
	}
	body := fmt.Sprintf(`{"topic": "alarms", "events": [{"id": "7d1c9e00-0000-4000-8000-000000000e2e", "org_id": %q, "site_id": %q, "type": "gw_down", "count": 1, "timestamp": %d, "last_seen": %d, "gateways": [%q]}]}`,
		sim.Credentials().OrgID, gw.SiteID, time.Now().Unix(), time.Now().Unix(), gw.MAC)
	mac := hmac.New(sha256.New, []byte(testWebhookSecret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/webhooks/mist", strings.NewReader(body))
	req.Header.Set("X-Mist-Signature-v2", hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("signed webhook = %d; want 204", resp.StatusCode)
	}
	hooked := map[string]string{"source": "mist-a", "device": gw.Name, "severity": "critical"}
	waitFor(t, wait, "the webhook's alarm pushed as NmsVendorAlarm", func() bool {
		return recv.seen("NmsVendorAlarm", "firing", hooked)
	})
	time.Sleep(10 * time.Millisecond)
	env.refresh("mist-a")
	waitFor(t, wait, "the webhook's alarm resolved after a poll", func() bool {
		return recv.seen("NmsVendorAlarm", "resolved", hooked)
	})
	t.Logf("alerts received: %v", recv.names())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
