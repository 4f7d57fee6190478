package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// TestPushKeepsBearerTokenFromRedirects: an Alertmanager URL that
// redirects to another port of the same host sends the token nowhere, and
// the push is not tried again.
func TestPushKeepsBearerTokenFromRedirects(t *testing.T) {
	var leaked atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { leaked.Add(1) }))
	t.Cleanup(elsewhere.Close)
	var posts atomic.Int64
	am := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(am.Close)
	cfg, err := config.Parse([]byte(fmt.Sprintf("alertmanager:\n  urls: [%s]\n  bearer_token: am-token-5e6f\n", am.URL)), "am.yml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPusher(cfg.Alertmanager, func() []*collector.Source { return nil }, NewMetrics(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	err = p.sendOne(context.Background(), am.URL+"/api/v2/alerts", []byte("[]"))
	var re *vendors.RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), strings.TrimPrefix(elsewhere.URL, "http://")) {
		t.Errorf("push redirected to another port = %v; want a *vendors.RedirectError naming it", err)
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("%d requests reached the other port; want none", n)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("%d posts; want 1: a redirect elsewhere is not retried", n)
	}
}
