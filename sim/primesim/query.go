package primesim

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const (
	// DefaultMaxResults is the page size when .maxResults is absent
	// (Prime's limitUnpagedQuery, whose default no source gives).
	DefaultMaxResults = 100
	// MaxResults is the default page limit (Prime's limitPageSize).
	MaxResults = 1000
)

const apiPrefix = "/webacs/api/"

// dataPrefix is the v4 data path, the version clients use by default.
const dataPrefix = "/webacs/api/v4/data/"

// versions are the API versions served side by side.
var versions = [...]string{"v1", "v2", "v3", "v4"}

type valKind uint8

const (
	kindStr valKind = iota
	kindNum
	kindBool // read through num as 0 or 1
)

// field is an attribute a query may filter or sort on.
type field struct {
	kind valKind
	str  func(v *view, i int) string
	num  func(v *view, i int) int64
}

func strField(f func(v *view, i int) string) field { return field{kind: kindStr, str: f} }
func numField(f func(v *view, i int) int64) field  { return field{kind: kindNum, num: f} }

// resource is one data resource. Rows are numbered in @id order.
type resource struct {
	name, dtoKey string
	fields       map[string]field // filterable and sortable, besides @id and id (added by init)
	rows         func(v *view) int
	id           func(v *view, i int) int64
	campus       func(v *view, i int) int8 // -1: ROOT-DOMAIN only
	entity       func(v *view, i int, head entityHead) any
	// segments, when set, splits the rows into collections, each of whose
	// rows share one collectionTime; rows then need not be numbered
	// densely.
	segments func(v *view) []segment
	// find, when set, locates an @id instead of a binary search over rows.
	find func(v *view, id int64) (int, bool)
}

// segment is a run of rows [lo, lo+size()) sharing collectionTime atMs.
type segment struct {
	lo   int
	size func() int
	atMs int64
	seq  int64
	memo bool // matching counts may be memoized (the collection no longer changes)
}

var resources = map[string]*resource{}

// resourceNames are the resources in catalogue order.
var resourceNames []string

func init() {
	for _, r := range []*resource{apResource(), alarmsResource(), clientCountsResource(), clientsResource(),
		devicesResource(), historicalClientCountsResource(), wlanControllersResource(), wlanControllerDetailsResource(),
		inventoryResource(), rogueAlarmsResource(), radioDetailsResource(), loadStatsResource()} {
		// Every resource filters and sorts on its @id, also written id as
		// in CPIAPI's examples.
		r.fields["@id"] = numField(r.id)
		r.fields["id"] = numField(r.id)
		resources[r.name] = r
		resourceNames = append(resourceNames, r.name)
	}
	slices.Sort(resourceNames)
}

func apResource() *resource {
	return &resource{
		name: "AccessPointDetails", dtoKey: "accessPointDetailsDTO",
		fields: map[string]field{
			"name":               strField(func(v *view, i int) string { return v.w.aps[i].name }),
			"reachabilityStatus": strField(func(v *view, i int) string { return v.reachabilityStatus(v.w.aps[i].up) }),
			"mapLocation":        strField(func(v *view, i int) string { return v.w.floors[v.w.aps[i].floor].loc }),
			"unifiedApInfo.controllerName": strField(func(v *view, i int) string {
				if a := &v.w.aps[i]; a.up {
					return v.w.devs[a.wlc].name
				}
				return ""
			}),
		},
		rows:   func(v *view) int { return len(v.w.aps) },
		id:     func(v *view, i int) int64 { return v.w.aps[i].id },
		campus: func(v *view, i int) int8 { return v.w.aps[i].campus },
		entity: func(v *view, i int, h entityHead) any { return apEntity{h, v.apDTO(i)} },
	}
}

