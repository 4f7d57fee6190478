package mistsim

import (
	"net/http"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

const faultStream = 0x6d69737473696d04

// Faults are switchable failures. The zero value is a healthy server.
//
// Calls and budget: RateLimit answers are counted in Calls but do not use
// the hourly budget; Reset and ErrorRate answers are counted in Calls and do
// use it (the server did the work, the answer was lost); Truncate,
// Malformed, Oversize and the paging faults apply to answers that were
// fully served, so they count too. Revoke answers are 401s, which Calls
// leaves out. Latency applies to every request under PathPrefix,
// authenticated or not; Revoke to API calls and logins; the other faults
// only to authenticated API calls (not to /login).
type Faults struct {
	Latency      time.Duration `fault:"latency"`    // added before every response
	ErrorRate    float64       `fault:"error_rate"` // fraction 0..1 of requests answered with ErrorStatus (default 500 when 0) and a JSON detail body
	ErrorStatus  int           `fault:"error_status"`
	RateLimit    bool          `fault:"throttle"`       // answer every API call with 429 (a "429 storm")
	RetryAfter   time.Duration `fault:"retry_after"`    // with RateLimit: send this Retry-After (in whole seconds, at least 1); 0 leaves it to Options.RetryAfter
	Truncate     bool          `fault:"truncate"`       // send only the first half of each 200 body (with the full Content-Length omitted), as a broken connection would
	Malformed    bool          `fault:"malformed"`      // 200 with a body that is not valid JSON
	Oversize     int64         `fault:"oversize"`       // pad each 200 body with spaces to this many bytes: valid JSON, larger than a client accepts
	Reset        bool          `fault:"reset"`          // hijack the connection and close it without a response
	ResetMidBody bool          `fault:"reset_mid_body"` // send half of each 200 body under its full Content-Length, then drop the connection
	ShrinkTotal  bool          `fault:"shrink_total"`   // X-Page-Total / search totals drop by a third between page 1 and later pages (data changing mid-walk)
	// NextLoop makes every search answer's next point back at the page
	// itself, the last page's too: following next never ends.
	NextLoop bool `fault:"next_loop"`
	// EndlessPaging makes paging never end: every search answer carries a
	// next (pages past the end are empty, each with a new cursor), and every
	// list answer reports an X-Page-Total at least one page past itself, its
	// pages past the end starting over from the first items.
	EndlessPaging bool `fault:"endless_paging"`
	// Revoke refuses the token and the login sessions (401 "Invalid
	// token.") and logins (as a wrong password) once RevokeAfter API calls
	// were served since SetFaults, as when the token is deleted or the
	// password changed in the middle of a refresh.
	Revoke      bool   `fault:"revoke"`
	RevokeAfter int    `fault:"revoke_after"`
	PathPrefix  string `fault:"path_prefix"` // when set, faults apply only to paths with this prefix

	// StreamDrop drops every WebSocket stream connection, without a close
	// frame, as a broken network does; new ones are dropped once upgraded.
	StreamDrop bool `fault:"stream_drop"`
	// StreamRefuse refuses stream handshakes with StreamRefuseStatus
	// (default 429, which Mist may answer a handshake with).
	StreamRefuse       bool `fault:"stream_refuse"`
	StreamRefuseStatus int  `fault:"stream_refuse_status"`
}

// Traits are how Mist refuses a throttled call and a revoked token.
func (s *Server) Traits() simkit.Traits {
	return simkit.Traits{
		Throttled: simkit.Refusal{Status: http.StatusTooManyRequests, Says: "Too Many Request"},
		Revoked:   simkit.Refusal{Status: http.StatusUnauthorized, Says: msgBadToken},
		LiveDrop:  "stream_drop",
	}
}
