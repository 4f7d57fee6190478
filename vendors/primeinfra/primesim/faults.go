package primesim

import (
	"net/http"
	"time"
)

// Faults are switchable failures. The zero value is a healthy server.
//
// Latency delays admitted data requests under PathPrefix, which hold their
// in-flight slot meanwhile, so Latency makes requests overlap for the
// concurrency limit; answers given before admission (401, 404, 405,
// Throttle, the limits' 503s) are not delayed. Throttle answers are counted in Calls but not
// charged to the rate limits; Reset and ErrorRate answers are charged (the
// server did the work, the answer was lost). Truncate and Malformed apply
// to 200 answers only.
type Faults struct {
	Latency     time.Duration // added before each admitted data request is served
	ErrorRate   float64       // fraction 0..1 of admitted data requests answered with ErrorStatus (default 500) and an errorDocument
	ErrorStatus int
	Throttle    bool   // answer every data request 503 with the NBI rate-limit text
	Truncate    bool   // send only the first half of each 200 body, without Content-Length, then close
	Malformed   bool   // 200 with a body that is not valid JSON
	Reset       bool   // close the connection without a response
	ShrinkTotal bool   // lists lose a third of their rows (and @count) on pages after the first (.firstResult > 0)
	PathPrefix  string // when set, faults apply only to paths with this prefix
}

// SetFaults switches faults; safe to call while requests are served. The
// error-rate draw restarts from the seed, so the same request sequence
// after the same SetFaults gets the same errors.
func (s *Server) SetFaults(f Faults) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = f
	s.faultRnd = newRand(s.opts.Seed, streamFault)
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
// tell the cut from the end, as when a connection breaks mid-body.
func truncate(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Transfer-Encoding", "identity") // close-delimited, not chunked
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
}

// malformed returns a body no JSON decoder accepts: an HTML error page
// glued in front, as a proxy in the path might.
func malformed(body []byte) []byte {
	return append([]byte("<html><body>Proxy Error</body></html>\n"), body...)
}
