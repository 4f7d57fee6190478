package main

import (
	"bytes"
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
		for _, flag := range []string{"--config.file", "--storage.path", "--web.listen-address", "--web.config.file", "--[no-]demo", "--log.level"} {
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
