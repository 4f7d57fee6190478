// Package simulators starts the vendor simulators on loopback and writes
// the config sections that point the exporter at them: what the demo, the
// `simulate` command and the end-to-end tests share.
package simulators

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
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
	Vendor       string              `json:"vendor"`
	BaseURL      string              `json:"base_url"`
	APIVersion   string              `json:"api_version,omitempty"`
	Token        string              `json:"token,omitempty"`
	Email        string              `json:"email,omitempty"`
	Password     string              `json:"password,omitempty"`
	OrgID        string              `json:"org_id,omitempty"`
	Size         string              `json:"size"`
	Seed         int64               `json:"seed"`
	Username     string              `json:"username,omitempty"`
	TokenURL     string              `json:"token_url,omitempty"`
	ClientID     string              `json:"client_id,omitempty"`
	ClientSecret string              `json:"client_secret,omitempty"`
	Mist         *mistsim.Server     `json:"-"`
	Prime        *primesim.Server    `json:"-"`
	CXCloud      *cxsim.Server       `json:"-"`
	Nautobot     *nautobotsim.Server `json:"-"`
	// FaultsURL switches faults while the simulator runs (see
	// ServeFaults).
	FaultsURL string `json:"faults_url"`
	// Traits are how the vendor's API refuses and what it answers without
	// a body: what decides the shared faults' effect on a client.
	Traits simkit.Traits `json:"-"`
	faults *faultControl
	step   func()
	// section writes this simulator's config section, its secrets in files
	// in dir.
	section func(name, dir string, peers []string) (string, error)
	srv     *http.Server
	stop    context.CancelFunc
	done    chan struct{}
}

