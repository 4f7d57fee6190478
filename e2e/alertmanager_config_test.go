package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// amExample is the example Alertmanager config that docs/alerts.md walks
// through.
var amExample = filepath.Join(repo, "docs", "alertmanager.yml")

func amtool(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "amtool", "Debian's prometheus-alertmanager package")
}

// TestAlertmanagerExampleChecks runs amtool check-config on the example,
// as docs/alerts.md tells users to.
func TestAlertmanagerExampleChecks(t *testing.T) {
	out, err := exec.Command(amtool(t), "check-config", amExample).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("amtool check-config %s = %v; want SUCCESS\n%s", amExample, err, out)
	}
}

// TestAlertmanagerExampleRoutes asks amtool which receivers the example
// routes label sets to, as the rule alerts and the bridge's alerts carry
// them.
func TestAlertmanagerExampleRoutes(t *testing.T) {
	bin := amtool(t)
	for _, tc := range []struct {
		name   string
		labels []string
		want   string
	}{
		{"rule alert critical pages", []string{"alertname=NmsTargetDown", "source=mist-emea", "instance=mist-emea", "severity=critical"}, "nms-pager"},
		{"rule alert warning to chat", []string{"alertname=NmsDeviceDown", "source=mist-emea", "device=AMS-HQ-ap-01", "severity=warning"}, "nms-chat"},
		{"rule alert info to digest", []string{"alertname=NmsEndOfSupportSoon", "source=cx-emea", "severity=info"}, "nms-low"},
		{"exporter's own alert without source", []string{"alertname=NmsConfigReloadFailed", "instance=nms-exporter:9877", "severity=warning"}, "nms-chat"},
		{"alert without severity to the default", []string{"alertname=Unknown"}, "nms-chat"},
		{"vendor critical alarm pages", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=critical", "vendor_severity=critical"}, "nms-pager"},
		{"vendor minor alarm to digest", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=info", "vendor_severity=minor"}, "nms-low"},
		{"tenant critical to team and pager", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=critical", "tenant=Retail"}, "team-retail,nms-pager"},
		{"tenant warning to team and chat", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=warning", "tenant=Retail"}, "team-retail,nms-chat"},
		{"tenant info to digest only", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=info", "tenant=Retail"}, "nms-low"},
		{"another tenant to the shared receivers", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=critical", "tenant=Campus"}, "nms-pager"},
		{"acknowledged critical alarm to digest only", []string{"alertname=NmsVendorAlarm", "source=mist-emea", "severity=critical", "tenant=Retail", "acknowledged=true"}, "nms-low"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"config", "routes", "test", "--config.file=" + amExample}, tc.labels...)
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("amtool %s = %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			if got := strings.TrimSpace(stdout.String()); got != tc.want {
				t.Errorf("receivers of %v = %s; want %s", tc.labels, got, tc.want)
			}
		})
	}
}

// liveConfig returns the example config as the live test runs it: every
// receiver's URL points at base with its path kept, and group_wait and
// group_interval, wherever set, are 1s, so the test waits seconds, not
// minutes. Routes, matchers, group_by, repeat intervals and inhibit rules
// stay as written. It fails the test if a receiver is not a loopback
// webhook: the example must check and run anywhere.
func liveConfig(t *testing.T, base string) []byte {
	t.Helper()
	b, err := os.ReadFile(amExample)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("yaml.Unmarshal(%s) = %v; want nil", amExample, err)
	}
	var urls, timings int
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, key)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				switch {
				case key == "receivers" && strings.HasSuffix(k, "_configs") && k != "webhook_configs":
					t.Fatalf("%s: a receiver has %s; want webhook_configs only, on loopback, with the real integration in a comment", amExample, k)
				case k == "url" && key == "webhook_configs":
					u, err := url.Parse(v.Value)
					if err != nil || u.Hostname() != "127.0.0.1" {
						t.Fatalf("%s: webhook url %q; want a placeholder on 127.0.0.1", amExample, v.Value)
					}
					v.Value = base + u.Path
					urls++
				case k == "group_wait" || k == "group_interval":
					v.Value = "1s"
					timings++
				case k == "receivers" || k == "webhook_configs":
					walk(v, k)
				default:
					walk(v, key)
				}
			}
		}
	}
	walk(&doc, "")
	if urls == 0 || timings == 0 {
		t.Fatalf("%s: %d webhook urls and %d group timings rewritten; want some of each", amExample, urls, timings)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// receivers records what each of the example's receivers was sent, by the
// path of its webhook URL.
type receivers struct {
	mu  sync.Mutex
	got map[string][]amAlert
}

// startExampleAlertmanager runs the real Alertmanager under the example
// config, its files in dir, every receiver's webhook aimed at the returned
// receivers, and returns its address.
func startExampleAlertmanager(t *testing.T, dir string) (string, *receivers) {
	t.Helper()
	recv := &receivers{got: map[string][]amAlert{}}
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	return startAlertmanager(t, dir, string(liveConfig(t, hook.URL))), recv
}

func (r *receivers) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	alerts, ok := readAlerts(w, req)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	name := strings.TrimPrefix(req.URL.Path, "/")
	r.got[name] = append(r.got[name], alerts...)
}

