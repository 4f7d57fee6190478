package e2e

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

var update = flag.Bool("update", false, "rewrite golden files: e2e/testdata/probe.prom and docs/metrics.md")

// healthFamilies are the METRICS.md source health families every source
// serves.
var healthFamilies = []string{
	"nms_source_up", "nms_collection_success", "nms_collection_last_success_timestamp_seconds",
	"nms_collection_duration_seconds", "nms_collection_interval_seconds", "nms_collection_items",
	"nms_api_requests_total", "nms_api_request_duration_seconds", "nms_api_throttled_seconds_total",
}

// vendorFamilies are the other METRICS.md families each vendor offers.
var vendorFamilies = map[string][]string{
	"mist": {"nms_api_rate_limit_remaining", "nms_api_budget_remaining",
		"nms_site_info", "nms_device_info", "nms_device_up", "nms_device_uptime_seconds",
		"nms_clients", "nms_ap_clients", "nms_alarms_active"},
	"prime": {"nms_site_info", "nms_device_info", "nms_device_up", "nms_device_uptime_seconds",
		"nms_clients", "nms_ap_clients", "nms_alarms_active"},
	"nautobot": {"nms_site_info", "nms_sot_device_info", "nms_sot_devices", "nms_sot_drift_devices"},
	// CX Cloud documents its rate-limit headers on 429s only, so
	// nms_api_rate_limit_remaining appears once one came.
	"cxcloud": {"nms_api_budget_remaining", "nms_device_info", "nms_device_up", "nms_device_uptime_seconds",
		"nms_field_notice_devices", "nms_security_advisory_devices", "nms_device_end_of_support_timestamp_seconds",
		"nms_device_contract_covered", "nms_device_contract_end_timestamp_seconds", "nms_device_warranty_end_timestamp_seconds",
		"nms_security_advisory_cvss_base_score",
		"nms_cxcloud_collector_info", "nms_cxcloud_collector_last_upload_timestamp_seconds", "nms_cxcloud_data_processed_timestamp_seconds"},
}

// checkFamilies reports METRICS.md families a source should serve but does
// not.
func checkFamilies(t *testing.T, target, vendor string, mfs map[string]*dto.MetricFamily) {
	t.Helper()
	for _, f := range append(append([]string{}, healthFamilies...), vendorFamilies[vendor]...) {
		if mfs[f] == nil || len(mfs[f].GetMetric()) == 0 {
			t.Errorf("%s (%s): family %s missing from /probe", target, vendor, f)
		}
	}
}

func TestEndToEnd(t *testing.T) {
	env := startEnv(t)

	code, sd := env.get("/sd")
	if code != http.StatusOK {
		t.Fatalf("GET /sd = %d", code)
	}
	targets := map[string]string{"mist-a": "mist", "mist-b": "mist", "mist-login": "mist", "prime-a": "prime", "cx-a": "cxcloud", "sot": "nautobot"}
	for name := range targets {
		if !strings.Contains(sd, `"__param_target":"`+name+`"`) {
			t.Errorf("/sd = %s; want a target group for %s", sd, name)
		}
	}

	all := map[string]*dto.MetricFamily{}
	for name, vendor := range targets {
		code, body := env.get("/probe?target=" + name)
		if code != http.StatusOK {
			t.Fatalf("GET /probe?target=%s = %d: %s", name, code, body)
		}
		promtoolCheck(t, "/probe?target="+name, body)
		mfs := parse(t, body)
		for n, mf := range mfs {
			all[n] = mf
		}
		if v, _ := value(mfs["nms_source_up"], nil); v != 1 {
			t.Errorf("%s: nms_source_up = %v; want 1", name, v)
		}
		if name == "mist-login" {
			continue
		}
		checkFamilies(t, name, vendor, mfs)
		if vendor != "mist" {
			continue
		}
		if v, ok := value(mfs["nms_api_rate_limit_remaining"], map[string]string{"window": "hour"}); !ok || v <= 0 || v > 5000 {
			t.Errorf("%s: nms_api_rate_limit_remaining{window=hour} = %v, %v; want what Mist says is left", name, v, ok)
		}
	}
	// An unsigned webhook is refused, and counted.
	if code, _ := env.post("/webhooks/mist"); code != http.StatusUnauthorized {
		t.Errorf("POST /webhooks/mist unsigned = %d; want 401", code)
	}
	code, self := env.get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	promtoolCheck(t, "/metrics", self)
	for n, mf := range parse(t, self) {
		all[n] = mf
	}
	if v, _ := value(all["nms_config_last_reload_successful"], nil); v != 1 {
		t.Errorf("nms_config_last_reload_successful = %v; want 1", v)
	}

	// The data of one source of each vendor, against the golden file.
	var data strings.Builder
	for _, name := range []string{"mist-a", "prime-a", "cx-a", "sot"} {
		_, body := env.get("/probe?target=" + name)
		fmt.Fprintf(&data, "# target %s\n%s", name, dataFamilies(t, body))
	}
	golden(t, "e2e/testdata/probe.prom", data.String())
	// docs/metrics.md lists exactly the families the exporter serves.
	golden(t, "docs/metrics.md", metricsDoc(all))
}

