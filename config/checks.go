package config

import (
	"iter"
	"net/url"
	"regexp"
	"slices"
	"strings"
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

// checkRegex compiles a regex setting; nil, for an empty one or an error,
// matches everything.
func checkRegex(v *validator, at path, expr string) *regexp.Regexp {
	if expr == "" {
		return nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		v.errorf(at, "invalid regex: %v", err)
	}
	return re
}

// known lists the values a setting may take, sorted, for an error.
func known(values iter.Seq[string]) string {
	return strings.Join(slices.Sorted(values), ", ")
}

// InterfaceFilter chooses which ports or interfaces a collection exports:
// a large network has hundreds of thousands, a few of which matter. Mist's
// ports and Prime's interfaces differ only in the device types and keep
// values they know.
type InterfaceFilter struct {
	// DeviceTypes are the types of device whose interfaces are kept.
	DeviceTypes []string `yaml:"device_types,omitempty"`
	// Keep is which of those interfaces are kept: KeepUplinks,
	// KeepNeighbors or KeepAll, as the vendor knows them.
	Keep string `yaml:"keep,omitempty"`
	// UpOnly drops the interfaces whose link is down.
	UpOnly bool `yaml:"up_only,omitempty"`
	// Name keeps only the interfaces whose name matches the regex.
	Name string `yaml:"name,omitempty"`

	re *regexp.Regexp
}

// MatchName reports whether the name filter keeps an interface of this
// name.
func (f *InterfaceFilter) MatchName(name string) bool { return f.re == nil || f.re.MatchString(name) }

// KeepsType reports whether interfaces of this device type are kept.
func (f *InterfaceFilter) KeepsType(t string) bool { return slices.Contains(f.DeviceTypes, t) }

// validate checks the filter against the vendor's device types and keep
// values: no device types keeps every type the vendor knows, no keep the
// first of its keeps.
func (f *InterfaceFilter) validate(v *validator, at path, types, keeps []string) {
	if len(f.DeviceTypes) == 0 {
		f.DeviceTypes = slices.Clone(types)
	}
	for i, t := range f.DeviceTypes {
		if !slices.Contains(types, t) {
			v.errorf(at.add("device_types", i), "unknown device type %q (known: %s)", t, known(slices.Values(types)))
		}
	}
	switch {
	case f.Keep == "":
		f.Keep = keeps[0]
	case !slices.Contains(keeps, f.Keep):
		v.errorf(at.add("keep"), "unknown keep %q (known: %s)", f.Keep, known(slices.Values(keeps)))
	}
	f.re = checkRegex(v, at.add("name"), f.Name)
}
