package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// TestCheckConfig runs check-config on good and bad files: the exit code,
// and each problem or warning with its file and line.
func TestCheckConfig(t *testing.T) {
	for _, tc := range []struct {
		file   string
		code   int
		stdout string
		stderr string
	}{
		{"config/testdata/good.yml", 0, "config/testdata/good.yml: valid", ""},
		{"config/testdata/bad-interval.yml", 1, "", "config/testdata/bad-interval.yml:6: mist[0].collections.alarms.interval: interval 500ms is shorter than 1s"},
		{"config/testdata/bad-unknown-key.yml", 1, "", `config/testdata/bad-unknown-key.yml:4: mist[0].colections: unknown field "colections"`},
		{"no-such-file.yml", 1, "", "no-such-file.yml"},
		{"config/testdata/bad-cxcloud-token-url.yml", 1, "", "config/testdata/bad-cxcloud-token-url.yml:4: cxcloud[0].token_url: " +
			"https://id.cisco.com/oauth2/default/v1/token signs in to Cisco's other CX Cloud API"},
		{"config/testdata/cxcloud-page-size.yml", 0, "config/testdata/cxcloud-page-size.yml: valid",
			"warning: config/testdata/cxcloud-page-size.yml:6: cxcloud[0].page_size: page_size is ignored: CX Cloud picks the page size itself; remove it"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			code, stdout, stderr := runExporter(t, "check-config", tc.file)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("check-config %s = %d, stdout %q, stderr %q; want %d, %q, %q",
					tc.file, code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestSimulateLinesAreConfigs: what `simulate` prints for each vendor,
// pasted into a config section as it is, is a source whose every
// collection refreshes.
func TestSimulateLinesAreConfigs(t *testing.T) {
	// The keys a config section takes, as the simulate line names them; Mist
	// prints a login too, the other way in.
	keys := []string{"base_url", "token_url", "token", "client_id", "client_secret", "username", "password", "org_id", "api_version"}
	for _, vendor := range registry.Simulators.Vendors() {
		t.Run(vendor, func(t *testing.T) {
			sim, err := registry.Simulators.Start(vendor, simulators.Options{Seed: 1, Size: "small"})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			line, err := json.Marshal(sim)
			if err != nil {
				t.Fatal(err)
			}
			var printed map[string]any
			if err := json.Unmarshal(line, &printed); err != nil {
				t.Fatal(err)
			}
			section := fmt.Sprintf("%s:\n  - name: pasted\n", vendor)
			for _, k := range keys {
				if v, ok := printed[k].(string); ok && v != "" && !(vendor == "mist" && k == "password") {
					section += fmt.Sprintf("    %s: %q\n", k, v)
				}
			}
			cfg, err := config.Parse([]byte(section), "pasted.yml")
			if err != nil {
				t.Fatalf("the simulate line %s as a config:\n%s\n%v", line, section, err)
			}
			src, err := collector.NewSource(cfg.Sources()[0], collector.Options{Vendors: registry.Vendors})
			if err != nil {
				t.Fatal(err)
			}
			if src.Close != nil {
				defer src.Close()
			}
			for _, c := range src.Collections {
				if err := src.Refresh(context.Background(), c.Name); err != nil {
					t.Errorf("%s with the simulate line's values: %s: %v", vendor, c.Name, err)
				}
			}
		})
	}
}

// TestBadFlagsExitNonZero: a value a flag does not take ends the command
// with a non-zero exit that names it.
func TestBadFlagsExitNonZero(t *testing.T) {
	if code, _, stderr := runExporter(t, "simulate", "--vendor=nope"); code == 0 || !strings.Contains(stderr, "nope") {
		t.Errorf("simulate --vendor=nope = %d, %q; want a non-zero exit naming the value", code, stderr)
	}
}