// dataFamilies keeps the vendor data families of an exposition, which a
// seeded simulator makes deterministic, and drops those that follow the clock
// (timing, uptimes, counters, and end-of-life dates the simulator sets from
// today).
func dataFamilies(t *testing.T, text string) string {
	mfs := parse(t, text)
	keep := []string{}
	for n := range mfs {
		switch {
		case n == "nms_device_uptime_seconds", n == "nms_mist_device_last_seen_timestamp_seconds",
			n == "nms_prime_client_counts_timestamp_seconds", n == "nms_device_end_of_support_timestamp_seconds",
			n == "nms_cxcloud_collector_last_upload_timestamp_seconds", n == "nms_cxcloud_data_processed_timestamp_seconds",
			strings.HasPrefix(n, "nms_collection_"), strings.HasPrefix(n, "nms_api_"),
			strings.HasPrefix(n, "nms_mist_api_"), n == "nms_source_up", strings.HasSuffix(n, "_total"),
			strings.HasPrefix(n, "nms_stream_"):
			continue
		}
		keep = append(keep, n)
	}
	sort.Strings(keep)
	var b bytes.Buffer
	for _, n := range keep {
		_, _ = expfmt.MetricFamilyToText(&b, mfs[n])
	}
	return b.String()
}

// golden compares got with file, named from the repository's root, or
// writes it there under -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join(repo, file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./e2e/ -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from what the exporter serves (go test ./e2e/ -update rewrites it):\n%s", file, diffLines(string(want), got))
	}
}

func diffLines(want, got string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	n := 0
	for _, l := range strings.Split(want, "\n") {
		if !g[l] && n < 20 {
			fmt.Fprintf(&b, "- %s\n", l)
			n++
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] && n < 40 {
			fmt.Fprintf(&b, "+ %s\n", l)
			n++
		}
	}
	return b.String()
}

// metricsDoc renders the list of families served, for docs/metrics.md.
func metricsDoc(all map[string]*dto.MetricFamily) string {
	var b strings.Builder
	b.WriteString("# Metrics\n\n")
	b.WriteString("Generated by `go test ./e2e/ -update` from what the exporter serves on the simulators; a test fails\n")
	b.WriteString("when this file and the exporter disagree. Go runtime (`go_*`), process (`process_*`) and\n")
	b.WriteString("client library (`promhttp_*`) families on `/metrics` are left out.\n\n")
	var probe, self []string
	for n := range all {
		switch {
		case strings.HasPrefix(n, "go_"), strings.HasPrefix(n, "process_"), strings.HasPrefix(n, "promhttp_"):
		case strings.HasPrefix(n, "nms_exporter_"), strings.HasPrefix(n, "nms_config_"), strings.HasPrefix(n, "nms_bridge_"), strings.HasPrefix(n, "nms_webhook_"), strings.HasPrefix(n, "nms_state_"):
			self = append(self, n)
		default:
			probe = append(probe, n)
		}
	}
	sort.Strings(probe)
	sort.Strings(self)
	table := func(title string, names []string) {
		fmt.Fprintf(&b, "## %s\n\n| family | type | labels | help |\n| --- | --- | --- | --- |\n", title)
		for _, n := range names {
			mf := all[n]
			labels := map[string]bool{}
			for _, m := range mf.GetMetric() {
				for _, lp := range m.GetLabel() {
					labels[lp.GetName()] = true
				}
			}
			names := make([]string, 0, len(labels))
			for l := range labels {
				names = append(names, l)
			}
			sort.Strings(names)
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", n, strings.ToLower(mf.GetType().String()),
				strings.Join(names, ", "), strings.ReplaceAll(mf.GetHelp(), "|", "\\|"))
		}
		b.WriteString("\n")
	}
	table("On /probe?target=NAME (one source)", probe)
	table("On /metrics (the exporter itself)", self)
	return b.String()
}

