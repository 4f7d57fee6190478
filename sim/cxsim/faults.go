package cxsim

import (
	"net/http"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Faults are switchable failures. The zero value is a healthy server.
//
// Latency applies to every request under PathPrefix, the token endpoint
// included; the other faults only to API calls that passed authentication.
// RateLimit answers are counted in Calls and RateLimited but not charged to
// the limits; Reset and ErrorRate answers are counted and charged (the
// server did the work, the answer was lost); Truncate, Malformed, Oversize
// and the paging faults apply to 200 answers, which were served and
// charged. The paging faults and Oversize change what a list serves, so
// they answer 200 with an ETag of their own even where the data's ETag
// would give a 304. Revoke answers are 401s, which Calls leaves out.
type Faults struct {
	Latency      time.Duration `fault:"latency"`    // added before every response
	ErrorRate    float64       `fault:"error_rate"` // fraction 0..1 of calls answered with ErrorStatus (default 500) and a {"message"} body
	ErrorStatus  int           `fault:"error_status"`
	RateLimit    bool          `fault:"throttle"`       // answer every call 429 with the documented body and headers, Retry-After 1
	NoRetryAfter bool          `fault:"no_retry_after"` // with RateLimit: leave Retry-After out of the 429s
	// RetryAfter, with RateLimit, sends this Retry-After (in whole seconds,
	// at least 1) instead of 1.
	RetryAfter   time.Duration `fault:"retry_after"`
	Truncate     bool          `fault:"truncate"`       // send only the first half of each 200 body, without a Content-Length, then close
	Malformed    bool          `fault:"malformed"`      // 200 with a body that is not valid JSON
	Oversize     int64         `fault:"oversize"`       // pad each 200 body with spaces to this many bytes: valid JSON, larger than a client accepts
	Reset        bool          `fault:"reset"`          // close the connection without a response
	ResetMidBody bool          `fault:"reset_mid_body"` // send half of each 200 body under its full Content-Length, then drop the connection
	ShrinkTotal  bool          `fault:"shrink_total"`   // lists lose a third of their items (and of their total) on pages after the first
	// EndlessPaging makes list paging never end: each page reports a total
	// at least one page past itself, and pages past the end start over
	// from the first items.
	EndlessPaging bool `fault:"endless_paging"`
	// NoPagingHeaders leaves the offset, max and total headers out of list
	// answers, as a proxy that drops unknown headers would.
	NoPagingHeaders bool `fault:"no_paging_headers"`
	// ReprocessMidWalk finishes a processing run (Step) just before the
	// first list page after a first page is served since SetFaults: the
	// data, Last-Modified and ETag change in the middle of a walk.
	ReprocessMidWalk bool `fault:"reprocess_mid_walk"`
	// ExpireTokensAfter, when positive, makes every token issued expire
	// once, after that many API calls since SetFaults: a token lapsing in
	// the middle of a walk. New tokens are issued as usual.
	ExpireTokensAfter int `fault:"expire_tokens_after"`
	// Revoke, once RevokeAfter API calls were served since SetFaults, drops
	// every access token issued (401 invalid_token) and refuses the client
	// at the token endpoint (401 invalid_client), as when the client secret
	// is revoked in the middle of a refresh.
	Revoke      bool   `fault:"revoke"`
	RevokeAfter int    `fault:"revoke_after"`
	PathPrefix  string `fault:"path_prefix"` // when set, faults apply only to paths with this prefix
}

// SetFaults switches faults as simkit.Faulted does, and makes the one-off
// faults due again.
func (s *Server) SetFaults(f Faults) {
	s.Faulted.SetFaults(f)
	s.reprocessed.Store(false)
	s.expired.Store(false)
}

// Traits are how CX Cloud refuses a throttled call and a revoked client,
// and that it answers an unchanged resource 304. A revoked client is
// refused with one text by the API and another by the token endpoint, so
// Revoked names no phrase.
func (s *Server) Traits() simkit.Traits {
	return simkit.Traits{
		Throttled:   simkit.Refusal{Status: http.StatusTooManyRequests, Says: msgRateLimited},
		Revoked:     simkit.Refusal{Status: http.StatusUnauthorized},
		NotModified: true,
	}
}
