package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nmsexporter/nms_exporter/internal/fileread"
)

// Secret is a string that never prints: it marshals and formats as
// "<secret>", so a config dump, a log line or an error cannot carry it.
type Secret string

const hidden = "<secret>"

// Value returns the secret itself, for the one place that must send it.
func (s Secret) Value() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return hidden
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// Format covers every fmt verb, including %s and %q on the bare type.
func (s Secret) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(s.String()))
}

// MarshalYAML implements yaml.Marshaler.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// readSecretFile reads a secret from a file named relative to the config
// file's folder; trailing newlines are dropped, as editors add them. It
// warns when others than the owner may read the file.
func readSecretFile(v *validator, p path, name string) (Secret, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(v.dir, name)
	}
	b, fi, err := fileread.Regular(name, maxSecretBytes)
	if err != nil {
		// The error names the file, never its content.
		return "", fmt.Errorf("reading secret file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		v.warnf(p, "secret file %s may be read by others than its owner (mode %04o); chmod 600 it", name, fi.Mode().Perm())
	}
	s, err := secretValue(string(b))
	if err != nil {
		return "", fmt.Errorf("secret file %s: %w", name, err)
	}
	return s, nil
}

// secretValue checks a secret read from a file or the environment. A
// line break inside one would split the HTTP header it is sent in.
func secretValue(raw string) (Secret, error) {
	v := strings.TrimRight(raw, "\r\n")
	switch {
	case v == "":
		return "", errors.New("is empty")
	case strings.ContainsAny(v, "\r\n"):
		return "", errors.New("holds a line break inside the secret; a secret is one line")
	}
	return Secret(v), nil
}

// secret resolves a secret given inline, in a file (its *_file field) or
// in an environment variable (its *_env field): one of the three.
func (v *validator) secret(p path, name string, s *Secret, file, env string) {
	set := 0
	for _, given := range []bool{*s != "", file != "", env != ""} {
		if given {
			set++
		}
	}
	switch {
	case set > 1:
		v.errorf(p.add(name), "set one of %s, %s_file and %s_env", name, name, name)
	case file != "":
		val, err := readSecretFile(v, p.add(name+"_file"), file)
		if err != nil {
			v.errorf(p.add(name+"_file"), "%v", err)
			return
		}
		*s = val
	case env != "":
		// The error names the variable, never a value.
		raw := os.Getenv(env)
		if strings.TrimRight(raw, "\r\n") == "" {
			v.errorf(p.add(name+"_env"), "environment variable %s is not set or empty", env)
			return
		}
		val, err := secretValue(raw)
		if err != nil {
			v.errorf(p.add(name+"_env"), "environment variable %s %v", env, err)
			return
		}
		*s = val
	case *s != "":
		val, err := secretValue(string(*s))
		if err != nil {
			v.errorf(p.add(name), "%v", err)
			return
		}
		*s = val
	}
}
