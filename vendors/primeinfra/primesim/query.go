package primesim

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	// DefaultMaxResults is the page size when .maxResults is absent.
	DefaultMaxResults = 100
	// MaxResults is the largest page; above it Prime answers 503.
	MaxResults = 1000
)

const (
	apiPrefix  = "/webacs/api/"
	dataPrefix = "/webacs/api/v4/data/"
)

type valKind uint8

const (
	kindStr valKind = iota
	kindNum
	kindBool // read through num as 0 or 1
)

// field is an attribute a query may filter or sort on.
type field struct {
	kind valKind
	str  func(w *world, i int) string
	num  func(w *world, i int) int64
}

func strField(f func(w *world, i int) string) field { return field{kind: kindStr, str: f} }
func numField(f func(w *world, i int) int64) field  { return field{kind: kindNum, num: f} }

// resource is one data resource. Rows are numbered in @id order.
type resource struct {
	name, dtoKey string
	fields       map[string]field // filterable and sortable
	rows         func(w *world) int
	id           func(w *world, i int) int64
	campus       func(w *world, i int) int8 // -1: ROOT-DOMAIN only
	entity       func(w *world, i int, nowMs int64, head entityHead) any
}

var resources = map[string]*resource{}

func init() {
	for _, r := range []*resource{apResource(), devicesResource(), clientCountsResource(), alarmsResource()} {
		resources[r.name] = r
	}
}

func apResource() *resource {
	return &resource{
		name: "AccessPointDetails", dtoKey: "accessPointDetailsDTO",
		fields: map[string]field{
			"@id":  numField(func(w *world, i int) int64 { return w.aps[i].id }),
			"name": strField(func(w *world, i int) string { return w.aps[i].name }),
			"reachabilityStatus": strField(func(w *world, i int) string {
				if w.aps[i].up {
					return "REACHABLE"
				}
				return "UNREACHABLE"
			}),
		},
		rows:   func(w *world) int { return len(w.aps) },
		id:     func(w *world, i int) int64 { return w.aps[i].id },
		campus: func(w *world, i int) int8 { return w.aps[i].campus },
		entity: func(w *world, i int, nowMs int64, h entityHead) any {
			return apEntity{h, w.apDTO(i, nowMs)}
		},
	}
}

func devicesResource() *resource {
	return &resource{
		name: "Devices", dtoKey: "devicesDTO",
		fields: map[string]field{
			"@id":            numField(func(w *world, i int) int64 { return w.devs[i].id }),
			"deviceName":     strField(func(w *world, i int) string { return w.devs[i].name }),
			"ipAddress":      strField(func(w *world, i int) string { return w.devs[i].ip }),
			"productFamily":  strField(func(w *world, i int) string { return productFamilies[w.devs[i].kind] }),
			"reachability":   strField(func(w *world, i int) string { return reachNames[w.devs[i].reach] }),
			"collectionTime": strField(func(w *world, i int) string { return isoDate(w.devs[i].collectedMs) }),
		},
		rows:   func(w *world) int { return len(w.devs) },
		id:     func(w *world, i int) int64 { return w.devs[i].id },
		campus: func(w *world, i int) int8 { return w.devs[i].campus },
		entity: func(w *world, i int, _ int64, h entityHead) any {
			return deviceEntity{h, w.deviceDTO(i)}
		},
	}
}

func clientCountsResource() *resource {
	row := func(w *world, i int) *ccEntry { e, _ := w.ccRow(i); return e }
	return &resource{
		name: "ClientCounts", dtoKey: "clientCountsDTO",
		fields: map[string]field{
			"@id":    numField(func(w *world, i int) int64 { return row(w, i).id }),
			"type":   strField(func(w *world, i int) string { return ccTypeNames[row(w, i).typ] }),
			"key":    strField(func(w *world, i int) string { return row(w, i).key }),
			"subkey": strField(func(w *world, i int) string { return row(w, i).subkey }),
			"collectionTime": numField(func(w *world, i int) int64 {
				_, at := w.ccRow(i)
				return at
			}),
		},
		rows:   (*world).ccCount,
		id:     func(w *world, i int) int64 { return row(w, i).id },
		campus: func(w *world, i int) int8 { return row(w, i).campus },
		entity: func(w *world, i int, _ int64, h entityHead) any {
			e, at := w.ccRow(i)
			return clientCountsEntity{h, clientCountsDTOOf(e, at)}
		},
	}
}

