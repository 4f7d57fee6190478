package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/internal/statefile"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/prometheus/client_golang/prometheus/testutil"
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
			if errs := ignoredStateErrs(logs.String()); len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("logs = %q; want one warning whose error says %q", logs.String(), tc.want)
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

// ignoredStateErrs are the errors of the log's "ignoring saved state"
// warnings. The whole log is no place to look for a word: it names the
// file, under t.TempDir(), whose name holds the subtest's ("corrupt").
func ignoredStateErrs(logs string) []string {
	var out []string
	for line := range strings.Lines(logs) {
		if !strings.Contains(line, `msg="ignoring saved state"`) {
			continue
		}
		_, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " err=")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		out = append(out, v)
	}
	return out
}

// TestStaleTempFilesRemovedAtStart leaves the temporary files of a save cut
// short by a crash, one old and one that a live save may still be writing:
// a start removes the old one only.
func TestStaleTempFilesRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	stateDir := filepath.Join(dir, "a")
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	old, live := filepath.Join(stateDir, ".tmp-123"), filepath.Join(stateDir, ".tmp-456")
	for _, f := range []string{old, live} {
		if err := os.WriteFile(f, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 1}, nil })
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there (%v)", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}

// TestStateFromTheFutureIsRefused writes a state file dated a day ahead,
// as a wrong clock or a copied folder can: it is not served as fresh data.
func TestStateFromTheFutureIsRefused(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	first := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 42}, nil })
	if err := first.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	editState(t, first.statePath("devices"), func(f *stateFile) { f.FetchedAt = time.Now().Add(24 * time.Hour) })
	second := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 1}, nil })
	if st := second.Status()[0]; st.Success || st.Items != 0 {
		t.Errorf("state dated tomorrow was restored: %+v", st)
	}
	if !strings.Contains(logs.String(), "in the future") {
		t.Errorf("the log does not say why the state was ignored:\n%s", logs.String())
	}
}

// TestStateThatIsNotAFileIsRefused links a state file to /dev/zero: the
// start ignores it at once instead of reading without end.
func TestStateThatIsNotAFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "a", "devices.json")); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 1}, nil })
	if st := s.Status()[0]; st.Success {
		t.Errorf("a link to /dev/zero was restored as data: %+v", st)
	}
	if !strings.Contains(logs.String(), "not a regular file") {
		t.Errorf("the log does not say why the state was ignored:\n%s", logs.String())
	}
}

// TestFailedSaveIsCounted makes the state folder unwritable: the refresh
// still succeeds and the failed save shows as a metric.
func TestFailedSaveIsCounted(t *testing.T) {
	dir := t.TempDir()
	// A file where the source's folder should be: no save can succeed,
	// whoever runs the test.
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := statefulSource(dir, "id", &logs, func(context.Context) (*saved, error) { return &saved{Value: 7}, nil })
	before := testutil.ToFloat64(stateSaveErrors.WithLabelValues("a"))
	if err := s.Refresh(context.Background(), "devices"); err != nil {
		t.Fatalf("a refresh whose save fails must still succeed: %v", err)
	}
	if got := testutil.ToFloat64(stateSaveErrors.WithLabelValues("a")) - before; got < 1 {
		t.Errorf("nms_state_save_errors_total rose by %v; want at least 1", got)
	}
}

// budgetedSource is a fake source whose one collection spends calls of
// an hourly and a daily quota on clock, its state in dir.
func budgetedSource(dir, identity string, clock *testtool.Clock, logs *bytes.Buffer, calls int) *Source {
	b := vendors.NewBudget(vendors.BudgetConfig{PerHour: 100, PerDay: 1000}, clock.Now)
	s := &Source{Name: "a", Vendor: "fake", Identity: identity, Budget: b,
		Collections: []*Collection{{Name: "devices", Interval: time.Hour, Fetch: func(ctx context.Context) (any, int, error) {
			for range calls {
				if err := b.Acquire(ctx); err != nil {
					return nil, 0, err
				}
			}
			return 1, 1, nil
		}}},
		Render: func(*exposition.Sink, Data) {},
	}
	s.init(Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: clock.Now, StateDir: dir})
	return s
}

// left is what a budget has left of its hour and its day.
func left(b *vendors.Budget) string {
	st := b.State()
	return fmt.Sprintf("hour %v, day %v", st.Remaining["hour"], st.Remaining["day"])
}

// TestBudgetSurvivesRestart: restarted mid-hour, a source goes on from the
// hour's and the day's counts; in the next hour, from the day's only: a
// restart at 18:00 must not spend CX Cloud's day twice.
func TestBudgetSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	clock := testtool.NewClock(time.Date(2026, 11, 23, 16, 10, 0, 0, time.UTC))
	first := budgetedSource(dir, "https://x", clock, &logs, 5)
	if err := first.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}

	clock.Advance(30 * time.Minute) // 16:40
	second := budgetedSource(dir, "https://x", clock, &logs, 7)
	if got, want := left(second.Budget), "hour 95, day 995"; got != want {
		t.Errorf("restarted mid-hour: %s left; want %s", got, want)
	}
	if err := second.Refresh(context.Background(), "devices"); err != nil {
		t.Fatal(err)
	}
	// Calls made outside a refresh are saved when the source stops.
	_ = second.Budget.Acquire(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	second.Run(ctx)

	clock.Advance(time.Hour) // 17:40
	third := budgetedSource(dir, "https://x", clock, &logs, 0)
	if got, want := left(third.Budget), "hour 100, day 987"; got != want {
		t.Errorf("restarted in the next hour: %s left; want %s", got, want)
	}
}

// TestBudgetFileRefused: a budget file of another source, another format
// or a date to come is ignored, and said so.
func TestBudgetFileRefused(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 16, 10, 0, 0, time.UTC))
	for _, tc := range []struct {
		name, want string
		edit       func(f *budgetFile)
	}{
		{"another identity", "written for another source", func(f *budgetFile) { f.Identity = "https://y" }},
		{"another format", "unknown format", func(f *budgetFile) { f.Format = "nms_exporter.budget.v9" }},
		{"dated in the future", "in the future", func(f *budgetFile) {
			f.SavedAt, f.HourStart, f.DayStart = f.SavedAt.Add(48*time.Hour), f.HourStart.Add(48*time.Hour), f.DayStart.Add(48*time.Hour)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			first := budgetedSource(dir, "https://x", clock, &logs, 5)
			if err := first.Refresh(context.Background(), "devices"); err != nil {
				t.Fatal(err)
			}
			editState(t, filepath.Join(dir, "a", "budget.json"), tc.edit)
			second := budgetedSource(dir, "https://x", clock, &logs, 0)
			if got, want := left(second.Budget), "hour 100, day 1000"; got != want {
				t.Errorf("after a refused file: %s left; want %s", got, want)
			}
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("logs = %s; want them to say %q", logs.String(), tc.want)
			}
		})
	}
}

// editState rewrites the state file at path with edit applied to it.
func editState[F any](t *testing.T, path string, edit func(*F)) {
	t.Helper()
	b, err := statefile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var f F
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	edit(&f)
	if err := statefile.Write(path, f); err != nil {
		t.Fatal(err)
	}
}
