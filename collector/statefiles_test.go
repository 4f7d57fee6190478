package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/internal/statefile"
)

// TestStaleTempFilesRemovedAtStart leaves the temporary files of a save cut
// short by a crash, one old and one that a live save may still be writing:
// a start removes the old one only.
func TestStaleTempFilesRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	stateDir := filepath.Join(dir, "a")
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	old, live := filepath.Join(stateDir, ".tmp-123"), filepath.Join(stateDir, ".tmp-456")
	for _, f := range []string{old, live} {
		if err := os.WriteFile(f, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 1}, nil })
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there (%v)", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}

// TestStateFromTheFutureIsRefused writes a state file dated a day ahead,
// as a wrong clock or a copied folder can: it is not served as fresh data.
func TestStateFromTheFutureIsRefused(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	first := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 42}, nil })
	if err := first.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	path := first.statePath("devices")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	f.FetchedAt = time.Now().Add(24 * time.Hour)
	if err := statefile.Write(path, f); err != nil {
		t.Fatal(err)
	}
	second := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 1}, nil })
	if st := second.Status()[0]; st.Success || st.Items != 0 {
		t.Errorf("state dated tomorrow was restored: %+v", st)
	}
	if !strings.Contains(logs.String(), "in the future") {
		t.Errorf("the log does not say why the state was ignored:\n%s", logs.String())
	}
}

// TestStateThatIsNotAFileIsRefused links a state file to /dev/zero: the
// start ignores it at once instead of reading without end.
func TestStateThatIsNotAFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "a", "devices.json")); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 1}, nil })
	if st := s.Status()[0]; st.Success {
		t.Errorf("a link to /dev/zero was restored as data: %+v", st)
	}
	if !strings.Contains(logs.String(), "not a regular file") {
		t.Errorf("the log does not say why the state was ignored:\n%s", logs.String())
	}
}

// TestFailedSaveIsCounted makes the state folder unwritable: the refresh
// still succeeds and the failed save shows as a metric.
func TestFailedSaveIsCounted(t *testing.T) {
	dir := t.TempDir()
	// A file where the source's folder should be: no save can succeed,
	// whoever runs the test.
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 7}, nil })
	before := testutil.ToFloat64(stateSaveErrors.WithLabelValues("a"))
	if err := s.Refresh(context.Background(), "devices"); err != nil {
		t.Fatalf("a refresh whose save fails must still succeed: %v", err)
	}
	if got := testutil.ToFloat64(stateSaveErrors.WithLabelValues("a")) - before; got < 1 {
		t.Errorf("nms_state_save_errors_total rose by %v; want at least 1", got)
	}
}
