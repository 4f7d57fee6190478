package collector

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/vendors"
)

type saved struct{ Value int }

// statefulSource is a fake source whose one collection saves its data.
func statefulSource(dir, identity string, logs *bytes.Buffer, fetch func(context.Context) (*saved, error)) *Source {
	k := Collect(NewKey[*saved]("devices"), fetch, func(v *saved) int { return v.Value })
	s := &Source{
		Name: "a", Vendor: "fake", Identity: identity, ETags: vendors.NewETagStore(),
		Collections: []*Collection{{Name: "devices", Interval: time.Minute, Fetch: k.fetch, Decode: k.decode}},
		Render: func(out *exposition.Sink, d Data) {
			if v, ok := Get(d, NewKey[*saved]("devices")); ok {
				out.Gauge(testFamily, float64(v.Value), "devices")
			}
		},
	}
	s.init(Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: time.Now, StateDir: dir})
	return s
}

func TestRestartServesSavedData(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	first := statefulSource(dir, "https://x org-1", &logs, func(context.Context) (*saved, error) { return &saved{Value: 42}, nil })
	first.ETags.Put("https://x/api/things", vendors.ETagEntry{ETag: `"v1"`, Gzip: []byte(`gzip of [1]`),
		Header: http.Header{"Set-Cookie": {"session=abc"}, "X-Total-Count": {"1"}}})
	if err := first.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}

	// The restarted source serves the saved data before any fetch: its
	// fetcher fails.
	second := statefulSource(dir, "https://x org-1", &logs, func(context.Context) (*saved, error) {
		t.Error("the restarted source fetched before it was asked to")
		return nil, context.Canceled
	})
	want := `
# HELP nms_test_value A value from a fake collection.
# TYPE nms_test_value gauge
nms_test_value{collection="devices"} 42
# HELP nms_collection_success 1 if the last refresh of this collection succeeded; on failure the last good data is still served.
# TYPE nms_collection_success gauge
nms_collection_success{collection="devices"} 1
`
	if err := testutil.GatherAndCompare(collectortest.Scraped(t, second), strings.NewReader(want), "nms_test_value", "nms_collection_success"); err != nil {
		t.Errorf("after a restart: %v", err)
	}
	if second.Ready() {
		t.Errorf("Ready() = true before the first refresh; want false: saved data is not a refresh")
	}
	e, ok := second.ETags.Get("https://x/api/things")
	if !ok || e.ETag != `"v1"` || string(e.Gzip) != "gzip of [1]" || e.Header.Get("X-Total-Count") != "1" {
		t.Errorf("restored ETag entry = %+v, %v; want the saved one", e, ok)
	}
	if e.Header.Get("Set-Cookie") != "" {
		t.Errorf("a Set-Cookie header was saved to disk")
	}
}

func TestBadStateIsIgnored(t *testing.T) {
	for _, tc := range []struct {
		name     string
		content  string
		identity string
		want     string
	}{
		{"corrupt", `{"format": "nms_exporter.state.v1", "source": `, "id", "corrupt"},
		{"foreign format", `{"format": "something.else"}`, "id", "unknown format"},
		{"another source", `{"format": "nms_exporter.state.v1", "source": "b", "vendor": "fake", "identity": "id", "collection": "devices", "data": {"Value": 1}}`, "id", "another source"},
		{"another org", `{"format": "nms_exporter.state.v1", "source": "a", "vendor": "fake", "identity": "other", "collection": "devices", "data": {"Value": 1}}`, "id", "another source"},
		{"bad data", `{"format": "nms_exporter.state.v1", "source": "a", "vendor": "fake", "identity": "id", "collection": "devices", "data": {"Value": "x"}}`, "id", "corrupt data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "a", "devices.json")
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s := statefulSource(dir, tc.identity, &logs, func(context.Context) (*saved, error) { return &saved{Value: 7}, nil })
			if got := s.cache.get("devices").data; got != nil {
				t.Errorf("restored data = %v; want none from a bad file", got)
			}
			if !strings.Contains(logs.String(), "ignoring saved state") || !strings.Contains(logs.String(), tc.want) {
				t.Errorf("logs = %q; want a warning containing %q", logs.String(), tc.want)
			}
			// The source still works and replaces the bad file.
			if err := s.Refresh(context.Background(), "devices"); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			if !strings.Contains(string(b), `"Value":7`) {
				t.Errorf("state file after a refresh = %s; want the new data", b)
			}
		})
	}
}
