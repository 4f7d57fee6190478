package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpShowsTheExportersFlags: the first thing an operator types shows
// the flags of the default command, not only the commands.
func TestHelpShowsTheExportersFlags(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 0 {
			t.Errorf("run(%q) = %d; want 0 (stderr %q)", args, code, errs.String())
		}
		for _, flag := range []string{"--config.file", "--storage.path", "--web.listen-address", "--web.config.file", "--[no-]demo", "--log.level",
			"--shard", "--total-shards", "--[no-]shard.from-hostname"} {
			if !strings.Contains(out.String(), flag) {
				t.Errorf("run(%q) printed no %s:\n%s", args, flag, out.String())
			}
		}
	}
}

func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("mist: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
		in   string // what the output must hold
	}{
		{"version", []string{"--version"}, 0, "nms_exporter"},
		{"unknown flag", []string{"--no-such-flag"}, 2, "no-such-flag"},
		{"invalid config", []string{"check-config", bad}, 1, "bad.yml"},
		{"flag after the command", []string{"check-config", "--config.file=x.yml", bad}, 1, "bad.yml"},
		{"shard past the total", []string{"--shard=3", "--total-shards=3"}, 2, "--shard=3 is not below --total-shards=3"},
		{"no shards", []string{"--total-shards=0"}, 2, "--total-shards=0"},
		{"negative shard", []string{"--shard=-1", "--total-shards=2"}, 2, "numbered from 0"},
		{"shard twice", []string{"--shard=1", "--total-shards=2", "--shard.from-hostname"}, 2, "choose one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if code := run(tt.args, &out, &errs); code != tt.want {
				t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, code, tt.want, errs.String())
			}
			if !strings.Contains(out.String()+errs.String(), tt.in) {
				t.Errorf("run(%q) printed %q and %q; want %q in them", tt.args, out.String(), errs.String(), tt.in)
			}
		})
	}
}

// TestShardFromHostname: a StatefulSet's pod takes its shard from the
// ordinal its name ends in; a name without one, or one past the total, is
// refused with what to fix.
func TestShardFromHostname(t *testing.T) {
	tests := []struct {
		host  string
		total int
		want  int    // the shard, when err is ""
		err   string // what the error must say
	}{
		{"nms-exporter-0", 3, 0, ""},
		{"nms-exporter-2", 3, 2, ""},
		{"nms-exporter-2.nms-exporter.monitoring.svc", 3, 2, ""},
		{"nms-exporter-3", 3, 0, "set --total-shards to the StatefulSet's replicas"},
		{"nms-exporter", 3, 0, "does not end in -<ordinal>"},
		{"nms-exporter-1", 0, 0, "--total-shards=0"},
	}
	for _, tt := range tests {
		got, err := shardOf(0, tt.total, true, false, func() (string, error) { return tt.host, nil })
		switch {
		case tt.err == "" && (err != nil || got.Index != tt.want || got.Total != tt.total):
			t.Errorf("shardOf(%q, total %d) = %v, %v; want shard %d of %d", tt.host, tt.total, got, err, tt.want, tt.total)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("shardOf(%q, total %d) = %v, %v; want an error saying %q", tt.host, tt.total, got, err, tt.err)
		}
	}
	_, err := shardOf(0, 3, true, false, func() (string, error) { return "", errors.New("no hostname") })
	if err == nil || !strings.Contains(err.Error(), "--shard.from-hostname: no hostname") {
		t.Errorf("shardOf with no hostname = %v; want the flag and the cause named", err)
	}
}
