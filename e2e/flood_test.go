package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// TestScrapeAnswersDuringConnectionFlood runs the exporter with 256 open
// files, as a small container may give it, and connects 500 idle
// keep-alive clients and 500 that send their headers and stop: a scrape
// must still be answered, at once.
func TestScrapeAnswersDuringConnectionFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the exporter binary")
	}
	prlimit := testtool.Path(t, "prlimit", "Debian's util-linux package")
	bin := buildExporter(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "nms_exporter.yml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(prlimit, "--nofile=256:256", bin, "--config.file="+cfg, "--storage.path=", "--web.listen-address="+addr)
	var out testtool.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("exporter output:\n%s", tail(out.String(), 3000))
		}
	}()
	base := "http://" + addr
	waitHealthy(t, http.DefaultClient, base)

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 1000 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%2 == 0 {
			// Idle: one request answered, the connection kept.
			fmt.Fprintf(c, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
				// Closed for a newer client: what the limit is for.
				continue
			}
		} else {
			// Slow: headers begun, never ended.
			fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n")
		}
	}
	// The slow clients' headers time out after 10s: the scrape must not
	// have to wait for that.
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("a scrape during the flood: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a scrape during the flood: %s", resp.Status)
	}
}

// waitHealthy waits up to a minute for the exporter at base to answer
// /-/healthy.
func waitHealthy(t *testing.T, client *http.Client, base string) {
	t.Helper()
	waitFor(t, 60*time.Second, "the exporter to answer", func() bool {
		resp, err := client.Get(base + "/-/healthy")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}
