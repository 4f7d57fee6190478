package nautobotsim

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// qparam is one query parameter; order matters for error bodies.
type qparam struct{ k, v string }

// parseQuery splits a raw query as Django's QueryDict does: on "&" only,
// "+" as space, blank values kept.
func parseQuery(raw string) []qparam {
	var out []qparam
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if s, err := url.QueryUnescape(k); err == nil {
			k = s
		}
		if s, err := url.QueryUnescape(v); err == nil {
			v = s
		}
		out = append(out, qparam{k, v})
	}
	return out
}

// last is QueryDict.get: the last value of k.
func last(q []qparam, k string) (string, bool) {
	for i := len(q) - 1; i >= 0; i-- {
		if q[i].k == k {
			return q[i].v, true
		}
	}
	return "", false
}

func all(q []qparam, k string) []string {
	var out []string
	for _, p := range q {
		if p.k == k {
			out = append(out, p.v)
		}
	}
	return out
}

// isTruthy is Nautobot's is_truthy for flags such as exclude_m2m.
func isTruthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	}
	return false
}

// parseBool is Django's NullBooleanField: anything else filters nothing.
func parseBool(v string) (b, ok bool) {
	switch v {
	case "true", "True", "1":
		return true, true
	case "false", "False", "0":
		return false, true
	}
	return false, false
}

// nonFilter are the query parameters that are not filters, per major
// version; anything else must be a known filter.
var nonFilter = map[bool]map[string]bool{
	false: {"api_version": true, "depth": true, "exclude_m2m": true, "format": true, "include": true, "limit": true, "offset": true, "sort": true},
	true:  {"api_version": true, "brief": true, "format": true, "include": true, "limit": true, "offset": true, "sort": true},
}

// window is one page of a list: limit 0 means every row (pagination off).
type window struct{ limit, offset int }

// pageWindow follows Nautobot's OptionalLimitOffsetPagination.get_limit:
// a bad or negative limit gives the default, above the cap it is clamped,
// 0 is the cap (or everything when there is no cap).
func (s *Server) pageWindow(q []qparam) window {
	var p window
	p.limit = s.pageSize
	if v, ok := last(q, "limit"); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			switch {
			case s.maxPage <= 0:
				p.limit = n
			case n == 0:
				p.limit = s.maxPage
			default:
				p.limit = min(n, s.maxPage)
			}
		}
	}
	if v, ok := last(q, "offset"); ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			p.offset = n
		}
	}
	return p
}

// pageURL is the request's absolute URL with limit set and offset set or
// removed; the other parameters are kept, sorted by key as DRF re-encodes
// them.
func pageURL(rc *reqCtx, limit, offset int, withOffset bool) string {
	vals, _ := url.ParseQuery(rc.r.URL.RawQuery)
	vals.Set("limit", strconv.Itoa(limit))
	if withOffset {
		vals.Set("offset", strconv.Itoa(offset))
	} else {
		vals.Del("offset")
	}
	return rc.base + rc.r.URL.EscapedPath() + "?" + vals.Encode()
}

func links(rc *reqCtx, count int, p window) (next, prev string) {
	if p.limit == 0 {
		return "", ""
	}
	if p.offset+p.limit < count {
		next = pageURL(rc, p.limit, p.offset+p.limit, true)
	}
	if p.offset > 0 {
		if p.offset-p.limit <= 0 {
			prev = pageURL(rc, p.limit, 0, false)
		} else {
			prev = pageURL(rc, p.limit, p.offset-p.limit, true)
		}
	}
	return next, prev
}

// ---- filters ------------------------------------------------------------

type fkind uint8

const (
	fText          fkind = iota // exact, case-sensitive; string lookups
	fIText                      // exact, case-insensitive; string lookups
	fRef                        // a related object by name (2.x) or slug (1.x), or by UUID
	fRefID                      // a related object by UUID only (1.x *_id filters)
	fTree                       // fRef that also matches descendant locations
	fID                         // the object's own UUID
	fBool                       // true/false
	fChoice                     // one of a fixed set
	fMember                     // the value is in a list field (content_types)
	fSearch                     // q
	fWithin                     // the object's network lies within the value
	fWithinInclude              // ... or equals it
	fContains                   // the object's network contains the value
)