// keys returns, for each receiver, the keys of the firing alerts it was
// sent, sorted and without repeats.
func (r *receivers) keys() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]string{}
	for name, as := range r.got {
		for _, a := range as {
			if k := alertKey(a.Labels); a.Status == "firing" && !slices.Contains(out[name], k) {
				out[name] = append(out[name], k)
			}
		}
		slices.Sort(out[name])
	}
	return out
}

// alertKey names a test alert by what tells them apart: alert name, source,
// site, device and the bridge's alarm id.
func alertKey(labels map[string]string) string {
	return labels["alertname"] + "/" + labels["source"] + "/" + labels["site"] + "/" + labels["device"] + "/" + labels["alarm_id"]
}

// gettableAlert is the part of GET /api/v2/alerts the test reads.
type gettableAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	Status      struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// TestAlertmanagerExampleLive runs the real Alertmanager on the example
// config, posts rule alerts and bridge alerts with the labels they carry,
// and checks what the inhibit rules hide and where the routes send the
// rest: a source down hides that source's device and alarm alerts only
// (NmsSourceDown, a warning, not the critical ones), a device down that
// device's non-critical alarms only, the bridge's alert for an alarm the
// rule alert of the same source, site, device, category and severity only;
// a tenant's alerts reach the tenant's team, critical ones the pager.
func TestAlertmanagerExampleLive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Alertmanager")
	}
	addr, recv := startExampleAlertmanager(t, t.TempDir())

	// The labels Prometheus gives the rule alerts (the series' labels,
	// source and vendor from /sd, job, and the rule's severity) and those
	// the bridge gives NmsVendorAlarm.
	rule := func(name, source, vendor, severity string, extra ...string) map[string]string {
		l := map[string]string{"alertname": name, "job": "nms", "instance": source, "source": source, "vendor": vendor, "severity": severity}
		for i := 0; i+1 < len(extra); i += 2 {
			l[extra[i]] = extra[i+1]
		}
		return l
	}
	id := 0
	bridge := func(source, vendor, site, device, category, vendorSeverity string, extra ...string) map[string]string {
		id++
		severity := map[string]string{"critical": "critical", "major": "warning"}[vendorSeverity]
		if severity == "" {
			severity = "info"
		}
		l := map[string]string{"alertname": "NmsVendorAlarm", "source": source, "vendor": vendor, "site": site, "device": device,
			"category": category, "severity": severity, "vendor_severity": vendorSeverity, "alarm_type": "test_alarm", "alarm_id": fmt.Sprint(id)}
		for i := 0; i+1 < len(extra); i += 2 {
			l[extra[i]] = extra[i+1]
		}
		return l
	}
	// mist-emea has a failing collection (NmsSourceDown, a warning),
	// prime-dc cannot be scraped (NmsTargetDown, critical), pi-campus has
	// a device down, mist-us has alarms both as bridge alerts and as rule
	// alerts, and a tenant's.
	var (
		srcDown     = rule("NmsSourceDown", "mist-emea", "mist", "warning")
		emeaMajor   = bridge("mist-emea", "mist", "AMS-HQ", "AMS-HQ-sw-01", "infrastructure", "major")
		emeaDevDown = rule("NmsDeviceDown", "mist-emea", "mist", "warning", "device", "AMS-HQ-ap-01", "site", "AMS-HQ", "serial", "A101", "device_type", "ap")
		emeaCrit    = bridge("mist-emea", "mist", "AMS-HQ", "AMS-HQ-gw-01", "infrastructure", "critical")

		tgtDown  = rule("NmsTargetDown", "prime-dc", "prime", "critical")
		dcCrit   = bridge("prime-dc", "prime", "DC-1", "dc-core-1", "Routers", "critical")
		dcApsOut = rule("NmsSiteApsDown", "prime-dc", "prime", "critical", "site", "DC-1")

		campusDevDown = rule("NmsDeviceDown", "pi-campus", "prime", "warning", "device", "core-sw-1", "site", "NA-Campus > Building-03", "device_type", "switch")
		campusOnDown  = bridge("pi-campus", "prime", "NA-Campus > Building-03", "core-sw-1", "Switches and Hubs", "major")
		campusCrit    = bridge("pi-campus", "prime", "NA-Campus > Building-03", "core-sw-1", "Switches and Hubs", "critical")
		campusElse    = bridge("pi-campus", "prime", "NA-Campus > Building-04", "NA-B04-F3-AP03", "AP", "major")
		branchSame    = bridge("pi-branch", "prime", "Branch-07", "core-sw-1", "Switches and Hubs", "major") // same name, another source

		usAlarm        = bridge("mist-us", "mist", "CHI-HQ", "CHI-HQ-gw-01", "security", "critical")
		usRule         = rule("NmsCriticalAlarm", "mist-us", "mist", "critical", "site", "CHI-HQ", "device", "CHI-HQ-gw-01", "category", "security")
		usRuleElse     = rule("NmsCriticalAlarm", "mist-us", "mist", "critical", "site", "CHI-HQ", "device", "CHI-HQ-gw-02", "category", "security")
		usMajor        = bridge("mist-us", "mist", "CHI-HQ", "CHI-HQ-sw-03", "infrastructure", "major")
		usMajorRule    = rule("NmsMajorAlarm", "mist-us", "mist", "warning", "site", "CHI-HQ", "device", "CHI-HQ-sw-03", "category", "infrastructure")
		usMinor        = bridge("mist-us", "mist", "CHI-HQ", "CHI-HQ-ap-07", "infrastructure", "minor")
		usCriticalRule = rule("NmsCriticalAlarm", "mist-us", "mist", "critical", "site", "CHI-HQ", "device", "CHI-HQ-ap-07", "category", "infrastructure")
		tenantCrit     = bridge("mist-us", "mist", "DAL-Store-002", "DAL-Store-002-gw-01", "infrastructure", "critical", "tenant", "Retail", "location", "DAL-Store-002", "role", "wan-edge")
		tenantMajor    = bridge("mist-us", "mist", "DAL-Store-002", "DAL-Store-002-ap-01", "infrastructure", "major", "tenant", "Retail", "location", "DAL-Store-002", "role", "access-point")
	)
	all := []map[string]string{srcDown, emeaMajor, emeaDevDown, emeaCrit, tgtDown, dcCrit, dcApsOut,
		campusDevDown, campusOnDown, campusCrit, campusElse, branchSame,
		usAlarm, usRule, usRuleElse, usMajor, usMajorRule, usMinor, usCriticalRule, tenantCrit, tenantMajor}
	type postable struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
	}
	// Posted as new alerts: Alertmanager sends a group at once when an
	// alert in it started more than group_wait ago, perhaps before it has
	// taken in the alert that inhibits it; the test checks the inhibitions
	// in force, not which alert came first.
	var post []postable
	for _, l := range all {
		post = append(post, postable{Labels: l, Annotations: map[string]string{"summary": "test"}, StartsAt: time.Now()})
	}
	body, _ := json.Marshal(post)
	resp, err := http.Post("http://"+addr+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts = %d; want 200", resp.StatusCode)
	}

	// Who inhibits whom: every alert not named here is not inhibited.
	inhibitedBy := map[string]map[string]string{
		alertKey(emeaMajor):    srcDown,       // (a) its source is failing
		alertKey(emeaDevDown):  srcDown,       // (a)
		alertKey(dcCrit):       tgtDown,       // (a) its source cannot be scraped, critical or not
		alertKey(dcApsOut):     tgtDown,       // (a)
		alertKey(campusOnDown): campusDevDown, // (b) its device is down
		alertKey(usRule):       usAlarm,       // (c) the bridge's alert for the same alarm
		alertKey(usMajorRule):  usMajor,       // (c) the same, for a major alarm
	}
	get := func() map[string]gettableAlert {
		resp, err := http.Get("http://" + addr + "/api/v2/alerts")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var as []gettableAlert
		if err := json.NewDecoder(resp.Body).Decode(&as); err != nil {
			t.Fatalf("GET /api/v2/alerts: %v", err)
		}
		out := map[string]gettableAlert{}
		for _, a := range as {
			out[alertKey(a.Labels)] = a
		}
		return out
	}
	mismatch := func(got map[string]gettableAlert) []string {
		var bad []string
		for _, l := range all {
			k := alertKey(l)
			a, ok := got[k]
			if !ok {
				bad = append(bad, k+": missing")
				continue
			}
			var want []string
			if by, ok := inhibitedBy[k]; ok {
				want = []string{got[alertKey(by)].Fingerprint}
			}
			if !slices.Equal(a.Status.InhibitedBy, want) {
				bad = append(bad, fmt.Sprintf("%s: inhibitedBy %v; want %v", k, a.Status.InhibitedBy, want))
			}
		}
		return bad
	}
	deadline := time.Now().Add(10 * time.Second)
	for bad := mismatch(get()); len(bad) > 0; bad = mismatch(get()) {
		if time.Now().After(deadline) {
			t.Fatalf("inhibitions in GET /api/v2/alerts:\n%s", strings.Join(bad, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Where the routes send what is not inhibited. Inhibited alerts reach
	// no receiver.
	want := map[string][]string{
		// A warning hides no critical alert: emeaCrit and campusCrit page.
		"nms-pager": {alertKey(emeaCrit), alertKey(tgtDown), alertKey(campusCrit), alertKey(usAlarm),
			alertKey(usRuleElse), alertKey(usCriticalRule), alertKey(tenantCrit)},
		"nms-chat": {alertKey(srcDown), alertKey(campusDevDown), alertKey(campusElse), alertKey(branchSame),
			alertKey(usMajor), alertKey(tenantMajor)},
		"nms-low":     {alertKey(usMinor)},
		"team-retail": {alertKey(tenantCrit), alertKey(tenantMajor)},
	}
	for _, ks := range want {
		slices.Sort(ks)
	}
	complete := func(got map[string][]string) bool {
		for name, ks := range want {
			for _, k := range ks {
				if !slices.Contains(got[name], k) {
					return false
				}
			}
		}
		return true
	}
	deadline = time.Now().Add(20 * time.Second)
	for got := recv.keys(); !complete(got); got = recv.keys() {
		if time.Now().After(deadline) {
			t.Fatalf("alerts sent after 20s = %v; want at least %v", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// One more flush of every group (group_interval is 1s here), so an
	// alert that should have been inhibited would have been sent by now.
	time.Sleep(2500 * time.Millisecond)
	got := recv.keys()
	for _, name := range []string{"nms-pager", "nms-chat", "nms-low", "team-retail"} {
		if !slices.Equal(got[name], want[name]) {
			t.Errorf("alerts sent to %s = %v; want %v", name, got[name], want[name])
		}
	}
	if len(got) != len(want) {
		t.Errorf("receivers sent to = %d (%v); want %d", len(got), got, len(want))
	}
}
