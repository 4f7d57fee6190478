package simkit

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// vendorFaults is a simulator's own Faults: shared faults spelled its way,
// and an extra.
type vendorFaults struct {
	Latency    time.Duration `fault:"latency"`
	ErrorRate  float64       `fault:"error_rate"`
	RateLimit  bool          `fault:"throttle"`
	Oversize   int64         `fault:"oversize"`
	PathPrefix string        `fault:"path_prefix"`
	NextLoop   bool          `fault:"next_loop"`
	untagged   int
}

func TestFaultNames(t *testing.T) {
	want := []string{"latency", "error_rate", "throttle", "oversize", "path_prefix", "next_loop"}
	if got := FaultNames(vendorFaults{}); !slices.Equal(got, want) {
		t.Errorf("FaultNames = %v; want %v", got, want)
	}
	if got := FaultNames(&Faults{}); len(got) != 15 || got[0] != "latency" || got[14] != "path_prefix" {
		t.Errorf("FaultNames(Faults) = %v; want the 15 shared faults", got)
	}
}

func TestSetFault(t *testing.T) {
	tests := []struct {
		name, value string
		want        vendorFaults
		wantErr     bool
	}{
		{"throttle", "", vendorFaults{RateLimit: true}, false},
		{"throttle", "on", vendorFaults{RateLimit: true}, false},
		{"throttle", "false", vendorFaults{}, false},
		{"throttle", "maybe", vendorFaults{}, true},
		{"latency", "250ms", vendorFaults{Latency: 250 * time.Millisecond}, false},
		{"latency", "40", vendorFaults{Latency: 40 * time.Millisecond}, false},
		{"latency", "", vendorFaults{}, true},
		{"latency", "-1s", vendorFaults{}, true},
		{"error_rate", "", vendorFaults{ErrorRate: 1}, false},
		{"error_rate", "0.25", vendorFaults{ErrorRate: 0.25}, false},
		{"error_rate", "2", vendorFaults{}, true},
		{"oversize", "1048576", vendorFaults{Oversize: 1 << 20}, false},
		{"oversize", "big", vendorFaults{}, true},
		{"path_prefix", "/api/", vendorFaults{PathPrefix: "/api/"}, false},
		{"next_loop", "1", vendorFaults{NextLoop: true}, false},
		{"untagged", "1", vendorFaults{}, true},
		{"nope", "1", vendorFaults{}, true},
	}
	for _, tt := range tests {
		var f vendorFaults
		err := SetFault(&f, tt.name, tt.value)
		if (err != nil) != tt.wantErr || f != tt.want {
			t.Errorf("SetFault(%s, %q) = %+v, %v; want %+v, error %v", tt.name, tt.value, f, err, tt.want, tt.wantErr)
		}
	}
}

func TestClearFaultAndFaultsOn(t *testing.T) {
	f := vendorFaults{Latency: time.Second, RateLimit: true, Oversize: 10, untagged: 3}
	if got, want := FaultsOn(f), map[string]string{"latency": "1s", "throttle": "true", "oversize": "10"}; !maps.Equal(got, want) {
		t.Errorf("FaultsOn = %v; want %v", got, want)
	}
	if err := ClearFault(&f, "throttle"); err != nil || f.RateLimit || f.Latency != time.Second {
		t.Errorf("ClearFault(throttle) = %+v, %v; want only throttle off", f, err)
	}
	if err := ClearFault(&f, "nope"); err == nil {
		t.Errorf("ClearFault(nope) = nil; want an error")
	}
}

func TestApply(t *testing.T) {
	f := vendorFaults{NextLoop: true, Oversize: 5}
	if err := Apply(&f, Faults{Latency: time.Second, Throttle: true}); err != nil {
		t.Fatal(err)
	}
	if want := (vendorFaults{Latency: time.Second, RateLimit: true, NextLoop: true}); f != want {
		t.Errorf("Apply = %+v; want %+v: shared faults replaced, extras kept", f, want)
	}
	if got, want := CoreOf(f), (Faults{Latency: time.Second, Throttle: true}); got != want {
		t.Errorf("CoreOf = %+v; want %+v", got, want)
	}
	if err := Apply(&f, Faults{Revoke: true}); err == nil {
		t.Errorf("Apply(revoke) to a type without it = nil; want an error")
	}
}

func TestRetryAfter(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "1", time.Millisecond: "1", time.Second: "1", 1500 * time.Millisecond: "2", 2 * time.Second: "2"} {
		if got := RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%v) = %s; want %s", d, got, want)
		}
	}
}
