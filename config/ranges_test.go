package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestOutOfRangeValuesRefused: intervals, budgets, reserves and limits that
// are NaN, infinite, negative or out of range are refused with the file,
// the line and the field: an interval of 2562047h once overflowed
// the plan into a negative wait.
func TestOutOfRangeValuesRefused(t *testing.T) {
	for _, tc := range []struct {
		key, value, want string
	}{
		{"collections", "{devices: {interval: 2562047h}}", "mist[0].collections.devices.interval: interval 106751d23h is longer than 1w"},
		{"budget", "{requests_per_second: .nan}", "mist[0].budget.requests_per_second: requests_per_second NaN must be between 0 and 10000"},
		{"budget", "{requests_per_second: .inf}", "mist[0].budget.requests_per_second: requests_per_second +Inf must be"},
		{"budget", "{requests_per_second: -1}", "mist[0].budget.requests_per_second: requests_per_second -1 must be"},
		{"budget", "{requests_per_hour: -5}", "mist[0].budget.requests_per_hour: requests_per_hour -5 must be between 0 and 1000000000"},
		{"budget", "{requests_per_hour: 2000000000}", "mist[0].budget.requests_per_hour: requests_per_hour 2000000000 must be"},
		{"budget", "{requests_per_day: 99999999999}", "mist[0].budget.requests_per_day: requests_per_day 99999999999 must be"},
		{"budget", "{reserve: .nan}", "mist[0].budget.reserve: reserve NaN must be at least 0 and below 1"},
		{"budget", "{reserve: 1.5}", "mist[0].budget.reserve: reserve 1.5 must be"},
		{"budget", "{concurrency: 100}", "mist[0].budget.concurrency: concurrency 100 must be between 1 and 32"},
		{"budget", "{max_retries: -1}", "mist[0].budget.max_retries: max_retries -1 must be between 0 and 10"},
		{"limits", "{items: -1}", "mist[0].limits.items: items -1 must be between 1 and 1000000000"},
		{"limits", "{series: -1}", "mist[0].limits.series: series -1 must be between 1 and 1000000000 (0 means 2000000)"},
		{"limits", "{series: 1000000001}", "mist[0].limits.series: series 1000000001 must be between 1 and 1000000000"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			y := fmt.Sprintf("mist:\n  - name: acme\n    token: abc\n    %s: %s\n", tc.key, tc.value)
			if err := wantParseError(t, y, "ranges.yml", tc.want); err != nil && !strings.HasPrefix(err.Error(), "ranges.yml:4: ") {
				t.Errorf("Parse(%s: %s) = %v; want ranges.yml:4: ... %s", tc.key, tc.value, err, tc.want)
			}
		})
	}
	y := "prime:\n  - name: pi\n    base_url: https://pi.example.com\n    username: u\n    password: p\n    hold: 2562047h\n"
	_ = wantParseError(t, y, "pi.yml", "pi.yml:6: prime[0].hold: hold 106751d23h must be between 0 and 1h")
}

func TestLimitsDefault(t *testing.T) {
	c := mustParse(t, "mist:\n  - name: acme\n    token: abc\n  - name: lab\n    token: abc\n    limits: {items: 5000, series: 20000}\n", "l.yml")
	if got := c.Mist[0].Limits.Items; got != 0 {
		t.Errorf("limits.items unset = %d; want 0, meaning %d", got, DefaultMaxItems)
	}
	if got := c.Mist[1].Limits.Items; got != 5000 {
		t.Errorf("limits.items = %d; want 5000", got)
	}
	if got := c.Mist[0].Limits.Series; got != 0 {
		t.Errorf("limits.series unset = %d; want 0, meaning %d", got, DefaultMaxSeries)
	}
	if got := c.Mist[1].Limits.Series; got != 20000 {
		t.Errorf("limits.series = %d; want 20000", got)
	}
}
