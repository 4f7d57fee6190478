package primesim

import (
	"net/http"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Faults are switchable failures. The zero value is a healthy server.
//
// Latency delays admitted data requests under PathPrefix, which hold their
// in-flight slot meanwhile, so Latency makes requests overlap for the
// concurrency limit; answers given before admission (401, 404, 405,
// Throttle, the limits' 503s) are not delayed. Throttle answers are counted in Calls but not
// charged to the rate limits; Reset and ErrorRate answers are charged (the
// server did the work, the answer was lost). Truncate, Malformed and
// Oversize apply to 200 answers only. Revoke answers are 401s, which Calls
// leaves out.
type Faults struct {
	Latency     time.Duration `fault:"latency"`    // added before each admitted data request is served
	ErrorRate   float64       `fault:"error_rate"` // fraction 0..1 of admitted data requests answered with ErrorStatus (default 500) and an errorDocument
	ErrorStatus int           `fault:"error_status"`
	Throttle    bool          `fault:"throttle"` // answer every data request 503 with the NBI rate-limit text
	// RetryAfter, with Throttle, adds a Retry-After (in whole seconds, at
	// least 1) to the 503s, as a proxy in front of Prime may; Prime itself
	// sends none.
	RetryAfter   time.Duration `fault:"retry_after"`
	Truncate     bool          `fault:"truncate"`       // send only the first half of each 200 body, without Content-Length, then close
	Malformed    bool          `fault:"malformed"`      // 200 with a body that is not valid JSON
	Oversize     int64         `fault:"oversize"`       // pad each 200 body with spaces to this many bytes: valid JSON, larger than a client accepts
	Reset        bool          `fault:"reset"`          // close the connection without a response
	ResetMidBody bool          `fault:"reset_mid_body"` // send half of each 200 body under its full Content-Length, then drop the connection
	ShrinkTotal  bool          `fault:"shrink_total"`   // lists lose a third of their rows (and @count) on pages after the first (.firstResult > 0)
	// EndlessPaging makes list paging never end: each page reports an
	// @count at least one page past itself, and pages past the end start
	// over from the first rows.
	EndlessPaging bool `fault:"endless_paging"`
	// Revoke refuses the user's password and drops its sessions (401) once
	// RevokeAfter data requests were served since SetFaults, as when the
	// password is changed or expires in the middle of a refresh.
	Revoke      bool   `fault:"revoke"`
	RevokeAfter int    `fault:"revoke_after"`
	PathPrefix  string `fault:"path_prefix"` // when set, faults apply only to paths with this prefix
}

// Traits are how Prime refuses a throttled call (its 503, not a 429) and a
// revoked password, and that it sends a caller without credentials to its
// login page.
func (s *Server) Traits() simkit.Traits {
	return simkit.Traits{
		Throttled:     simkit.Refusal{Status: http.StatusServiceUnavailable, Says: "NBI Rate limit"},
		Revoked:       simkit.Refusal{Status: http.StatusUnauthorized, Says: "Authentication failed"},
		LoginRedirect: true,
	}
}

// proxyErrorPage is what Malformed glues in front of a body: an HTML error
// page, as a proxy in the path might.
const proxyErrorPage = "<html><body>Proxy Error</body></html>\n"
