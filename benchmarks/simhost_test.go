package benchmarks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// The simulators run in a process of their own, as a vendor's API does:
// the exporter's memory and garbage collection are then its own. The test
// binary starts itself again as that process.
const (
	hostVendorsEnv = "NMS_BENCH_SIMULATORS" // vendors to serve, comma-separated
	hostDirEnv     = "NMS_BENCH_DIR"        // where to write the config
	hostSizeEnv    = "NMS_BENCH_SIZE"
	hostLimitsEnv  = "NMS_BENCH_UNLIMITED" // "1" lifts the simulated limits
	// NMS_BENCH_LATENCY (a duration) is added to every simulated answer, as
	// a vendor's network and servers add it.
	latencyEnv = "NMS_BENCH_LATENCY"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(hostVendorsEnv); v != "" {
		o := simulators.Options{Seed: 1, Size: os.Getenv(hostSizeEnv), Unlimited: os.Getenv(hostLimitsEnv) == "1"}
		latency, _ := time.ParseDuration(os.Getenv(latencyEnv))
		if err := serveSimulators(strings.Split(v, ","), o, latency, os.Getenv(hostDirEnv), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// hostStats is what the simulator process reports since its last reset.
type hostStats struct {
	Calls  map[string]int           `json:"calls"`
	Median map[string]time.Duration `json:"median"` // time to serve a request
}

// serveSimulators starts the simulators, writes the config that points at
// them into dir, says "ready", then answers "reset" and "stats" lines on in
// until in closes.
func serveSimulators(vendors []string, o simulators.Options, latency time.Duration, dir string, in io.Reader, out io.Writer) error {
	var mu sync.Mutex
	served := map[string][]time.Duration{}
	var sims []*simulators.Simulator
	defer func() {
		for _, s := range sims {
			_ = s.Close()
		}
	}()
	for _, v := range vendors {
		o.Observe = func(d time.Duration) {
			mu.Lock()
			served[v] = append(served[v], d)
			mu.Unlock()
		}
		s, err := registry.Simulators.Start(v, o)
		if err != nil {
			return err
		}
		if latency > 0 {
			withLatency(s, latency)
		}
		sims = append(sims, s)
	}
	if _, err := simulators.DemoConfig(dir, sims); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready")
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		switch lines.Text() {
		case "reset":
			mu.Lock()
			clear(served)
			mu.Unlock()
			for _, s := range sims {
				s.ResetCalls()
			}
			fmt.Fprintln(out, "{}")
		case "stats":
			st := hostStats{Calls: map[string]int{}, Median: map[string]time.Duration{}}
			mu.Lock()
			for _, s := range sims {
				st.Calls[s.Vendor] = s.Calls()
				if d := served[s.Vendor]; len(d) > 0 {
					d = slices.Clone(d)
					slices.Sort(d)
					st.Median[s.Vendor] = d[len(d)/2]
				}
			}
			mu.Unlock()
			line, _ := json.Marshal(st)
			fmt.Fprintln(out, string(line))
		}
	}
	return lines.Err()
}

// withLatency has a simulator wait d before each answer.
func withLatency(s *simulators.Simulator, d time.Duration) {
	s.ClearFaults()
	if d > 0 {
		_ = s.SetFault("latency", d.String())
	}
}

// simHost is the simulator process, seen from the benchmark.
type simHost struct {
	config string
	in     io.WriteCloser
	out    *bufio.Scanner
}

// startSimHost starts the simulators of vendors at size in their own
// process and returns it once the config pointing at them is written.
// Unlimited lifts their rate limits and quotas.
func startSimHost(b *testing.B, size string, unlimited bool, vendors ...string) *simHost {
	b.Helper()
	dir := b.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), hostVendorsEnv+"="+strings.Join(vendors, ","), hostSizeEnv+"="+size, hostDirEnv+"="+dir)
	if unlimited {
		cmd.Env = append(cmd.Env, hostLimitsEnv+"=1")
	}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close()
		_ = cmd.Wait()
	})
	h := &simHost{config: dir + "/nms_exporter.yml", in: in, out: bufio.NewScanner(stdout)}
	if !h.out.Scan() || h.out.Text() != "ready" {
		b.Fatalf("the simulator process did not start: %q %v", h.out.Text(), h.out.Err())
	}
	return h
}

func (h *simHost) ask(b *testing.B, cmd string, v any) {
	b.Helper()
	fmt.Fprintln(h.in, cmd)
	if !h.out.Scan() {
		b.Fatalf("the simulator process ended: %v", h.out.Err())
	}
	if err := json.Unmarshal(h.out.Bytes(), v); err != nil {
		b.Fatalf("%s: %v", cmd, err)
	}
}

func (h *simHost) reset(b *testing.B) { h.ask(b, "reset", &struct{}{}) }

func (h *simHost) stats(b *testing.B) hostStats {
	var st hostStats
	h.ask(b, "stats", &st)
	return st
}
