package collector

import (
	"time"

	"github.com/nmsexporter/nms_exporter/exposition"
)

// What the tests of package collector_test, which build sources of the
// real vendors, use of the package's own test helpers and internals.
var RefreshAll = refreshAll

// CacheResult records a refresh's result without rendering it.
func CacheResult(s *Source, name string, at time.Time, d time.Duration, calls int64, data any, items int, err error) {
	s.cache.result(name, at, d, calls, data, items, err, nil)
}

// Render renders the source's data as a scrape would.
func Render(s *Source) *exposition.Sink { return s.renderFrom(s.gather()) }