func devicesResource() *resource {
	return &resource{
		name: "Devices", dtoKey: "devicesDTO",
		fields: map[string]field{
			"deviceName":     strField(func(v *view, i int) string { return v.w.devs[i].name }),
			"ipAddress":      strField(func(v *view, i int) string { return v.w.devs[i].ip }),
			"productFamily":  strField(func(v *view, i int) string { return productFamilies[v.w.devs[i].kind] }),
			"reachability":   strField(func(v *view, i int) string { return reachNames[v.w.devs[i].reach] }),
			"collectionTime": strField(func(v *view, i int) string { return isoDate(v.w.devs[i].collectedMs) }),
		},
		rows:   func(v *view) int { return len(v.w.devs) },
		id:     func(v *view, i int) int64 { return v.w.devs[i].id },
		campus: func(v *view, i int) int8 { return v.w.devs[i].campus },
		entity: func(v *view, i int, h entityHead) any { return deviceEntity{h, v.deviceDTO(i)} },
	}
}

// ccFields are the attributes of ClientCounts and HistoricalClientCounts.
func ccFields(row func(v *view, i int) (*ccEntry, int64)) map[string]field {
	return map[string]field{
		"type":   strField(func(v *view, i int) string { e, _ := row(v, i); return ccTypeNames[e.typ] }),
		"key":    strField(func(v *view, i int) string { e, _ := row(v, i); return e.key }),
		"subkey": strField(func(v *view, i int) string { e, _ := row(v, i); return e.subkey }),
		"collectionTime": numField(func(v *view, i int) int64 {
			_, at := row(v, i)
			return at
		}),
	}
}

func clientCountsResource() *resource {
	row := func(v *view, i int) (*ccEntry, int64) { return &v.w.cc.rows[i], v.w.cc.latest().atMs }
	return &resource{
		name: "ClientCounts", dtoKey: "clientCountsDTO",
		fields: ccFields(row),
		rows:   func(v *view) int { return len(v.w.cc.rows) },
		id:     func(v *view, i int) int64 { return v.w.cc.rows[i].id },
		campus: func(v *view, i int) int8 { return v.w.cc.rows[i].campus },
		entity: func(v *view, i int, h entityHead) any {
			e, at := row(v, i)
			return ccEntity{h, v.clientCountsDTO(e, at)}
		},
		segments: func(v *view) []segment {
			c := v.w.cc.latest()
			n := len(v.w.cc.rows)
			return []segment{{lo: 0, size: func() int { return n }, atMs: c.atMs, seq: c.seq}}
		},
	}
}

// historicalClientCountsResource serves every kept collection, oldest
// first; row k*stride+j is row j of the k-th.
func historicalClientCountsResource() *resource {
	row := func(v *view, i int) (*ccEntry, int64) { return v.histRow(i) }
	return &resource{
		name: "HistoricalClientCounts", dtoKey: "historicalClientCountsDTO",
		fields: ccFields(row),
		rows: func(v *view) int {
			return len(v.w.cc.colls) * v.histStride()
		},
		id:     func(v *view, i int) int64 { e, _ := row(v, i); return e.id },
		campus: func(v *view, i int) int8 { e, _ := row(v, i); return e.campus },
		entity: func(v *view, i int, h entityHead) any {
			e, at := row(v, i)
			return ccEntity{h, v.clientCountsDTO(e, at)}
		},
		segments: func(v *view) []segment {
			colls := v.w.cc.colls
			out := make([]segment, len(colls))
			for k, c := range colls {
				out[k] = segment{lo: k * v.histStride(), size: func() int { return v.w.collCount(c) },
					atMs: c.atMs, seq: c.seq, memo: k < len(colls)-1}
			}
			return out
		},
		find: func(v *view, id int64) (int, bool) {
			cc := &v.w.cc
			if id < ccIDBase {
				return 0, false
			}
			k := int((id-ccIDBase)/cc.slots - cc.colls[0].seq)
			if k < 0 || k >= len(cc.colls) {
				return 0, false
			}
			rows := v.w.collRows(cc.colls[k])
			j := sort.Search(len(rows), func(m int) bool { return rows[m].id >= id })
			if j == len(rows) || rows[j].id != id {
				return 0, false
			}
			return k*v.histStride() + j, true
		},
	}
}

