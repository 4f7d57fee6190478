package nautobotsim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// versionInfo is the simulated server release and the API versions it
// accepts.
type versionInfo struct {
	major, minor int      // server release
	allowed      []string // REST_FRAMEWORK_ALLOWED_VERSIONS
	def          string   // DEFAULT_VERSION
	release      string   // nautobot-version in /api/status/
	django       string
}

// parseVersion reads Options.Version: "2.x" (or "") is 2.4, "1.x" is 1.6,
// and "2.0"…"2.4" or "1.4"…"1.6" pick an older release.
func parseVersion(v string) (versionInfo, error) {
	switch v {
	case "", "2", "2.x":
		v = "2.4"
	case "1", "1.x":
		v = "1.6"
	}
	maj, mnr, ok := strings.Cut(v, ".")
	major, err1 := strconv.Atoi(maj)
	minor, err2 := strconv.Atoi(mnr)
	if !ok || err1 != nil || err2 != nil || !(major == 2 && minor >= 0 && minor <= 4 || major == 1 && minor >= 4 && minor <= 6) {
		return versionInfo{}, fmt.Errorf("nautobotsim: unknown version %q (want 2.x, 1.x, 2.0-2.4 or 1.4-1.6)", v)
	}
	vi := versionInfo{major: major, minor: minor}
	first := 0
	if major == 1 {
		first = 2 // 1.x accepts API versions from 1.2, and defaults to it
	}
	for m := first; m <= minor; m++ {
		vi.allowed = append(vi.allowed, fmt.Sprintf("%d.%d", major, m))
	}
	vi.def = vi.allowed[len(vi.allowed)-1]
	vi.django = "4.2.20"
	if major == 1 {
		vi.def = "1.2"
		vi.django = "3.2.25"
	}
	// The two releases the contract notes were checked against; others
	// report patch 0.
	switch v {
	case "2.4":
		vi.release = "2.4.36"
	case "1.6":
		vi.release = "1.6.32"
	default:
		vi.release = v + ".0"
	}
	return vi, nil
}

func (vi *versionInfo) newest() string { return vi.allowed[len(vi.allowed)-1] }

// mediaType is one entry of an Accept header.
type mediaType struct {
	typ, sub string
	params   map[string]string
}

func (m mediaType) precedence() int {
	switch {
	case m.typ == "*":
		return 0
	case m.sub == "*":
		return 1
	}
	if _, q := m.params["q"]; len(m.params) == 0 || (len(m.params) == 1 && q) {
		return 2
	}
	return 3
}

func parseAccept(h string) []mediaType {
	var out []mediaType
	for _, part := range strings.Split(h, ",") {
		fields := strings.Split(part, ";")
		full := strings.TrimSpace(fields[0])
		if full == "" {
			continue
		}
		typ, sub, _ := strings.Cut(full, "/")
		m := mediaType{typ: strings.TrimSpace(typ), sub: strings.TrimSpace(sub), params: map[string]string{}}
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(p, "=")
			if ok {
				m.params[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		out = append(out, m)
	}
	return out
}

// acceptedJSON picks the Accept entry DRF's content negotiation would
// match to its JSON renderer: the most specific first, header order
// within a specificity.
func acceptedJSON(h string) (mediaType, bool) {
	if strings.TrimSpace(h) == "" {
		h = "*/*"
	}
	ms := parseAccept(h)
	slices.SortStableFunc(ms, func(a, b mediaType) int { return b.precedence() - a.precedence() })
	for _, m := range ms {
		if m.typ == "*" || (m.typ == "application" && (m.sub == "*" || m.sub == "json")) {
			return m, true
		}
	}
	return mediaType{}, false
}

// negotiate settles the request's API version as NautobotAPIVersioning
// does: Accept "version=" and query "api_version=" must agree; a refused
// header version is a 406, a refused query version a 404.
func (s *Server) negotiate(rc *reqCtx) (response, bool) {
	// Only JSON is rendered: the browsable API (format=api) answers JSON
	// too, other formats are unknown (DRF answers 404).
	if f, ok := last(rc.q, "format"); ok && f != "json" && f != "api" {
		return detail(http.StatusNotFound, msgNotFound), false
	}
	m, ok := acceptedJSON(strings.Join(rc.r.Header.Values("Accept"), ","))
	if !ok {
		return detail(http.StatusNotAcceptable, "Could not satisfy the request Accept header."), false
	}
	hv, hasH := m.params["version"]
	qv, hasQ := last(rc.q, "api_version")
	supported := strings.Join(s.ver.allowed, ", ")
	switch {
	case hasH && hasQ && hv != qv:
		return detail(http.StatusBadRequest, `Version mismatch between "Accept" header and query parameter.`), false
	case hasH && !slices.Contains(s.ver.allowed, hv):
		return detail(http.StatusNotAcceptable, fmt.Sprintf(`Invalid version "%s" in "Accept" header. Supported versions are: %s`, hv, supported)), false
	case hasQ && !slices.Contains(s.ver.allowed, qv):
		return detail(http.StatusNotFound, fmt.Sprintf(`Invalid version "%s" in query parameter. Supported versions are: %s`, qv, supported)), false
	}
	rc.version = s.ver.def
	if hasQ {
		rc.version = qv
	}
	if hasH {
		rc.version = hv
	}
	_, mnr, _ := strings.Cut(rc.version, ".")
	rc.minor, _ = strconv.Atoi(mnr)
	return response{}, true
}
