package registry

import (
	"slices"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
)

// TestVendorsMatchConfig: the vendors sources are built for are the
// vendors the config file has sections for, in the same order.
func TestVendorsMatchConfig(t *testing.T) {
	var names []string
	for _, v := range Vendors {
		names = append(names, v.Name)
	}
	if !slices.Equal(names, config.Vendors()) {
		t.Errorf("vendors %v; config sections %v", names, config.Vendors())
	}
}

// TestVendorsCapHolds: every vendor caps a hold at the longest window its
// limits count over, at most a day.
func TestVendorsCapHolds(t *testing.T) {
	for _, v := range Vendors {
		if v.MaxHold <= 0 || v.MaxHold > 24*time.Hour {
			t.Errorf("vendor %s MaxHold = %s; want within (0, 24h]", v.Name, v.MaxHold)
		}
	}
}
