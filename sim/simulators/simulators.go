// Package simulators starts the vendor simulators on loopback and writes
// the config sections that point the exporter at them: what the demo, the
// `simulate` command and the end-to-end tests share.
package simulators

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Options choose a simulator's data and behaviour.
type Options struct {
	Listen string // host:port; "" = 127.0.0.1 on a free port
	Size   string // small, medium or large
	Seed   int64
	// Step is how often the simulated world changes (devices flap, alarms
	// come and go); 0 = never.
	Step time.Duration
	// RetryAfter makes the simulator send Retry-After on 429s.
	RetryAfter bool
	// HourlyLimit overrides the simulated hourly call budget.
	HourlyLimit int
	// Mirror gives a Nautobot simulator the other simulators' devices to
	// hold, with deliberate drift; without it Nautobot makes its own.
	Mirror []*Simulator
	// Unlimited lifts the simulated rate limits and quotas, for benchmarks
	// that refresh far more often than a vendor allows.
	Unlimited bool
	// PrimeSessions is how many sessions Prime keeps per user: 0 is its
	// own 5, negative is no limit.
	PrimeSessions int
	// Observe, when set, is told how long each request took to serve.
	Observe func(time.Duration)
	// PageCap caps the page a client may ask for (0 = the vendor's own):
	// Mist's largest limit, Prime's largest .maxResults (a larger one is
	// served clamped), CX Cloud's page size and Nautobot's MAX_PAGE_SIZE.
	PageCap int
	// Faults are switched on from the start: fault names with their
	// values, "" for on (see simkit.SetFault).
	Faults map[string]string
	// Front, when set, wraps the simulator's API handler, as a proxy in
	// front of the vendor would; the fault switch stays outside it.
	Front func(http.Handler) http.Handler
	// ConnState, when set, is told of each connection's changes of state,
	// as http.Server.ConnState is.
	ConnState func(net.Conn, http.ConnState)
}

// Simulator is one running simulator. Its JSON, which `nms_exporter
// simulate` prints, names each value as the vendor's config section does,
// in the form the section takes it: base_url, token_url and the
// credentials paste into a config as they are.
type Simulator struct {
	Vendor   string `json:"vendor"`
	BaseURL  string `json:"base_url"`
	TokenURL string `json:"token_url,omitempty"`
	simkit.Credentials
	Size string `json:"size"`
	Seed int64  `json:"seed"`
	// FaultsURL switches faults while the simulator runs (see
	// ServeFaults).
	FaultsURL string `json:"faults_url"`
	// Server is the vendor's own simulator (a *mistsim.Server, ...), for
	// tests that drive its world.
	Server simkit.Server `json:"-"`
	// Traits are how the vendor's API refuses and what it answers without
	// a body: what decides the shared faults' effect on a client.
	Traits simkit.Traits `json:"-"`
	built  *simkit.Built
	srv    *http.Server
	stop   context.CancelFunc
	done   chan struct{}
}

// Set is the simulators the exporter knows, in the vendor list's order.
type Set struct {
	specs []simkit.Spec
}

// New returns the set of the simulators specs build.
func New(specs ...simkit.Spec) *Set { return &Set{specs: specs} }

// Vendors lists the vendors that have a simulator, in the set's order.
func (s *Set) Vendors() []string {
	out := make([]string, len(s.specs))
	for i, sp := range s.specs {
		out[i] = sp.Vendor
	}
	return out
}

// StartAll starts simulators of every vendor, in the set's order: one for
// each of seeds[vendor], or one at o.Seed. A source of truth starts after
// the others and holds their devices. On an error, those started are
// closed.
func (s *Set) StartAll(o Options, seeds map[string][]int64) ([]*Simulator, error) {
	var sims []*Simulator
	for _, last := range []bool{false, true} {
		for _, sp := range s.specs {
			if sp.Mirrors != last {
				continue
			}
			vo := o
			if sp.Mirrors {
				vo.Mirror = sims
			}
			each := seeds[sp.Vendor]
			if len(each) == 0 {
				each = []int64{o.Seed}
			}
			for _, seed := range each {
				vo.Seed = seed
				sim, err := s.Start(sp.Vendor, vo)
				if err != nil {
					for _, started := range sims {
						_ = started.Close()
					}
					return nil, err
				}
				sims = append(sims, sim)
			}
		}
	}
	return sims, nil
}

// mirrorOf lists the devices of simulators, as the exporter names them and
// their sites, for a source of truth to hold.
func mirrorOf(sims []*Simulator) []simkit.DeviceSeed {
	var out []simkit.DeviceSeed
	for _, s := range sims {
		if s.built.Devices != nil {
			out = append(out, s.built.Devices()...)
		}
	}
	return out
}