type filter struct {
	name     string
	kind     fkind
	nullable bool
	to       tbl
	text     func(w *world, i int) string // fText, fIText, fChoice; "" is null
	ref      func(w *world, i int) int    // fRef, fRefID, fTree; -1 is null
	flag     func(w *world, i int) bool
	list     func(w *world, i int) []string
	net      func(w *world, i int) (uint32, uint8)
	search   func(w *world, i int, needle string) bool
	choices  []string
}

var textLookups = []string{"n", "ic", "nic", "isw", "nisw", "iew", "niew", "ie", "nie"}

// lookups lists the suffixes (after "__") a filter accepts.
func (f *filter) lookups() []string {
	var out []string
	switch f.kind {
	case fText, fIText:
		out = textLookups
	case fRef, fRefID, fTree, fID, fChoice, fMember:
		out = []string{"n"}
	}
	if f.nullable {
		out = append(slices.Clip(out), "isnull")
	}
	return out
}

// cond is one filter parameter with its values, resolved.
type cond struct {
	f    *filter
	lk   string
	vals []string
	mask []bool // fRef, fRefID, fTree: matching related objects
	ids  map[uuid]bool
	nets []netv
	b    bool
	skip bool // nothing to filter (no usable value)
}

type netv struct {
	n    uint32
	plen uint8
}

// fieldErr is one entry of a 400 body: {"field": ["message"]}.
type fieldErr struct{ field, msg string }

func invalidChoice(v string) string {
	return fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)
}

// parseFilters turns the query into conditions. Errors follow Nautobot's
// filter set: the form's field errors first, then every unknown parameter
// as "Unknown filter field".
func (w *world) parseFilters(ep *endpoint, q []qparam) ([]*cond, []fieldErr) {
	skipKeys := nonFilter[w.v1]
	byKey := map[string]*cond{}
	var conds []*cond
	var unknown []string
	seenUnknown := map[string]bool{}
	for _, p := range q {
		if skipKeys[p.k] {
			continue
		}
		if c := byKey[p.k]; c != nil {
			c.vals = append(c.vals, p.v)
			continue
		}
		f, lk := ep.find(p.k)
		if f == nil {
			if !seenUnknown[p.k] {
				seenUnknown[p.k] = true
				unknown = append(unknown, p.k)
			}
			continue
		}
		c := &cond{f: f, lk: lk, vals: []string{p.v}}
		byKey[p.k] = c
		conds = append(conds, c)
	}
	// Field errors come in the filter set's declaration order.
	slices.SortStableFunc(conds, func(a, b *cond) int { return ep.pos(a.f) - ep.pos(b.f) })
	var errs []fieldErr
	for _, c := range conds {
		if msg := w.resolveCond(c); msg != "" {
			errs = append(errs, fieldErr{c.name(), msg})
		}
	}
	for _, k := range unknown {
		errs = append(errs, fieldErr{k, "Unknown filter field"})
	}
	return conds, errs
}

func (c *cond) name() string {
	if c.lk == "" {
		return c.f.name
	}
	return c.f.name + "__" + c.lk
}

