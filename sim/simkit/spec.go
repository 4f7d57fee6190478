package simkit

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// Spec is what a simulator package hands sim/simulators: its vendor's name
// and how to build it. Each simulator declares its own, so starting one
// needs no code that names vendors.
type Spec struct {
	Vendor string
	Build  func(Setup) (*Built, error)
	// Mirrors: the simulator is a source of truth, built to hold the
	// devices of the others (Setup.Mirror).
	Mirrors bool
}

// Setup is what every simulator is built from; a simulator reads the
// fields its vendor has and leaves the others.
type Setup struct {
	Size string // small, medium or large
	Seed int64
	// RetryAfter sends Retry-After on 429s, where the vendor may.
	RetryAfter bool
	// HourlyLimit overrides a simulated hourly call budget.
	HourlyLimit int
	// Unlimited lifts the simulated rate limits and quotas.
	Unlimited bool
	// Sessions is how many sessions the vendor keeps per user: 0 is its
	// own number, negative no limit.
	Sessions int
	// PageCap caps the page a client may ask for (0 = the vendor's own).
	PageCap int
	// Mirror gives a source of truth other simulators' devices to hold.
	Mirror []DeviceSeed
}

// DeviceSeed is one device a source of truth is to hold, as the exporter
// names it and its site.
type DeviceSeed struct {
	Serial, Name, Site, Vendor string
	Type                       string // ap, switch, gateway, router, controller, other
}

// Server is what sim/simulators needs of a running simulator.
type Server interface {
	http.Handler
	Calls() int
	ResetCalls()
	Traits() Traits
	Step()
}

// Credentials are what a client signs in with, named as the vendor's
// config section names them.
type Credentials struct {
	APIVersion   string `json:"api_version,omitempty"`
	Token        string `json:"token,omitempty"`
	Email        string `json:"email,omitempty"`
	Password     string `json:"password,omitempty"`
	OrgID        string `json:"org_id,omitempty"`
	Username     string `json:"username,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// BasePath and TokenPath are where the API and its token endpoint sit
	// on the listener ("" = at its root, and no token endpoint).
	BasePath  string `json:"-"`
	TokenPath string `json:"-"`
}

// Built is a simulator before it listens.
type Built struct {
	Server      Server
	Faults      *FaultControl
	Credentials Credentials
	// Devices lists the devices a source of truth would mirror; nil for a
	// simulator whose devices no source of truth holds.
	Devices func() []DeviceSeed
	// Section writes the simulator's config section for the exporter.
	Section func(SectionArgs) (string, error)
}

// Serve completes b with the simulator s and its fault control.
func Serve[F any, S interface {
	Server
	Switched[F]
}](s S, b Built) (*Built, error) {
	b.Server, b.Faults = s, ControlOf[F](s)
	return &b, nil
}

// SectionArgs are what a config section needs once the simulator listens.
type SectionArgs struct {
	Name     string // the source's name
	BaseURL  string
	TokenURL string
	// Peers are the sources a source of truth describes.
	Peers []string
	// Secret writes a credential to a file beside the config and returns
	// the file's name, for a *_file field; suffix names the kind (token,
	// password, ...).
	Secret func(suffix, value string) (string, error)
}

// Switched is a simulator's side of the fault switch.
type Switched[F any] interface {
	Faults() F
	SetFaults(F)
}

// FaultControl reads and writes one simulator's faults by name, as its
// own Faults type. It is safe for concurrent use.
type FaultControl struct {
	mu    sync.Mutex // one change at a time: each reads, changes and sets
	names []string
	get   func() any // a pointer to a copy of the faults in force
	set   func(any)
}

// ControlOf returns the fault control of s.
func ControlOf[F any](s Switched[F]) *FaultControl {
	var zero F
	return &FaultControl{
		names: FaultNames(zero),
		get:   func() any { f := s.Faults(); return &f },
		set:   func(f any) { s.SetFaults(*f.(*F)) },
	}
}

// Names lists the faults the simulator takes: the shared ones and its
// vendor's own.
func (c *FaultControl) Names() []string { return c.names }

// Set switches the fault name on, with value as SetFault reads it.
func (c *FaultControl) Set(name, value string) error {
	return c.change(func(f any) error { return SetFault(f, name, value) })
}

// Clear switches the fault name off.
func (c *FaultControl) Clear(name string) error {
	return c.change(func(f any) error { return ClearFault(f, name) })
}

// ClearAll switches every fault off.
func (c *FaultControl) ClearAll() {
	_ = c.change(func(f any) error {
		for _, name := range c.names {
			_ = ClearFault(f, name)
		}
		return nil
	})
}

// On lists the faults switched on, by name, with their values.
func (c *FaultControl) On() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return FaultsOn(c.get())
}

// change applies fn to the faults in force and switches to the result.
func (c *FaultControl) change(fn func(f any) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.get()
	if err := fn(f); err != nil {
		return err
	}
	c.set(f)
	return nil
}

// Write writes a source's config section: its name and base_url, then
// fields ("key: value") and the collections with their intervals
// ("name interval").
func (a SectionArgs) Write(fields []string, collections ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    base_url: %s\n", a.Name, a.BaseURL)
	for _, f := range fields {
		fmt.Fprintf(&b, "    %s\n", f)
	}
	b.WriteString("    collections:\n")
	for _, c := range collections {
		name, interval, _ := strings.Cut(c, " ")
		fmt.Fprintf(&b, "      %s: {interval: %s}\n", name, interval)
	}
	return b.String()
}