// secretFile writes a credential to a file only its owner may read, and
// returns the file's name for a *_file field.
func secretFile(dir, name, secret string) (string, error) {
	return name, os.WriteFile(filepath.Join(dir, name), []byte(secret+"\n"), 0o600)
}

// Start serves one vendor's simulator until Close.
func (s *Set) Start(vendor string, o Options) (*Simulator, error) {
	i := slices.IndexFunc(s.specs, func(sp simkit.Spec) bool { return sp.Vendor == vendor })
	if i < 0 {
		return nil, fmt.Errorf("no simulator for vendor %q (have: %v)", vendor, s.Vendors())
	}
	if o.Size == "" {
		o.Size = "small"
	}
	if o.PageCap < 0 {
		return nil, fmt.Errorf("%s simulator: negative page cap %d", vendor, o.PageCap)
	}
	built, err := s.specs[i].Build(simkit.Setup{Size: o.Size, Seed: o.Seed, RetryAfter: o.RetryAfter, HourlyLimit: o.HourlyLimit,
		Unlimited: o.Unlimited, Sessions: o.PrimeSessions, PageCap: o.PageCap, Mirror: mirrorOf(o.Mirror)})
	if err != nil {
		return nil, err
	}
	sim := &Simulator{Credentials: built.Credentials, Server: built.Server, Traits: built.Server.Traits(), built: built}
	for _, name := range slices.Sorted(maps.Keys(o.Faults)) {
		if err := sim.SetFault(name, o.Faults[name]); err != nil {
			return nil, fmt.Errorf("%s simulator: %w", vendor, err)
		}
	}
	var h http.Handler = built.Server
	addr := o.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s simulator: %w", vendor, err)
	}
	sim.Vendor, sim.Size, sim.Seed = vendor, o.Size, o.Seed
	root := "http://" + ln.Addr().String()
	sim.BaseURL, sim.FaultsURL = root+built.Credentials.BasePath, root+FaultsPath
	if built.Credentials.TokenPath != "" {
		sim.TokenURL = root + built.Credentials.TokenPath
	}
	if o.Observe != nil {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			inner.ServeHTTP(w, r)
			o.Observe(time.Since(start))
		})
	}
	if o.Front != nil {
		h = o.Front(h)
	}
	h = sim.withControl(h)
	sim.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: o.ConnState}
	ctx, cancel := context.WithCancel(context.Background())
	sim.stop, sim.done = cancel, make(chan struct{})
	go func() { _ = sim.srv.Serve(ln) }()
	go func() {
		defer close(sim.done)
		if o.Step <= 0 {
			<-ctx.Done()
			return
		}
		t := time.NewTicker(o.Step)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				built.Server.Step()
			}
		}
	}()
	return sim, nil
}

// Step changes the simulated world once, as Options.Step does on its
// ticker.
func (s *Simulator) Step() { s.Server.Step() }

// Close stops the simulator.
func (s *Simulator) Close() error {
	s.stop()
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return s.srv.Close()
	}
	return err
}

// DemoConfig writes a config file into dir that points one source at each
// simulator, with short intervals so the demo shows changes within a minute,
// and the credentials in files beside it. It returns the file's path.
func DemoConfig(dir string, sims []*Simulator) (string, error) {
	var b strings.Builder
	b.WriteString("# Generated by nms_exporter --demo: every source is a local simulator.\n")
	byVendor := map[string][]*Simulator{}
	for _, s := range sims {
		byVendor[s.Vendor] = append(byVendor[s.Vendor], s)
	}
	vendors := slices.Sorted(maps.Keys(byVendor))
	// The source of truth describes the sources it mirrors.
	var peers []string
	for _, vendor := range vendors {
		for i, s := range byVendor[vendor] {
			if s.built.Devices != nil {
				peers = append(peers, demoName(vendor, i))
			}
		}
	}
	for _, vendor := range vendors {
		fmt.Fprintf(&b, "%s:\n", vendor)
		for i, s := range byVendor[vendor] {
			name := demoName(vendor, i)
			section, err := s.built.Section(simkit.SectionArgs{Name: name, BaseURL: s.BaseURL, TokenURL: s.TokenURL, Peers: peers,
				Secret: func(suffix, value string) (string, error) { return secretFile(dir, name+"."+suffix, value) }})
			if err != nil {
				return "", err
			}
			b.WriteString(section)
		}
	}
	file := filepath.Join(dir, "nms_exporter.yml")
	return file, os.WriteFile(file, []byte(b.String()), 0o600)
}

// demoName names the demo's i-th source of a vendor.
func demoName(vendor string, i int) string { return fmt.Sprintf("demo-%s-%d", vendor, i+1) }

// Calls is the API calls the simulator has served since its last reset.
func (s *Simulator) Calls() int { return s.Server.Calls() }

// ResetCalls sets the call count to zero.
func (s *Simulator) ResetCalls() { s.Server.ResetCalls() }
