package config

import (
	"regexp"
	"time"
)

// NautobotCollections are the collections a Nautobot source offers, with
// their default intervals.
var NautobotCollections = map[string]Collection{
	"status":    {Enabled: true, Interval: Duration(time.Minute)},
	"devices":   {Enabled: true, Interval: Duration(10 * time.Minute)},
	"locations": {Enabled: true, Interval: Duration(30 * time.Minute)},
	"ipam":      {Enabled: true, Interval: Duration(30 * time.Minute)},
}

// Nautobot is one Nautobot instance: the source of truth.
type Nautobot struct {
	Common `yaml:",inline"`

	BaseURL   string `yaml:"base_url"`
	Token     Secret `yaml:"token,omitempty"`
	TokenFile string `yaml:"token_file,omitempty"`
	TokenEnv  string `yaml:"token_env,omitempty"`
	// APIVersion is pinned on every request; a 1.x version reads the 1.x
	// shapes.
	APIVersion string `yaml:"api_version,omitempty"`
	// PageSize is the limit of each page; the server may cap it lower.
	PageSize int `yaml:"page_size,omitempty"`
	// Describes names the vendor sources whose devices this source of
	// truth should hold, for drift.
	Describes []string `yaml:"describes,omitempty"`
}

// VendorName implements Source.
func (n *Nautobot) VendorName() string { return "nautobot" }

// UnmarshalYAML implements yaml.Unmarshaler, setting Nautobot's defaults.
func (n *Nautobot) UnmarshalYAML(unmarshal func(any) error) error {
	*n = Nautobot{
		Common:     commonDefaults(60*time.Second, Budget{Concurrency: 4}),
		APIVersion: "2.4",
		PageSize:   1000,
	}
	type plain Nautobot
	return unmarshal((*plain)(n))
}

// Major returns 1 or 2: the API shape the pinned version reads.
func (n *Nautobot) Major() int {
	if len(n.APIVersion) > 0 && n.APIVersion[0] == '1' {
		return 1
	}
	return 2
}

var apiVersion = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+$`)

func (n *Nautobot) validate(v *validator, at path) {
	n.Common.validate(v, at, NautobotCollections)
	requiredURL(v, at, "base_url", n.BaseURL, "https://nautobot.example.com")
	v.requiredSecret(at, "token", &n.Token, n.TokenFile, n.TokenEnv)
	if !apiVersion.MatchString(n.APIVersion) {
		v.errorf(at.add("api_version"), "api_version %q must be major.minor, such as 2.4 or 1.6", n.APIVersion)
	}
	checkPageSize(v, at, n.PageSize, 10000)
}
