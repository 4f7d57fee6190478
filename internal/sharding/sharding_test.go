package sharding

import (
	"fmt"
	"strings"
	"testing"
)

// TestEverySourceHasOneOwner: however many shards, each name is polled by
// exactly one of them.
func TestEverySourceHasOneOwner(t *testing.T) {
	for total := 1; total <= 7; total++ {
		for i := range 500 {
			name := fmt.Sprintf("source-%d", i)
			owners := 0
			for index := range total {
				if (Shard{Index: index, Total: total}).Owns(name) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("%q with %d shards has %d owners; want 1", name, total, owners)
			}
		}
	}
}

// TestOwnersNeverChange pins the owners of a few names: a change
// of the hash would move sources between replicas on an upgrade, each
// losing its saved state and budget counts. The values come from an
// implementation written apart from this one, from the FNV-1a and jump
// hash papers, as kube-state-metrics shards.
func TestOwnersNeverChange(t *testing.T) {
	want := map[string][]int{ // owner with 1, 2, 3, 4, 5 and 10 shards
		"demo-mist-1":     {0, 1, 1, 1, 1, 1},
		"demo-mist-2":     {0, 0, 2, 3, 3, 3},
		"demo-prime-1":    {0, 1, 2, 2, 2, 9},
		"demo-cxcloud-1":  {0, 1, 2, 2, 2, 2},
		"demo-nautobot-1": {0, 0, 0, 3, 3, 3},
		"campus-pi":       {0, 0, 0, 0, 0, 9},
	}
	for name, owners := range want {
		for i, total := range []int{1, 2, 3, 4, 5, 10} {
			if got := (Shard{Total: total}).Owner(name); got != owners[i] {
				t.Errorf("Shard{Total: %d}.Owner(%q) = %d; want %d", total, name, got, owners[i])
			}
		}
	}
}

// TestAddingAShardMovesSourcesOnlyToIt: from n to n+1 shards a source
// stays where it was or goes to the new shard, so scaling down moves only
// the last shard's sources.
func TestAddingAShardMovesSourcesOnlyToIt(t *testing.T) {
	for total := 1; total < 8; total++ {
		moved := 0
		for i := range 2000 {
			name := fmt.Sprintf("org-%d", i)
			before, after := Shard{Total: total}.Owner(name), Shard{Total: total + 1}.Owner(name)
			if after != before && after != total {
				t.Fatalf("%q moved from shard %d to %d going from %d to %d shards; want it to stay or go to %d", name, before, after, total, total+1, total)
			}
			if after != before {
				moved++
			}
		}
		// About one in total+1 moves: the new shard takes its share.
		if share := 2000 / (total + 1); moved < share*3/4 || moved > share*5/4 {
			t.Errorf("%d of 2000 sources moved going from %d to %d shards; want about %d", moved, total, total+1, share)
		}
	}
}

// TestShardsShareTheSources: no shard is left with far more than its
// share.
func TestShardsShareTheSources(t *testing.T) {
	const n, total = 3000, 3
	counts := make([]int, total)
	for i := range n {
		counts[Shard{Total: total}.Owner(fmt.Sprintf("site-%d", i))]++
	}
	for shard, c := range counts {
		if c < n/total*4/5 || c > n/total*6/5 {
			t.Errorf("shard %d owns %d of %d sources; want about %d", shard, c, n, n/total)
		}
	}
}

func TestUnshardedKeepsEverySource(t *testing.T) {
	for _, s := range []Shard{{}, {Index: 0, Total: 1}} {
		for _, name := range []string{"a", "demo-mist-2", ""} {
			if !s.Owns(name) {
				t.Errorf("%#v.Owns(%q) = false; want true", s, name)
			}
		}
		if s.Sharded() {
			t.Errorf("%#v.Sharded() = true; want false", s)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		shard Shard
		err   string // "" = valid
	}{
		{Shard{0, 1}, ""},
		{Shard{2, 3}, ""},
		{Shard{3, 3}, "--shard=3 is not below --total-shards=3"},
		{Shard{5, 3}, "numbered from 0 to 2"},
		{Shard{-1, 3}, "--shard=-1"},
		{Shard{0, 0}, "--total-shards=0"},
		{Shard{0, -2}, "at least one shard"},
	}
	for _, tt := range tests {
		err := tt.shard.Validate()
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%#v.Validate() = %v; want nil", tt.shard, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%#v.Validate() = %v; want an error with %q", tt.shard, err, tt.err)
		}
	}
}

func TestFromHostname(t *testing.T) {
	tests := []struct {
		host string
		want int // -1 = an error
	}{
		{"nms-exporter-0", 0},
		{"nms-exporter-12", 12},
		{"nms-exporter-2.nms-exporter.monitoring.svc.cluster.local", 2},
		{"web-3", 3},
		{"nms-exporter", -1},
		{"nms-exporter-", -1},
		{"nms-exporter-+1", -1},
		{"nms-exporter-1a", -1},
		{"7", -1},
		{"", -1},
		{"nms-exporter-99999999999999999999999", -1},
	}
	for _, tt := range tests {
		got, err := FromHostname(tt.host)
		switch {
		case tt.want < 0 && err == nil:
			t.Errorf("FromHostname(%q) = %d; want an error", tt.host, got)
		case tt.want < 0 && !strings.Contains(err.Error(), "-<ordinal>"):
			t.Errorf("FromHostname(%q) error = %v; want it to say what a pod's name looks like", tt.host, err)
		case tt.want >= 0 && (err != nil || got != tt.want):
			t.Errorf("FromHostname(%q) = %d, %v; want %d", tt.host, got, err, tt.want)
		}
	}
}
