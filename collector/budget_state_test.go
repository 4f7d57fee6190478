package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/internal/statefile"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// budgetedSource is a fake source whose one collection spends calls of
// an hourly and a daily quota on clock, its state in dir.
func budgetedSource(dir, identity string, clock *collectortest.Clock, logs *bytes.Buffer, calls int) *Source {
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
	clock := collectortest.NewClock(time.Date(2026, 11, 23, 16, 10, 0, 0, time.UTC))
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
	clock := collectortest.NewClock(time.Date(2026, 11, 23, 16, 10, 0, 0, time.UTC))
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
			path := filepath.Join(dir, "a", "budget.json")
			b, err := statefile.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			var f budgetFile
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			tc.edit(&f)
			if err := statefile.Write(path, f); err != nil {
				t.Fatal(err)
			}
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
