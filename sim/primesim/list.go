package primesim

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

func visible(rowCampus int8, campus int) bool {
	return campus == -1 || int(rowCampus) == campus
}

// newView is the request's view of the world; the world's read lock must
// be held while it is used.
func (s *Server) newView(rc *reqCtx) *view {
	return &view{s: s, w: s.w, ver: rc.dp.ver, nowMs: rc.nowMs}
}

func (s *Server) handleList(rc *reqCtx, res *resource) response {
	dom, campus, resp, ok := s.domain(rc)
	if !ok {
		return resp
	}
	p, err := s.parseList(rc.r.URL.Query(), res)
	if err != nil {
		if big := (errTooLarge(0)); errors.As(err, &big) {
			return s.limitResp(rc, err.Error())
		}
		return s.errorDoc(rc, http.StatusBadRequest, err.Error(), "")
	}
	root := rc.rootURL()
	s.mu.RLock()
	v := s.newView(rc)
	rows, count := s.selectRows(v, rc, res, &p, campus)
	var entities []any
	var ids []entityIDJSON
	for _, i := range rows {
		id := res.id(v, int(i))
		url := root + "/" + res.name + "/" + idString(id)
		if p.full {
			entities = append(entities, res.entity(v, int(i), entityHead{s.dtoKey(res), res.name, url}))
		} else {
			ids = append(ids, entityIDJSON{idString(id), url})
		}
	}
	s.mu.RUnlock()
	n := len(rows)
	out := listJSON{
		Last: v.num(int64(p.first + n - 1)), First: v.num(int64(p.first)), Type: res.name,
		RequestURL: rc.requestURL(), ResponseType: "listEntityIds", RootURL: root, EntityID: ids,
	}
	if p.full {
		out.ResponseType = "listEntityInstances"
	}
	if n == 0 && s.opts.EmptyAsGetEntity {
		out.ResponseType = "getEntity"
	}
	if v.ver >= 4 {
		out.Domain = dom
	}
	switch {
	case !p.nocount || s.opts.NoCount == NoCountIgnore:
		c := v.num(int64(count))
		out.Count = &c
	case s.opts.NoCount == NoCountPage:
		c := v.num(int64(p.first + n))
		out.Count = &c
	}
	if len(entities) == 1 && s.bare[v.ver] {
		out.Entity = entities[0]
	} else if len(entities) > 0 {
		out.Entity = entities
	}
	return render(http.StatusOK, rc.format, queryResponse[listJSON]{out})
}

// selectRows finds the rows of the requested page and the size of the
// whole result. Rows are read in @id order, collection by collection where
// the resource has them: a collection whose collectionTime fails the
// query's collectionTime criteria is skipped whole, and without a sort
// only the page's rows are kept.
func (s *Server) selectRows(v *view, rc *reqCtx, res *resource, p *listParams, campus int) ([]int32, int) {
	segs := []segment{{lo: 0, size: func() int { return res.rows(v) }}}
	timed := false
	if res.segments != nil {
		segs, timed = res.segments(v), true
	}
	// In AND mode, criteria on collectionTime are decided per collection.
	var segFilters, rowFilters []filter
	for _, f := range p.filter {
		if timed && !p.or && f.name == "collectionTime" {
			segFilters = append(segFilters, f)
		} else {
			rowFilters = append(rowFilters, f)
		}
	}
	match := func(i int) bool {
		if !visible(res.campus(v, i), campus) {
			return false
		}
		if len(rowFilters) == 0 {
			return true
		}
		for k := range rowFilters {
			if rowFilters[k].match(v, i, p.fold) == !p.or {
				continue
			}
			return p.or
		}
		return !p.or
	}
	rowLevel := campus != -1 || len(rowFilters) > 0
	collectAll := len(p.sorts) > 0 || rc.shrink || rc.endless
	sig := ""
	if rowLevel && timed {
		sig = querySignature(res, v.ver, campus, p, rowFilters)
	}
	lo, hi := p.first, p.first+p.max
	var picked []int32
	count := 0
next:
	for _, sg := range segs {
		for k := range segFilters {
			if !segFilters[k].testNum(sg.atMs) {
				continue next
			}
		}
		if !collectAll {
			n, known := 0, false
			switch {
			case !rowLevel:
				n, known = sg.size(), true
			case sg.memo:
				n, known = v.w.memoGet(sig, sg.seq)
			}
			if known && (count+n <= lo || count >= hi) {
				count += n
				continue
			}
		}
		matched := 0
		for i, end := sg.lo, sg.lo+sg.size(); i < end; i++ {
			if !match(i) {
				continue
			}
			if collectAll || (count >= lo && count < hi) {
				picked = append(picked, int32(i))
			}
			count++
			matched++
		}
		if sg.memo && rowLevel {
			v.w.memoPut(sig, sg.seq, matched)
		}
	}
	if !collectAll {
		return picked, count
	}
	sortRows(v, picked, p.sorts)
	// A walk sees the data shrink after its first page.
	first, last, count := simkit.Window(len(picked), p.first, p.max, rc.shrink, rc.endless)
	return picked[first:last], count
}

