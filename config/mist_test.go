package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const mistHead = "mist:\n  - name: acme\n    token: abc\n"

func TestMistPortsDefaults(t *testing.T) {
	c, err := Parse([]byte(mistHead), "m.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mist[0]
	if !slices.Equal(m.Ports.DeviceTypes, []string{"switch", "gateway"}) || m.Ports.Keep != KeepUplinks || m.Ports.UpOnly {
		t.Errorf("Ports = %+v; want device_types [switch gateway], keep uplinks, up_only false", m.Ports)
	}
	if !m.Ports.MatchName("ge-0/0/1") {
		t.Error("MatchName(ge-0/0/1) = false; want true with no name filter")
	}
	// The wired, WAN and SLE collections cost calls: they are opt-in.
	for _, n := range []string{"ports", "vpn_peers", "tunnels", "bgp_peers", "mxedges", "sle"} {
		if col := m.Collections[n]; col.Enabled {
			t.Errorf("collection %s enabled by default; want opt-in", n)
		}
	}
}

func TestMistPortsAndCollectionsOptIn(t *testing.T) {
	y := mistHead + `    ports:
      device_types: [switch]
      keep: all
      up_only: true
      name: "^(ge|xe)-"
    collections:
      ports: {}
      sle: {}
`
	c, err := Parse([]byte(y), "m.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mist[0]
	if !m.Ports.KeepsType("switch") || m.Ports.KeepsType("gateway") || m.Ports.Keep != KeepAll || !m.Ports.UpOnly {
		t.Errorf("Ports = %+v; want switch only, keep all, up_only", m.Ports)
	}
	if m.Ports.MatchName("ae0") || !m.Ports.MatchName("xe-0/1/0") {
		t.Errorf("MatchName(ae0), MatchName(xe-0/1/0) = %v, %v; want false, true", m.Ports.MatchName("ae0"), m.Ports.MatchName("xe-0/1/0"))
	}
	if col := m.Collections["ports"]; !col.Enabled || col.Interval != Duration(5*time.Minute) {
		t.Errorf("ports = %+v; want enabled every 5m", col)
	}
	if col := m.Collections["sle"]; !col.Enabled || col.Interval != Duration(15*time.Minute) {
		t.Errorf("sle = %+v; want enabled every 15m", col)
	}
}

func TestMistPortsErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ name, ports, want string }{
		{"device type", "device_types: [switch, ap]", `mist[0].ports.device_types[1]: unknown device type "ap"`},
		{"keep", "keep: trunks", `mist[0].ports.keep: unknown keep "trunks" (known: all, neighbors, uplinks)`},
		{"name", `name: "(ge"`, "mist[0].ports.name: invalid regex"},
		{"unknown key", "keep_all: true", "keep_all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(mistHead+"    ports:\n      "+tc.ports+"\n"), "m.yml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(ports: %s) = %v; want an error containing %q", tc.ports, err, tc.want)
			}
		})
	}
}
