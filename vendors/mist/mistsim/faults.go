package mistsim

import "time"

const faultStream = 0x6d69737473696d04

// Faults are switchable failures. The zero value is a healthy server.
//
// Calls and budget: RateLimit answers are counted in Calls but do not use
// the hourly budget; Reset and ErrorRate answers are counted in Calls and do
// use it (the server did the work, the answer was lost); Truncate and
// Malformed apply to answers that were fully served, so they count too.
// Latency applies to every request under PathPrefix, authenticated or not;
// the other faults only to authenticated API calls (not to /login).
type Faults struct {
	Latency     time.Duration // added before every response
	ErrorRate   float64       // fraction 0..1 of requests answered with ErrorStatus (default 500 when 0) and a JSON detail body
	ErrorStatus int
	RateLimit   bool   // answer every API call with 429 (a "429 storm")
	Truncate    bool   // send only the first half of each 200 body (with the full Content-Length omitted), as a broken connection would
	Malformed   bool   // 200 with a body that is not valid JSON
	Reset       bool   // hijack the connection and close it without a response
	ShrinkTotal bool   // X-Page-Total / search totals drop by a third between page 1 and later pages (data changing mid-walk)
	PathPrefix  string // when set, faults apply only to paths with this prefix
}

// SetFaults switches faults; safe to call while requests are served. The
// error-rate draw restarts from the seed, so the same request sequence
// after the same SetFaults gets the same errors.
func (s *Server) SetFaults(f Faults) { s.fault.Set(f) }

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return s.fault.Get() }
