package e2e

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/registry"
	"github.com/nmsexporter/nms_exporter/sim/simulators"
)

// TestLiveFeedDropFallsBackToPolls: for every vendor whose simulator has a
// live stream, the exporter stretches the polls the stream stands in for
// while it is up; when the stream drops, nms_stream_connected goes to 0 and
// those polls come back within one of their own intervals.
func TestLiveFeedDropFallsBackToPolls(t *testing.T) {
	tested := 0
	for _, vendor := range registry.Simulators.Vendors() {
		sim, err := registry.Simulators.Start(vendor, simulators.Options{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sim.Close() })
		if sim.Traits.LiveDrop == "" {
			continue
		}
		tested++
		t.Run(vendor, func(t *testing.T) {
			dir := t.TempDir()
			file := demoConfig(t, dir, []*simulators.Simulator{sim})
			env := &testEnv{t: t, logs: &testtool.Buffer{}, cfgFile: file}
			env.run(slog.New(slog.DiscardHandler))
			name := env.exp.Manager().Sources()[0].Name
			src, _ := env.exp.Manager().Source(name)
			waitFor(t, 10*time.Second, "the stream up", func() bool {
				_, body := env.get("/probe?target=" + name)
				return strings.Contains(body, "\nnms_stream_connected 1\n")
			})
			var stretched []string
			own := map[string]time.Duration{}
			for _, st := range src.Status() {
				if st.LiveFactor > 1 {
					stretched = append(stretched, st.Collection)
					own[st.Collection] = time.Duration(float64(st.Interval) / st.LiveFactor)
				}
			}
			if len(stretched) == 0 {
				t.Fatalf("no collection is stretched while the stream is up: %+v", src.Status())
			}
			before := map[string]int{}
			for _, st := range src.Status() {
				before[st.Collection] = st.Attempts
			}
			dropped := time.Now()
			if err := sim.SetFault(sim.Traits.LiveDrop, ""); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, "nms_stream_connected 0", func() bool {
				_, body := env.get("/probe?target=" + name)
				return strings.Contains(body, "\nnms_stream_connected 0\n")
			})
			for _, c := range stretched {
				waitFor(t, own[c]+5*time.Second, c+" polled again", func() bool {
					for _, st := range src.Status() {
						if st.Collection == c {
							return st.Attempts > before[c] && st.Interval == own[c]
						}
					}
					return false
				})
				t.Logf("%s polled again %v after the stream dropped (its own interval %v)", c, time.Since(dropped).Round(time.Millisecond), own[c])
			}
		})
	}
	if tested == 0 {
		t.Fatal("no simulator names a fault that drops its live stream (Traits.LiveDrop): the test would prove nothing")
	}
}
