package config

import "time"

// PrimeCollections are the collections a Prime Infrastructure source
// offers, with their default intervals.
var PrimeCollections = map[string]Collection{
	"access_points": {Enabled: true, Interval: Duration(5 * time.Minute)},
	"clients":       {Enabled: true, Interval: Duration(5 * time.Minute)},
	"devices":       {Enabled: true, Interval: Duration(10 * time.Minute)},
	"alarms":        {Enabled: true, Interval: Duration(time.Minute)},
	"rogues":        {Enabled: true, Interval: Duration(5 * time.Minute)},
	"radios":        {Enabled: true, Interval: Duration(15 * time.Minute)},
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
		Hold: Duration(1200 * time.Millisecond),
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
}
