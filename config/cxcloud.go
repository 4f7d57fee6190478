package config

import (
	"net/url"
	"strings"
	"time"
)

// CXCloudCollections are the collections a CX Cloud source offers, with
// their default intervals. The data changes when a collector uploads, a
// few times a day at most.
var CXCloudCollections = map[string]Collection{
	"inventory":     {Enabled: true, Interval: Duration(time.Hour)},
	"field_notices": {Enabled: true, Interval: Duration(4 * time.Hour)},
	"advisories":    {Enabled: true, Interval: Duration(4 * time.Hour)},
	"eox":           {Enabled: true, Interval: Duration(12 * time.Hour)},
	"contracts":     {Enabled: true, Interval: Duration(12 * time.Hour)},
	"resets":        {Enabled: true, Interval: Duration(4 * time.Hour)},
}

// The ways a CX Cloud source may fetch the data its collections share.
const (
	// CXCloudPlanBulk reads devices, assets, field notices, security
	// advisories, end of life, contracts and resets from one streamed
	// bulk/alerts call shared by the collections, and the collectors from
	// their list: a few dozen calls a day at the default intervals, where
	// walking the lists takes thousands.
	CXCloudPlanBulk = "bulk"
	// CXCloudPlanLists walks each collection's paged lists.
	CXCloudPlanLists = "lists"
)

// CXCloudDefaultTokenURL is the BCS Operational Insights API's token
// endpoint, where an application signs in with its client id and secret.
const CXCloudDefaultTokenURL = "https://api-cx.cisco.com/torii-auth/v1/token/"

// cxOtherAPITokenHost serves tokens for Cisco's other CX Cloud API
// (apix.cisco.com), whose tokens the BCS Operational Insights API refuses;
// it was this exporter's default token URL once.
const cxOtherAPITokenHost = "id.cisco.com"

// CXCloud is one Cisco CX Cloud (BCS Operational Insights) tenant.
type CXCloud struct {
	Common `yaml:",inline"`

	// Region is the region given when the application was registered; the
	// data is at https://api-cx.cisco.com/<region>/bcs/v2. Only us is
	// attested anywhere, so it is taken as written. BaseURL overrides it.
	Region string `yaml:"region,omitempty"`
	// BaseURL is the data base URL, ending in /<region>/bcs/v2.
	BaseURL          string `yaml:"base_url,omitempty"`
	TokenURL         string `yaml:"token_url,omitempty"`
	ClientID         string `yaml:"client_id"`
	ClientSecret     Secret `yaml:"client_secret,omitempty"`
	ClientSecretFile string `yaml:"client_secret_file,omitempty"`
	ClientSecretEnv  string `yaml:"client_secret_env,omitempty"`
	// PageSize is ignored: CX Cloud picks the page size itself. A config
	// that sets it still loads, with a warning.
	PageSize int `yaml:"page_size,omitempty"`
	// Plan is how the collections fetch their data: CXCloudPlanBulk (the
	// default) or CXCloudPlanLists.
	Plan string `yaml:"plan,omitempty"`
}

// VendorName implements Source.
func (c *CXCloud) VendorName() string { return "cxcloud" }

// URL returns the API base URL in force, without a trailing slash.
func (c *CXCloud) URL() string {
	if c.BaseURL != "" {
		return trimSlash(c.BaseURL)
	}
	return "https://api-cx.cisco.com/" + url.PathEscape(c.Region) + "/bcs/v2"
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// UnmarshalYAML implements yaml.Unmarshaler, setting CX Cloud's defaults:
// its published limits of 10 requests a second and 10,000 a day.
func (c *CXCloud) UnmarshalYAML(unmarshal func(any) error) error {
	*c = CXCloud{
		Common: commonDefaults(60*time.Second, Budget{
			// Below the 10 a second, so a burst never crosses it.
			RequestsPerSecond: 8,
			RequestsPerDay:    10000,
			Reserve:           0.1,
			Concurrency:       4,
		}),
		TokenURL: CXCloudDefaultTokenURL,
		Plan:     CXCloudPlanBulk,
	}
	type plain CXCloud
	return unmarshal((*plain)(c))
}

func (c *CXCloud) validate(v *validator, at path) {
	c.Common.validate(v, at, CXCloudCollections)
	switch {
	case c.BaseURL != "":
		checkHTTPURL(v, at.add("base_url"), c.BaseURL, "https://api-cx.cisco.com/us/bcs/v2")
		if u, err := url.Parse(trimSlash(c.BaseURL)); err == nil && u.Host != "" {
			segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
			if len(segs) < 3 || segs[len(segs)-3] == "" || !strings.HasSuffix(u.Path, "/bcs/v2") {
				v.errorf(at.add("base_url"), "%s must end in /<region>/bcs/v2, as https://api-cx.cisco.com/us/bcs/v2 does", c.BaseURL)
			}
		}
	case c.Region == "":
		v.errorf(at.add("region"), "set region, as given when the application was registered (us is the one known), or base_url")
	case strings.ContainsAny(c.Region, "/?#% \t"):
		v.errorf(at.add("region"), "region %q must be one path segment, such as us", c.Region)
	}
	checkHTTPURL(v, at.add("token_url"), c.TokenURL, CXCloudDefaultTokenURL)
	if u, err := url.Parse(c.TokenURL); err == nil && strings.EqualFold(u.Hostname(), cxOtherAPITokenHost) {
		v.errorf(at.add("token_url"), "%s signs in to Cisco's other CX Cloud API, whose tokens the BCS Operational Insights API refuses; "+
			"remove token_url to sign in at %s", c.TokenURL, CXCloudDefaultTokenURL)
	}
	required(v, at, "client_id", c.ClientID)
	v.requiredSecret(at, "client_secret", &c.ClientSecret, c.ClientSecretFile, c.ClientSecretEnv)
	if c.Plan != CXCloudPlanBulk && c.Plan != CXCloudPlanLists {
		v.errorf(at.add("plan"), "plan %q must be %s (one bulk/alerts call shared by the collections) or %s (each collection walks its lists)",
			c.Plan, CXCloudPlanBulk, CXCloudPlanLists)
	}
	if c.PageSize != 0 {
		v.warnf(at.add("page_size"), "page_size is ignored: CX Cloud picks the page size itself; remove it")
	}
	if c.Budget.RequestsPerDay == 0 {
		v.errorf(at.add("budget", "requests_per_day"), "CX Cloud counts calls per day: requests_per_day must be set")
	}
}
