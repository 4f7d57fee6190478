package vendors

import (
	"net/http"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
)

// ClientFor builds the HTTP client a source's common settings describe:
// its timeout, proxy and TLS.
func ClientFor(c *config.Common, userAgent string) (*http.Client, error) {
	return NewHTTPClient(HTTPOptions{
		Timeout:            time.Duration(c.Timeout),
		ProxyURL:           c.ProxyURL,
		CAFile:             c.TLS.CAFile,
		InsecureSkipVerify: c.TLS.InsecureSkipVerify,
		ServerName:         c.TLS.ServerName,
		UserAgent:          userAgent,
	})
}

// Retries turns a configured max_retries, where 0 means none, into the
// Requester's MaxRetries, where 0 means the default.
func Retries(configured int) int {
	if configured == 0 {
		return -1
	}
	return configured
}
