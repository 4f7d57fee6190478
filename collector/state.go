package collector

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/internal/statefile"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// stateFormat names the layout of state files; a file of another format is
// ignored.
const stateFormat = "nms_exporter.state.v1"

// etagFormat names the layout of the stored conditional responses: v2
// keeps bodies compressed.
const etagFormat = "nms_exporter.etags.v2"

// budgetFormat names the layout of the saved budget counts.
const budgetFormat = "nms_exporter.budget.v1"

// budgetFile is a source's calls in the current hour and day: a restart at
// 18:00 must not spend a daily quota twice.
type budgetFile struct {
	Format   string    `json:"format"`
	Source   string    `json:"source"`
	Vendor   string    `json:"vendor"`
	Identity string    `json:"identity"`
	SavedAt  time.Time `json:"saved_at"`
	vendors.BudgetCounts
}

// stateFile is one collection's last good data, kept on disk so that a
// restart serves it at once instead of spending the API budget again.
type stateFile struct {
	Format     string          `json:"format"`
	Source     string          `json:"source"`
	Vendor     string          `json:"vendor"`
	Identity   string          `json:"identity"`
	Collection string          `json:"collection"`
	FetchedAt  time.Time       `json:"fetched_at"`
	Items      int             `json:"items"`
	Data       json.RawMessage `json:"data"`
}

// etagFile holds a source's stored conditional responses.
type etagFile struct {
	Format   string                       `json:"format"`
	Source   string                       `json:"source"`
	Identity string                       `json:"identity"`
	Entries  map[string]vendors.ETagEntry `json:"entries"`
}

func (s *Source) stateDir() string { return filepath.Join(s.storage, s.Name) }

func (s *Source) statePath(collection string) string {
	return filepath.Join(s.stateDir(), collection+".json")
}

// restore loads each collection's saved data and the stored conditional
// responses. A missing file is normal; a corrupt or foreign one is
// reported and ignored.
func (s *Source) restore() {
	if s.storage == "" {
		return
	}
	s.removeStaleTemps()
	stateSaveErrors.WithLabelValues(s.Name) // shown from the start, at 0
	for _, c := range s.Collections {
		path := s.statePath(c.Name)
		b, err := statefile.Read(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			err = s.restoreCollection(c, b)
		}
		if err != nil {
			s.logger.Warn("ignoring saved state", "collection", c.Name, "file", path, "err", err)
			continue
		}
		s.logger.Info("serving saved data until the first refresh", "collection", c.Name, "file", path)
	}
	s.restoreBudget()
	if s.ETags == nil {
		return
	}
	path := filepath.Join(s.stateDir(), "etags.json")
	var f etagFile
	found, err := statefile.Load(path, &f)
	if !found {
		return
	}
	if err == nil && (f.Format != etagFormat || f.Source != s.Name || f.Identity != s.Identity) {
		err = fmt.Errorf("written for another source (%s %q)", f.Format, f.Source)
	}
	if err != nil {
		s.logger.Warn("ignoring saved state", "file", path, "err", err)
		return
	}
	for url, e := range f.Entries {
		s.ETags.Put(url, e)
	}
}

func (s *Source) budgetPath() string { return filepath.Join(s.stateDir(), "budget.json") }

// restoreBudget carries the saved counts into the budget, when they are
// this source's and not dated in the future.
func (s *Source) restoreBudget() {
	if s.Budget == nil {
		return
	}
	path := s.budgetPath()
	var f budgetFile
	found, err := statefile.Load(path, &f)
	if !found {
		return
	}
	skew := s.now().Add(maxClockSkew)
	switch {
	case err != nil:
	case f.Format != budgetFormat:
		err = fmt.Errorf("unknown format %q", f.Format)
	case f.Source != s.Name || f.Vendor != s.Vendor || f.Identity != s.Identity:
		err = fmt.Errorf("written for another source (%s %q)", f.Vendor, f.Source)
	case f.SavedAt.After(skew) || f.HourStart.After(skew) || f.DayStart.After(skew):
		// Counts of a window to come would hold calls that were never made.
		err = fmt.Errorf("dated %s, in the future", f.SavedAt.Format(time.RFC3339))
	}
	if err != nil {
		s.logger.Warn("ignoring saved state", "file", path, "err", err)
		return
	}
	s.Budget.Carry(f.BudgetCounts)
}

