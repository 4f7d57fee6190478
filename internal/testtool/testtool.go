// Package testtool finds the programs the tests run beside Go (Prometheus,
// promtool, Alertmanager, Chromium, npm): a test that needs a missing one
// skips with what to install, except in CI, where it fails, so CI can
// never pass by skipping.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI, where the CI environment
// variable is set (as .ci/run does).
func InCI() bool { return os.Getenv("CI") != "" }

// Path returns the path of the program name, or ends the test: skipped
// outside CI, failed in CI. install says where the program comes from,
// such as "Debian's prometheus package".
func Path(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if InCI() {
		t.Fatalf("%s not found: install %s (make deps does); CI runs every test", name, install)
		return ""
	}
	t.Skipf("%s not found: install %s (make deps does), or run under CI=true to make this a failure", name, install)
	return ""
}
