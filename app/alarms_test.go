package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// amPosts is an Alertmanager v2 API that keeps the alert labels it is sent.
type amPosts struct {
	mu     sync.Mutex
	labels []map[string]string
}

func (a *amPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var batch []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, al := range batch {
		a.labels = append(a.labels, al.Labels)
	}
}

// sent reports whether an alert about device was posted.
func (a *amPosts) sent(device string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, l := range a.labels {
		if l["device"] == device {
			return true
		}
	}
	return false
}

// TestAlarmPushedWhenItsRefreshLands: an alarm a refresh of the alarms
// collection finds reaches Alertmanager at once, not at the bridge's next
// resend minutes later.
func TestAlarmPushedWhenItsRefreshLands(t *testing.T) {
	sim, vendor := simtest.Listen(t, mistsim.New, mistsim.Options{Seed: 5})
	am := &amPosts{}
	amSrv := httptest.NewServer(am)
	defer amSrv.Close()
	cfgFile := filepath.Join(t.TempDir(), "nms_exporter.yml")
	cfg := fmt.Sprintf(`mist:
  - name: org
    base_url: %s
    token: %s
    collections:
      alarms: {interval: 1h}
alertmanager:
  urls: [%s]
  resend_interval: 4m
  min_severity: info
`, vendor.URL, sim.Credentials().Token, amSrv.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exp, err := NewExporter(ctx, slog.New(slog.DiscardHandler), cfgFile, "")
	if err != nil {
		t.Fatal(err)
	}
	defer exp.mgr.Stop()
	src, _ := exp.mgr.Source("org")
	// The source's first refreshes run, and the bridge has pushed what it
	// found: from now on, only a notification makes it push before its
	// next resend, four minutes on.
	deadline := time.Now().Add(30 * time.Second)
	for !src.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("the source's first refreshes did not end in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var sw mistsim.DeviceInfo
	for _, d := range sim.Devices() {
		if d.Type == "switch" && !strings.Contains(fmt.Sprint(src.Alarms()), d.Name) {
			sw = d
			break
		}
	}
	if sw.Name == "" {
		t.Fatal("no switch without an alarm in the simulated org")
	}
	sim.RaiseAlarm(mistsim.Alarm{Type: "switch_down", Severity: "critical", DeviceMACs: []string{sw.MAC}, Hostnames: []string{sw.Name}})
	if err := src.Refresh(ctx, "alarms"); err != nil {
		t.Fatal(err)
	}
	// The bridge waits a second for more changes, then pushes.
	deadline = time.Now().Add(30 * time.Second)
	for !am.sent(sw.Name) {
		if time.Now().After(deadline) {
			t.Fatalf("no alert about %s 30 s after the refresh that found its alarm; the next resend is in four minutes", sw.Name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