// querySignature names what decides which rows of a collection match.
func querySignature(res *resource, ver, campus int, p *listParams, fs []filter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%d|%d|%t|%t", res.name, ver, campus, p.or, p.fold)
	for _, f := range fs {
		fmt.Fprintf(&b, "|%s %s %q %d", f.name, f.op, f.s, f.n)
	}
	return b.String()
}

func (s *Server) dtoKey(res *resource) string {
	switch res.name {
	case "HistoricalClientCounts":
		return s.opts.HistoryDTOKey
	case "RFLoadStats":
		return s.opts.LoadStatsDTOType
	}
	return res.dtoKey
}

func (s *Server) handleGet(rc *reqCtx, res *resource, idStr string) response {
	dom, campus, resp, ok := s.domain(rc)
	if !ok {
		return resp
	}
	notFound := s.errorDoc(rc, http.StatusNotFound, fmt.Sprintf("No %s entity with id %s", res.name, idStr), "")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return notFound
	}
	root := rc.rootURL()
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := s.newView(rc)
	var i int
	if res.find != nil {
		if i, ok = res.find(v, id); !ok {
			return notFound
		}
	} else {
		n := res.rows(v)
		i = sort.Search(n, func(m int) bool { return res.id(v, m) >= id }) // rows are in @id order
		if i == n || res.id(v, i) != id {
			return notFound
		}
	}
	if !visible(res.campus(v, i), campus) {
		return notFound
	}
	url := root + "/" + res.name + "/" + idString(id)
	out := getJSON{RequestURL: rc.requestURL(), ResponseType: "getEntity", RootURL: root, Type: res.name}
	if v.ver >= 4 {
		out.Domain = dom
	}
	e := res.entity(v, i, entityHead{s.dtoKey(res), res.name, url})
	if s.bare[v.ver] {
		out.Entity = e
	} else {
		out.Entity = []any{e}
	}
	return render(http.StatusOK, rc.format, queryResponse[getJSON]{out})
}

// handleCatalog lists the resources the version serves (data.json).
func (s *Server) handleCatalog(rc *reqCtx) response {
	var out catalogJSON
	root := rc.rootURL()
	for _, name := range resourceNames {
		if !s.notServed[versions[rc.dp.ver-1]+"/"+name] {
			out.EntityType = append(out.EntityType, entityTypeJSON{name, root + "/" + name})
		}
	}
	return render(http.StatusOK, rc.format, queryResponse[catalogJSON]{out})
}

// handleOps lists the services (op.json): none are served.
func (s *Server) handleOps(rc *reqCtx) response {
	return render(http.StatusOK, rc.format, queryResponse[opsJSON]{opsJSON{Operation: []struct{}{}}})
}
