package config

import (
	"net/url"
	"time"
)

// Alertmanager configures the direct push of active vendor alarms to
// Alertmanager's v2 API. Without URLs nothing is pushed.
type Alertmanager struct {
	URLs    []string `yaml:"urls"`
	Timeout Duration `yaml:"timeout,omitempty"`
	// ResendInterval must stay below Alertmanager's resolve_timeout
	// (5m by default), or active alerts would resolve between sends.
	ResendInterval Duration `yaml:"resend_interval,omitempty"`
	// MinSeverity is the lowest alarm severity pushed: critical, major,
	// minor, warning or info.
	MinSeverity string `yaml:"min_severity,omitempty"`
	// Sources limits the push to these sources; empty pushes every source.
	Sources []string `yaml:"sources,omitempty"`
	// Mode is alarms (one alert per active vendor alarm) or aggregated
	// (one per site, device, severity and category, with a count).
	Mode string `yaml:"mode,omitempty"`
	// MaxAlertsPerSource caps the alerts of one source in the alarms
	// mode: beyond it the least severe, newest alarms are left out.
	MaxAlertsPerSource int `yaml:"max_alerts_per_source,omitempty"`
	// Acknowledged says what an alarm acknowledged at the vendor does to
	// its alert in the alarms mode: label, resolve or silence.
	Acknowledged    string     `yaml:"acknowledged,omitempty"`
	TLS             TLS        `yaml:"tls,omitempty"`
	BasicAuth       *BasicAuth `yaml:"basic_auth,omitempty"`
	BearerToken     Secret     `yaml:"bearer_token,omitempty"`
	BearerTokenFile string     `yaml:"bearer_token_file,omitempty"`
	BearerTokenEnv  string     `yaml:"bearer_token_env,omitempty"`
}

// BasicAuth is a username and password for HTTP basic auth.
type BasicAuth struct {
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
}

// The alert bridge's modes.
const (
	ModeAlarms     = "alarms"
	ModeAggregated = "aggregated"
)

// What an acknowledged alarm's alert does (Alertmanager.Acknowledged).
const (
	AckLabel   = "label"
	AckResolve = "resolve"
	AckSilence = "silence"
)

// DefaultMaxAlertsPerSource is max_alerts_per_source's default: far above
// what a person reads, far below what a flood of a large Prime server's
// alarms would make.
const DefaultMaxAlertsPerSource = 5000

// maxAlertsPerSource bounds max_alerts_per_source: the bridge keeps a
// record of each alert it pushes.
const maxAlertsPerSource = 1_000_000

// Severities orders the exporter's alarm severities, most severe first.
var Severities = []string{"critical", "major", "minor", "warning", "info"}

// UnmarshalYAML implements yaml.Unmarshaler, setting the defaults.
func (a *Alertmanager) UnmarshalYAML(unmarshal func(any) error) error {
	*a = Alertmanager{
		Timeout:        Duration(10 * time.Second),
		ResendInterval: Duration(time.Minute),
		MinSeverity:    "warning",
		Mode:           ModeAlarms,
		Acknowledged:   AckLabel,

		MaxAlertsPerSource: DefaultMaxAlertsPerSource,
	}
	type plain Alertmanager
	return unmarshal((*plain)(a))
}

func (a *Alertmanager) validate(v *validator, at path, seen map[string]string) {
	if len(a.URLs) == 0 {
		v.errorf(at.add("urls"), "list at least one Alertmanager URL, such as http://alertmanager:9093")
	}
	for i, raw := range a.URLs {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			v.errorf(at.add("urls", i), "must be an http or https URL without credentials, such as http://alertmanager:9093")
		}
	}
	if a.ResendInterval <= 0 || time.Duration(a.ResendInterval) >= 5*time.Minute {
		v.errorf(at.add("resend_interval"), "resend_interval %s must be positive and below Alertmanager's resolve_timeout of 5m", a.ResendInterval)
	}
	if a.Timeout <= 0 {
		v.errorf(at.add("timeout"), "timeout must be positive")
	}
	ok := false
	for _, s := range Severities {
		ok = ok || s == a.MinSeverity
	}
	if !ok {
		v.errorf(at.add("min_severity"), "min_severity %q must be one of critical, major, minor, warning, info", a.MinSeverity)
	}
	if a.Mode != ModeAlarms && a.Mode != ModeAggregated {
		v.errorf(at.add("mode"), "mode %q must be alarms or aggregated", a.Mode)
	}
	if a.MaxAlertsPerSource < 1 || a.MaxAlertsPerSource > maxAlertsPerSource {
		v.errorf(at.add("max_alerts_per_source"), "max_alerts_per_source %d must be between 1 and %d", a.MaxAlertsPerSource, maxAlertsPerSource)
	}
	switch a.Acknowledged {
	case AckLabel, AckResolve, AckSilence:
		if a.Acknowledged != AckLabel && a.Mode == ModeAggregated {
			v.errorf(at.add("acknowledged"), "acknowledged: %s needs mode: alarms; an aggregated alert stands for several alarms", a.Acknowledged)
		}
	default:
		v.errorf(at.add("acknowledged"), "acknowledged %q must be label, resolve or silence", a.Acknowledged)
	}
	for i, s := range a.Sources {
		if _, found := seen[s]; !found {
			v.errorf(at.add("sources", i), "no source is named %q", s)
		}
	}
	if a.BasicAuth != nil {
		b := a.BasicAuth
		v.secret(at.add("basic_auth"), "password", &b.Password, b.PasswordFile, b.PasswordEnv)
		if b.Username == "" || b.Password == "" {
			v.errorf(at.add("basic_auth"), "basic_auth needs a username and a password (or password_file or password_env)")
		}
	}
	v.secret(at, "bearer_token", &a.BearerToken, a.BearerTokenFile, a.BearerTokenEnv)
	if a.BasicAuth != nil && a.BearerToken != "" {
		v.errorf(at.add("bearer_token"), "set basic_auth or a bearer token, not both")
	}
}
