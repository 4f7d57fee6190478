package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors/cxcloud/cxsim"
	"github.com/nmsexporter/nms_exporter/vendors/mist/mistsim"
	"github.com/nmsexporter/nms_exporter/vendors/nautobot/nautobotsim"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/simulators"
)

// fault is one way an API misbehaves, set on each vendor's simulator.
type fault struct {
	name string
	set  map[string]func(*simulators.Simulator)
}

const slow = 2 * time.Second // past the sources' 500ms timeout

var faultMatrix = []fault{
	{"5xx", map[string]func(*simulators.Simulator){
		"mist":    func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{ErrorRate: 1, ErrorStatus: 503}) },
		"prime":   func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{ErrorRate: 1, ErrorStatus: 500}) },
		"cxcloud": func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{ErrorRate: 1, ErrorStatus: 502}) },
		"nautobot": func(s *simulators.Simulator) {
			s.Nautobot.SetFaults(nautobotsim.Faults{ErrorRate: 1, ErrorStatus: 504})
		},
	}},
	{"throttled", map[string]func(*simulators.Simulator){
		"mist":     func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{RateLimit: true}) },
		"prime":    func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{Throttle: true}) },
		"cxcloud":  func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{RateLimit: true}) },
		"nautobot": func(s *simulators.Simulator) { s.Nautobot.SetFaults(nautobotsim.Faults{RateLimit: true}) },
	}},
	{"latency past the timeout", map[string]func(*simulators.Simulator){
		"mist":     func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{Latency: slow}) },
		"prime":    func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{Latency: slow}) },
		"cxcloud":  func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{Latency: slow}) },
		"nautobot": func(s *simulators.Simulator) { s.Nautobot.SetFaults(nautobotsim.Faults{Latency: slow}) },
	}},
	{"connection reset", map[string]func(*simulators.Simulator){
		"mist":     func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{Reset: true}) },
		"prime":    func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{Reset: true}) },
		"cxcloud":  func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{Reset: true}) },
		"nautobot": func(s *simulators.Simulator) { s.Nautobot.SetFaults(nautobotsim.Faults{Reset: true}) },
	}},
	{"truncated body", map[string]func(*simulators.Simulator){
		"mist":     func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{Truncate: true}) },
		"prime":    func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{Truncate: true}) },
		"cxcloud":  func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{Truncate: true}) },
		"nautobot": func(s *simulators.Simulator) { s.Nautobot.SetFaults(nautobotsim.Faults{Truncate: true}) },
	}},
	{"malformed body", map[string]func(*simulators.Simulator){
		"mist":     func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{Malformed: true}) },
		"prime":    func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{Malformed: true}) },
		"cxcloud":  func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{Malformed: true}) },
		"nautobot": func(s *simulators.Simulator) { s.Nautobot.SetFaults(nautobotsim.Faults{Malformed: true}) },
	}},
}

// clearFaults ends every fault.
var clearFaults = map[string]func(*simulators.Simulator){
	"mist":     func(s *simulators.Simulator) { s.Mist.SetFaults(mistsim.Faults{}) },
	"prime":    func(s *simulators.Simulator) { s.Prime.SetFaults(primesim.Faults{}) },
	"cxcloud":  func(s *simulators.Simulator) { s.CXCloud.SetFaults(cxsim.Faults{}) },
	"nautobot": func(s *simulators.Simulator) { s.Nautobot.SetFaults(nautobotsim.Faults{}) },
}

// TestFaultMatrix puts each vendor's simulator through each fault: the
// exporter keeps serving the last good data with nms_collection_success 0,
// and the next refresh after the fault clears recovers.
func TestFaultMatrix(t *testing.T) {
	dir := t.TempDir()
	var sims []*simulators.Simulator
	for _, v := range []string{"mist", "prime", "cxcloud", "nautobot"} {
		s, err := simulators.Start(v, simulators.Options{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		sims = append(sims, s)
	}
	file, err := simulators.DemoConfig(dir, sims)
	if err != nil {
		t.Fatal(err)
	}
	// Short timeouts and no retries: the matrix is about what a failed
	// refresh leaves, and retries have their own tests.
	b, _ := os.ReadFile(file)
	cfg := string(b)
	for _, name := range []string{"demo-mist-1", "demo-prime-1", "demo-cxcloud-1", "demo-nautobot-1"} {
		cfg = replaceOnce(cfg, "  - name: "+name+"\n", "  - name: "+name+"\n    timeout: 500ms\n    budget: {max_retries: 0}\n")
	}
	cfgFile := filepath.Join(dir, "faults.yml")
	writeFile(t, cfgFile, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exp, err := newExporter(ctx, slog.New(slog.DiscardHandler), cfgFile, "")
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{t: t, exp: exp, srv: httptest.NewServer(exp.handler())}
	defer env.srv.Close()
	defer exp.mgr.Stop()
	env.waitReady()

	for _, s := range sims {
		target := "demo-" + s.Vendor + "-1"
		_, before := env.get("/probe?target=" + target)
		series := len(parse(t, before))
		for _, f := range faultMatrix {
			t.Run(s.Vendor+"/"+f.name, func(t *testing.T) {
				// CX Cloud answers an unchanged resource with a 304 and no body,
				// which no body fault can spoil: change the data first, as an
				// upload would, so the faulty bodies are sent.
				bodyFault := f.name == "truncated body" || f.name == "malformed body"
				if s.Vendor == "cxcloud" && bodyFault {
					s.CXCloud.Step()
				}
				f.set[s.Vendor](s)
				env.refresh(target)
				code, body := env.get("/probe?target=" + target)
				mfs := parse(t, body)
				if code != 200 {
					t.Fatalf("/probe during the fault = %d", code)
				}
				if v, _ := value(mfs["nms_source_up"], nil); v != 0 {
					t.Errorf("nms_source_up during the fault = %v; want 0", v)
				}
				for _, m := range mfs["nms_collection_success"].GetMetric() {
					// A CX Cloud collection whose data the upload left alone is
					// still answered 304, and rightly succeeds.
					if m.GetGauge().GetValue() != 0 && !(s.Vendor == "cxcloud" && bodyFault) {
						t.Errorf("collection %v succeeded during the fault; want 0", m.GetLabel())
					}
				}
				if len(mfs) != series {
					t.Errorf("%d families served during the fault; want the last good data's %d", len(mfs), series)
				}
				clearFaults[s.Vendor](s)
				env.refresh(target)
				_, body = env.get("/probe?target=" + target)
				if v, _ := value(parse(t, body)["nms_source_up"], nil); v != 1 {
					t.Errorf("nms_source_up after the fault cleared = %v; want 1", v)
				}
			})
		}
	}
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic(fmt.Sprintf("%q not found", old))
}
