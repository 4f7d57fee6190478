package cxsim

import (
	"net/http"
	"strconv"
	"time"
)

// usage is one application's fixed windows: the current second and the
// current UTC day of the injected clock.
type usage struct {
	sec, day   int64
	nSec, nDay int
}

// limitState is what the rate-limit headers report for one call.
type limitState struct {
	perSec, remSec     int
	perDay, remDay     int
	resetSec, resetDay int // seconds until each window ends
	retryAfter         int // > 0 on a 429
	dayOut             bool
}

// admit counts an authenticated call and charges it to its application's
// windows. A 429 is not charged; a 304 is (it is a request like any other).
// storm (Faults.RateLimit) answers 429 as if the second were spent.
func (s *Server) admit(client, tmpl string, now time.Time, storm bool) (limitState, bool) {
	s.calls.Count(tmpl)
	s.callMu.Lock()
	defer s.callMu.Unlock()
	sec := now.Truncate(time.Second).Unix()
	dayStart := now.UTC().Truncate(24 * time.Hour)
	u := s.usage[client]
	if u == nil {
		u = &usage{}
		s.usage[client] = u
	}
	if u.sec != sec {
		u.sec, u.nSec = sec, 0
	}
	if d := dayStart.Unix(); u.day != d {
		u.day, u.nDay = d, 0
	}
	st := limitState{
		perSec:   s.perSec,
		remSec:   max(0, s.perSec-u.nSec),
		perDay:   s.perDay,
		remDay:   max(0, s.perDay-u.nDay),
		resetSec: 1,
		resetDay: ceilSeconds(dayStart.Add(24 * time.Hour).Sub(now)),
	}
	switch {
	case storm:
		st.remSec, st.retryAfter = 0, 1
	case st.remDay == 0:
		st.retryAfter, st.dayOut = st.resetDay, true
	case st.remSec == 0:
		st.retryAfter = st.resetSec
	default:
		u.nSec++
		u.nDay++
		st.remSec--
		st.remDay--
		return st, true
	}
	s.rateLimited++
	return st, false
}

func ceilSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// set writes the headers in the documented casing. RateLimit-Limit,
// -Remaining and -Reset describe the window closest to its limit (the
// spent one on a 429; the second on a tie).
func (st limitState) set(h http.Header) {
	lim, rem, reset := st.perSec, st.remSec, st.resetSec
	if st.dayOut || (st.retryAfter == 0 && st.remDay < st.remSec) {
		lim, rem, reset = st.perDay, st.remDay, st.resetDay
	}
	put := func(k string, v int) { h[k] = []string{strconv.Itoa(v)} }
	put("RateLimit-Limit", lim)
	put("RateLimit-Remaining", rem)
	put("RateLimit-Reset", reset)
	if st.retryAfter > 0 {
		put("Retry-After", st.retryAfter)
	}
	put("X-RateLimit-Limit-Day", st.perDay)
	put("X-RateLimit-Remaining-Day", st.remDay)
	put("X-RateLimit-Limit-Second", st.perSec)
	put("X-RateLimit-Remaining-Second", st.remSec)
}
