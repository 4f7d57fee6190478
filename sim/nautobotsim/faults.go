package nautobotsim

import (
	"fmt"
	"net/http"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Faults are switchable failures. The zero value is a healthy server.
//
// Nautobot has no throttling of its own, so RateLimit and the 502/503/504
// errors answer as a reverse proxy in front of it would: an HTML body, and
// for 429 a Retry-After of one second. ErrorStatus 500 (the default) is
// Nautobot's own JSON error body. Latency applies to every request under
// PathPrefix; the other faults only to authenticated API calls, and each
// such call is counted in Calls (Revoke's 403s are not: the token failed).
// Truncate, Malformed and Oversize touch 200s only.
type Faults struct {
	Latency      time.Duration `fault:"latency"`        // added before every response
	ErrorRate    float64       `fault:"error_rate"`     // fraction 0..1 of calls answered with ErrorStatus, drawn from the seed
	ErrorStatus  int           `fault:"error_status"`   // 500 (when 0), 502, 503 or 504
	RateLimit    bool          `fault:"throttle"`       // answer every call with 429 and Retry-After
	NoRetryAfter bool          `fault:"no_retry_after"` // with RateLimit: leave Retry-After out of the 429s
	// RetryAfter, with RateLimit, sends this Retry-After (in whole seconds,
	// at least 1) instead of 1.
	RetryAfter   time.Duration `fault:"retry_after"`
	Truncate     bool          `fault:"truncate"`       // send only the first half of each 200 body, then close
	Malformed    bool          `fault:"malformed"`      // 200 with a body that is not valid JSON
	Oversize     int64         `fault:"oversize"`       // pad each 200 body with spaces to this many bytes: valid JSON, larger than a client accepts
	Reset        bool          `fault:"reset"`          // close the connection without a response
	ResetMidBody bool          `fault:"reset_mid_body"` // send half of each 200 body under its full Content-Length, then drop the connection
	ShrinkTotal  bool          `fault:"shrink_total"`   // lists lose a third of their rows (and count) on pages after the first (offset > 0)
	// EndlessPaging makes list paging never end: each page reports a count
	// at least one page past itself (and a next to match), and pages past
	// the end start over from the first rows.
	EndlessPaging bool `fault:"endless_paging"`
	// NextLoop makes every list answer's next point back at the page
	// itself, the last page's too: a client that follows next never ends.
	NextLoop bool `fault:"next_loop"`
	// Revoke refuses the token (403 "Invalid token") once RevokeAfter API
	// calls were served since SetFaults, as when it is deleted or expires
	// in the middle of a refresh.
	Revoke      bool   `fault:"revoke"`
	RevokeAfter int    `fault:"revoke_after"`
	PathPrefix  string `fault:"path_prefix"` // when set, faults apply only to paths with this prefix
}

// Traits are how Nautobot, or the proxy in front of it, refuses a
// throttled call, and how it refuses a revoked token: 403, not 401.
func (s *Server) Traits() simkit.Traits {
	return simkit.Traits{
		Throttled: simkit.Refusal{Status: http.StatusTooManyRequests, Says: "Too Many Requests"},
		Revoked:   simkit.Refusal{Status: http.StatusForbidden, Says: msgBadToken},
	}
}

// serverError is the injected error: Nautobot's rest_api_server_error
// body for 500, a proxy's page otherwise.
func (s *Server) serverError(status int) response {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status != http.StatusInternalServerError {
		return proxyError(status)
	}
	e := &enc{}
	e.open("")
	e.str("error", "simulated fault: server closed the connection unexpectedly")
	e.str("exception", "OperationalError")
	e.str("nautobot_version", s.ver.release)
	e.str("python_version", "3.11.9")
	e.close()
	return jsonBody(status, e)
}

// proxyError is the page nginx sends for status.
func proxyError(status int) response {
	line := fmt.Sprintf("%d %s", status, http.StatusText(status))
	resp := response{status: status,
		body: []byte("<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line +
			"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")}
	resp.Header().Set("Content-Type", "text/html")
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		resp.Header().Set("Retry-After", "1")
	}
	return resp
}