func TestFailingSourceKeepsLastDataAndOthersRefresh(t *testing.T) {
	env := startEnv(t)
	_, before := env.get("/probe?target=mist-a")
	devicesBefore := len(parse(t, before)["nms_device_info"].GetMetric())

	env.faults(0, "error_rate=1", "error_status=500")
	env.refresh("mist-a")
	_, otherBefore := env.get("/probe?target=mist-b")
	time.Sleep(1100 * time.Millisecond) // let the clock move past a second
	env.refresh("mist-b")

	_, body := env.get("/probe?target=mist-a")
	mfs := parse(t, body)
	for _, m := range mfs["nms_collection_success"].GetMetric() {
		if m.GetGauge().GetValue() != 0 {
			t.Errorf("mist-a nms_collection_success%v = %v; want 0 while every request fails", m.GetLabel(), m.GetGauge().GetValue())
		}
	}
	if v, _ := value(mfs["nms_source_up"], nil); v != 0 {
		t.Errorf("mist-a nms_source_up = %v; want 0", v)
	}
	if got := len(mfs["nms_device_info"].GetMetric()); got != devicesBefore || got == 0 {
		t.Errorf("mist-a serves %d devices after failed refreshes; want the last good %d", got, devicesBefore)
	}

	_, other := env.get("/probe?target=mist-b")
	om := parse(t, other)
	if v, _ := value(om["nms_source_up"], nil); v != 1 {
		t.Errorf("mist-b nms_source_up = %v; want 1 while mist-a fails", v)
	}
	was, _ := value(parse(t, otherBefore)["nms_collection_last_success_timestamp_seconds"], map[string]string{"collection": "devices"})
	now, _ := value(om["nms_collection_last_success_timestamp_seconds"], map[string]string{"collection": "devices"})
	if now <= was {
		t.Errorf("mist-b devices last success = %v, before %v; want it to move on", now, was)
	}

	// The fault clears: the next refresh recovers.
	env.faults(0)
	env.refresh("mist-a")
	_, body = env.get("/probe?target=mist-a")
	if v, _ := value(parse(t, body)["nms_source_up"], nil); v != 1 {
		t.Errorf("mist-a nms_source_up after the fault cleared = %v; want 1", v)
	}
}

func TestReloadWithBadFileKeepsRunningConfig(t *testing.T) {
	env := startEnv(t)
	if code, body := env.get("/-/reload"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload = %d %q; want 405", code, body)
	}
	bad := strings.Replace(env.cfgText, "    token_file: a.token", "    token_file: a.token\n    colections: {}", 1)
	if err := os.WriteFile(env.cfgFile, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, body := env.post("/-/reload")
	if code != http.StatusInternalServerError || !strings.Contains(body, env.cfgFile+":5:") {
		t.Errorf("POST /-/reload with a bad file = %d %q; want 500 naming %s:5", code, body, env.cfgFile)
	}
	_, self := env.get("/metrics")
	if v, _ := value(parse(t, self)["nms_config_last_reload_successful"], nil); v != 0 {
		t.Errorf("nms_config_last_reload_successful = %v; want 0 after a bad reload", v)
	}
	if code, _ := env.get("/probe?target=mist-a"); code != http.StatusOK {
		t.Errorf("GET /probe?target=mist-a after a bad reload = %d; want 200 from the running config", code)
	}

	// A good file with one source fewer: that source goes, the rest stay.
	good := env.cfgText[:strings.Index(env.cfgText, "  - name: mist-login")]
	if err := os.WriteFile(env.cfgFile, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, body := env.post("/-/reload"); code != http.StatusOK {
		t.Fatalf("POST /-/reload with a good file = %d %q", code, body)
	}
	if code, _ := env.get("/probe?target=mist-login"); code != http.StatusBadRequest {
		t.Errorf("GET /probe?target=mist-login after it was removed = %d; want 400", code)
	}
	_, self = env.get("/metrics")
	if v, _ := value(parse(t, self)["nms_config_last_reload_successful"], nil); v != 1 {
		t.Errorf("nms_config_last_reload_successful = %v; want 1 after a good reload", v)
	}
}

// TestSecretsNeverShown greps every output for the credentials, given
// inline and in files, while every vendor refuses them or fails: the fault
// matrix does the same with every credential in a file.
func TestSecretsNeverShown(t *testing.T) {
	env := startEnv(t)
	// Rejected credentials and failing calls put them near error paths.
	env.faults(1, "error_rate=1", "error_status=401")
	env.faults(2, "revoke")
	env.faults(3, "revoke")
	env.faults(4, "revoke")
	var errTexts []string
	for _, name := range []string{"mist-b", "mist-login", "prime-a", "cx-a", "sot"} {
		env.refresh(name)
		src, _ := env.exp.Manager().Source(name)
		for _, st := range src.Status() {
			if st.Success && name != "mist-login" {
				t.Errorf("%s %s succeeded with its credentials refused", name, st.Collection)
			}
			errTexts = append(errTexts, st.Err)
		}
	}
	checkNoSecrets(t, env, errTexts)
}

// TestDemo checks the demo serves every METRICS.md family of every vendor.
func TestDemo(t *testing.T) {
	env := startDemoEnv(t)
	exp := env.exp
	vendors := map[string]bool{}
	for _, s := range exp.Manager().Sources() {
		_, body := env.get("/probe?target=" + s.Name)
		checkFamilies(t, s.Name, s.Vendor, parse(t, body))
		vendors[s.Vendor] = true
	}
	for v := range vendorFamilies {
		if !vendors[v] {
			t.Errorf("the demo runs no %s source", v)
		}
	}
}
