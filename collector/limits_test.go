package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// TestItemLimitKeepsLastGoodData: a refresh that brings more items than
// limits.items fails, naming the collection, the count and the limit, and
// the last good data stays.
func TestItemLimitKeepsLastGoodData(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(7), ok(11), ok(10))})
	s.maxItems = 10
	ctx := context.Background()
	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Fatal(err)
	}
	err := s.Refresh(ctx, "devices")
	if err == nil || !strings.Contains(err.Error(), "collection devices: 11 items, over the limit of 10 (limits.items)") {
		t.Fatalf("Refresh() with 11 items = %v; want the collection, the count and the limit named", err)
	}
	if got := s.cache.get("devices"); got.data != 7 || got.items != 7 || got.success {
		t.Errorf("after the refused refresh: data %v, %d items, success %v; want the last good 7, 7 items, false", got.data, got.items, got.success)
	}
	if err := s.Refresh(ctx, "devices"); err != nil {
		t.Errorf("Refresh() with 10 items = %v; want the limit itself allowed", err)
	}
	if got := fakeSource("b").itemLimit(); got != config.DefaultMaxItems {
		t.Errorf("itemLimit() unset = %d; want %d", got, config.DefaultMaxItems)
	}
}

// TestPlanClampsOverflow: an interval of 2562047h stretched by the plan
// stays a long positive wait instead of overflowing into a negative one,
// which fires at once, in a loop that spends the quota.
func TestPlanClampsOverflow(t *testing.T) {
	s := fakeSource("a",
		&Collection{Name: "devices", Interval: 2562047 * time.Hour, Fetch: scripted(ok(1))},
		&Collection{Name: "sites", Interval: time.Second, Fetch: scripted(ok(1))},
	)
	s.Budget = vendors.NewBudget(vendors.BudgetConfig{PerHour: 10}, nil)
	for _, c := range []string{"devices", "sites"} {
		if err := s.Refresh(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range s.Status() {
		if st.Interval <= 0 || st.Interval > maxDelay {
			t.Errorf("%s: planned interval %s; want within (0, %s]", st.Collection, st.Interval, maxDelay)
		}
		if d := s.nextDelay(st.Collection, nil); d <= 0 || d > maxDelay {
			t.Errorf("%s: next refresh in %s; want within (0, %s]", st.Collection, d, maxDelay)
		}
	}
	for _, d := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 0, 1e30} {
		if got := clampDelay(d); got < minDelay || got > maxDelay {
			t.Errorf("clampDelay(%v) = %s; want within [%s, %s]", d, got, minDelay, maxDelay)
		}
	}
	if got := jitter(-time.Hour); got < minDelay {
		t.Errorf("jitter(-1h) = %s; want at least %s", got, minDelay)
	}
}

// TestBackoffErrorDelaysNextRefresh: a vendor's backoff, such as Prime's
// session limit, puts the collection's next refresh after it.
func TestBackoffErrorDelaysNextRefresh(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "devices", Interval: time.Minute, Fetch: scripted(ok(1))})
	err := fmt.Errorf("walking: %w", &vendors.BackoffError{Err: errors.New("HTTP 401"), For: 5 * time.Minute})
	if d := s.nextDelay("devices", err); d < 5*time.Minute {
		t.Errorf("nextDelay() after a 5m backoff = %s; want at least 5m", d)
	}
}

// TestBudgetErrorWaitsForReset: a spent budget puts the collection's next
// refresh at the budget's reset, and the log says so.
func TestBudgetErrorWaitsForReset(t *testing.T) {
	s := fakeSource("a", &Collection{Name: "inventory", Interval: time.Minute, Fetch: scripted(ok(1))})
	var logs bytes.Buffer
	s.logger = slog.New(slog.NewTextHandler(&logs, nil))
	err := fmt.Errorf("inventory: %w", &vendors.BudgetError{Window: "day", Reset: time.Now().Add(2 * time.Hour)})
	if d := s.nextDelay("inventory", err); d < 2*time.Hour-time.Minute {
		t.Errorf("nextDelay() with the day's budget spent until 2h from now = %s; want about 2h", d)
	}
	if !strings.Contains(logs.String(), "waiting for its reset") {
		t.Errorf("log = %q; want the wait for the reset said", logs.String())
	}
}
