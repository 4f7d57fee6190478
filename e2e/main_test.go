package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// repo is the repository's root, seen from this package's folder, where
// its tests run.
const repo = ".."

// built holds the exporter binary built with the race detector, once for
// every test that runs it.
var built struct {
	once sync.Once
	dir  string
	err  error
}

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildExporter builds the exporter with the race detector, once.
func buildExporter(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "nms_exporter-test-"); built.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-race", "-o", filepath.Join(built.dir, "nms_exporter"), repo).CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return filepath.Join(built.dir, "nms_exporter")
}

// runExporter runs the exporter binary with args in the repository's root,
// as a user there would, and returns its exit code and output.
func runExporter(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(buildExporter(t), args...)
	cmd.Dir = repo
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("nms_exporter %v: %v", args, err)
		}
		return exit.ExitCode(), out.String(), errOut.String()
	}
	return 0, out.String(), errOut.String()
}