func alarmsResource() *resource {
	return &resource{
		name: "Alarms", dtoKey: "alarmsDTO",
		fields: map[string]field{
			"@id":      numField(func(w *world, i int) int64 { return w.alarms[i].id }),
			"severity": strField(func(w *world, i int) string { return severityNames[w.alarms[i].sev] }),
			"acknowledgementStatus": {kind: kindBool, num: func(w *world, i int) int64 {
				if w.alarms[i].acked {
					return 1
				}
				return 0
			}},
			"deviceName":    strField(func(w *world, i int) string { return w.alarms[i].deviceName }),
			"alarmFoundAt":  strField(func(w *world, i int) string { return isoDate(w.alarms[i].foundMs) }),
			"lastUpdatedAt": strField(func(w *world, i int) string { return isoDate(w.alarms[i].updatedMs) }),
		},
		rows:   func(w *world) int { return len(w.alarms) },
		id:     func(w *world, i int) int64 { return w.alarms[i].id },
		campus: func(w *world, i int) int8 { return w.alarms[i].campus },
		entity: func(w *world, i int, _ int64, h entityHead) any {
			return alarmEntity{h, w.alarmDTO(i)}
		},
	}
}

// dataPath is a parsed data-resource path.
type dataPath struct {
	res   *resource
	id    string // "" for the list
	found bool
}

// parseDataPath reads /webacs/api/v4/data/{Resource}[/{id}][.json]; the
// suffix is optional because every answer is JSON anyway.
func parseDataPath(path string) dataPath {
	rest, ok := strings.CutPrefix(path, dataPrefix)
	if !ok {
		return dataPath{}
	}
	rest = strings.TrimSuffix(rest, ".json")
	name, id, hasID := strings.Cut(rest, "/")
	res := resources[name]
	if res == nil || (hasID && (id == "" || strings.Contains(id, "/"))) {
		return dataPath{}
	}
	return dataPath{res: res, id: id, found: true}
}

func (p dataPath) template() string {
	if p.id != "" {
		return dataPrefix + p.res.name + "/{id}"
	}
	return dataPrefix + p.res.name
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

var filterOps = []string{"eq", "ne", "gt", "lt", "gte", "lte"}

func (f *filter) match(w *world, i int) bool {
	var c int
	if f.f.kind == kindStr {
		c = strings.Compare(f.f.str(w, i), f.s)
	} else {
		c = cmp.Compare(f.f.num(w, i), f.n)
	}
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
	full   bool
	first  int
	max    int
	sorts  []sortKey
	filter []filter
}

// errTooLarge marks a .maxResults above MaxResults: Prime answers it 503.
type errTooLarge struct{}

func (errTooLarge) Error() string {
	return fmt.Sprintf("The maximum size of paged request exceeded. Limit is %d", MaxResults)
}

// parseList reads the controls (.full, .firstResult, .maxResults, .sort)
// and attribute filters; _ctx.domain is read elsewhere.
func parseList(q url.Values, res *resource) (listParams, error) {
	p := listParams{max: DefaultMaxResults}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names) // the first error reported does not depend on map order
	for _, name := range names {
		vals := q[name]
		v := vals[len(vals)-1]
		switch {
		case name == "_ctx.domain":
		case name == ".full":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return p, fmt.Errorf("invalid value %q for .full: must be true or false", v)
			}
			p.full = b
		case name == ".firstResult":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return p, fmt.Errorf("invalid value %q for .firstResult: must be a non-negative integer", v)
			}
			p.first = n
		case name == ".maxResults":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
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
	}
	// Checked last so a malformed query is a 400 whatever the page size.
	if p.max > MaxResults {
		return p, errTooLarge{}
	}
	return p, nil
}

// parseFilter reads value, "value", op(value) or op("value").
func parseFilter(name, raw string, f field) (filter, error) {
	flt := filter{name: name, f: f, op: "eq"}
	arg := raw
	if i := strings.IndexByte(raw, '('); i > 0 && strings.HasSuffix(raw, ")") && isIdent(raw[:i]) {
		flt.op, arg = raw[:i], raw[i+1:len(raw)-1]
		if !slices.Contains(filterOps, flt.op) {
			return flt, fmt.Errorf("unsupported operator %q in filter %s=%s", flt.op, name, raw)
		}
	}
	if len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"' {
		arg = arg[1 : len(arg)-1]
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
func sortRows(w *world, rows []int32, keys []sortKey) {
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
				c.s[j] = key.f.str(w, int(i))
			}
		} else {
			c.n = make([]int64, len(rows))
			for j, i := range rows {
				c.n[j] = key.f.num(w, int(i))
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
