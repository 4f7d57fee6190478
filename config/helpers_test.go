package config

import (
	"strings"
	"testing"
)

// mustParse parses a file the test means to be valid.
func mustParse(t *testing.T, y, name string) *Config {
	t.Helper()
	c, err := Parse([]byte(y), name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantParseError parses a file that must be refused with an error
// containing want, and returns the error for further checks.
func wantParseError(t *testing.T, y, name, want string) error {
	t.Helper()
	_, err := Parse([]byte(y), name)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse(%q) = %v; want an error containing %q", y, err, want)
	}
	return err
}