// saveBudget writes the budget's counts, after each refresh and when the
// source stops.
func (s *Source) saveBudget() {
	if s.storage == "" || s.Budget == nil {
		return
	}
	// Refreshes end together; the counts read last must be written last.
	s.budgetMu.Lock()
	defer s.budgetMu.Unlock()
	f := budgetFile{Format: budgetFormat, Source: s.Name, Vendor: s.Vendor, Identity: s.Identity,
		SavedAt: s.now(), BudgetCounts: s.Budget.Counts()}
	if err := statefile.Write(s.budgetPath(), f); err != nil {
		stateSaveErrors.WithLabelValues(s.Name).Inc()
		s.logger.Error("saving state", "file", "budget.json", "err", err)
	}
}

func (s *Source) restoreCollection(c *Collection, b []byte) error {
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("corrupt: %w", err)
	}
	switch {
	case f.Format != stateFormat:
		return fmt.Errorf("unknown format %q", f.Format)
	case f.Source != s.Name || f.Vendor != s.Vendor || f.Identity != s.Identity || f.Collection != c.Name:
		return fmt.Errorf("written for another source or collection (%s %q, %s)", f.Vendor, f.Source, f.Collection)
	case c.Decode == nil:
		return errors.New("the collection keeps no state")
	case f.FetchedAt.After(s.now().Add(maxClockSkew)):
		// Served as fresh, it would hide that nothing was fetched since.
		return fmt.Errorf("dated %s, in the future", f.FetchedAt.Format(time.RFC3339))
	}
	data, items, err := c.Decode(f.Data)
	if err != nil {
		return fmt.Errorf("corrupt data: %w", err)
	}
	s.cache.restore(c.Name, f.FetchedAt, data, items)
	return nil
}

// save writes a collection's data after a good refresh, and the stored
// conditional responses; failures are logged, never fatal.
func (s *Source) save(collection string, at time.Time, data any, items int) {
	if s.storage == "" {
		return
	}
	raw, err := json.Marshal(data)
	if err == nil {
		err = statefile.Write(s.statePath(collection), stateFile{
			Format: stateFormat, Source: s.Name, Vendor: s.Vendor, Identity: s.Identity,
			Collection: collection, FetchedAt: at, Items: items, Data: raw,
		})
	}
	if err != nil {
		stateSaveErrors.WithLabelValues(s.Name).Inc()
		s.logger.Error("saving state", "collection", collection, "err", err)
	}
	if s.ETags == nil || s.ETags.Len() == 0 {
		return
	}
	entries := s.ETags.Entries()
	for url, e := range entries {
		// A session cookie has no place on disk.
		h := e.Header.Clone()
		h.Del("Set-Cookie")
		e.Header = h
		entries[url] = e
	}
	f := etagFile{Format: etagFormat, Source: s.Name, Identity: s.Identity, Entries: entries}
	if err := statefile.Write(filepath.Join(s.stateDir(), "etags.json"), f); err != nil {
		stateSaveErrors.WithLabelValues(s.Name).Inc()
		s.logger.Error("saving state", "file", "etags.json", "err", err)
	}
}

// maxClockSkew is how far in the future a state file's date may be before
// it is refused.
const maxClockSkew = 5 * time.Minute

// stateSaveErrors counts failed saves of state, per source: a full disk or
// a read-only volume shows on /metrics, not only in the logs.
var stateSaveErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
	Namespace: namespace, Name: "state_save_errors_total",
	Help: "Failed saves of a source's data or stored conditional answers to --storage.path.",
}, []string{"source"})

// StateCollectors returns the state files' metrics, for /metrics.
func StateCollectors() []prometheus.Collector { return []prometheus.Collector{stateSaveErrors} }

// removeStaleTemps deletes what saves cut short by a crash left behind.
func (s *Source) removeStaleTemps() {
	for _, name := range statefile.RemoveStale(s.stateDir(), s.now()) {
		s.logger.Info("removed a temporary file left by an interrupted save", "file", name)
	}
}