func alarmsResource() *resource {
	return &resource{
		name: "Alarms", dtoKey: "alarmsDTO",
		fields: map[string]field{
			"severity": strField(func(v *view, i int) string { return severityNames[v.w.alarms[i].sev] }),
			"acknowledgementStatus": {kind: kindBool, num: func(v *view, i int) int64 {
				if v.w.alarms[i].acked {
					return 1
				}
				return 0
			}},
			"deviceName":      strField(func(v *view, i int) string { return v.w.alarms[i].deviceName }),
			"alarmFoundAt":    strField(func(v *view, i int) string { return isoDate(v.w.alarms[i].foundMs) }),
			"lastUpdatedAt":   strField(func(v *view, i int) string { return isoDate(v.w.alarms[i].updatedMs) }),
			"category.value":  strField(func(v *view, i int) string { return v.w.cats[v.w.alarms[i].cat] }),
			"condition.value": strField(func(v *view, i int) string { return v.w.conds[v.w.alarms[i].cond] }),
		},
		rows:   func(v *view) int { return len(v.w.alarms) },
		id:     func(v *view, i int) int64 { return v.w.alarms[i].id },
		campus: func(v *view, i int) int8 { return v.w.alarms[i].campus },
		entity: func(v *view, i int, h entityHead) any { return alarmEntity{h, v.alarmDTO(i)} },
	}
}

// dataPath is a parsed path under /webacs/api/.
type dataPath struct {
	ver       int    // 1..4; 0 when the path names no version
	kind      int    // pathData, pathCatalog or pathOps
	name      string // the resource name as written
	noType    bool   // a resource name the simulator does not know
	res       *resource
	id        string // "" for the list
	ext       string // "json", "xml" or ""
	found     bool   // a path the simulator serves (a resource may still be NotServed)
	notServed bool   // a known resource the version does not serve
	rel       string // the path after /webacs/api/{version}, without the suffix, as errorDocuments name it
}

const (
	pathData = iota
	pathCatalog
	pathOps
)

// parseDataPath reads /webacs/api/{v}/data/{Resource}[/{id}][.json|.xml],
// /webacs/api/{v}/data[.json|.xml] and /webacs/api/{v}/op[.json|.xml].
func parseDataPath(path string, notServed map[string]bool) dataPath {
	rest, ok := strings.CutPrefix(path, apiPrefix)
	if !ok {
		return dataPath{}
	}
	var dp dataPath
	for _, ext := range []string{"json", "xml"} {
		if r, ok := strings.CutSuffix(rest, "."+ext); ok {
			rest, dp.ext = r, ext
			break
		}
	}
	ver, rest, _ := strings.Cut(rest, "/")
	dp.rel = "/" + rest
	dp.ver = slices.Index(versions[:], ver) + 1
	if dp.ver == 0 {
		dp.rel = "/" + ver + dp.rel
		return dp
	}
	switch rest {
	case "data":
		dp.kind, dp.found = pathCatalog, true
		return dp
	case "op":
		dp.kind, dp.found = pathOps, true
		return dp
	}
	rest, ok = strings.CutPrefix(rest, "data/")
	if !ok {
		return dp
	}
	name, id, hasID := strings.Cut(rest, "/")
	dp.name = name
	res := resources[name]
	dp.noType = res == nil
	if res == nil || (hasID && (id == "" || strings.Contains(id, "/"))) {
		return dp
	}
	dp.res, dp.id, dp.found = res, id, true
	dp.notServed = notServed[ver+"/"+name]
	return dp
}

// template is the path Calls counts the request under: the path without
// its suffix, {id} for an id.
func (p dataPath) template() string {
	base := apiPrefix + versions[p.ver-1]
	switch {
	case p.kind == pathCatalog:
		return base + "/data"
	case p.kind == pathOps:
		return base + "/op"
	case p.id != "":
		return base + "/data/" + p.res.name + "/{id}"
	}
	return base + "/data/" + p.res.name
}

