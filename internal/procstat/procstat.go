// Package procstat reads the process's memory figures from /proc, for the
// benchmarks' reports.
package procstat

import (
	"os"
	"strconv"
	"strings"
)

// MiB returns a line of /proc/self/status, such as VmRSS or VmHWM (the
// peak RSS), in MiB; 0 where /proc is not there.
func MiB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

// ResetPeak sets the peak RSS (VmHWM) back to the current RSS, so a
// benchmark can measure the peak of one phase; Linux only.
func ResetPeak() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
