// Package registrytest builds sources as the exporter does, with every
// vendor's adapter, for the tests of the adapters and of what serves
// sources. Only tests import it.
package registrytest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// New builds the source of a config section, with no log.
func New(t testing.TB, section config.Source) *collector.Source {
	t.Helper()
	s, err := collector.NewSource(section, collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Parse builds the first source of a config, read as a user's file is.
func Parse(t testing.TB, yaml, file string) *collector.Source {
	t.Helper()
	return New(t, vendortest.Parse(t, yaml, file).Sources()[0])
}

// RefreshAll refreshes every collection of a source once, failing the test
// on an error.
func RefreshAll(t testing.TB, s *collector.Source) {
	t.Helper()
	for _, c := range s.Collections {
		if err := s.Refresh(context.Background(), c.Name); err != nil {
			t.Fatalf("refresh %s: %v", c.Name, err)
		}
	}
}

// Manager runs a config's sources in one manager, as the exporter does,
// until the test ends, and refreshes every collection of the sources named
// once, in their order: a source of truth after those it describes, so
// that it compares their devices.
func Manager(t testing.TB, yaml, file string, refresh ...string) *collector.Manager {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := collector.NewManager(ctx, collector.Options{Vendors: registry.Vendors, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(m.Stop)
	if err := m.Apply(vendortest.Parse(t, yaml, file)); err != nil {
		t.Fatal(err)
	}
	for _, name := range refresh {
		src, ok := m.Source(name)
		if !ok {
			t.Fatalf("no source %q", name)
		}
		RefreshAll(t, src)
	}
	return m
}