type sortKey struct {
	name string
	f    field
	desc bool
}

type filter struct {
	name string
	f    field
	op   string
	s    string
	n    int64
}

var (
	filterOps = []string{"eq", "ne", "gt", "lt", "gte", "lte", "contains", "startsWith", "notStartsWith", "endsWith"}
	stringOps = []string{"contains", "startsWith", "notStartsWith", "endsWith"}
)

// match tests row i; fold compares strings without regard to case.
func (f *filter) match(v *view, i int, fold bool) bool {
	if f.f.kind == kindStr {
		return f.testStr(f.f.str(v, i), fold)
	}
	return f.testNum(f.f.num(v, i))
}

func (f *filter) testNum(n int64) bool { return f.result(cmp.Compare(n, f.n)) }

func (f *filter) testStr(s string, fold bool) bool {
	want := f.s
	if fold {
		s, want = strings.ToLower(s), strings.ToLower(want)
	}
	switch f.op {
	case "contains":
		return strings.Contains(s, want)
	case "startsWith":
		return strings.HasPrefix(s, want)
	case "notStartsWith":
		return !strings.HasPrefix(s, want)
	case "endsWith":
		return strings.HasSuffix(s, want)
	}
	return f.result(strings.Compare(s, want))
}

func (f *filter) result(c int) bool {
	switch f.op {
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "lt":
		return c < 0
	case "gte":
		return c >= 0
	case "lte":
		return c <= 0
	}
	return c == 0
}

// listParams are a list request's controls and filters.
type listParams struct {
	full    bool
	first   int
	max     int
	sorts   []sortKey
	filter  []filter
	or      bool // criteria are ORed
	fold    bool // .case_sensitive=false
	nocount bool // .nocount=true
}

// errTooLarge marks a .maxResults above the page limit: Prime answers it
// 503.
type errTooLarge int

func (e errTooLarge) Error() string {
	return fmt.Sprintf("The maximum size of paged request exceeded. Limit is %d", int(e))
}

func parseBool(name, v string) (bool, error) {
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		return false, fmt.Errorf("invalid value %q for %s: must be true or false", v, name)
	}
	return b, nil
}

// parseList reads the controls (.full, .firstResult, .maxResults, .sort,
// .and_filter, .case_sensitive, .nocount) and attribute filters;
// _ctx.domain is read elsewhere.
func (s *Server) parseList(q url.Values, res *resource) (listParams, error) {
	o := &s.opts
	p := listParams{max: o.DefaultPageSize, or: o.OrFilters}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names) // the first error reported does not depend on map order
	for _, name := range names {
		vals := q[name]
		v := vals[len(vals)-1]
		var err error
		switch {
		case name == "_ctx.domain":
		case name == ".full":
			p.full, err = parseBool(name, v)
		case name == ".and_filter":
			var and bool
			and, err = parseBool(name, v)
			p.or = !and
		case name == ".case_sensitive":
			var cs bool
			cs, err = parseBool(name, v)
			p.fold = !cs
		case name == ".nocount":
			p.nocount, err = parseBool(name, v)
		case name == ".firstResult":
			n, err2 := strconv.Atoi(v)
			if err2 != nil || n < 0 {
				return p, fmt.Errorf("invalid value %q for .firstResult: must be a non-negative integer", v)
			}
			p.first = n
		case name == ".maxResults":
			n, err2 := strconv.Atoi(v)
			if err2 != nil || n < 0 {
				return p, fmt.Errorf("invalid value %q for .maxResults: must be a non-negative integer", v)
			}
			p.max = n
		case name == ".sort":
			for _, part := range strings.Split(v, ",") {
				k := sortKey{name: strings.TrimSpace(part)}
				if rest, ok := strings.CutPrefix(k.name, "-"); ok {
					k.name, k.desc = rest, true
				} else {
					k.name = strings.TrimPrefix(k.name, "+")
				}
				f, ok := res.fields[k.name]
				if !ok {
					return p, fmt.Errorf("cannot sort %s by unknown attribute %q", res.name, k.name)
				}
				k.f = f
				p.sorts = append(p.sorts, k)
			}
		case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_ctx."):
			return p, fmt.Errorf("unsupported query parameter %q", name)
		default:
			f, ok := res.fields[name]
			if !ok {
				if o.IgnoreUnknownAttributes {
					continue
				}
				return p, fmt.Errorf("unknown attribute %q for resource %s", name, res.name)
			}
			for _, raw := range vals {
				flt, err := parseFilter(name, raw, f)
				if err != nil {
					return p, err
				}
				p.filter = append(p.filter, flt)
			}
		}
		if err != nil {
			return p, err
		}
	}
	// Checked last so a malformed query is a 400 whatever the page size.
	if _, asked := q[".maxResults"]; asked && p.max > o.PageLimit {
		if !o.ClampMaxResults {
			return p, errTooLarge(o.PageLimit)
		}
		p.max = o.PageLimit
	}
	return p, nil
}

