package cxsim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// basePath follows the region segment: /{region}/bcs/v2/.
const basePath = "/bcs/v2/"

type route struct {
	ep   int
	id   string // the specific-ID segment; "" for a list
	rest string // the path under the base: what the ETag covers
	tmpl string // for CallsByPath, e.g. "/{region}/bcs/v2/inventory/devices/{deviceId}"
}

// matchRoute accepts /{region}/bcs/v2/... for any single region segment:
// the base URI has no region-less form.
func matchRoute(path string) (route, bool) {
	if len(path) < 2 || path[0] != '/' {
		return route{}, false
	}
	slash := strings.IndexByte(path[1:], '/')
	if slash <= 0 {
		return route{}, false
	}
	rest, ok := strings.CutPrefix(path[1+slash:], basePath)
	if !ok {
		return route{}, false
	}
	const tmplBase = "/{region}" + basePath
	if i, ok := epByName[rest]; ok {
		return route{ep: i, rest: rest, tmpl: tmplBase + rest}, true
	}
	k := strings.LastIndexByte(rest, '/')
	if k < 0 || k == len(rest)-1 {
		return route{}, false
	}
	i, ok := epByName[rest[:k]]
	if !ok || endpoints[i].idParam == "" {
		return route{}, false
	}
	return route{ep: i, id: rest[k+1:], rest: rest, tmpl: tmplBase + rest[:k] + "/{" + endpoints[i].idParam + "}"}, true
}

type filter struct {
	attr int
	vals []string
}

type params struct {
	// start is the first item's index (the offset less the first offset);
	// max is the page size, the server's choice.
	start, max int
	mask       []bool // nil: every attribute
	filters    []filter
	// shrink and endless are Faults.ShrinkTotal and Faults.EndlessPaging.
	shrink, endless bool
	anyKey          bool // Options.FiltersAnyKey
}

// parseParams reads offset, fields and the endpoint's filters. Any other
// parameter, max among them (the server picks the page size), is ignored,
// or with strict a 400. first is the offset of the first item (1, or 0). A
// specific-ID call takes fields only; offset and filters are ignored there
// (filters are a 400 with strict).
func parseParams(ep *endpoint, byID, strict bool, first, pageSize int, q url.Values) (params, *response) {
	p := params{max: pageSize}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := q[name]
		switch name {
		case "offset":
			n, err := strconv.Atoi(vals[0])
			if err != nil || n < 0 {
				return p, badRequest("offset must be a non-negative integer")
			}
			// An offset below the first is read as the first.
			p.start = max(n-first, 0)
		case "fields":
			p.mask = parseMask(ep, vals)
		default:
			attr, ok := ep.filterAttr[name]
			switch {
			case ok && !byID:
				p.filters = append(p.filters, filter{attr: attr, vals: vals})
			case strict:
				return p, badRequest("Unknown filter: " + name)
			}
		}
	}
	if byID {
		p.start = 0
	}
	return p, nil
}

// parseMask reads fields=a,b,c (repeatable); unknown names are ignored, and
// a mask naming nothing at all is no mask.
func parseMask(ep *endpoint, vals []string) []bool {
	var mask []bool
	for _, v := range vals {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if mask == nil {
				mask = make([]bool, len(ep.attrs))
			}
			if k, ok := ep.attrIndex[name]; ok {
				mask[k] = true
			}
		}
	}
	return mask
}

func badRequest(msg string) *response {
	r := message(http.StatusBadRequest, msg)
	return &r
}

// matches reports whether row passes the filters: values of one filter
// are alternatives; filters combine with AND, or with anyKey with OR.
// Values compare as text.
func matches(row []value, fs []filter, anyKey bool, scratch *[]byte) bool {
	for _, f := range fs {
		b, ok := appendText((*scratch)[:0], row[f.attr])
		*scratch = b
		if hit := ok && slices.Contains(f.vals, string(b)); hit == anyKey {
			return hit
		}
	}
	return !anyKey || len(fs) == 0
}

// list renders a page of the filtered items; total counts all that match.
func (w *world) list(ep *endpoint, p params) (body []byte, total int) {
	if p.shrink || p.endless {
		return w.faultyList(ep, p)
	}
	n := ep.count(w)
	row := make([]value, 0, len(ep.attrs))
	body = make([]byte, 0, 64+min(n, p.max)*len(ep.attrs)*24)
	body = append(body, `{"items":[`...)
	first := true
	emit := func() {
		if !first {
			body = append(body, ',')
		}
		first = false
		body = appendObject(body, ep.attrs, row, p.mask)
	}
	if len(p.filters) == 0 {
		total = n
		lo := min(p.start, n)
		hi := lo + min(p.max, n-lo)
		for i := lo; i < hi; i++ {
			row = ep.row(w, i, row)
			emit()
		}
	} else {
		var scratch []byte
		for i := 0; i < n; i++ {
			row = ep.row(w, i, row)
			if !matches(row, p.filters, p.anyKey, &scratch) {
				continue
			}
			if total >= p.start && total-p.start < p.max {
				emit()
			}
			total++
		}
	}
	return append(body, "]}\n"...), total
}

