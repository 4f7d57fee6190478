// Package statefile reads and writes the JSON files the exporter keeps its
// state in: atomically, so a crash leaves the old file or the new one;
// bounded, so a wrong link (/dev/zero, a named pipe) can neither fill the
// memory nor hang a start.
package statefile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/fileread"
)

// MaxBytes bounds one state file: the largest estate's inventory is tens
// of megabytes.
const MaxBytes = 1 << 30

// StaleAge is the age past which a temporary file is left over from a save
// that died with the process; a live save takes seconds.
const StaleAge = time.Minute

// tempPattern names the temporary files of saves in progress.
const tempPattern = ".tmp-*"

// Read reads a state file: a regular file of at most MaxBytes.
func Read(path string) ([]byte, error) {
	b, _, err := fileread.Regular(path, MaxBytes)
	return b, err
}

// Load reads a state file into v. A missing file is normal: not found,
// and no error.
func Load(path string, v any) (found bool, err error) {
	b, err := Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	return true, err
}

// Write replaces a file atomically with v as JSON, making its folder if
// need be.
func Write(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := json.NewEncoder(tmp).Encode(v); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// RemoveStale deletes the temporary files in dir that saves cut short by a
// crash left behind (regular files older than StaleAge at now), and
// returns their names.
func RemoveStale(dir string, now time.Time) []string {
	tmps, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	var removed []string
	for _, name := range tmps {
		fi, err := os.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < StaleAge {
			continue
		}
		if os.Remove(name) == nil {
			removed = append(removed, name)
		}
	}
	return removed
}
