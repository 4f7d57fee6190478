package cxsim

import "time"

// Faults are switchable failures. The zero value is a healthy server.
//
// Latency applies to every request under PathPrefix, the token endpoint
// included; the other faults only to API calls that passed authentication.
// RateLimit answers are counted in Calls and RateLimited but not charged to
// the limits; Reset and ErrorRate answers are counted and charged (the
// server did the work, the answer was lost); Truncate and Malformed apply
// to 200 answers, which were served and charged.
type Faults struct {
	Latency     time.Duration // added before every response
	ErrorRate   float64       // fraction 0..1 of calls answered with ErrorStatus (default 500) and a {"message"} body
	ErrorStatus int
	RateLimit   bool   // answer every call 429 with the documented body and headers, Retry-After 1
	Truncate    bool   // send only the first half of each 200 body, without a Content-Length, then close
	Malformed   bool   // 200 with a body that is not valid JSON
	Reset       bool   // close the connection without a response
	PathPrefix  string // when set, faults apply only to paths with this prefix
}

// SetFaults switches faults; safe to call while requests are served. The
// error-rate draw restarts from the seed, so the same request sequence
// after the same SetFaults gets the same errors.
func (s *Server) SetFaults(f Faults) { s.fault.Set(f) }

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return s.fault.Get() }