// faultyList is list under the paging faults: with shrink, pages past the
// first see a third fewer items; with endless, each page reports a total
// at least one page past itself, and pages past the end start over.
func (w *world) faultyList(ep *endpoint, p params) (body []byte, total int) {
	var idx []int
	row := make([]value, 0, len(ep.attrs))
	var scratch []byte
	for i := range ep.count(w) {
		row = ep.row(w, i, row)
		if matches(row, p.filters, p.anyKey, &scratch) {
			idx = append(idx, i)
		}
	}
	lo, hi, total := simkit.Window(len(idx), p.start, p.max, p.shrink, p.endless)
	body = append(make([]byte, 0, 64+(hi-lo)*len(ep.attrs)*24), `{"items":[`...)
	for k, i := range idx[lo:hi] {
		if k > 0 {
			body = append(body, ',')
		}
		row = ep.row(w, i, row)
		body = appendObject(body, ep.attrs, row, p.mask)
	}
	return append(body, "]}\n"...), total
}

// serveAPI answers a routed, authenticated and admitted GET or HEAD. The
// paging faults and Oversize change what is served, so they answer 200
// even to a matching If-None-Match, with an ETag of their own, as a
// changed resource would.
func (s *Server) serveAPI(r *http.Request, rt route, f Faults) response {
	q := r.URL.Query()
	ep := &endpoints[rt.ep]
	if ep.name == bulkName {
		return s.serveBulk(r, rt)
	}
	p, bad := parseParams(ep, rt.id != "", s.opts.StrictParams, s.firstOffset(), s.opts.PageSize, q)
	if bad != nil {
		return *bad
	}
	p.shrink, p.endless, p.anyKey = f.ShrinkTotal, f.EndlessPaging, s.opts.FiltersAnyKey
	changed := f.ShrinkTotal || f.EndlessPaging || f.Oversize > 0
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	idx := -1
	if rt.id != "" {
		if idx = ep.find(w, rt.id); idx < 0 {
			return message(http.StatusNotFound, msgNotFound)
		}
	}
	if ep.single {
		idx = 0
	}
	v := w.vers[rt.ep]
	tag := w.etag(v.n, rt.rest, q)
	lm := time.Unix(v.mod, 0).UTC()
	conditional := !s.opts.FirstPageConditional || idx >= 0 || p.start == 0
	if changed {
		// What is served differs from the data the tag names, so it has a
		// tag of its own, and no precondition matches it.
		tag = w.etag(v.n, rt.rest+"\x00fault", q)
	} else if resp, done := precondition(r, tag, lm, conditional); done {
		return resp
	}
	var resp response
	if idx >= 0 {
		row := ep.row(w, idx, make([]value, 0, len(ep.attrs)))
		body := appendObject(make([]byte, 0, 1024), ep.attrs, row, p.mask)
		resp = response{status: http.StatusOK, body: append(body, '\n')}
	} else {
		body, total := w.list(ep, p)
		resp = response{status: http.StatusOK, body: body}
		if !f.NoPagingHeaders {
			// The names are written in lower case, as the SDK reads them.
			h := resp.Header()
			h["offset"] = []string{strconv.Itoa(p.start + s.firstOffset())}
			h["max"] = []string{strconv.Itoa(p.max)}
			h["total"] = []string{strconv.Itoa(total)}
		}
	}
	setValidators(resp.Header(), tag, lm)
	return resp
}

// etag covers the world's identity, the endpoint's data version, the path
// and the query, so each distinct URL has its own tag and the tag survives
// a restart that rebuilds the same world.
func (w *world) etag(ver uint64, rest string, q url.Values) string {
	h := sha256.New()
	var b []byte
	b = strconv.AppendInt(b, w.seed, 10)
	b = append(b, 0)
	b = append(b, w.size...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(w.today), 10)
	b = append(b, 0)
	b = strconv.AppendUint(b, ver, 10)
	b = append(b, 0)
	b = append(b, rest...)
	b = append(b, 0)
	b = append(b, q.Encode()...)
	h.Write(b)
	sum := h.Sum(nil)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func setValidators(h http.Header, tag string, lm time.Time) {
	// The documented casing is kept on the wire.
	h["ETag"] = []string{tag}
	h["Last-Modified"] = []string{lm.Format(http.TimeFormat)}
}

// precondition applies If-Match (412 when no tag matches), then, when the
// answer may be conditional, If-None-Match (304 when one does) and, only
// without If-None-Match, If-Modified-Since.
func precondition(r *http.Request, tag string, lm time.Time, conditional bool) (response, bool) {
	if im := r.Header.Values("If-Match"); len(im) > 0 && !tagListMatches(im, tag, false) {
		return message(http.StatusPreconditionFailed, "Precondition Failed"), true
	}
	if !conditional {
		return response{}, false
	}
	notModified := func() (response, bool) {
		resp := response{status: http.StatusNotModified}
		setValidators(resp.Header(), tag, lm)
		return resp, true
	}
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		if tagListMatches(inm, tag, true) {
			return notModified()
		}
		return response{}, false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lm.After(t) {
			return notModified()
		}
	}
	return response{}, false
}

// tagListMatches compares a header's entity tags with tag: weak comparison
// (W/ ignored) for If-None-Match, strong for If-Match; "*" matches.
func tagListMatches(headers []string, tag string, weak bool) bool {
	for _, h := range headers {
		for _, t := range strings.Split(h, ",") {
			t = strings.TrimSpace(t)
			if t == "*" {
				return true
			}
			if strings.HasPrefix(t, "W/") {
				if !weak {
					continue
				}
				t = t[2:]
			}
			if t == tag {
				return true
			}
		}
	}
	return false
}
