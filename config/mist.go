package config

import (
	"maps"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// MistClouds maps each Mist cloud's name to its REST base URL.
var MistClouds = map[string]string{
	"global01": "https://api.mist.com",
	"global02": "https://api.gc1.mist.com",
	"global03": "https://api.ac2.mist.com",
	"global04": "https://api.gc2.mist.com",
	"global05": "https://api.gc4.mist.com",
	"emea01":   "https://api.eu.mist.com",
	"emea02":   "https://api.gc3.mist.com",
	"emea03":   "https://api.ac6.mist.com",
	"emea04":   "https://api.gc6.mist.com",
	"apac01":   "https://api.ac5.mist.com",
	"apac02":   "https://api.gc5.mist.com",
	"apac03":   "https://api.gc7.mist.com",
}

// MistCollections are the collections a Mist source offers, with their
// default intervals. At 1,000 sites and 10,000 devices all of them
// together make about 2,900 calls an hour, within the 4,500 a token's
// 5,000 leave after the reserve (docs/mist.md, "Budget").
var MistCollections = map[string]Collection{
	"sites":     {Enabled: true, Interval: Duration(5 * time.Minute)},
	"devices":   {Enabled: true, Interval: Duration(time.Minute)},
	"clients":   {Enabled: true, Interval: Duration(5 * time.Minute)},
	"alarms":    {Enabled: true, Interval: Duration(time.Minute)},
	"usage":     {Enabled: true, Interval: Duration(5 * time.Minute)},
	"ports":     {Enabled: true, Interval: Duration(5 * time.Minute)},
	"vpn_peers": {Enabled: true, Interval: Duration(5 * time.Minute)},
	"tunnels":   {Enabled: true, Interval: Duration(5 * time.Minute)},
	"bgp_peers": {Enabled: true, Interval: Duration(5 * time.Minute)},
	"mxedges":   {Enabled: true, Interval: Duration(5 * time.Minute)},
	// SLEs are one number per site over a day's window; Mist keeps them in
	// 10-minute buckets at best.
	"sle": {Enabled: true, Interval: Duration(15 * time.Minute)},
}

// The port filter's keep values.
const (
	// KeepUplinks keeps every configured gateway port and the switch ports
	// whose LLDP neighbour is a switch or gateway of the org.
	KeepUplinks = "uplinks"
	// KeepNeighbors keeps the ports with an LLDP neighbour.
	KeepNeighbors = "neighbors"
	// KeepAll keeps every port.
	KeepAll = "all"
)

// MistPorts chooses which switch and gateway ports the ports collection
// exports: of switches and gateways by default, the uplinks, those with an
// LLDP neighbour or all; names such as ge-0/0/1.
type MistPorts struct {
	InterfaceFilter `yaml:",inline"`
}

// Mist is one Juniper Mist organisation.
type Mist struct {
	Common `yaml:",inline"`

	// Cloud names a Mist cloud (global01, emea01, ...); BaseURL overrides it.
	Cloud   string `yaml:"cloud,omitempty"`
	BaseURL string `yaml:"base_url,omitempty"`
	// ConsoleURL is the Mist portal alarms link to (https://manage.mist.com);
	// empty takes the portal of the cloud whose API base_url names, and
	// none for an API host Juniper does not list (a proxy, a private cloud).
	ConsoleURL string `yaml:"console_url,omitempty"`

	Token        Secret `yaml:"token,omitempty"`
	TokenFile    string `yaml:"token_file,omitempty"`
	TokenEnv     string `yaml:"token_env,omitempty"`
	Email        string `yaml:"email,omitempty"`
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`

	// OrgID is discovered from the token's privileges when empty.
	OrgID string     `yaml:"org_id,omitempty"`
	Sites SiteFilter `yaml:"sites,omitempty"`
	// ClientWindow is how far back a client's last sighting counts it as
	// connected.
	ClientWindow Duration `yaml:"client_window,omitempty"`
	// Ports filters the ports collection.
	Ports MistPorts `yaml:"ports,omitempty"`
	// PageSize is the limit of each list and search page, at most 1000.
	PageSize int `yaml:"page_size,omitempty"`
	// WebhookSecret verifies the org's webhooks (X-Mist-Signature-v2); with
	// one set, POST /webhooks/mist accepts them for this source.
	WebhookSecret     Secret `yaml:"webhook_secret,omitempty"`
	WebhookSecretFile string `yaml:"webhook_secret_file,omitempty"`
	WebhookSecretEnv  string `yaml:"webhook_secret_env,omitempty"`
	// Stream is the live device stream over a WebSocket.
	Stream MistStream `yaml:"stream,omitempty"`
}

// MistStream is the WebSocket stream of device stats (mist.md section 15),
// which tells of a device going down within seconds instead of at the next
// poll.
type MistStream struct {
	Enabled bool `yaml:"enabled"`
	// URL is the stream's ws:// or wss:// URL; empty derives it from the
	// REST base URL (api. becomes api-ws.).
	URL string `yaml:"url,omitempty"`
	// Silence is how long a device may send nothing before what the stream
	// said of it is stale.
	Silence Duration `yaml:"silence,omitempty"`
	// ChannelsPerConnection is the most sites one connection subscribes;
	// Mist allows 2000 and warns from 1500.
	ChannelsPerConnection int `yaml:"channels_per_connection,omitempty"`
}

// Stream defaults; MaxStreamChannels is Mist's limit per connection.
const (
	DefaultStreamSilence  = 180 * time.Second
	DefaultStreamChannels = 1000
	MaxStreamChannels     = 2000
)

// SiteFilter keeps only some sites: those named, or matching the regex.
// Empty keeps all.
type SiteFilter struct {
	Names []string `yaml:"names,omitempty"`
	Regex string   `yaml:"regex,omitempty"`

	re *regexp.Regexp
}

// Match reports whether a site of this name is kept.
func (f *SiteFilter) Match(name string) bool {
	if len(f.Names) == 0 && f.Regex == "" {
		return true
	}
	for _, n := range f.Names {
		if n == name {
			return true
		}
	}
	return f.re != nil && f.re.MatchString(name)
}

// VendorName implements Source.
func (m *Mist) VendorName() string { return "mist" }

// UnmarshalYAML implements yaml.Unmarshaler, setting Mist's defaults.
func (m *Mist) UnmarshalYAML(unmarshal func(any) error) error {
	*m = Mist{
		Common: commonDefaults(30*time.Second, Budget{
			RequestsPerSecond: 10,
			RequestsPerHour:   5000,
			Reserve:           0.1,
			Concurrency:       4,
		}),
		ClientWindow: Duration(10 * time.Minute),
		PageSize:     1000,
		Stream: MistStream{
			Enabled:               true,
			Silence:               Duration(DefaultStreamSilence),
			ChannelsPerConnection: DefaultStreamChannels,
		},
	}
	type plain Mist
	return unmarshal((*plain)(m))
}

// URL returns the REST base URL in force, without a trailing slash.
func (m *Mist) URL() string {
	if m.BaseURL != "" {
		return strings.TrimRight(m.BaseURL, "/")
	}
	return MistClouds[m.Cloud]
}

func (m *Mist) validate(v *validator, p path) {
	m.Common.validate(v, p, MistCollections)
	if m.ConsoleURL != "" {
		checkHTTPURL(v, p.add("console_url"), m.ConsoleURL, "https://manage.mist.com")
	}
	switch {
	case m.BaseURL != "":
		checkHTTPURL(v, p.add("base_url"), m.BaseURL, "https://api.mist.com")
	case m.Cloud == "":
		m.Cloud = "global01"
	default:
		if _, ok := MistClouds[m.Cloud]; !ok {
			v.errorf(p.add("cloud"), "unknown Mist cloud %q (known: %s)", m.Cloud, known(maps.Keys(MistClouds)))
		}
	}

	v.secret(p, "token", &m.Token, m.TokenFile, m.TokenEnv)
	v.secret(p, "password", &m.Password, m.PasswordFile, m.PasswordEnv)
	v.secret(p, "webhook_secret", &m.WebhookSecret, m.WebhookSecretFile, m.WebhookSecretEnv)
	login := m.Email != "" || m.Password != "" || m.PasswordFile != ""
	switch {
	case m.Token == "" && m.TokenFile == "" && !login:
		v.errorf(p, "needs credentials: token (or token_file or token_env), or email with password (or password_file or password_env)")
	case (m.Token != "" || m.TokenFile != "") && login:
		v.errorf(p.add("email"), "set either a token or email and password, not both")
	case login && m.Email == "":
		v.errorf(p.add("email"), "email is required with password")
	case login && m.Password == "" && m.PasswordFile == "":
		v.errorf(p.add("password"), "password (or password_file or password_env) is required with email")
	}

	m.Sites.re = checkRegex(v, p.add("sites", "regex"), m.Sites.Regex)
	if m.ClientWindow <= 0 {
		v.errorf(p.add("client_window"), "client_window must be positive")
	}
	checkPageSize(v, p, m.PageSize, 1000)
	m.Ports.validate(v, p.add("ports"))
	m.Stream.validate(v, p.add("stream"))
	if m.Budget.RequestsPerHour == 0 {
		v.errorf(p.add("budget", "requests_per_hour"), "Mist counts calls per hour: requests_per_hour must be set")
	}
}

func (f *MistPorts) validate(v *validator, p path) {
	f.InterfaceFilter.validate(v, p, []string{"switch", "gateway"}, []string{KeepUplinks, KeepNeighbors, KeepAll})
}

func (s *MistStream) validate(v *validator, p path) {
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "wss" && u.Scheme != "ws"):
			v.errorf(p.add("url"), "must be a ws or wss URL such as wss://api-ws.mist.com/api-ws/v1/stream")
		case u.User != nil:
			v.errorf(p.add("url"), "must not carry credentials")
		}
	}
	if s.Silence <= 0 {
		v.errorf(p.add("silence"), "silence must be positive")
	}
	if s.ChannelsPerConnection < 1 || s.ChannelsPerConnection > MaxStreamChannels {
		v.errorf(p.add("channels_per_connection"), "channels_per_connection must be between 1 and %d (Mist's limit per connection)", MaxStreamChannels)
	}
}