// Vendors lists the vendors that have a simulator.
func Vendors() []string {
	out := make([]string, 0, len(starters))
	for v := range starters {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

type starter func(o Options) (http.Handler, *Simulator, func(), error)

var starters = map[string]starter{
	"mist":     startMist,
	"prime":    startPrime,
	"cxcloud":  startCXCloud,
	"nautobot": startNautobot,
}

func startMist(o Options) (http.Handler, *Simulator, func(), error) {
	hourly := o.HourlyLimit
	if o.Unlimited {
		hourly = math.MaxInt32
	}
	s, err := mistsim.New(mistsim.Options{Seed: o.Seed, Size: o.Size, RetryAfter: o.RetryAfter, HourlyLimit: hourly, MaxLimit: o.PageCap})
	if err != nil {
		return nil, nil, nil, err
	}
	c := s.Credentials()
	sim := &Simulator{Token: c.Token, Email: c.Email, Password: c.Password, OrgID: c.OrgID, Mist: s, Traits: s.Traits(), faults: controlOf(s)}
	sim.section = func(name, dir string, _ []string) (string, error) {
		file, err := secretFile(dir, name+".token", c.Token)
		return fmt.Sprintf(`  - name: %s
    base_url: %s
    token_file: %s
    collections:
      sites: {interval: 30s}
      devices: {interval: 15s}
      clients: {interval: 30s}
      alarms: {interval: 15s}
      usage: {interval: 60s}
`, name, sim.BaseURL, file), err
	}
	return s, sim, s.Step, nil
}

func startPrime(o Options) (http.Handler, *Simulator, func(), error) {
	po := primesim.Options{Seed: o.Seed, Size: o.Size, MaxSessions: o.PrimeSessions}
	if o.Unlimited {
		po.RateLimit = -1
	}
	if o.PageCap > 0 {
		po.PageLimit, po.ClampMaxResults = o.PageCap, true
		po.DefaultPageSize = min(o.PageCap, primesim.DefaultMaxResults)
	}
	s, err := primesim.New(po)
	if err != nil {
		return nil, nil, nil, err
	}
	c := s.Credentials()
	sim := &Simulator{Username: c.Username, Password: c.Password, Prime: s, Traits: s.Traits(), faults: controlOf(s)}
	sim.section = func(name, dir string, _ []string) (string, error) {
		file, err := secretFile(dir, name+".password", c.Password)
		return fmt.Sprintf(`  - name: %s
    base_url: %s
    username: %s
    password_file: %s
    collections:
      access_points: {interval: 30s}
      clients: {interval: 30s}
      devices: {interval: 60s}
      alarms: {interval: 15s}
`, name, sim.BaseURL, c.Username, file), err
	}
	return s, sim, s.Step, nil
}

func startCXCloud(o Options) (http.Handler, *Simulator, func(), error) {
	co := cxsim.Options{Seed: o.Seed, Size: o.Size, PageSize: o.PageCap}
	if o.Unlimited {
		co.PerSecond, co.PerDay = math.MaxInt32, math.MaxInt32
	}
	s, err := cxsim.New(co)
	if err != nil {
		return nil, nil, nil, err
	}
	c := s.Credentials()
	sim := &Simulator{ClientID: c.ClientID, ClientSecret: c.ClientSecret, CXCloud: s, Traits: s.Traits(), faults: controlOf(s)}
	sim.section = func(name, dir string, _ []string) (string, error) {
		file, err := secretFile(dir, name+".secret", c.ClientSecret)
		return fmt.Sprintf(`  - name: %s
    base_url: %s
    token_url: %s
    client_id: %s
    client_secret_file: %s
    collections:
      inventory: {interval: 60s}
      field_notices: {interval: 60s}
      advisories: {interval: 60s}
      eox: {interval: 120s}
`, name, sim.BaseURL, sim.TokenURL, c.ClientID, file), err
	}
	return s, sim, s.Step, nil
}

func startNautobot(o Options) (http.Handler, *Simulator, func(), error) {
	s, err := nautobotsim.New(nautobotsim.Options{Seed: o.Seed, Size: o.Size, Mirror: mirrorOf(o.Mirror), MaxPageSize: o.PageCap})
	if err != nil {
		return nil, nil, nil, err
	}
	c := s.Credentials()
	sim := &Simulator{Token: c.Token, APIVersion: c.Version, Nautobot: s, Traits: s.Traits(), faults: controlOf(s)}
	sim.section = func(name, dir string, peers []string) (string, error) {
		file, err := secretFile(dir, name+".token", c.Token)
		return fmt.Sprintf(`  - name: %s
    base_url: %s
    token_file: %s
    api_version: "%s"
    describes: [%s]
    collections:
      status: {interval: 30s}
      devices: {interval: 30s}
      locations: {interval: 60s}
      ipam: {interval: 60s}
`, name, sim.BaseURL, file, c.Version, strings.Join(peers, ", ")), err
	}
	return s, sim, s.Step, nil
}

// mirrorOf lists the devices of simulators, as the exporter names them and
// their sites, for a source of truth to hold.
func mirrorOf(sims []*Simulator) []nautobotsim.DeviceSeed {
	var out []nautobotsim.DeviceSeed
	for _, s := range sims {
		switch {
		case s.Mist != nil:
			for _, d := range s.Mist.Devices() {
				out = append(out, nautobotsim.DeviceSeed{Serial: d.Serial, Name: d.Name, Site: d.Site, Vendor: "Juniper", Type: d.Type})
			}
		case s.Prime != nil:
			for _, ap := range s.Prime.APs() {
				out = append(out, nautobotsim.DeviceSeed{Serial: ap.Serial, Name: ap.Name, Site: ap.Site, Vendor: "Cisco", Type: "ap"})
			}
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
func Start(vendor string, o Options) (*Simulator, error) {
	st, ok := starters[vendor]
	if !ok {
		return nil, fmt.Errorf("no simulator for vendor %q (have: %v)", vendor, Vendors())
	}
	if o.Size == "" {
		o.Size = "small"
	}
	if o.PageCap < 0 {
		return nil, fmt.Errorf("%s simulator: negative page cap %d", vendor, o.PageCap)
	}
	h, sim, step, err := st(o)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(o.Faults)) {
		if err := sim.SetFault(name, o.Faults[name]); err != nil {
			return nil, fmt.Errorf("%s simulator: %w", vendor, err)
		}
	}
	addr := o.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s simulator: %w", vendor, err)
	}
	sim.Vendor, sim.Size, sim.Seed, sim.step = vendor, o.Size, o.Seed, step
	sim.BaseURL = "http://" + ln.Addr().String()
	sim.FaultsURL = sim.BaseURL + FaultsPath
	if sim.CXCloud != nil {
		// The data is under /{region}/bcs/v2, the token beside it.
		c := sim.CXCloud.Credentials()
		sim.TokenURL = sim.BaseURL + c.TokenPath()
		sim.BaseURL += c.BasePath()
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
		if o.Step <= 0 || step == nil {
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
				step()
			}
		}
	}()
	return sim, nil
}

// Step changes the simulated world once, as Options.Step does on its
// ticker.
func (s *Simulator) Step() {
	if s.step != nil {
		s.step()
	}
}

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
	// The source of truth describes the sources it mirrors.
	var peers []string
	for _, vendor := range Vendors() {
		for i, s := range byVendor[vendor] {
			if s.Mist != nil || s.Prime != nil {
				peers = append(peers, demoName(vendor, i))
			}
		}
	}
	for _, vendor := range Vendors() {
		if len(byVendor[vendor]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s:\n", vendor)
		for i, s := range byVendor[vendor] {
			section, err := s.section(demoName(vendor, i), dir, peers)
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

// counter is what every simulator counts.
type counter interface {
	Calls() int
	ResetCalls()
}

func (s *Simulator) counter() counter {
	switch {
	case s.Mist != nil:
		return s.Mist
	case s.Prime != nil:
		return s.Prime
	case s.CXCloud != nil:
		return s.CXCloud
	case s.Nautobot != nil:
		return s.Nautobot
	}
	return nil
}

// Calls is the API calls the simulator has served since its last reset.
func (s *Simulator) Calls() int { return s.counter().Calls() }

// ResetCalls sets the call count to zero.
func (s *Simulator) ResetCalls() { s.counter().ResetCalls() }
