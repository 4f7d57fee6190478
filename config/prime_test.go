package config

import (
	"slices"
	"testing"
	"time"
)

const primeHead = "prime:\n  - name: pi\n    base_url: https://pi.example.com\n    username: u\n    password: p\n"

func TestPrimeInventoryDefaults(t *testing.T) {
	p := mustParse(t, primeHead, "pi.yml").Prime[0]
	if p.InventoryPageSize != 50 || p.InventoryUptimeUnit != UptimeHundredths {
		t.Errorf("inventory_page_size, inventory_uptime_unit = %d, %q; want 50, hundredths", p.InventoryPageSize, p.InventoryUptimeUnit)
	}
	f := p.Interfaces
	if !slices.Equal(f.DeviceTypes, []string{"switch", "router", "controller"}) || f.Keep != KeepNeighbors || f.UpOnly || !f.MatchName("GigabitEthernet1/0/1") {
		t.Errorf("Interfaces = %+v; want switch, router and controller, keep neighbors, every name", f)
	}
	if col := p.Collections["inventory"]; !col.Enabled || col.Interval != Duration(6*time.Hour) {
		t.Errorf("inventory = %+v; want enabled every 6h", col)
	}
}

func TestPrimeInterfacesSet(t *testing.T) {
	y := primeHead + `    inventory_page_size: 20
    inventory_uptime_unit: seconds
    interfaces:
      device_types: [switch]
      keep: all
      up_only: true
      name: "^(Gi|Te)"
`
	p := mustParse(t, y, "pi.yml").Prime[0]
	f := p.Interfaces
	if p.InventoryPageSize != 20 || p.InventoryUptimeUnit != UptimeSeconds || !f.KeepsType("switch") || f.KeepsType("router") || f.Keep != KeepAll || !f.UpOnly {
		t.Errorf("section = %+v; want the file's values", p)
	}
	if f.MatchName("Vlan10") || !f.MatchName("TenGigabitEthernet1/1/1") {
		t.Errorf("MatchName(Vlan10), MatchName(TenGigabitEthernet1/1/1) = %v, %v; want false, true", f.MatchName("Vlan10"), f.MatchName("TenGigabitEthernet1/1/1"))
	}
}

func TestPrimeInventoryErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"page size", "inventory_page_size: 0", "pi.yml:6: prime[0].inventory_page_size: inventory_page_size 0 must be between 1 and 1000"},
		{"page size too large", "inventory_page_size: 1001", "prime[0].inventory_page_size: inventory_page_size 1001 must be between 1 and 1000"},
		{"uptime unit", "inventory_uptime_unit: ticks", `prime[0].inventory_uptime_unit: inventory_uptime_unit "ticks" must be hundredths or seconds`},
		{"device type", "interfaces:\n      device_types: [switch, ap]", `prime[0].interfaces.device_types[1]: unknown device type "ap" (known: controller, router, switch)`},
		{"keep", "interfaces:\n      keep: uplinks", `prime[0].interfaces.keep: unknown keep "uplinks" (known: all, neighbors)`},
		{"name", "interfaces:\n      name: \"(Gi\"", "prime[0].interfaces.name: invalid regex"},
		{"unknown key", "interfaces:\n      keep_all: true", "keep_all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_ = wantParseError(t, primeHead+"    "+tc.yaml+"\n", "pi.yml", tc.want)
		})
	}
}
