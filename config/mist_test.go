package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const mistHead = "mist:\n  - name: acme\n    token: abc\n"

func TestMistPortsDefaults(t *testing.T) {
	m := mustParse(t, mistHead, "m.yml").Mist[0]
	if !slices.Equal(m.Ports.DeviceTypes, []string{"switch", "gateway"}) || m.Ports.Keep != KeepUplinks || m.Ports.UpOnly {
		t.Errorf("Ports = %+v; want device_types [switch gateway], keep uplinks, up_only false", m.Ports)
	}
	if !m.Ports.MatchName("ge-0/0/1") {
		t.Error("MatchName(ge-0/0/1) = false; want true with no name filter")
	}
	// The wired, WAN and SLE collections fit the hourly budget: they are on
	// by default.
	for _, n := range []string{"ports", "vpn_peers", "tunnels", "bgp_peers", "mxedges", "sle"} {
		if col := m.Collections[n]; !col.Enabled {
			t.Errorf("collection %s disabled by default; want enabled", n)
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
	m := mustParse(t, y, "m.yml").Mist[0]
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
			_ = wantParseError(t, mistHead+"    ports:\n      "+tc.ports+"\n", "m.yml", tc.want)
		})
	}
}

func TestMistStreamDefaults(t *testing.T) {
	c := mustParse(t, mistHead, "m.yml")
	want := MistStream{Enabled: true, Silence: Duration(180 * time.Second), ChannelsPerConnection: 1000}
	if got := c.Mist[0].Stream; got != want {
		t.Errorf("Stream = %+v; want %+v", got, want)
	}
	// A block that sets one key keeps the other defaults.
	c = mustParse(t, mistHead+"    stream:\n      url: ws://127.0.0.1:8080/api-ws/v1/stream\n", "m.yml")
	want.URL = "ws://127.0.0.1:8080/api-ws/v1/stream"
	if got := c.Mist[0].Stream; got != want {
		t.Errorf("Stream = %+v; want %+v", got, want)
	}
}

func TestMistStreamSet(t *testing.T) {
	y := mistHead + `    stream:
      enabled: false
      url: wss://api-ws.eu.mist.com/api-ws/v1/stream
      silence: 5m
      channels_per_connection: 2000
`
	c := mustParse(t, y, "m.yml")
	want := MistStream{URL: "wss://api-ws.eu.mist.com/api-ws/v1/stream", Silence: Duration(5 * time.Minute), ChannelsPerConnection: 2000}
	if got := c.Mist[0].Stream; got != want {
		t.Errorf("Stream = %+v; want %+v", got, want)
	}
}

func TestMistStreamErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ name, stream, want string }{
		{"https url", "url: https://api-ws.mist.com/api-ws/v1/stream", "mist[0].stream.url: must be a ws or wss URL"},
		{"no host", "url: wss:///api-ws/v1/stream", "mist[0].stream.url: must be a ws or wss URL"},
		{"credentials", "url: wss://u:p@api-ws.mist.com/api-ws/v1/stream", "mist[0].stream.url: must not carry credentials"},
		{"zero silence", "silence: 0s", "mist[0].stream.silence: silence must be positive"},
		{"bad silence", "silence: soon", "invalid duration"},
		{"no channels", "channels_per_connection: 0", "mist[0].stream.channels_per_connection: channels_per_connection must be between 1 and 2000"},
		{"too many channels", "channels_per_connection: 2001", "mist[0].stream.channels_per_connection: channels_per_connection must be between 1 and 2000"},
		{"unknown key", "period: 30s", "period"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := wantParseError(t, mistHead+"    stream:\n      "+tc.stream+"\n", "m.yml", tc.want)
			if err != nil && strings.Contains(tc.stream, "u:p@") && strings.Contains(err.Error(), "u:p") {
				t.Errorf("Parse(stream: %s) = %v; it shows the credentials", tc.stream, err)
			}
		})
	}
}