// parseFilter reads value, "value", 'value', op(value), op("value") or
// op('value').
func parseFilter(name, raw string, f field) (filter, error) {
	flt := filter{name: name, f: f, op: "eq"}
	arg := raw
	if i := strings.IndexByte(raw, '('); i > 0 && strings.HasSuffix(raw, ")") && isIdent(raw[:i]) {
		flt.op, arg = raw[:i], raw[i+1:len(raw)-1]
		if !slices.Contains(filterOps, flt.op) {
			return flt, fmt.Errorf("unsupported operator %q in filter %s=%s", flt.op, name, raw)
		}
	}
	if len(arg) >= 2 && (arg[0] == '"' || arg[0] == '\'') && arg[len(arg)-1] == arg[0] {
		arg = arg[1 : len(arg)-1]
	}
	if f.kind != kindStr && slices.Contains(stringOps, flt.op) {
		return flt, fmt.Errorf("operator %q applies to string attributes only, not %s", flt.op, name)
	}
	switch f.kind {
	case kindStr:
		flt.s = arg
	case kindNum:
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return flt, fmt.Errorf("invalid number %q in filter %s=%s", arg, name, raw)
		}
		flt.n = n
	case kindBool:
		b, err := strconv.ParseBool(strings.ToLower(arg))
		if err != nil || (flt.op != "eq" && flt.op != "ne") {
			return flt, fmt.Errorf("invalid boolean filter %s=%s: use true, false or ne(...)", name, raw)
		}
		if b {
			flt.n = 1
		}
	}
	return flt, nil
}

func isIdent(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			if c < 'A' || c > 'Z' {
				return false
			}
		}
	}
	return s != ""
}

// sortRows orders rows (already in @id order) by the keys; ties keep
// @id order, so paging is exact.
func sortRows(v *view, rows []int32, keys []sortKey) {
	if len(keys) == 0 || len(rows) < 2 {
		return
	}
	type col struct {
		s    []string
		n    []int64
		desc bool
	}
	cols := make([]col, len(keys))
	for k, key := range keys {
		c := col{desc: key.desc}
		if key.f.kind == kindStr {
			c.s = make([]string, len(rows))
			for j, i := range rows {
				c.s[j] = key.f.str(v, int(i))
			}
		} else {
			c.n = make([]int64, len(rows))
			for j, i := range rows {
				c.n[j] = key.f.num(v, int(i))
			}
		}
		cols[k] = c
	}
	perm := make([]int32, len(rows))
	for j := range perm {
		perm[j] = int32(j)
	}
	slices.SortStableFunc(perm, func(a, b int32) int {
		for _, c := range cols {
			var r int
			if c.s != nil {
				r = strings.Compare(c.s[a], c.s[b])
			} else {
				r = cmp.Compare(c.n[a], c.n[b])
			}
			if c.desc {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		return 0
	})
	sorted := make([]int32, len(rows))
	for j, p := range perm {
		sorted[j] = rows[p]
	}
	copy(rows, sorted)
}
