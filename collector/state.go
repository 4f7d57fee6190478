package collector

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// stateFormat names the layout of state files; a file of another format is
// ignored.
const stateFormat = "nms_exporter.state.v1"

// etagFormat names the layout of the stored conditional responses: v2
// keeps bodies compressed.
const etagFormat = "nms_exporter.etags.v2"

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
	for _, c := range s.Collections {
		path := s.statePath(c.Name)
		b, err := os.ReadFile(path)
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
	if s.ETags == nil {
		return
	}
	path := filepath.Join(s.stateDir(), "etags.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	var f etagFile
	if err == nil {
		err = json.Unmarshal(b, &f)
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
		err = writeJSON(s.statePath(collection), stateFile{
			Format: stateFormat, Source: s.Name, Vendor: s.Vendor, Identity: s.Identity,
			Collection: collection, FetchedAt: at, Items: items, Data: raw,
		})
	}
	if err != nil {
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
	if err := writeJSON(filepath.Join(s.stateDir(), "etags.json"), f); err != nil {
		s.logger.Error("saving state", "file", "etags.json", "err", err)
	}
}

// writeJSON replaces a file atomically: a crash leaves the old file or the
// new one, never half of one.
func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	enc := json.NewEncoder(tmp)
	if err := enc.Encode(v); err != nil {
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
