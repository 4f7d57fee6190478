package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSimulateFaultFlags: --latency, --fault and --page-cap are in force
// from the first call, and the printed faults_url switches faults while
// the simulator runs.
func TestSimulateFaultFlags(t *testing.T) {
	var stderr bytes.Buffer
	cmd := exec.Command(buildExporter(t), "simulate", "--vendor=nautobot", "--step=0", "--latency=20ms", "--fault=throttle",
		"--fault=retry_after=2s", "--page-cap=5")
	cmd.Stderr = &stderr
	pr, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	done := make(chan error, 1)
	line, err := bufio.NewReader(pr).ReadBytes('\n')
	if err != nil {
		t.Fatalf("no simulate line: %v (%s)", err, stderr.String())
	}
	go func() {
		_, _ = io.Copy(io.Discard, pr)
		done <- cmd.Wait()
	}()
	var sim struct {
		BaseURL   string `json:"base_url"`
		Token     string `json:"token"`
		FaultsURL string `json:"faults_url"`
	}
	if err := json.Unmarshal(line, &sim); err != nil || sim.FaultsURL != sim.BaseURL+"/-/sim/faults" {
		t.Fatalf("simulate line %s: %v; want a faults_url on the simulator's listener", line, err)
	}
	devices := func() (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", sim.BaseURL+"/api/dcim/devices/?limit=100", nil)
		req.Header.Set("Authorization", "Token "+sim.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	start := time.Now()
	if resp, _ := devices(); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || time.Since(start) < 20*time.Millisecond {
		t.Errorf("a call under --fault=throttle --fault=retry_after=2s --latency=20ms = %d, Retry-After %q, after %v; want 429, 2, at least 20ms",
			resp.StatusCode, resp.Header.Get("Retry-After"), time.Since(start))
	}
	resp, err := http.Post(sim.FaultsURL+"?name=throttle&on=false", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var page struct{ Results []json.RawMessage }
	if resp, b := devices(); resp.StatusCode != 200 || json.Unmarshal(b, &page) != nil || len(page.Results) != 5 {
		t.Errorf("limit=100 with throttle switched off and --page-cap=5 = %d, %d results; want 200, 5", resp.StatusCode, len(page.Results))
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("simulate exit = %v; want 0 (%s)", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("simulate did not stop on SIGINT")
	}
}

func TestSimulateBadFault(t *testing.T) {
	if code, _, stderr := runExporter(t, "simulate", "--vendor=mist", "--fault=nope"); code == 0 || !strings.Contains(stderr, "nope") {
		t.Errorf("simulate --fault=nope = %d, %q; want a non-zero exit naming it", code, stderr)
	}
}
