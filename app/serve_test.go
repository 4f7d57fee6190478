package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// TestServeRefusesBadExternalURL: an --web.external-url /sd could not
// advertise stops the exporter before it listens.
func TestServeRefusesBadExternalURL(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "nms_exporter.yml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	noStorage := ""
	for _, u := range []string{"ftp://example.com/", "http://", "https://user:pass@example.com/", "example.com:9877", "http://[::1"} {
		t.Run(u, func(t *testing.T) {
			var logs testtool.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			code := Serve(t.Context(), logger, Options{ConfigFile: cfg, StoragePath: &noStorage, ExternalURL: u})
			if code != 1 || !strings.Contains(logs.String(), "--web.external-url must be") {
				t.Errorf("Serve with --web.external-url=%s = %d, logs %q; want 1 and the flag named", u, code, logs.String())
			}
		})
	}
}
