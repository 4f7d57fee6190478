package vendors

import (
	"slices"
	"strings"
)

// AlarmSeverity maps a vendor's alarm severity onto the exporter's scale,
// whatever its case: critical, major, minor and warning, and warning too
// for warnWords (lower case), the vendor's own words for it. Anything else
// counts as info rather than being dropped.
func AlarmSeverity(s string, warnWords ...string) string {
	l := strings.ToLower(s)
	switch {
	case l == "critical" || l == "major" || l == "minor" || l == "warning":
		return l
	case slices.Contains(warnWords, l):
		return "warning"
	}
	return "info"
}
