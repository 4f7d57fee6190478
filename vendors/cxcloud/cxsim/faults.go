package cxsim

import (
	"net/http"
	"time"
)

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
func (s *Server) SetFaults(f Faults) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = f
	s.faultRnd = newRand(s.opts.Seed, faultStream)
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faults
}

func (s *Server) drawError(rate float64) bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faultRnd.Float64() < rate
}

// resetConn drops the connection without an answer.
func resetConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Without hijacking (HTTP/2), aborting the handler resets the stream.
	panic(http.ErrAbortHandler)
}

// truncate sends half the body without a length and closes the
// connection: with neither Content-Length nor chunking, the client cannot
// tell the cut from the end, as when a connection breaks mid-body. It sees
// a 200 whose body is not valid JSON.
func truncate(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Transfer-Encoding", "identity") // close-delimited, not chunked
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
}

// malformed returns a body no JSON decoder accepts: the anti-hijacking
// prefix some proxies put in front of JSON.
func malformed(body []byte) []byte {
	return append([]byte(")]}'\n"), body...)
}
