package e2e

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/nmsexporter/nms_exporter/internal/scrapetest"
	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// protobufAccept is what Prometheus 2.42 sends as Accept with native
// histograms on.
const protobufAccept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// asSent is a client that leaves a compressed answer as it came.
var asSent = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// fetch GETs path with an Accept header and returns the body, decoded
// from gzip as a single-member decoder would when gzipped, and its
// format.
func (e *testEnv) fetch(path, accept, encoding string) ([]byte, expfmt.Format) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Encoding", encoding)
	resp, err := asSent.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s = %d, %v", path, resp.StatusCode, err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if body, err = scrapetest.OneMember(body); err != nil {
			e.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return body, expfmt.ResponseFormat(resp.Header)
}

// seriesOf decodes an exposition in its format and returns each sample's
// series (name and labels) with its value.
func seriesOf(t *testing.T, body []byte, f expfmt.Format) map[string]float64 {
	t.Helper()
	series, err := scrapetest.Series(body, f)
	if err != nil {
		t.Fatal(err)
	}
	return series
}

// lookTool finds a client the test runs; without one it skips, unless in
// CI.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path := testtool.Path(t, name, "Debian's prometheus package")
	return path
}

// TestEveryScraperGetsEverySeries reads every demo target as curl
// --compressed, a client that decodes one gzip member and a protobuf
// scraper do, and requires every series the plain text answer has: a
// second gzip member was dropped by curl and browsers. OpenMetrics
// is read by the real Prometheus below, and sample by sample in the
// collector's tests: expfmt's reader of it is too slow for the demo's
// sizes.
func TestEveryScraperGetsEverySeries(t *testing.T) {
	curl := lookTool(t, "curl")
	env := startDemoEnv(t)
	for _, s := range env.exp.Manager().Sources() {
		t.Run(s.Name, func(t *testing.T) {
			path := "/probe?target=" + s.Name
			read := func(accept, encoding string) map[string]float64 {
				body, f := env.fetch(path, accept, encoding)
				return seriesOf(t, body, f)
			}
			plain := func() map[string]float64 { return read("*/*", "identity") }
			readers := map[string]func() map[string]float64{
				"curl --compressed": func() map[string]float64 {
					out, err := exec.Command(curl, "-sSf", "--compressed", env.srv.URL+path).Output()
					if err != nil {
						t.Fatalf("curl --compressed: %v", err)
					}
					return seriesOf(t, out, expfmt.FmtText)
				},
				"one gzip member, text":     func() map[string]float64 { return read("*/*", "gzip") },
				"one gzip member, protobuf": func() map[string]float64 { return read(protobufAccept, "gzip") },
			}
			// The demo's data changes every 30 seconds: compare reads that
			// a plain read before and after agree with.
			for attempt := 1; ; attempt++ {
				want := plain()
				got := map[string]map[string]float64{}
				for name, read := range readers {
					got[name] = read()
				}
				if after := plain(); !slices.Equal(slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(after))) && attempt < 5 {
					continue
				}
				if !strings.Contains(strings.Join(slices.Collect(maps.Keys(want)), "\n"), "_info{") {
					t.Fatalf("the plain answer has no info series: %d series", len(want))
				}
				for name, series := range got {
					var missing []string
					for k := range want {
						if _, ok := series[k]; !ok {
							missing = append(missing, k)
						}
					}
					if len(missing) > 0 || len(series) != len(want) {
						slices.Sort(missing)
						t.Errorf("%s reads %d series of %d; missing %d, such as %v", name, len(series), len(want), len(missing), missing[:min(3, len(missing))])
					}
				}
				return
			}
		})
	}
}

// TestPrometheusReadsEverySeries has the real Prometheus scrape every demo
// target through /sd twice over: as it asks by default (OpenMetrics
// first) and with native histograms on (protobuf first). Every target
// must be up, with as many samples as a plain read of it has.
func TestPrometheusReadsEverySeries(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus")
	}
	env := startDemoEnv(t)
	for _, mode := range []struct{ name, flag string }{
		{"OpenMetrics", ""},
		{"protobuf", "--enable-feature=native-histograms"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "prometheus.yml"), "global:\n  scrape_interval: 1s\nscrape_configs:\n"+nmsJob(env.srv.URL))
			addr := freeAddr(t)
			args := []string{"--config.file=" + filepath.Join(dir, "prometheus.yml"),
				"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"), "--web.listen-address=" + addr}
			if mode.flag != "" {
				args = append(args, mode.flag)
			}
			startProcess(t, "prometheus", "http://"+addr+"/-/ready", args...)
			var last string
			waitFor(t, 60*time.Second, "Prometheus to read every sample of every target", func() bool {
				up, scraped := promByInstance(t, addr, `up{job="nms"}`), promByInstance(t, addr, `scrape_samples_scraped{job="nms"}`)
				last = ""
				for _, s := range env.exp.Manager().Sources() {
					body, f := env.fetch("/probe?target="+s.Name, "*/*", "identity")
					want := len(seriesOf(t, body, f))
					if up[s.Name] != 1 || scraped[s.Name] != float64(want) {
						last += fmt.Sprintf("%s: up %v, %v samples of %d; ", s.Name, up[s.Name], scraped[s.Name], want)
					}
				}
				return last == ""
			})
			if last != "" {
				t.Error(last)
			}
		})
	}
}

// promByInstance runs an instant query and returns each result's value by
// its instance label.
func promByInstance(t *testing.T, addr, query string) map[string]float64 {
	t.Helper()
	var r struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	getJSON(t, "http://"+addr+"/api/v1/query?query="+url.QueryEscape(query), &r)
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		v, _ := s.Value[1].(string)
		out[s.Metric["instance"]], _ = strconv.ParseFloat(v, 64)
	}
	return out
}

// nmsJob is the scrape job the README gives, aimed at the exporter at
// base: every source through /sd, each its own instance.
func nmsJob(base string) string {
	return fmt.Sprintf(`  - job_name: nms
    metrics_path: /probe
    http_sd_configs:
      - url: %s/sd
        refresh_interval: 1s
    relabel_configs:
      - source_labels: [__param_target]
        target_label: instance
`, base)
}
