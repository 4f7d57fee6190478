package vendors

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// defaultTimeout bounds one attempt when HTTPOptions.Timeout is zero.
const defaultTimeout = 30 * time.Second

// HTTPOptions configures the HTTP client of one source.
type HTTPOptions struct {
	// Timeout bounds one attempt, body included; 0 means 30s.
	Timeout time.Duration
	// ProxyURL "" means the standard environment variables (HTTPS_PROXY, NO_PROXY).
	ProxyURL string
	// CAFile is a PEM bundle added to the system pool.
	CAFile             string
	InsecureSkipVerify bool
	// ServerName overrides the TLS SNI and verification name.
	ServerName string
	// UserAgent is set on every request that does not already carry one.
	UserAgent string
}

// NewHTTPClient builds a client with verified TLS 1.2+, bounded dial and
// handshake times and a small idle pool per host.
func NewHTTPClient(o HTTPOptions) (*http.Client, error) {
	if o.Timeout < 0 {
		return nil, fmt.Errorf("timeout %s is negative", o.Timeout)
	}
	tlsCfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         o.ServerName,
		InsecureSkipVerify: o.InsecureSkipVerify, // opt-in, for appliances with self-signed certificates
	}
	if o.CAFile != "" {
		pool, err := loadCAFile(o.CAFile)
		if err != nil {
			return nil, err
		}
		tlsCfg.RootCAs = pool
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.MaxIdleConns = 100
	// One source talks to one or two hosts; a few warm connections cover
	// concurrent page fetches without hoarding sockets.
	tr.MaxIdleConnsPerHost = 8
	tr.IdleConnTimeout = 90 * time.Second
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = tlsCfg
	if o.ProxyURL == "" {
		tr.Proxy = http.ProxyFromEnvironment
	} else {
		u, err := parseProxyURL(o.ProxyURL)
		if err != nil {
			return nil, err
		}
		tr.Proxy = http.ProxyURL(u)
	}

	timeout := o.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	var rt http.RoundTripper = tr
	if o.UserAgent != "" {
		rt = &userAgentTransport{next: tr, userAgent: o.UserAgent}
	}
	return &http.Client{Transport: rt, Timeout: timeout, CheckRedirect: sameOrigin}, nil
}

// maxRedirects is the redirects followed in a row before giving up, as
// Go's default policy does.
const maxRedirects = 10

// sameOrigin is the redirect policy of every client: follow a redirect
// only to the scheme, host and port the request went to. Go's own policy
// forwards Authorization and cookies to the same host on any port, and
// from https to http.
func sameOrigin(next *http.Request, via []*http.Request) error {
	first := via[0].URL
	if origin(next.URL) != origin(first) {
		return &RedirectError{To: hideURL(next.URL), From: origin(first)}
	}
	if len(via) >= maxRedirects {
		return &RedirectError{To: hideURL(next.URL), From: origin(first), Hops: len(via)}
	}
	return nil
}

// origin is u's scheme, host and port, the port written out even where it
// is the scheme's default.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// loadCAFile returns the system pool plus the certificates in path.
func loadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		// The PathError repeats the file name the message already gives.
		return nil, fmt.Errorf("reading CA file %q: %w", path, unwrapped[*fs.PathError](err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA file %q contains no PEM certificates", path)
	}
	return pool, nil
}

// parseProxyURL validates a proxy URL; its errors never show the password.
func parseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the raw URL, password included; keep only the cause.
		return nil, fmt.Errorf("invalid proxy URL %q: %w", redactUserinfo(raw), unwrapped[*url.Error](err))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("invalid proxy URL %q: scheme must be http, https, socks5 or socks5h", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid proxy URL %q: no host", u.Redacted())
	}
	return u, nil
}

// redactUserinfo masks the password of a URL that url.Parse rejected, so
// url.URL.Redacted is not available.
func redactUserinfo(raw string) string {
	rest := raw
	prefix := ""
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return raw
	}
	return prefix + user + ":xxxxx" + rest[at:]
}

// userAgentTransport sets the User-Agent on requests that lack one.
type userAgentTransport struct {
	next      http.RoundTripper
	userAgent string
}

// RoundTrip implements http.RoundTripper.
func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") != "" {
		return t.next.RoundTrip(req)
	}
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.userAgent)
	return t.next.RoundTrip(r)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the pool.
func (t *userAgentTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
