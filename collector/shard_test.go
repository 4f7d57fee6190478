package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/sharding"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// shardConfig is a config of Mist sources named names, all on one
// simulator, and a source of truth that describes them all.
func shardConfig(t *testing.T, mist, nautobot *simulators.Simulator, names []string) *config.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("mist:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  - name: %s\n    base_url: %s\n    token: %s\n    stream: {enabled: false}\n", n, mist.BaseURL, mist.Token)
	}
	fmt.Fprintf(&b, "nautobot:\n  - name: sot\n    base_url: %s\n    token: %s\n    describes: [%s]\n",
		nautobot.BaseURL, nautobot.Token, strings.Join(names, ", "))
	cfg, err := config.Parse([]byte(b.String()), "shards.yml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestManagersSplitTheSourcesByShard: three managers, one per shard, run
// every configured source exactly once between them, each on the shard
// its name hashes to, before and after a reload that adds and removes
// sources; each knows which shard runs the others.
func TestManagersSplitTheSourcesByShard(t *testing.T) {
	mist, err := registry.Simulators.Start("mist", simulators.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mist.Close() })
	nautobot, err := registry.Simulators.Start("nautobot", simulators.Options{Seed: 1, Mirror: []*simulators.Simulator{mist}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nautobot.Close() })

	const total = 3
	managers := make([]*collector.Manager, total)
	logs := make([]*testtool.Buffer, total)
	for i := range managers {
		logs[i] = &testtool.Buffer{}
		managers[i] = collector.NewManager(context.Background(), collector.Options{
			Vendors: registry.Vendors, Logger: slog.New(slog.NewTextHandler(logs[i], nil)),
			Shard: sharding.Shard{Index: i, Total: total},
		})
		t.Cleanup(managers[i].Stop)
	}
	check := func(stage string, names []string) {
		t.Helper()
		all := append([]string{"sot"}, names...)
		for _, name := range all {
			owner := sharding.Shard{Total: total}.Owner(name)
			for i, m := range managers {
				_, runs := m.Source(name)
				shard, elsewhere := m.Elsewhere(name)
				switch {
				case i == owner && (!runs || elsewhere):
					t.Errorf("%s: shard %d runs %s: %v, elsewhere %v; want it run there", stage, i, name, runs, elsewhere)
				case i != owner && (runs || !elsewhere || shard != owner):
					t.Errorf("%s: shard %d runs %s: %v, Elsewhere = %d, %v; want shard %d's", stage, i, name, runs, shard, elsewhere, owner)
				}
			}
		}
		var running []string
		for _, m := range managers {
			if got := m.Configured(); got != len(all) {
				t.Errorf("%s: shard %s has Configured() = %d; want %d", stage, m.Shard(), got, len(all))
			}
			if _, elsewhere := m.Elsewhere("no-such-source"); elsewhere {
				t.Errorf("%s: shard %s: an unconfigured source is elsewhere", stage, m.Shard())
			}
			for _, s := range m.Sources() {
				running = append(running, s.Name)
			}
		}
		slices.Sort(running)
		slices.Sort(all)
		if !slices.Equal(running, all) {
			t.Errorf("%s: the shards run %v between them; want each of %v once", stage, running, all)
		}
	}

	first := []string{"org-0", "org-1", "org-2", "org-3", "org-4", "org-5"}
	for _, m := range managers {
		if err := m.Apply(shardConfig(t, mist, nautobot, first)); err != nil {
			t.Fatal(err)
		}
	}
	check("start", first)

	// The source of truth compares itself only with the sources beside
	// it, and says which it cannot see.
	sotShard := sharding.Shard{Total: total}.Owner("sot")
	var others []string
	for _, n := range first {
		if (sharding.Shard{Total: total}).Owner(n) != sotShard {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		t.Fatal("every org hashes to the source of truth's shard: the test needs some elsewhere")
	}
	var warning string
	for line := range strings.Lines(logs[sotShard].String()) {
		if strings.Contains(line, "no drift series") {
			warning = line
		}
	}
	for _, n := range first {
		if named := strings.Contains(warning, n); named != slices.Contains(others, n) {
			t.Errorf("shard %d's warning %q names %s: %v; want the sources elsewhere, %v", sotShard, warning, n, named, others)
		}
	}

	reloaded := []string{"org-1", "org-2", "org-3", "org-4", "org-5", "org-6", "org-7", "org-8", "org-9"}
	for _, m := range managers {
		if err := m.Apply(shardConfig(t, mist, nautobot, reloaded)); err != nil {
			t.Fatal(err)
		}
	}
	check("after a reload", reloaded)

	for _, m := range managers {
		want := fmt.Sprintf(`# HELP nms_exporter_shard_info The shard this exporter is (0-based) and how many there are: it polls the configured sources whose names hash to its shard. Value 1.
# TYPE nms_exporter_shard_info gauge
nms_exporter_shard_info{shard="%d",total_shards="3"} 1
# HELP nms_exporter_sources Sources this exporter polls: every configured source, or with more than one shard those of its own.
# TYPE nms_exporter_sources gauge
nms_exporter_sources %d
`, m.Shard().Index, len(m.Sources()))
		if err := testutil.CollectAndCompare(collector.ShardCollector{Manager: m}, strings.NewReader(want)); err != nil {
			t.Errorf("shard %s: %v", m.Shard(), err)
		}
	}
}

// TestUnshardedManagerRunsEverySource: without a shard, the manager runs
// every configured source and none is elsewhere.
func TestUnshardedManagerRunsEverySource(t *testing.T) {
	mist, err := registry.Simulators.Start("mist", simulators.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mist.Close() })
	nautobot, err := registry.Simulators.Start("nautobot", simulators.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nautobot.Close() })
	m := collector.NewManager(context.Background(), collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(m.Stop)
	names := []string{"org-0", "org-1", "org-2", "org-3"}
	if err := m.Apply(shardConfig(t, mist, nautobot, names)); err != nil {
		t.Fatal(err)
	}
	if got := len(m.Sources()); got != len(names)+1 {
		t.Errorf("an unsharded manager runs %d sources; want %d", got, len(names)+1)
	}
	if got := m.Configured(); got != len(names)+1 {
		t.Errorf("Configured() = %d; want %d", got, len(names)+1)
	}
	if _, elsewhere := m.Elsewhere("org-0"); elsewhere {
		t.Error(`Elsewhere("org-0") = true; want false without shards`)
	}
}
