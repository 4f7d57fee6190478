package cxsim

import "time"

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
	Latency      time.Duration // added before every response
	ErrorRate    float64       // fraction 0..1 of calls answered with ErrorStatus (default 500) and a {"message"} body
	ErrorStatus  int
	RateLimit    bool  // answer every call 429 with the documented body and headers, Retry-After 1
	NoRetryAfter bool  // with RateLimit: leave Retry-After out of the 429s
	Truncate     bool  // send only the first half of each 200 body, without a Content-Length, then close
	Malformed    bool  // 200 with a body that is not valid JSON
	Oversize     int64 // pad each 200 body with spaces to this many bytes: valid JSON, larger than a client accepts
	Reset        bool  // close the connection without a response
	ResetMidBody bool  // send half of each 200 body under its full Content-Length, then drop the connection
	ShrinkTotal  bool  // lists lose a third of their items (and of their total) on pages after the first
	// EndlessPaging makes list paging never end: each page reports a total
	// at least one page past itself, and pages past the end start over
	// from the first items.
	EndlessPaging bool
	// NoPagingHeaders leaves the offset, max and total headers out of list
	// answers, as a proxy that drops unknown headers would.
	NoPagingHeaders bool
	// ReprocessMidWalk finishes a processing run (Step) just before the
	// first list page after a first page is served since SetFaults: the
	// data, Last-Modified and ETag change in the middle of a walk.
	ReprocessMidWalk bool
	// ExpireTokensAfter, when positive, makes every token issued expire
	// once, after that many API calls since SetFaults: a token lapsing in
	// the middle of a walk. New tokens are issued as usual.
	ExpireTokensAfter int
	// Revoke, once RevokeAfter API calls were served since SetFaults, drops
	// every access token issued (401 invalid_token) and refuses the client
	// at the token endpoint (401 invalid_client), as when the client secret
	// is revoked in the middle of a refresh.
	Revoke      bool
	RevokeAfter int
	PathPrefix  string // when set, faults apply only to paths with this prefix
}

// SetFaults switches faults; safe to call while requests are served. The
// error-rate draw restarts from the seed, so the same request sequence
// after the same SetFaults gets the same errors.
func (s *Server) SetFaults(f Faults) {
	s.fault.Set(f)
	s.reprocessed.Store(false)
	s.expired.Store(false)
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return s.fault.Get() }
