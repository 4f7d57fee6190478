package vendors

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewHTTPClientTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	// Rejected handshakes are the point of some cases; keep them out of the test log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name         string
		opts         HTTPOptions
		wantCertFail bool
	}{
		{name: "verification on by default", opts: HTTPOptions{}, wantCertFail: true},
		{name: "CA file", opts: HTTPOptions{CAFile: caFile}},
		{name: "CA file and server name", opts: HTTPOptions{CAFile: caFile, ServerName: "example.com"}},
		{name: "server name not in certificate", opts: HTTPOptions{CAFile: caFile, ServerName: "other.invalid"}, wantCertFail: true},
		{name: "insecure", opts: HTTPOptions{InsecureSkipVerify: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewHTTPClient(tt.opts)
			if err != nil {
				t.Fatalf("NewHTTPClient(%+v) = %v; want no error", tt.opts, err)
			}
			defer c.CloseIdleConnections()
			resp, err := c.Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
			if got := err != nil && isCertError(err); got != tt.wantCertFail {
				t.Errorf("Get(%s) certificate failure = %v (err %v); want %v", srv.URL, got, err, tt.wantCertFail)
			}
			if !tt.wantCertFail && err != nil {
				t.Errorf("Get(%s) = %v; want no error", srv.URL, err)
			}
		})
	}
}

func TestNewHTTPClientDefaults(t *testing.T) {
	c, err := NewHTTPClient(HTTPOptions{UserAgent: "ua"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout != 30*time.Second {
		t.Errorf("Timeout = %s; want 30s", c.Timeout)
	}
	ua, ok := c.Transport.(*userAgentTransport)
	if !ok {
		t.Fatalf("Transport = %T; want *userAgentTransport", c.Transport)
	}
	tr := ua.next.(*http.Transport)
	if got := tr.TLSClientConfig.MinVersion; got != 0x0303 {
		t.Errorf("MinVersion = %#x; want TLS 1.2 (0x0303)", got)
	}
	if tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("InsecureSkipVerify = true; want false")
	}
	if tr.MaxIdleConnsPerHost != 8 {
		t.Errorf("MaxIdleConnsPerHost = %d; want 8", tr.MaxIdleConnsPerHost)
	}
	if _, err := NewHTTPClient(HTTPOptions{Timeout: -time.Second}); err == nil {
		t.Errorf("NewHTTPClient(Timeout: -1s) = nil error; want an error")
	}
}

func TestNewHTTPClientCAFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file string
		want string
	}{
		{name: "missing", file: missing, want: fmt.Sprintf("reading CA file %q: no such file or directory", missing)},
		{name: "no PEM", file: empty, want: fmt.Sprintf("CA file %q contains no PEM certificates", empty)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewHTTPClient(HTTPOptions{CAFile: tt.file})
			if err == nil || err.Error() != tt.want {
				t.Errorf("NewHTTPClient(CAFile: %q) = %v; want %s", tt.file, err, tt.want)
			}
		})
	}
}

func TestNewHTTPClientProxyURL(t *testing.T) {
	tests := []struct {
		name    string
		proxy   string
		wantErr string // substring; "" means valid
	}{
		{name: "valid", proxy: "http://user:s3cret@proxy.example:3128"},
		{name: "socks", proxy: "socks5://proxy.example:1080"},
		{name: "unparsable", proxy: "http://user:s3cret@pro xy:3128", wantErr: `invalid proxy URL "http://user:xxxxx@pro xy:3128"`},
		{name: "bad port", proxy: "http://user:s3cret@proxy:port", wantErr: `invalid proxy URL "http://user:xxxxx@proxy:port"`},
		{name: "bad scheme", proxy: "ftp://user:s3cret@proxy.example", wantErr: `invalid proxy URL "ftp://user:xxxxx@proxy.example": scheme must be`},
		{name: "no scheme", proxy: "proxy.example:3128", wantErr: "invalid proxy URL"},
		{name: "no host", proxy: "http://", wantErr: "no host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewHTTPClient(HTTPOptions{ProxyURL: tt.proxy})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("NewHTTPClient(ProxyURL: %q) = %v; want no error", tt.proxy, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("NewHTTPClient(ProxyURL: %q) = %v; want an error containing %s", tt.proxy, err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "s3cret"):
				t.Errorf("NewHTTPClient(ProxyURL: %q) = %v; want the password redacted", tt.proxy, err)
			}
		})
	}
}

func TestNewHTTPClientUsesProxy(t *testing.T) {
	var gotHost string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost = r.URL.Host
		fmt.Fprint(w, "via proxy")
	}))
	t.Cleanup(proxy.Close)
	c, err := NewHTTPClient(HTTPOptions{ProxyURL: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	resp, err := c.Get("http://api.example.invalid/x")
	if err != nil {
		t.Fatalf("Get through proxy = %v; want no error", err)
	}
	resp.Body.Close()
	if gotHost != "api.example.invalid" {
		t.Errorf("proxy saw host %q; want api.example.invalid", gotHost)
	}
}

func TestNewHTTPClientUserAgent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.UserAgent())
	}))
	t.Cleanup(srv.Close)
	c, err := NewHTTPClient(HTTPOptions{UserAgent: "nms_exporter/1.0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	tests := []struct {
		name   string
		preset string
		want   string
	}{
		{name: "set when absent", want: "nms_exporter/1.0"},
		{name: "kept when present", preset: "custom/2", want: "custom/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.preset != "" {
				req.Header.Set("User-Agent", tt.preset)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != tt.want {
				t.Errorf("User-Agent = %q; want %q", body, tt.want)
			}
			if got := req.Header.Get("User-Agent"); got != tt.preset {
				t.Errorf("caller's User-Agent header = %q; want %q (unchanged)", got, tt.preset)
			}
		})
	}
}
