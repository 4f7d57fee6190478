package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/app"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// replica is one exporter of several sharing the sources, served on its
// own address as a StatefulSet's pod is.
type replica struct {
	shard sharding.Shard
	addr  string
	exp   *app.Exporter
	stop  func()
}

// startReplica runs the exporter as shard of the sources of cfgFile, on
// addr, until stop or the end of the test, and waits until it is ready
// and its data rendered.
func startReplica(t *testing.T, cfgFile, addr string, shard sharding.Shard, logs *testtool.Buffer) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(logs, nil)).With("shard", shard.Index)
	exp, err := app.NewShardExporter(ctx, logger, cfgFile, "", shard)
	if err != nil {
		cancel()
		t.Fatalf("app.NewShardExporter(shard %s) = %v", shard, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		cancel()
		exp.Manager().Stop()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(exp.Handler())
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	r := &replica{shard: shard, addr: ln.Addr().String(), exp: exp}
	r.stop = func() {
		srv.Close()
		cancel()
		exp.Manager().Stop()
	}
	t.Cleanup(r.stop)
	waitFor(t, 30*time.Second, fmt.Sprintf("shard %s ready", shard), func() bool {
		code, _ := r.get(t, "/-/ready")
		return code == http.StatusOK
	})
	r.settle(t)
	return r
}

func (r *replica) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// settle waits until every source's served data shows its latest refresh.
func (r *replica) settle(t *testing.T) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("shard %s's data rendered", r.shard), func() bool {
		for _, s := range r.exp.Manager().Sources() {
			if !s.Settled() {
				return false
			}
		}
		return true
	})
}

// refreshAll runs every collection of every source the replica polls once
// more: the second refresh of the rounds the test compares.
func (r *replica) refreshAll(t *testing.T) {
	t.Helper()
	for _, s := range r.exp.Manager().Sources() {
		for _, st := range s.Status() {
			if err := s.Refresh(context.Background(), st.Collection); err != nil {
				t.Errorf("shard %s: refreshing %s's %s: %v", r.shard, s.Name, st.Collection, err)
			}
		}
	}
	r.settle(t)
}

// sd returns the sources the replica's /sd lists.
func (r *replica) sd(t *testing.T) []string {
	t.Helper()
	code, body := r.get(t, "/sd")
	var groups []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.Unmarshal([]byte(body), &groups); code != http.StatusOK || err != nil {
		t.Fatalf("shard %s: GET /sd = %d, %v: %s", r.shard, code, err, body)
	}
	var out []string
	for _, g := range groups {
		out = append(out, g.Labels["__param_target"])
	}
	return out
}

// shardsConfig writes a config with one source on each simulator, named as
// the demo names them, with the default intervals: in the test's time
// only the refreshes it runs itself poll. The source of truth describes
// every other source.
func shardsConfig(t *testing.T, dir string, sims []*simulators.Simulator) (file string, simOf map[string]*simulators.Simulator) {
	t.Helper()
	simOf = map[string]*simulators.Simulator{}
	sections := map[string]*strings.Builder{}
	var order, described []string
	seen := map[string]int{}
	for _, s := range sims {
		seen[s.Vendor]++
		name := fmt.Sprintf("demo-%s-%d", s.Vendor, seen[s.Vendor])
		simOf[name] = s
		b := sections[s.Vendor]
		if b == nil {
			b = &strings.Builder{}
			sections[s.Vendor] = b
			order = append(order, s.Vendor)
		}
		fmt.Fprintf(b, "  - name: %s\n    base_url: %s\n", name, s.BaseURL)
		switch s.Vendor {
		case "mist":
			fmt.Fprintf(b, "    token: %s\n", s.Token)
			described = append(described, name)
		case "prime":
			fmt.Fprintf(b, "    username: %s\n    password: %s\n    hold: 10ms\n", s.Username, s.Password)
			described = append(described, name)
		case "cxcloud":
			fmt.Fprintf(b, "    token_url: %s\n    client_id: %s\n    client_secret: %s\n", s.TokenURL, s.ClientID, s.ClientSecret)
		case "nautobot":
			fmt.Fprintf(b, "    token: %s\n    describes: [DESCRIBED]\n", s.Token)
		default:
			t.Fatalf("no config for a %s simulator", s.Vendor)
		}
	}
	var text strings.Builder
	for _, v := range order {
		fmt.Fprintf(&text, "%s:\n%s", v, sections[v])
	}
	file = filepath.Join(dir, "nms_exporter.yml")
	writeFile(t, file, strings.ReplaceAll(text.String(), "DESCRIBED", strings.Join(described, ", ")))
	return file, simOf
}

