// Package fileread reads the files an operator names (config, secrets,
// saved state) with the care a wrong path needs: only regular files, and
// no more than a limit, so /dev/zero or a named pipe can neither fill the
// memory nor hang a reload.
package fileread

import (
	"fmt"
	"io"
	"os"
)

// Regular reads a regular file of at most limit bytes. A FIFO, a
// device or a folder is refused before it is opened for reading, so a
// wrong path can neither hang a reload nor fill the memory.
func Regular(name string, limit int64) ([]byte, os.FileInfo, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, fmt.Errorf("%s is %s, not a regular file", name, kind(fi.Mode()))
	}
	if fi.Size() > limit {
		return nil, fi, fmt.Errorf("%s is %d bytes, over the %d bytes this file may hold", name, fi.Size(), limit)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fi, err
	}
	defer f.Close()
	// The file may have grown since the stat.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fi, err
	}
	if int64(len(b)) > limit {
		return nil, fi, fmt.Errorf("%s is over the %d bytes this file may hold", name, limit)
	}
	return b, fi, nil
}

// kind names a file's type for an error.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