// nonEmpty drops blank values, as django-filter does.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// resolveCond checks a condition's values and prepares matching; it
// returns the field error, if any.
func (w *world) resolveCond(c *cond) string {
	f := c.f
	if c.lk == "isnull" {
		b, ok := parseBool(c.vals[len(c.vals)-1])
		c.b, c.skip = b, !ok
		return ""
	}
	if f.kind == fSearch || f.kind == fBool {
		// Single-valued filters read the last value.
		v := c.vals[len(c.vals)-1]
		if f.kind == fBool {
			var ok bool
			c.b, ok = parseBool(v)
			c.skip = !ok
		} else {
			c.vals = []string{strings.ToLower(strings.TrimSpace(v))}
			c.skip = c.vals[0] == ""
		}
		return ""
	}
	c.vals = nonEmpty(c.vals)
	if len(c.vals) == 0 {
		c.skip = true
		return ""
	}
	switch f.kind {
	case fChoice:
		for _, v := range c.vals {
			if !slices.Contains(f.choices, v) {
				return invalidChoice(v)
			}
		}
	case fID:
		c.ids = map[uuid]bool{}
		for _, v := range c.vals {
			u, ok := parseUUID(v)
			if !ok {
				return "Enter a valid UUID."
			}
			c.ids[u] = true
		}
	case fRef, fRefID, fTree:
		c.mask = make([]bool, w.storageLen(f.to))
		for _, v := range c.vals {
			if f.kind == fRefID {
				if _, ok := parseUUID(v); !ok {
					return fmt.Sprintf("“%s” is not a valid value.", v)
				}
			}
			hits := w.resolve(f.to, v, f.kind != fRefID)
			if len(hits) == 0 {
				return invalidChoice(v)
			}
			for _, h := range hits {
				c.mask[h] = true
			}
		}
		if f.kind == fTree {
			// Locations are stored parents first.
			for i := range w.locs {
				if p := w.locs[i].parent; p >= 0 && c.mask[p] {
					c.mask[i] = true
				}
			}
		}
	case fWithin, fWithinInclude, fContains:
		for _, v := range c.vals {
			if n, ok := parseNet(v); ok {
				c.nets = append(c.nets, n)
			}
		}
	}
	return ""
}

// parseNet reads "10.1.0.0/24" or a bare address (as a /32).
func parseNet(s string) (netv, bool) {
	addr, plen, hasLen := strings.Cut(strings.TrimSpace(s), "/")
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return netv{}, false
	}
	var a uint32
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return netv{}, false
		}
		a = a<<8 | uint32(n)
	}
	l := 32
	if hasLen {
		n, err := strconv.Atoi(plen)
		if err != nil || n < 0 || n > 32 {
			return netv{}, false
		}
		l = n
	}
	return netv{a & mask(uint8(l)), uint8(l)}, true
}

func mask(plen uint8) uint32 {
	if plen == 0 {
		return 0
	}
	return ^uint32(0) << (32 - plen)
}

func (n netv) contains(o netv) bool { return o.plen >= n.plen && o.n&mask(n.plen) == n.n }

func (w *world) storageLen(t tbl) int {
	switch t {
	case tLocation, tRegion, tSite, tBuilding:
		return len(w.locs)
	case tLocType:
		return len(w.locTypes)
	case tNamespace:
		return 1
	}
	n, _ := w.domain(t)
	return n
}

// resolve finds the objects of table t a filter value names: a UUID, or
// (when byName) a name in 2.x and a slug in 1.x.
func (w *world) resolve(t tbl, v string, byName bool) []int {
	if u, ok := parseUUID(v); ok {
		r, found := w.byID[u]
		if found && w.inTable(t, r) {
			return []int{int(r.i)}
		}
		return nil
	}
	if !byName {
		return nil
	}
	var out []int
	n, at := w.domain(t)
	for k := 0; k < n; k++ {
		i := at(k)
		name := w.name(t, i)
		if w.v1 {
			name = slugify(name)
		}
		if name == v {
			out = append(out, i)
		}
	}
	return out
}

// inTable reports whether an id's object belongs to table t.
func (w *world) inTable(t tbl, r ref) bool {
	switch t {
	case tRegion, tSite, tBuilding:
		return r.t == tLocation && w.locView(int(r.i)) == t
	}
	if r.t != t {
		return false
	}
	if t == tLocType && w.v1 {
		return r.i == int32(lvBuilding)
	}
	return true
}

