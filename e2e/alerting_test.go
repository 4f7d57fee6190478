package e2e

import (
	"bytes"
	"context"
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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
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
	alerts, ok := readAlerts(w, req)
	if !ok {
		return
	}
	r.mu.Lock()
	r.alerts = append(r.alerts, alerts...)
	r.mu.Unlock()
}

// readAlerts reads the alerts of an Alertmanager webhook's message,
// answering 400 to what is not one.
func readAlerts(w http.ResponseWriter, req *http.Request) ([]amAlert, bool) {
	var msg struct {
		Alerts []amAlert `json:"alerts"`
	}
	if err := json.NewDecoder(req.Body).Decode(&msg); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return msg.Alerts, true
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

// startAlertmanager runs the real Alertmanager on loopback with this
// config, its files in dir, and returns its address.
func startAlertmanager(t *testing.T, dir, config string) string {
	t.Helper()
	cfg := filepath.Join(dir, "am.yml")
	writeFile(t, cfg, config)
	addr := freeAddr(t)
	startProcess(t, "prometheus-alertmanager", "http://"+addr+"/-/ready",
		"--config.file="+cfg, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	return addr
}

// firstSwitch is the first switch of the simulated Mist org.
func firstSwitch(sim *mistsim.Server) mistsim.DeviceInfo {
	for _, d := range sim.Devices() {
		if d.Type == "switch" {
			return d
		}
	}
	return mistsim.DeviceInfo{}
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

	amAddr := startAlertmanager(t, dir, fmt.Sprintf(`route:
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
`, hook.URL))

	env := startEnvWith(t, fmt.Sprintf(`alertmanager:
  urls: [http://%s]
  resend_interval: 1s
  min_severity: critical
  sources: [mist-a]
`, amAddr))

	startPrometheus(t, dir, env.srv.URL, amAddr)

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

// amAlertV2 is an alert as Alertmanager's GET /api/v2/alerts lists it.
type amAlertV2 struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Status      struct {
		State      string   `json:"state"`
		SilencedBy []string `json:"silencedBy"`
	} `json:"status"`
}

// amSilenceV2 is a silence as GET /api/v2/silences lists it.
type amSilenceV2 struct {
	ID       string `json:"id"`
	Matchers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"matchers"`
	CreatedBy string `json:"createdBy"`
	Comment   string `json:"comment"`
	Status    struct {
		State string `json:"state"`
	} `json:"status"`
}

// getJSON decodes the answer, which must be 200 OK, of a GET of
// Alertmanager's v2 API or Prometheus' HTTP API.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// TestVendorAlarmsInAlertmanager runs the real Alertmanager on loopback
// beside the exporter on the simulators, with the bridge pushing alarm by
// alarm and silencing acknowledged alarms (acknowledged: silence). For a
// Mist and a Prime source: an alarm raised is one alert, with its id, text
// and console link; acknowledged at the vendor, a silence of the bridge's
// silences its alert; cleared, the silence is expired and the alert
// resolved.
func TestVendorAlarmsInAlertmanager(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Alertmanager")
	}
	dir := t.TempDir()
	amAddr := startAlertmanager(t, dir, "route:\n  receiver: none\nreceivers:\n  - name: none\n")
	env := startEnvWith(t, fmt.Sprintf(`alertmanager:
  urls: [http://%s]
  resend_interval: 1s
  min_severity: info
  sources: [mist-a, prime-a]
  acknowledged: silence
`, amAddr))
	am := "http://" + amAddr + "/api/v2"
	mist := env.sims[0].Server.(*mistsim.Server)
	prime := env.sims[2].Server.(*primesim.Server)
	sw := firstSwitch(mist)
	pdev := prime.Devices()[0]

	for _, tc := range []struct {
		source, device, text, url string
		raise                     func() string
		ack, clear                func(id string) error
	}{
		{
			source: "mist-a", device: sw.Name, text: "Uplink ge-0/0/48 lost; PSU 2 failed",
			url: testMistConsole + "/admin/?org_id=" + url.QueryEscape(mist.Credentials().OrgID),
			raise: func() string {
				return mist.RaiseAlarm(mistsim.Alarm{Type: "switch_down", Severity: "critical", DeviceMACs: []string{sw.MAC},
					Hostnames: []string{sw.Name}, Note: "Uplink ge-0/0/48 lost; PSU 2 failed"})
			},
			ack:   func(id string) error { return mist.AckAlarm(id, "oncall@example.com") },
			clear: mist.ClearAlarm,
		},
		{
			source: "prime-a", device: pdev.Name, text: "Device " + pdev.Name + " is unreachable from Prime.",
			url: env.sims[2].BaseURL,
			raise: func() string {
				return strconv.FormatInt(prime.RaiseAlarm(primesim.Alarm{DeviceName: pdev.Name, Severity: "CRITICAL",
					Message: "Device " + pdev.Name + " is unreachable from Prime."}), 10)
			},
			ack: func(id string) error {
				n, _ := strconv.ParseInt(id, 10, 64)
				return prime.AcknowledgeAlarm(n, true)
			},
			clear: func(id string) error {
				n, _ := strconv.ParseInt(id, 10, 64)
				return prime.ClearAlarm(n)
			},
		},
	} {
		t.Run(tc.source, func(t *testing.T) {
			src, ok := env.exp.Manager().Source(tc.source)
			if !ok {
				t.Fatalf("no source %s", tc.source)
			}
			poll := func() {
				t.Helper()
				if err := src.Refresh(context.Background(), "alarms"); err != nil {
					t.Fatal(err)
				}
			}
			id := tc.raise()
			poll()
			filter := "?filter=" + url.QueryEscape(fmt.Sprintf("source=%q", tc.source)) + "&filter=" + url.QueryEscape(fmt.Sprintf("alarm_id=%q", id))
			alerts := func() []amAlertV2 {
				var as []amAlertV2
				getJSON(t, am+"/alerts"+filter, &as)
				return as
			}
			waitFor(t, 15*time.Second, "the alarm's alert in Alertmanager", func() bool { return len(alerts()) > 0 })
			as := alerts()
			if len(as) != 1 {
				t.Fatalf("Alertmanager holds %d alerts of alarm %s; want exactly one: %+v", len(as), id, as)
			}
			a := as[0]
			if a.Labels["alertname"] != "NmsVendorAlarm" || a.Labels["alarm_id"] != id || a.Labels["device"] != tc.device ||
				a.Labels["severity"] != "critical" || a.Annotations["alarm_id"] != id || a.Annotations["description"] != tc.text {
				t.Errorf("alert = %v %v; want NmsVendorAlarm of %s on %s, critical, with its text %q",
					a.Labels, a.Annotations, id, tc.device, tc.text)
			}
			// The console link: Prime's server; Mist's org page on the
			// portal the source's console_url names.
			if got := a.Annotations["url"]; got != tc.url {
				t.Errorf("url annotation = %q; want the console link %q", got, tc.url)
			}

			// Acknowledged at the vendor: silenced by the bridge.
			if err := tc.ack(id); err != nil {
				t.Fatal(err)
			}
			poll()
			ours := func() []amSilenceV2 {
				var all, out []amSilenceV2
				getJSON(t, am+"/silences", &all)
				for _, s := range all {
					for _, m := range s.Matchers {
						if m.Name == "alarm_id" && m.Value == id && s.CreatedBy == "nms_exporter" {
							out = append(out, s)
						}
					}
				}
				return out
			}
			waitFor(t, 15*time.Second, "the alert silenced", func() bool {
				as := alerts()
				return len(as) == 1 && as[0].Status.State == "suppressed"
			})
			ss := ours()
			if len(ss) != 1 || ss[0].Status.State != "active" || !strings.HasPrefix(ss[0].Comment, "nms_exporter alarm "+tc.source+"/"+id) {
				t.Fatalf("the bridge's silences of %s = %+v; want one, active, its comment naming the alarm", id, ss)
			}
			if got := alerts()[0].Status.SilencedBy; len(got) != 1 || got[0] != ss[0].ID {
				t.Errorf("alert silenced by %v; want the bridge's silence %s", got, ss[0].ID)
			}

			// Cleared: the silence expires and the alert resolves.
			if err := tc.clear(id); err != nil {
				t.Fatal(err)
			}
			poll()
			waitFor(t, 15*time.Second, "the silence expired and the alert resolved", func() bool {
				ss := ours()
				return len(alerts()) == 0 && len(ss) == 1 && ss[0].Status.State == "expired"
			})
		})
	}

	// Nautobot describes mist-a: the alerts of the devices it knows carry
	// their location.
	var as []amAlertV2
	getJSON(t, am+"/alerts?filter="+url.QueryEscape(`source="mist-a"`), &as)
	enriched := 0
	for _, a := range as {
		if a.Labels["location"] != "" {
			enriched++
		}
	}
	if len(as) > 0 && enriched == 0 {
		t.Errorf("none of mist-a's %d alerts has a location; want those of the devices Nautobot mirrors", len(as))
	}
	t.Logf("mist-a: %d alerts, %d with a location from Nautobot", len(as), enriched)
}

// startPrometheus runs the real Prometheus on loopback with the bundled
// rules, every `for:` set to zero so the tests wait seconds, not minutes,
// scraping the exporter at base as the README's probe job does, and
// sending its alerts to the Alertmanager at amAddr.
func startPrometheus(t *testing.T, dir, base, amAddr string) {
	t.Helper()
	rules := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rules, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, b := range ruleFiles(t) {
		writeFile(t, filepath.Join(rules, filepath.Base(f)), forZero.ReplaceAllString(string(b), "${1}0s"))
	}
	exporter, _ := url.Parse(base)
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
`, rules, amAddr, nmsJob(base), exporter.Host)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), promCfg)
	promtool := testtool.Path(t, "promtool", "Debian's prometheus package")
	if out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	startProcess(t, "prometheus", "http://"+promAddr+"/-/ready",
		"--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)
}

// TestSourceDownInhibitsItsAlarms follows the whole chain under the
// example Alertmanager config: the bridge pushes Mist's and Prime's alarms,
// Prime's API starts failing, the real Prometheus fires the bundled
// NmsSourceDown rule (its `for:` set to zero) from the exporter's
// nms_source_up, and the real Alertmanager hides that source's
// non-critical alarm alerts, and only those: Prime's critical alarm and
// Mist's alarms stay active. When Prime answers again, its alarms return.
func TestSourceDownInhibitsItsAlarms(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus and Alertmanager")
	}
	dir := t.TempDir()
	amAddr, _ := startExampleAlertmanager(t, dir)
	env := startEnvWith(t, fmt.Sprintf(`alertmanager:
  urls: [http://%s]
  resend_interval: 1s
  min_severity: info
  sources: [mist-a, prime-a]
`, amAddr))
	startPrometheus(t, dir, env.srv.URL, amAddr)

	mist := env.sims[0].Server.(*mistsim.Server)
	prime := env.sims[2].Server.(*primesim.Server)
	sw := firstSwitch(mist)
	pdevs := prime.Devices()
	mistMajor := mist.RaiseAlarm(mistsim.Alarm{Type: "high_cpu", Severity: "major", DeviceMACs: []string{sw.MAC}, Hostnames: []string{sw.Name}})
	primeMajor := strconv.FormatInt(prime.RaiseAlarm(primesim.Alarm{DeviceName: pdevs[0].Name, Severity: "MAJOR", Message: "Fan tray 1 failed"}), 10)
	primeCritical := strconv.FormatInt(prime.RaiseAlarm(primesim.Alarm{DeviceName: pdevs[1].Name, Severity: "CRITICAL", Message: "Device unreachable"}), 10)
	env.refresh("mist-a")
	env.refresh("prime-a")

	am := "http://" + amAddr + "/api/v2"
	alarm := func(source, id string) (gettableAlert, bool) {
		var as []gettableAlert
		getJSON(t, am+"/alerts?filter="+url.QueryEscape(fmt.Sprintf("source=%q", source))+"&filter="+url.QueryEscape(fmt.Sprintf("alarm_id=%q", id)), &as)
		if len(as) != 1 {
			return gettableAlert{}, false
		}
		return as[0], true
	}
	state := func(source, id string) string {
		a, ok := alarm(source, id)
		if !ok {
			return "absent"
		}
		return a.Status.State
	}
	sourceDown := func() bool {
		var as []gettableAlert
		getJSON(t, am+"/alerts?filter="+url.QueryEscape(`alertname="NmsSourceDown"`)+"&filter="+url.QueryEscape(`source="prime-a"`), &as)
		return len(as) > 0
	}
	waitFor(t, 20*time.Second, "the three alarms' alerts active", func() bool {
		return state("mist-a", mistMajor) == "active" && state("prime-a", primeMajor) == "active" && state("prime-a", primeCritical) == "active"
	})
	if sourceDown() {
		t.Fatal("NmsSourceDown fires for prime-a before its API fails")
	}

	// Prime's API fails: every collection's next refresh fails, its data
	// is the last good refresh's, and nms_source_up goes to 0.
	pi := env.sims[2]
	if err := pi.SetFault("error_rate", "1"); err != nil {
		t.Fatal(err)
	}
	src, _ := env.exp.Manager().Source("prime-a")
	if err := src.Refresh(context.Background(), "devices"); err == nil {
		t.Fatal("prime-a's devices refresh succeeded against a failing API")
	}
	waitFor(t, 60*time.Second, "NmsSourceDown for prime-a and its major alarm hidden", func() bool {
		return sourceDown() && state("prime-a", primeMajor) == "suppressed"
	})
	if a, _ := alarm("prime-a", primeMajor); len(a.Status.InhibitedBy) == 0 {
		t.Errorf("prime-a's major alarm is %s without inhibitedBy; want it hidden by NmsSourceDown", a.Status.State)
	}
	if s := state("prime-a", primeCritical); s != "active" {
		t.Errorf("prime-a's critical alarm is %s; want active: NmsSourceDown (a warning) leaves pages alone", s)
	}
	if s := state("mist-a", mistMajor); s != "active" {
		t.Errorf("mist-a's major alarm is %s; want active: prime-a's source down hides only prime-a's alerts", s)
	}

	// Prime answers again: the source is up, and its alarm shown again.
	pi.ClearFaults()
	env.refresh("prime-a")
	waitFor(t, 60*time.Second, "prime-a's major alarm active again", func() bool {
		return !sourceDown() && state("prime-a", primeMajor) == "active"
	})
}
