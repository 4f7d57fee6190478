package statefile

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestWriteThenLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "state.json")
	if found, err := Load(path, new(map[string]int)); found || err != nil {
		t.Fatalf("Load(missing) = %v, %v; want not found, no error", found, err)
	}
	if err := Write(path, map[string]int{"x": 1}); err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if found, err := Load(path, &got); !found || err != nil || got["x"] != 1 {
		t.Fatalf("Load = %v, %v, %v; want what was written", found, err, got)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern))
	if len(left) != 0 {
		t.Errorf("temporary files left after a save: %v", left)
	}
}

// TestLoadRefusesWhatIsNotAFile: a named pipe would hang a start, a
// directory is no state.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir} {
		if found, err := Load(path, new(any)); !found || err == nil {
			t.Errorf("Load(%s) = %v, %v; want an error", path, found, err)
		}
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, ".tmp-old"), filepath.Join(dir, ".tmp-fresh")
	for _, p := range []string{old, fresh, filepath.Join(dir, "keep.json")} {
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := os.Chtimes(old, now.Add(-2*StaleAge), now.Add(-2*StaleAge)); err != nil {
		t.Fatal(err)
	}
	if got := RemoveStale(dir, now); !slices.Equal(got, []string{old}) {
		t.Errorf("RemoveStale = %v; want only %s", got, old)
	}
	for _, p := range []string{fresh, filepath.Join(dir, "keep.json")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v; want it kept", p, err)
		}
	}
}
