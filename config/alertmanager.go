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
	Sources         []string   `yaml:"sources,omitempty"`
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

// Severities orders the exporter's alarm severities, most severe first.
var Severities = []string{"critical", "major", "minor", "warning", "info"}

// UnmarshalYAML implements yaml.Unmarshaler, setting the defaults.
func (a *Alertmanager) UnmarshalYAML(unmarshal func(any) error) error {
	*a = Alertmanager{
		Timeout:        Duration(10 * time.Second),
		ResendInterval: Duration(time.Minute),
		MinSeverity:    "warning",
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