// callsOf returns each source's upstream calls, as its simulator counted
// them.
func callsOf(simOf map[string]*simulators.Simulator) map[string]int {
	out := map[string]int{}
	for name, s := range simOf {
		out[name] = s.Calls()
	}
	return out
}

func resetCalls(simOf map[string]*simulators.Simulator) {
	for _, s := range simOf {
		s.ResetCalls()
	}
}

// promTarget is one active target of the job nms, as Prometheus' targets
// API shows it.
type promTarget struct {
	host, health string
	lastScrape   time.Time
}

// promTargets returns the active targets of the job nms, by source.
func promTargets(t *testing.T, addr string) map[string][]promTarget {
	t.Helper()
	var r struct {
		Data struct {
			ActiveTargets []struct {
				Labels     map[string]string `json:"labels"`
				ScrapeURL  string            `json:"scrapeUrl"`
				Health     string            `json:"health"`
				LastScrape time.Time         `json:"lastScrape"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	getJSON(t, "http://"+addr+"/api/v1/targets?state=active", &r)
	out := map[string][]promTarget{}
	for _, tg := range r.Data.ActiveTargets {
		if tg.Labels["job"] != "nms" {
			continue
		}
		u, _ := url.Parse(tg.ScrapeURL)
		out[tg.Labels["source"]] = append(out[tg.Labels["source"]], promTarget{u.Host, tg.Health, tg.LastScrape})
	}
	return out
}

// shardsPrometheus is a Prometheus config that scrapes every source through
// each replica's /sd, as docs/scaling.md says.
func shardsPrometheus(replicas []*replica) string {
	var sd strings.Builder
	for _, r := range replicas {
		fmt.Fprintf(&sd, "      - url: http://%s/sd\n        refresh_interval: 1s\n", r.addr)
	}
	return fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: nms
    metrics_path: /probe
    http_sd_configs:
%s    relabel_configs:
      - source_labels: [__param_target]
        target_label: instance
      # Only for the test: a source scraped through two replicas would
      # make two series, for count by (instance) (up) to see.
      - source_labels: [__address__]
        target_label: replica
`, sd.String())
}

// TestShardsPollEachSourceOnce runs three replicas of the exporter on the
// demo's simulators with --total-shards=3, and the real Prometheus
// scraping each through its /sd: every source is scraped exactly once,
// by the replica its name hashes to, and each source's upstream calls are
// those of a single exporter over the same refreshes; Prometheus' scrapes
// cost none. Then the replicas restart with --total-shards=2: every source
// goes to exactly one of the two, its calls again those of one exporter,
// and the sources of shards 0 and 1 stay where they were.
func TestShardsPollEachSourceOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus")
	}
	testtool.Path(t, "prometheus", "Debian's prometheus package")
	// The same refreshes must make the same calls: no step, so the
	// simulated world holds still, and no rate limit, whose refusals come
	// and go with the timing and are retried.
	sims, err := registry.Simulators.StartAll(simulators.Options{Size: "small", Seed: 1, Unlimited: true}, map[string][]int64{"mist": {1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, s := range sims {
			_ = s.Close()
		}
	})
	dir := t.TempDir()
	cfgFile, simOf := shardsConfig(t, dir, sims)
	names := slices.Sorted(maps.Keys(simOf))
	logs := &testtool.Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exporter logs:\n%s", tail(logs.String(), 4000))
		}
	})

	// What one exporter polling every source calls: its first refresh and
	// one more of every collection.
	single := startReplica(t, cfgFile, "127.0.0.1:0", sharding.Shard{Index: 0, Total: 1}, logs)
	single.refreshAll(t)
	want := callsOf(simOf)
	single.stop()
	for name, n := range want {
		if n == 0 {
			t.Fatalf("a single exporter made no call to %s's simulator: the comparison would prove nothing", name)
		}
	}

	// Three replicas, on addresses that stay theirs across restarts.
	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	start := func(total int) []*replica {
		resetCalls(simOf)
		var rs []*replica
		for i := range total {
			rs = append(rs, startReplica(t, cfgFile, addrs[i], sharding.Shard{Index: i, Total: total}, logs))
		}
		for _, r := range rs {
			r.refreshAll(t)
		}
		return rs
	}
	check := func(stage string, rs []*replica) map[string]string {
		t.Helper()
		if got := callsOf(simOf); !maps.Equal(got, want) {
			t.Errorf("%s: upstream calls by source %v; want those of a single exporter over the same refreshes, %v", stage, got, want)
		}
		ownerAddr := map[string]string{}
		for _, r := range rs {
			listed := r.sd(t)
			if len(listed) == 0 {
				t.Errorf("%s: shard %s lists no source: the test needs each replica to poll one", stage, r.shard)
			}
			for _, name := range listed {
				if prev, ok := ownerAddr[name]; ok {
					t.Errorf("%s: %s is listed by %s and %s; want one replica", stage, name, prev, r.addr)
				}
				ownerAddr[name] = r.addr
				if owner := r.shard.Owner(name); owner != r.shard.Index {
					t.Errorf("%s: shard %s lists %s, which hashes to shard %d", stage, r.shard, name, owner)
				}
			}
			code, page := r.get(t, "/")
			if line := fmt.Sprintf("Shard %d of %d (numbered from 0): this replica polls %d of the %d configured sources", r.shard.Index, r.shard.Total, len(listed), len(names)); code != http.StatusOK || !strings.Contains(page, line) {
				t.Errorf("%s: shard %s's landing page does not say %q", stage, r.shard, line)
			}
			_, self := r.get(t, "/metrics")
			mfs := parse(t, self)
			if v, ok := value(mfs["nms_exporter_shard_info"], map[string]string{"shard": fmt.Sprint(r.shard.Index), "total_shards": fmt.Sprint(r.shard.Total)}); !ok || v != 1 {
				t.Errorf("%s: shard %s: nms_exporter_shard_info = %v, %v; want 1 with its shard and total", stage, r.shard, v, ok)
			}
			if v, _ := value(mfs["nms_exporter_sources"], nil); v != float64(len(listed)) {
				t.Errorf("%s: shard %s: nms_exporter_sources = %v; want the %d it lists", stage, r.shard, v, len(listed))
			}
			// Another shard's source is not found here, and the answer says
			// whose it is.
			for _, name := range names {
				if owner := r.shard.Owner(name); owner != r.shard.Index {
					code, body := r.get(t, "/probe?target="+name)
					if code != http.StatusNotFound || !strings.Contains(body, fmt.Sprintf("polled by shard %d of %d", owner, r.shard.Total)) {
						t.Errorf("%s: shard %s: /probe?target=%s = %d %q; want 404 naming shard %d", stage, r.shard, name, code, body[:min(len(body), 200)], owner)
					}
				}
			}
			// The source of truth compares itself only with the sources
			// beside it.
			if _, ok := r.exp.Manager().Source("demo-nautobot-1"); ok {
				_, body := r.get(t, "/probe?target=demo-nautobot-1")
				var compared []string
				for _, m := range parse(t, body)["nms_sot_drift_devices"].GetMetric() {
					for _, lp := range m.GetLabel() {
						if lp.GetName() == "vendor_source" && !slices.Contains(compared, lp.GetValue()) {
							compared = append(compared, lp.GetValue())
						}
					}
				}
				var beside []string
				for _, name := range listed {
					if name != "demo-nautobot-1" && name != "demo-cxcloud-1" {
						beside = append(beside, name)
					}
				}
				slices.Sort(compared)
				if !slices.Equal(compared, beside) {
					t.Errorf("%s: the source of truth on shard %s has drift for %v; want the sources it describes on its replica, %v", stage, r.shard, compared, beside)
				}
			}
		}
		if got := slices.Sorted(maps.Keys(ownerAddr)); !slices.Equal(got, names) {
			t.Errorf("%s: the replicas list %v between them; want every source, %v", stage, got, names)
		}
		return ownerAddr
	}
	waitScraped := func(stage, promAddr string, ownerAddr map[string]string) {
		t.Helper()
		onOwners := func(since time.Time) bool {
			targets := promTargets(t, promAddr)
			if len(targets) != len(names) {
				return false
			}
			for _, name := range names {
				got := targets[name]
				if len(got) != 1 || got[0].host != ownerAddr[name] || got[0].health != "up" || !got[0].lastScrape.After(since) {
					return false
				}
			}
			return true
		}
		waitFor(t, 40*time.Second, stage+": Prometheus scraping every source once, on its replica", func() bool { return onOwners(time.Time{}) })
		// One more scrape of every target, served from the replicas' caches.
		up := time.Now()
		waitFor(t, 20*time.Second, stage+": another scrape of every target", func() bool { return onOwners(up) })
		counts := promByInstance(t, promAddr, `count by (instance) (up{job="nms"} == 1)`)
		for _, name := range names {
			if counts[name] != 1 {
				t.Errorf("%s: count by (instance) (up == 1) for %s = %v; want 1: one replica scraped", stage, name, counts[name])
			}
		}
		if got := callsOf(simOf); !maps.Equal(got, want) {
			t.Errorf("%s: upstream calls after Prometheus' scrapes %v; want them unchanged, %v: scrapes are served from the cache", stage, got, want)
		}
	}

	three := start(3)
	before := check("3 shards", three)
	promDir := t.TempDir()
	promConfig := filepath.Join(promDir, "prometheus.yml")
	writeFile(t, promConfig, shardsPrometheus(three))
	promAddr := freeAddr(t)
	startProcess(t, "prometheus", "http://"+promAddr+"/-/ready", "--config.file="+promConfig,
		"--storage.tsdb.path="+filepath.Join(promDir, "tsdb"), "--web.listen-address="+promAddr, "--web.enable-lifecycle")
	waitScraped("3 shards", promAddr, before)

	// Down to two shards: the replicas restart with --total-shards=2 and
	// Prometheus drops the third's /sd.
	for _, r := range three {
		r.stop()
	}
	two := start(2)
	after := check("2 shards", two)
	for name, addr := range before {
		if addr != addrs[2] && after[name] != addr {
			t.Errorf("%s moved from %s to %s going from 3 shards to 2; want only shard 2's sources to move", name, addr, after[name])
		}
	}
	// Until Prometheus is told, the third replica's sources stay its
	// targets, and are down: a replica that is gone shows as up == 0.
	var gone []string
	for name, addr := range before {
		if addr == addrs[2] {
			gone = append(gone, name)
		}
	}
	waitFor(t, 20*time.Second, "the third replica's targets down", func() bool {
		targets := promTargets(t, promAddr)
		for _, name := range gone {
			if !slices.ContainsFunc(targets[name], func(tg promTarget) bool { return tg.host == addrs[2] && tg.health == "down" }) {
				return false
			}
		}
		return len(gone) > 0
	})
	writeFile(t, promConfig, shardsPrometheus(two))
	resp, err := http.Post("http://"+promAddr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitScraped("2 shards", promAddr, after)
}
