package config

import (
	"net/url"
	"time"
)

// The defaults and checks the vendor sections share, so that one setting
// reads and fails alike in every section that has it.

// commonDefaults are a section's timeout and budget before its file is
// read; every vendor's requests are retried three times.
func commonDefaults(timeout time.Duration, b Budget) Common {
	b.MaxRetries = 3
	return Common{Timeout: Duration(timeout), Budget: b}
}

// checkHTTPURL reports a URL that is not http(s) or carries credentials.
func checkHTTPURL(v *validator, at path, raw, example string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		v.errorf(at, "must be an http or https URL such as %s", example)
	case u.User != nil:
		v.errorf(at, "must not carry credentials")
	}
}

// requiredURL checks a URL a section cannot do without, such as base_url.
func requiredURL(v *validator, at path, name, raw, example string) {
	if raw == "" {
		v.errorf(at.add(name), "%s is required, such as %s", name, example)
		return
	}
	checkHTTPURL(v, at.add(name), raw, example)
}

// required reports a setting left empty.
func required(v *validator, at path, name, value string) {
	if value == "" {
		v.errorf(at.add(name), "%s is required", name)
	}
}

// checkPageSize checks page_size against the largest page the API serves.
func checkPageSize(v *validator, at path, size, most int) {
	if size < 1 || size > most {
		v.errorf(at.add("page_size"), "page_size %d must be between 1 and %d", size, most)
	}
}

// requiredSecret reads a secret as secret does, and reports it missing
// when it was given none of the three ways.
func (v *validator) requiredSecret(at path, name string, s *Secret, file, env string) {
	v.secret(at, name, s, file, env)
	if *s == "" && file == "" {
		v.errorf(at.add(name), "%s (or %s_file or %s_env) is required", name, name, name)
	}
}
