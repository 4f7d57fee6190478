package config

import "time"

// PrimeCollections are the collections a Prime Infrastructure source
// offers, with their default intervals.
var PrimeCollections = map[string]Collection{
	"access_points": {Enabled: true, Interval: Duration(5 * time.Minute)},
	"clients":       {Enabled: true, Interval: Duration(5 * time.Minute)},
	"devices":       {Enabled: true, Interval: Duration(10 * time.Minute)},
	"alarms":        {Enabled: true, Interval: Duration(time.Minute)},
	"controllers":   {Enabled: true, Interval: Duration(5 * time.Minute)},
	// InventoryDetails is heavy for Prime, and serials and cabling change
	// seldom.
	"inventory": {Enabled: true, Interval: Duration(6 * time.Hour)},
	"rogues":    {Enabled: true, Interval: Duration(5 * time.Minute)},
	"radios":    {Enabled: true, Interval: Duration(15 * time.Minute)},
}

// The units of InventoryDetails' summary.upTime, which no source gives.
const (
	// UptimeHundredths reads it as sysUpTime's hundredths of a second, as
	// AccessPointDetails' upTime is.
	UptimeHundredths = "hundredths"
	// UptimeSeconds reads it as seconds.
	UptimeSeconds = "seconds"
)

// PrimeInterfaces chooses which interfaces the inventory collection
// exports: of switches, routers and controllers by default, those with a
// CDP neighbour (KeepNeighbors) or all; names such as
// GigabitEthernet1/0/1.
type PrimeInterfaces struct {
	InterfaceFilter `yaml:",inline"`
}

func (f *PrimeInterfaces) validate(v *validator, at path) {
	f.InterfaceFilter.validate(v, at, []string{"switch", "router", "controller"}, []string{KeepNeighbors, KeepAll})
}

// maxHold bounds Prime's hold: its limits count over seconds.
const maxHold = time.Hour

// Prime is one Cisco Prime Infrastructure server.
type Prime struct {
	Common `yaml:",inline"`

	// BaseURL is the server, such as https://pi.example.com; the API path
	// /webacs/api/v4 is added.
	BaseURL      string `yaml:"base_url"`
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	// APIVersion is the version the data resources are asked at (v1 to
	// v4); a resource v4 does not serve is asked at v3.
	APIVersion string `yaml:"api_version,omitempty"`
	// VirtualDomain scopes every request; empty is the user's default.
	VirtualDomain string `yaml:"virtual_domain,omitempty"`
	// PageSize is the .maxResults of each page, at most 1000.
	PageSize int `yaml:"page_size,omitempty"`
	// Hold is the pause after each burst of budget.concurrency requests.
	Hold Duration `yaml:"hold,omitempty"`
	// InventoryPageSize is the .maxResults of InventoryDetails' pages: an
	// entity carries a device's every interface, and Prime is slow on
	// them.
	InventoryPageSize int `yaml:"inventory_page_size,omitempty"`
	// InventoryUptimeUnit is the unit of InventoryDetails'
	// summary.upTime: hundredths or seconds.
	InventoryUptimeUnit string `yaml:"inventory_uptime_unit,omitempty"`
	// Interfaces filters the interfaces the inventory collection exports.
	Interfaces PrimeInterfaces `yaml:"interfaces,omitempty"`
}

// VendorName implements Source.
func (p *Prime) VendorName() string { return "prime" }

// UnmarshalYAML implements yaml.Unmarshaler, setting Prime's defaults:
// those of piapi, Cisco's own Python client.
func (p *Prime) UnmarshalYAML(unmarshal func(any) error) error {
	*p = Prime{
		// Prime can be slow: piapi waits 300 s for an answer.
		Common:     commonDefaults(300*time.Second, Budget{Concurrency: 5}),
		APIVersion: "v4",
		PageSize:   1000,
		// Prime counts its limits over a one-second window kept in 100 ms
		// segments (cpiapi's "Cisco defaults": five a user), so a burst's
		// calls stay counted up to 1.1 s after they were sent; a longer hold
		// keeps the next burst out of the window.
		Hold:                Duration(1200 * time.Millisecond),
		InventoryPageSize:   50,
		InventoryUptimeUnit: UptimeHundredths,
	}
	type plain Prime
	return unmarshal((*plain)(p))
}

func (p *Prime) validate(v *validator, at path) {
	p.Common.validate(v, at, PrimeCollections)
	requiredURL(v, at, "base_url", p.BaseURL, "https://pi.example.com")
	required(v, at, "username", p.Username)
	v.requiredSecret(at, "password", &p.Password, p.PasswordFile, p.PasswordEnv)
	switch p.APIVersion {
	case "v1", "v2", "v3", "v4":
	default:
		v.errorf(at.add("api_version"), "api_version %q must be one of v1, v2, v3 and v4", p.APIVersion)
	}
	checkPageSize(v, at, p.PageSize, 1000)
	if p.Hold < 0 || time.Duration(p.Hold) > maxHold {
		v.errorf(at.add("hold"), "hold %s must be between 0 and %s", p.Hold, Duration(maxHold))
	}
	if p.InventoryPageSize < 1 || p.InventoryPageSize > 1000 {
		v.errorf(at.add("inventory_page_size"), "inventory_page_size %d must be between 1 and 1000", p.InventoryPageSize)
	}
	if p.InventoryUptimeUnit != UptimeHundredths && p.InventoryUptimeUnit != UptimeSeconds {
		v.errorf(at.add("inventory_uptime_unit"), "inventory_uptime_unit %q must be %s or %s", p.InventoryUptimeUnit, UptimeHundredths, UptimeSeconds)
	}
	p.Interfaces.validate(v, at.add("interfaces"))
}
