package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

func TestStringHidesSecretsAndURLCredentials(t *testing.T) {
	s := New([]string{"tok-123456", "p@ss/word", "ab"})
	for in, want := range map[string]string{
		`HTTP 401: {"echo":"Authorization: Bearer tok-123456"}`:   `HTTP 401: {"echo":"Authorization: Bearer <secret>"}`,
		"GET /x?password=p%40ss%2Fword":                           "GET /x?password=<secret>",
		"proxy http://user:pw@proxy:3128 refused":                 "proxy http://<secret>@proxy:3128 refused",
		"a short secret ab stays: a secret so short is no secret": "a short secret ab stays: a secret so short is no secret",
		"mail admin@example.com":                                  "mail admin@example.com",
	} {
		if got := s.String(in); got != want {
			t.Errorf("String(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestErrorKeepsItsChain(t *testing.T) {
	s := New([]string{"tok-123456"})
	err := fmt.Errorf("GET /x: echo tok-123456: %w", fs.ErrPermission)
	got := s.Error(err)
	if strings.Contains(got.Error(), "tok-123456") || !errors.Is(got, fs.ErrPermission) {
		t.Errorf("Error() = %q (Is ErrPermission: %v); want it scrubbed and still ErrPermission", got, errors.Is(got, fs.ErrPermission))
	}
	if s.Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
}

// TestHandlerScrubsEveryPart logs a secret in the message, a string, an
// error, a bound attribute and a group, then swaps in new secrets as a
// reload does: none reaches the output.
func TestHandlerScrubsEveryPart(t *testing.T) {
	var buf bytes.Buffer
	h := NewHandler(slog.NewTextHandler(&buf, nil))
	h.Set(New([]string{"tok-123456"}))
	log := slog.New(h).With("bound", "tok-123456")
	log.Error("echo tok-123456", "body", "tok-123456", "err", errors.New("tok-123456"),
		slog.Group("g", "k", "tok-123456"), "list", []string{"tok-123456"})
	h.Set(New([]string{"new-secret-99"}))
	log.Info("after reload", "v", "new-secret-99")
	if out := buf.String(); strings.Contains(out, "tok-123456") || strings.Contains(out, "new-secret-99") {
		t.Errorf("the log shows a secret:\n%s", out)
	}
	if n := strings.Count(buf.String(), Hidden); n != 8 {
		t.Errorf("%d secrets hidden; want 8:\n%s", n, buf.String())
	}
}
