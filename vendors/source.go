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

// NewRequester returns a Requester with the retries and body limit a
// source's common settings set, which every client's requesters share; the
// client adds what is its own.
func NewRequester(hc *http.Client, c *config.Common, budget *Budget, rec Recorder) *Requester {
	return &Requester{
		Client:       hc,
		Budget:       budget,
		Recorder:     rec,
		MaxRetries:   Retries(c.Budget.MaxRetries),
		MaxBodyBytes: int64(c.BodySizeLimit),
	}
}

// BudgetFor is the budget a source's configured requests per second, hour
// and day set; an adapter adds what its vendor's limits need besides.
func BudgetFor(b config.Budget) BudgetConfig {
	return BudgetConfig{PerSecond: b.RequestsPerSecond, PerHour: b.RequestsPerHour, PerDay: b.RequestsPerDay}
}