func (c *cond) match(w *world, i int) bool {
	f := c.f
	if c.lk == "isnull" {
		var null bool
		if f.ref != nil {
			null = f.ref(w, i) < 0
		} else {
			null = f.text(w, i) == ""
		}
		return null == c.b
	}
	neg := strings.HasPrefix(c.lk, "n")
	switch f.kind {
	case fText, fIText:
		v := f.text(w, i)
		if v == "" && f.nullable {
			return neg
		}
		return textMatch(v, c.vals, c.lk, f.kind == fIText) != neg
	case fChoice:
		return slices.Contains(c.vals, f.text(w, i)) != neg
	case fMember:
		got := f.list(w, i)
		hit := false
		for _, v := range c.vals {
			if slices.Contains(got, v) {
				hit = true
			}
		}
		return hit != neg
	case fID:
		return c.ids[w.metaOf(f.to, i).id] != neg
	case fRef, fRefID, fTree:
		r := f.ref(w, i)
		if r < 0 {
			return neg
		}
		return c.mask[r] != neg
	case fBool:
		return f.flag(w, i) == c.b
	case fSearch:
		return f.search(w, i, c.vals[0])
	case fWithin, fWithinInclude, fContains:
		n, l := f.net(w, i)
		own := netv{n, l}
		for _, v := range c.nets {
			switch f.kind {
			case fWithin:
				if v.contains(own) && own != v {
					return true
				}
			case fWithinInclude:
				if v.contains(own) {
					return true
				}
			case fContains:
				if own.contains(v) {
					return true
				}
			}
		}
		return false
	}
	return true
}

// textMatch applies a string lookup; negated lookups are handled by the
// caller.
func textMatch(v string, vals []string, lk string, fold bool) bool {
	lk = strings.TrimPrefix(lk, "n")
	lv := strings.ToLower(v)
	for _, x := range vals {
		lx := strings.ToLower(x)
		var ok bool
		switch lk {
		case "":
			ok = v == x || (fold && lv == lx)
		case "ic":
			ok = strings.Contains(lv, lx)
		case "isw":
			ok = strings.HasPrefix(lv, lx)
		case "iew":
			ok = strings.HasSuffix(lv, lx)
		case "ie":
			ok = lv == lx
		}
		if ok {
			return true
		}
	}
	return false
}

// ---- sorting ------------------------------------------------------------

// sortBy orders idx by the "sort" parameter (comma-separated fields, "-"
// for descending); unknown fields are ignored as DRF's OrderingFilter does.
func (w *world) sortBy(ep *endpoint, idx []int32, spec string) {
	type key struct {
		cmp  func(a, b int) int
		desc bool
	}
	var keys []key
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		desc := strings.HasPrefix(f, "-")
		if c := w.sortField(ep.t, strings.TrimPrefix(f, "-")); c != nil {
			keys = append(keys, key{c, desc})
		}
	}
	if len(keys) == 0 {
		return
	}
	slices.SortStableFunc(idx, func(a, b int32) int {
		for _, k := range keys {
			c := k.cmp(int(a), int(b))
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

func (w *world) sortField(t tbl, field string) func(a, b int) int {
	switch field {
	case "created":
		return func(a, b int) int { return cmpInt(w.metaOf(t, a).created, w.metaOf(t, b).created) }
	case "last_updated":
		return func(a, b int) int { return cmpInt(w.metaOf(t, a).updated, w.metaOf(t, b).updated) }
	case "name", "model":
		if t == tPrefix || t == tIP {
			return nil
		}
		return func(a, b int) int { return natCompare(w.name(t, a), w.name(t, b)) }
	case "serial":
		if t == tDevice {
			return func(a, b int) int { return strings.Compare(w.devs[a].serial, w.devs[b].serial) }
		}
	case "prefix":
		if t == tPrefix {
			return func(a, b int) int {
				pa, pb := &w.prefixes[a], &w.prefixes[b]
				return cmpInt(int64(pa.network)<<8|int64(pa.plen), int64(pb.network)<<8|int64(pb.plen))
			}
		}
	case "address", "host":
		if t == tIP {
			return func(a, b int) int { return cmpInt(int64(w.ips[a].addr), int64(w.ips[b].addr)) }
		}
	}
	return nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
