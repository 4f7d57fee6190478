package e2e

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

var probeLinks = regexp.MustCompile(`href="(/probe\?target=[^"]+)"`)

// chromium runs headless Chromium with the flags a closed machine needs,
// and returns its standard output.
func chromium(t *testing.T, args ...string) string {
	t.Helper()
	path := testtool.Path(t, "chromium", "Debian's chromium package")
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return string(out)
}

// TestStatusPageInChromium loads /status from the running exporter in
// headless Chromium, checks what a person reads there, follows its probe
// links, and saves a screenshot to artifacts/status.png.
func TestStatusPageInChromium(t *testing.T) {
	env := startEnv(t)
	// One source fails, so its error shows.
	env.faults(1, "error_rate=1", "error_status=500")
	env.refresh("mist-b")

	dom := chromium(t, "--dump-dom", env.srv.URL+"/status")
	for _, want := range []string{
		"nms_exporter status", "mist-a", "mist-b", "prime-a", "cx-a", "sot",
		"(mist)", "(prime)", "(cxcloud)", "(nautobot)",
		"access_points", "field_notices", "locations", "interval in force", "budget window",
		"HTTP 500", // mist-b's last error
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("/status as Chromium renders it lacks %q", want)
		}
	}
	for _, secret := range env.secrets {
		if strings.Contains(dom, secret) {
			t.Errorf("/status shows a secret")
		}
	}

	// Each probe link, followed as a person would: the page shows every
	// series, the data after the health included.
	links := probeLinks.FindAllStringSubmatch(dom, -1)
	if len(links) == 0 {
		t.Fatal("/status links no /probe")
	}
	for _, link := range links {
		path := html.UnescapeString(link[1])
		page := html.UnescapeString(chromium(t, "--dump-dom", env.srv.URL+path))
		body, _ := env.fetch(path, "*/*", "identity")
		var missing []string
		for line := range strings.Lines(string(body)) {
			// The series is all but the value: label values may hold spaces.
			// It starts a line of the page (the first follows <pre>), so that
			// a help line naming an unlabelled series does not stand for it.
			series := line[:max(0, strings.LastIndexByte(line, ' '))]
			shown := strings.Contains(page, "\n"+series+" ") || strings.Contains(page, ">"+series+" ")
			if !strings.HasPrefix(line, "#") && !shown {
				missing = append(missing, series)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s as Chromium shows it lacks %d series, such as %s", path, len(missing), missing[0])
		}
	}

	dir, err := filepath.Abs(filepath.Join(repo, "artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "status.png")
	_ = os.Remove(shot)
	chromium(t, "--window-size=1280,2400", "--screenshot="+shot, env.srv.URL+"/status")
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10000 {
		t.Errorf("screenshot %s: %v; want a rendered page", shot, err)
	}
}
