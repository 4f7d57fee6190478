package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSecretFilesMustBeSmallRegularFiles names in a config a device, a
// named pipe, a folder and an oversized file as secret files: each is
// refused with the field and the reason, at once, without reading it.
func TestSecretFilesMustBeSmallRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, maxSecretBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{"/dev/zero", "is a device, not a regular file"},
		{fifo, "is a named pipe, not a regular file"},
		{dir, "is a folder, not a regular file"},
		{big, "over the 65536 bytes"},
	} {
		cfg := "mist:\n  - name: a\n    base_url: http://127.0.0.1:1\n    token_file: " + tc.file + "\n"
		_, err := Parse([]byte(cfg), filepath.Join(dir, "c.yml"))
		if err == nil || !strings.Contains(err.Error(), "mist[0].token_file") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("token_file %s: error %v; want mist[0].token_file and %q", tc.file, err, tc.want)
		}
	}
}

// TestSecretsAreOneLine refuses a secret with a line break inside, from a
// file, the environment or the config itself: it would split the header it
// is sent in. A trailing newline, as editors write, is fine.
func TestSecretsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("two-lines", "abc\r\nX-Injected: 1\n")
	write("one-line", "abc\n")
	t.Setenv("NMS_TEST_TOKEN", "abc\nX-Injected: 1")
	for _, tc := range []struct{ field, want string }{
		{"token_file: two-lines", "mist[0].token_file: secret file"},
		{"token_env: NMS_TEST_TOKEN", "mist[0].token_env: environment variable NMS_TEST_TOKEN holds a line break"},
		{`token: "abc\nX-Injected: 1"`, "mist[0].token: holds a line break"},
	} {
		_, err := Parse([]byte("mist:\n  - name: a\n    base_url: http://127.0.0.1:1\n    "+tc.field+"\n"), filepath.Join(dir, "c.yml"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want %q", tc.field, err, tc.want)
		}
	}
	cfg, err := Parse([]byte("mist:\n  - name: a\n    base_url: http://127.0.0.1:1\n    token_file: one-line\n"), filepath.Join(dir, "c.yml"))
	if err != nil || cfg.Mist[0].Token.Value() != "abc" {
		t.Errorf("a one-line secret file with a trailing newline: %v", err)
	}
}

// TestSecretFileReadableByOthersWarns keeps a world-readable secret file
// working but says so, with the field and the fix.
func TestSecretFileReadableByOthersWarns(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tok"), []byte("abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "tok"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := mustParse(t, "mist:\n  - name: a\n    base_url: http://127.0.0.1:1\n    token_file: tok\n", filepath.Join(dir, "c.yml"))
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "c.yml:4: mist[0].token_file") || !strings.Contains(cfg.Warnings[0], "chmod 600") {
		t.Errorf("warnings = %q; want one naming c.yml:4 mist[0].token_file and chmod 600", cfg.Warnings)
	}
}

// TestUnknownKeyNamesItsPlace gives a misspelt key deep in a file: the
// error names the file, line and path, not a Go type.
func TestUnknownKeyNamesItsPlace(t *testing.T) {
	cfg := "mist:\n  - name: a\n    base_url: http://127.0.0.1:1\n    token: x\n  - name: b\n    base_url: http://127.0.0.1:1\n    tokn: x\n"
	_, err := Parse([]byte(cfg), "c.yml")
	if err == nil || err.Error() != `c.yml:7: mist[1].tokn: unknown field "tokn"` {
		t.Errorf("error = %v; want c.yml:7: mist[1].tokn: unknown field \"tokn\"", err)
	}
}

// TestConfigFileMustBeRegular refuses a named pipe as the config, which
// would hang a reload.
func TestConfigFileMustBeRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "c.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(fifo); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("Load(fifo) = %v; want a named pipe error", err)
	}
}

// TestSecretsListsEveryForm gathers the secrets a scrubber must hide: each
// as given, and a user's password also in its Basic-auth form.
func TestSecretsListsEveryForm(t *testing.T) {
	cfg, err := Parse([]byte(`prime:
  - name: p
    base_url: http://127.0.0.1:1
    username: nms
    password: prime-pass
nautobot:
  - name: n
    base_url: http://127.0.0.1:1
    token: nb-token
alertmanager:
  urls: [http://127.0.0.1:2]
  bearer_token: am-token
`), "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(cfg.Secrets(), " ")
	for _, want := range []string{"prime-pass", "bm1zOnByaW1lLXBhc3M=", "nb-token", "am-token"} {
		if !strings.Contains(got, want) {
			t.Errorf("Secrets() = %q; want it to hold %q", got, want)
		}
	}
}
