package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// stressRuns is how many times TestStressStopAndReload runs the exporter;
// NMS_STRESS_RUNS overrides it.
const stressRuns = 6

// TestStressStopAndReload runs the exporter binary, built with the race
// detector, as users run it: all four vendors on simulators whose world
// changes every 200ms, at medium size, every collection on a 1s interval, a source of truth
// that describes the others, several scrapers at once, reloads that rebuild
// every source, and a final SIGTERM. Each run must answer every reload,
// stop within its deadline, report no data race, and never serve a scrape
// whose health its data does not match.
func TestStressStopAndReload(t *testing.T) {
	if testing.Short() {
		t.Skip("stress test: skipped with -short")
	}
	runs := stressRuns
	if v, err := strconv.Atoi(os.Getenv("NMS_STRESS_RUNS")); err == nil && v > 0 {
		runs = v
	}
	size := "medium"
	if v := os.Getenv("NMS_STRESS_SIZE"); v != "" {
		size = v
	}
	bin := buildExporter(t)
	// Every reload here rebuilds the Prime source, and each leaves a
	// session behind: Prime's own limit would lock it out.
	sims, err := registry.Simulators.StartAll(simulators.Options{Size: size, Seed: 1, Step: 200 * time.Millisecond, Unlimited: true, PrimeSessions: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sims {
		t.Cleanup(func() { _ = s.Close() })
	}
	for run := range runs {
		t.Run(fmt.Sprintf("run%d", run+1), func(t *testing.T) { stressRun(t, bin, sims) })
	}
}

var intervalRE = regexp.MustCompile(`interval: \d+s`)

// stressConfig is the demo's config for sims with every interval at 1s,
// budgets lifted, and a timeout that differs per variant, so that loading
// the other variant rebuilds every source.
func stressConfig(t *testing.T, dir string, sims []*simulators.Simulator, variant int) string {
	t.Helper()
	file := demoConfig(t, dir, sims)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := intervalRE.ReplaceAllString(string(b), "interval: 1s")
	extra := fmt.Sprintf("$1\n    timeout: %ds\n    budget: {requests_per_second: 1000, requests_per_hour: 100000000, requests_per_day: 1000000000}", 10+variant)
	text = regexp.MustCompile(`(?m)^(  - name: \S+)$`).ReplaceAllString(text, extra)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func stressRun(t *testing.T, bin string, sims []*simulators.Simulator) {
	dir := t.TempDir()
	cfg := stressConfig(t, dir, sims, 0)
	addr := freeAddr(t)
	base := "http://" + addr
	var out testtool.Buffer
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.path=", "--web.listen-address="+addr, "--log.level=warn")
	// Two cores leave one for background work: the shape that once let a
	// render and a reload wait on each other.
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2", "GORACE=halt_on_error=1")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("exporter output:\n%s", tail(out.String(), 20000))
		}
	}()
	client := &http.Client{Timeout: 30 * time.Second}
	waitHealthy(t, client, base)

	targets := []string{"demo-mist-1", "demo-prime-1", "demo-cxcloud-1", "demo-nautobot-1"}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var problems []string
	scrapes := 0
	report := func(p string) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, p)
		}
	}
	for i := range 4 {
		wg.Go(func() {
			for n := i; ctx.Err() == nil; n++ {
				target := targets[n%len(targets)]
				text, err := scrape(ctx, client, base+"/probe?target="+target)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					report(fmt.Sprintf("scrape of %s: %v", target, err))
					continue
				}
				if p := healthMismatch(target, text); p != "" {
					report(p)
				}
				mu.Lock()
				scrapes++
				mu.Unlock()
			}
		})
	}
	// Reloads that rebuild every source while refreshes, renders and
	// scrapes run; one by signal, the rest by POST, each must answer.
	for i := 1; i <= 6; i++ {
		time.Sleep(700 * time.Millisecond)
		stressConfig(t, dir, sims, i%2)
		if i == 3 {
			if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			continue
		}
		resp, err := client.Post(base+"/-/reload", "text/plain", nil)
		if err != nil {
			cancel()
			wg.Wait()
			t.Fatalf("reload %d did not answer: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("reload %d: %d %s", i, resp.StatusCode, body)
		}
	}
	time.Sleep(time.Second)
	cancel()
	wg.Wait()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("the exporter exited with %v after SIGTERM", waitErr)
		}
	case <-time.After(30 * time.Second):
		// A goroutine dump shows what it waits on.
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
		t.Errorf("the exporter was still running 30s after SIGTERM")
	}
	if strings.Contains(out.String(), "DATA RACE") {
		t.Errorf("the race detector reported a data race")
	}
	mu.Lock()
	defer mu.Unlock()
	if scrapes == 0 {
		t.Errorf("no scrape succeeded")
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func scrape(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%d %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	return string(b), nil
}

// collectionFamilies names, per vendor and collection, the data family
// whose series a successful refresh with items must show, and whether
// their number equals the collection's items.
var collectionFamilies = map[string]map[string]struct {
	family string
	exact  bool
}{
	"mist": {
		"sites":   {"nms_site_info", true},
		"devices": {"nms_device_info", true},
		"usage":   {"nms_mist_api_usage_requests", false},
		"clients": {"nms_clients", false},
	},
	"prime": {
		"access_points": {"nms_device_info", false},
		"devices":       {"nms_device_info", false},
		"clients":       {"nms_clients", false},
		"controllers":   {"nms_prime_controller_info", true},
		"rogues":        {"nms_prime_rogue_aps", false},
		"radios":        {"nms_ap_radio_clients", false},
	},
	"cxcloud": {
		"inventory":     {"nms_device_info", true},
		"field_notices": {"nms_cxcloud_field_notice_info", false},
		"advisories":    {"nms_cxcloud_security_advisory_info", false},
		"eox":           {"nms_device_end_of_support_timestamp_seconds", false},
	},
	"nautobot": {
		"devices":   {"nms_sot_device_info", true},
		"locations": {"nms_site_info", true},
		"status":    {"nms_nautobot_info", false},
		"ipam":      {"nms_nautobot_prefixes", false},
	},
}

// healthMismatch returns what in a scrape's health its data contradicts:
// a collection that reports success with items but whose series are
// missing, or number other than its items.
func healthMismatch(target, text string) string {
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		return fmt.Sprintf("%s: unparsable scrape: %v", target, err)
	}
	vendor := strings.Split(target, "-")[1]
	items := map[string]float64{}
	if mf := mfs["nms_collection_items"]; mf != nil {
		for _, m := range mf.GetMetric() {
			items[labelOf(m, "collection")] = m.GetGauge().GetValue()
		}
	}
	success := mfs["nms_collection_success"]
	if success == nil {
		return target + ": no nms_collection_success"
	}
	for _, m := range success.GetMetric() {
		col := labelOf(m, "collection")
		want, ok := collectionFamilies[vendor][col]
		if !ok || m.GetGauge().GetValue() != 1 || items[col] == 0 {
			continue
		}
		got := 0
		if mf := mfs[want.family]; mf != nil {
			got = len(mf.GetMetric())
		}
		switch {
		case got == 0:
			return fmt.Sprintf("%s: collection %s reports success with %v items, but no %s series", target, col, items[col], want.family)
		case want.exact && float64(got) != items[col]:
			return fmt.Sprintf("%s: collection %s reports %v items, but %d %s series", target, col, items[col], got, want.family)
		}
	}
	return ""
}

func labelOf(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
