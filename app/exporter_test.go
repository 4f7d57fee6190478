package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// TestEchoedCredentialsNeverShown runs a source against a vendor that
// echoes the request's Authorization header in every error body, with a
// proxy URL that carries a user and password: neither the token nor the
// proxy's password reaches /status, /probe, /config or the logs.
func TestEchoedCredentialsNeverShown(t *testing.T) {
	const token, proxyPass = "echoed-token-5f1c9a", "proxy-pass-77d2"
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"detail": "bad request with Authorization: %s"}`, r.Header.Get("Authorization"))
	}))
	defer vendor.Close()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "nms_exporter.yml")
	cfg := fmt.Sprintf(`mist:
  - name: echo
    base_url: %s
    org_id: org-1
    token: %s
nautobot:
  - name: sot
    base_url: %s
    token: %s
    proxy_url: http://nms:%s@127.0.0.1:1
`, vendor.URL, token, vendor.URL, token, proxyPass)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs testtool.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exp, err := NewExporter(ctx, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), cfgFile, "")
	if err != nil {
		t.Fatal(err)
	}
	defer exp.mgr.Stop()
	srv := httptest.NewServer(exp.Handler())
	defer srv.Close()
	src, _ := exp.mgr.Source("echo")
	for _, st := range src.Status() {
		_ = src.Refresh(ctx, st.Collection)
	}
	var shown strings.Builder
	for _, path := range []string{"/status", "/probe?target=echo", "/config", "/metrics"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		shown.Write(body)
	}
	shown.WriteString(logs.String())
	for _, st := range src.Status() {
		shown.WriteString(st.Err)
	}
	if !strings.Contains(shown.String(), "Authorization: Token <secret>") {
		t.Errorf("the echoed header is not shown hidden; the test may no longer reach the vendor:\n%s", tail(shown.String(), 3000))
	}
	for _, secret := range []string{token, proxyPass} {
		if strings.Contains(shown.String(), secret) {
			t.Errorf("%q is shown:\n%s", secret, tail(shown.String(), 3000))
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
