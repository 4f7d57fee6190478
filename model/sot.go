package model

import "strings"

// SotDevice is a device as a source of truth records it: where it stands,
// what it is for and whose it is, for the alerts of the vendor sources the
// source of truth describes.
type SotDevice struct {
	Name, Serial, Location, Role, Tenant string
}

// SerialKey is the form in which serial numbers are matched across
// systems: case and surrounding spaces differ between a vendor and the
// source of truth.
func SerialKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// NameKey is the form in which device names are matched across systems.
func NameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
