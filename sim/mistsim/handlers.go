package mistsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// TokenName is the name /api/v1/self reports for the API token (an org
// token, so it has a name and no email).
const TokenName = "nms-exporter"

type privilegeJSON struct {
	Scope string `json:"scope"`
	OrgID string `json:"org_id"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

func handleSelf(s *Server, rc *reqCtx) response {
	privs := []privilegeJSON{{Scope: "org", OrgID: s.w.orgID, Name: s.w.orgName, Role: "read"}}
	if rc.sess == nil {
		return jsonResp(http.StatusOK, struct {
			Name       string          `json:"name"`
			Privileges []privilegeJSON `json:"privileges"`
		}{TokenName, privs})
	}
	return jsonResp(http.StatusOK, struct {
		AdminID           string          `json:"admin_id"`
		Email             string          `json:"email"`
		FirstName         string          `json:"first_name"`
		LastName          string          `json:"last_name"`
		Privileges        []privilegeJSON `json:"privileges"`
		SessionExpiry     int             `json:"session_expiry"`
		Tags              []string        `json:"tags"`
		TwoFactorVerified bool            `json:"two_factor_verified"`
		EnableTwoFactor   bool            `json:"enable_two_factor"`
		ViaSSO            bool            `json:"via_sso"`
	}{
		AdminID: s.adminID, Email: rc.sess.email, FirstName: "Ops", LastName: "Team",
		Privileges: privs, SessionExpiry: int(sessionExpiry.Minutes()), Tags: []string{},
	})
}

func handleUsage(s *Server, rc *reqCtx) response {
	s.authMu.Lock()
	n := s.usageFor(rc.key, rc.now).n
	s.authMu.Unlock()
	return jsonResp(http.StatusOK, map[string]int{"requests": n, "request_limit": s.limit})
}

func handleAlarmDefs(s *Server, rc *reqCtx) response {
	type defJSON struct {
		Key      string   `json:"key"`
		Display  string   `json:"display"`
		Group    string   `json:"group"`
		Severity string   `json:"severity"`
		Fields   []string `json:"fields"`
	}
	out := make([]defJSON, len(alarmDefs))
	for i, d := range alarmDefs {
		out[i] = defJSON{d.key, d.display, d.group, d.severity, d.fields}
	}
	return jsonResp(http.StatusOK, out)
}

// orgOK resolves the path's org: 403 for the foreign org, 404 for unknown
// ids, as for sites.
func (s *Server) orgOK(rc *reqCtx) (response, bool) {
	switch rc.params[0] {
	case s.w.orgID:
		return response{}, true
	case s.w.foreignOrgID:
		return detail(http.StatusForbidden, msgForbidden), false
	}
	return detail(http.StatusNotFound, msgNotFound), false
}

// siteOf resolves the path's site: 403 for the foreign org's sites, 404 for
// unknown ids.
func (s *Server) siteOf(rc *reqCtx) (int, response, bool) {
	id := rc.params[0]
	if si, ok := s.w.siteByID[id]; ok {
		return si, response{}, true
	}
	if s.w.foreignSites[id] {
		return 0, detail(http.StatusForbidden, msgForbidden), false
	}
	return 0, detail(http.StatusNotFound, msgNotFound), false
}

// inOrg answers with h once orgOK let the request through: every route
// under /orgs/{org_id} is wrapped so.
func inOrg(h func(*Server, *reqCtx) response) func(*Server, *reqCtx) response {
	return func(s *Server, rc *reqCtx) response {
		if resp, ok := s.orgOK(rc); !ok {
			return resp
		}
		return h(s, rc)
	}
}

// inSite answers with h, rc.site set, once siteOf found the site: every
// route under /sites/{site_id} is wrapped so.
func inSite(h func(*Server, *reqCtx) response) func(*Server, *reqCtx) response {
	return func(s *Server, rc *reqCtx) response {
		si, resp, ok := s.siteOf(rc)
		if !ok {
			return resp
		}
		rc.site = si
		return h(s, rc)
	}
}

func (w *world) orgJSON() orgJSON {
	return orgJSON{
		ID: w.orgID, Name: w.orgName, MSPID: w.mspID, OrggroupIDs: []string{}, AllowMist: true,
		SessionExpiry: int(sessionExpiry.Minutes()), CreatedTime: w.orgCreated, ModifiedTime: w.orgCreated + 86_400*400,
	}
}

func handleOrg(s *Server, rc *reqCtx) response {
	return jsonResp(http.StatusOK, s.w.orgJSON())
}

func handleOrgSites(s *Server, rc *reqCtx) response {
	w := s.w
	return pageOf(rc, len(w.sites), rowsOf(w.siteJSON))
}

func handleOrgStats(s *Server, rc *reqCtx) response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	up, clients := 0, 0
	for i := range w.devs[:w.nAssigned] {
		d := &w.devs[i]
		if d.connected {
			up++
			clients += int(d.bands[0] + d.bands[1] + d.bands[2])
		}
	}
	type userMinutes struct {
		OK    float64 `json:"ok"`
		Total float64 `json:"total"`
	}
	type sle struct {
		Path        string      `json:"path"`
		UserMinutes userMinutes `json:"user_minutes"`
	}
	total := float64(clients * 60)
	var sles []sle
	for i, p := range []string{"coverage", "capacity", "time-to-connect", "roaming", "throughput"} {
		q := 0.93 + float64(simkit.Mix(uint64(w.seed)+uint64(i))%60)/1000
		sles = append(sles, sle{p, userMinutes{OK: float64(int64(total * q)), Total: total}})
	}
	return jsonResp(http.StatusOK, struct {
		orgJSON
		NumSites               int   `json:"num_sites"`
		NumDevices             int   `json:"num_devices"`
		NumInventory           int   `json:"num_inventory"`
		NumDevicesConnected    int   `json:"num_devices_connected"`
		NumDevicesDisconnected int   `json:"num_devices_disconnected"`
		SLE                    []sle `json:"sle"`
	}{w.orgJSON(), len(w.sites), w.nAssigned, len(w.devs), up, w.nAssigned - up, sles})
}

func handleOrgSiteStats(s *Server, rc *reqCtx) response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	return pageOf(rc, len(w.sites), rowsOf(w.siteStatsJSON))
}

func handleSiteStats(s *Server, rc *reqCtx) response {
	si := rc.site
	s.mu.RLock()
	defer s.mu.RUnlock()
	return jsonResp(http.StatusOK, s.w.siteStatsJSON(si))
}

func handleOrgDeviceStats(s *Server, rc *reqCtx) response {
	return s.deviceStats(rc, -1)
}

func handleSiteDeviceStats(s *Server, rc *reqCtx) response {
	return s.deviceStats(rc, rc.site)
}

// statsFields tells which top-level fields of E10's devices are served:
// the default subset leaves out Options.OptInFields that the fields
// parameter does not name; fields=* serves all; with Options.FieldsMask,
// named fields are the only ones served (with type, id and mac). nil keeps
// every field.
func statsFields(rc *reqCtx) func(string) bool {
	named := map[string]bool{}
	for _, v := range rc.r.URL.Query()["fields"] {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" {
				return nil
			} else if f != "" {
				named[f] = true
			}
		}
	}
	if rc.opts.FieldsMask && len(named) > 0 {
		return func(k string) bool { return named[k] || k == "type" || k == "id" || k == "mac" }
	}
	var omit []string
	for _, f := range rc.opts.OptInFields {
		if !named[f] {
			omit = append(omit, f)
		}
	}
	if len(omit) == 0 {
		return nil
	}
	return func(k string) bool { return !slices.Contains(omit, k) }
}

// namedFields tells whether the fields parameter names a field or is *.
func namedFields(rc *reqCtx) func(string) bool {
	named := map[string]bool{}
	for _, v := range rc.r.URL.Query()["fields"] {
		for _, f := range strings.Split(v, ",") {
			named[strings.TrimSpace(f)] = true
		}
	}
	return func(k string) bool { return named["*"] || named[k] }
}

// onlyFields re-encodes an object keeping the top-level fields keep allows.
func onlyFields(v any, keep func(string) bool) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic("mistsim: encode: " + err.Error()) // only our own types are encoded
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		panic("mistsim: decode: " + err.Error())
	}
	for k := range m {
		if !keep(k) {
			delete(m, k)
		}
	}
	return m
}

func parseDevType(v string, def string, allowAll bool) (int, bool) {
	if v == "" {
		v = def
	}
	switch v {
	case "all":
		return 0, allowAll
	case "ap":
		return int(typeAP), true
	case "switch":
		return int(typeSwitch), true
	case "gateway":
		return int(typeGateway), true
	case "":
		return -1, true
	}
	return 0, false
}

// deviceStats serves E9 (si >= 0) and E10: type defaults to ap.
func (s *Server) deviceStats(rc *reqCtx, si int) response {
	q := rc.r.URL.Query()
	t, ok := parseDevType(q.Get("type"), "ap", true)
	if !ok {
		return badRequest("invalid type %q: must be one of all, ap, gateway, switch", q.Get("type"))
	}
	status := q.Get("status")
	switch status {
	case "", "all", "connected", "disconnected":
	default:
		return badRequest("invalid status %q: must be one of all, connected, disconnected", status)
	}
	siteFilter := q.Get("site_id")
	mac := normMAC(q.Get("mac"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	src := w.byType[t]
	if si >= 0 {
		src = w.sites[si].devs
	}
	idx := make([]int32, 0, len(src))
	for _, di := range src {
		d := &w.devs[di]
		if (t != 0 && int(d.typ) != t) ||
			(status == "connected" && !d.connected) || (status == "disconnected" && d.connected) ||
			(siteFilter != "" && w.siteID(d.site) != siteFilter) || (mac != "" && d.mac != mac) {
			continue
		}
		idx = append(idx, di)
	}
	var keep func(string) bool
	optIn := func(string) bool { return false } // E9 declares no fields
	if si < 0 {
		keep = statsFields(rc)
		optIn = namedFields(rc)
	}
	return pageOf(rc, len(idx), func(lo, hi int) any {
		out := make([]any, 0, hi-lo)
		for _, di := range idx[lo:hi] {
			v := w.deviceStatJSON(int(di), rc.nowMs, rc.opts, optIn)
			if keep != nil {
				v = onlyFields(v, keep)
			}
			out = append(out, v)
		}
		return out
	})
}

func handleInventory(s *Server, rc *reqCtx) response {
	q := rc.r.URL.Query()
	t, ok := parseDevType(q.Get("type"), "", false)
	if !ok {
		return badRequest("invalid type %q: must be one of ap, gateway, switch", q.Get("type"))
	}
	unassigned, err := parseBool(q, "unassigned", true)
	if err != nil {
		return badRequest("%v", err)
	}
	var modifiedAfter int64
	if v := q.Get("modified_after"); v != "" {
		if modifiedAfter, err = strconv.ParseInt(v, 10, 64); err != nil {
			return badRequest("invalid modified_after %q", v)
		}
	}
	mac, serial, model, siteID := normMAC(q.Get("mac")), q.Get("serial"), q.Get("model"), q.Get("site_id")
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	var idx []int32
	for i := range w.devs {
		d := &w.devs[i]
		if (t > 0 && int(d.typ) != t) || (!unassigned && d.site < 0) || (mac != "" && d.mac != mac) ||
			(serial != "" && d.serial != serial) || (model != "" && d.model.name != model) ||
			(siteID != "" && w.siteID(d.site) != siteID) || d.modified <= modifiedAfter && modifiedAfter > 0 {
			continue
		}
		idx = append(idx, int32(i))
	}
	return pageOf(rc, len(idx), rowsOf(func(i int) inventoryJSON { return w.inventoryJSON(int(idx[i])) }))
}

// countResp renders a response_count: groups by count descending, then key.
func countResp(distinct string, win window, limit int, counts map[string]int) response {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := countJSON{Distinct: distinct, Start: secsNum(win.startMs), End: secsNum(win.endMs), Limit: limit,
		Total: len(keys), Results: []map[string]any{}}
	for _, k := range keys[:min(limit, len(keys))] {
		out.Results = append(out.Results, map[string]any{distinct: k, "count": counts[k]})
	}
	return jsonResp(http.StatusOK, out)
}

func handleInventoryCount(s *Server, rc *reqCtx) response {
	q := rc.r.URL.Query()
	t, ok := parseDevType(q.Get("type"), "ap", false)
	if !ok {
		return badRequest("invalid type %q: must be one of ap, gateway, switch", q.Get("type"))
	}
	distinct := q.Get("distinct")
	if distinct == "" {
		distinct = "model"
	}
	if !slices.Contains([]string{"model", "status", "site_id", "sku", "version"}, distinct) {
		return badRequest("invalid distinct %q", distinct)
	}
	sp, errResp := parseSearch(rc)
	if errResp != nil {
		return *errResp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	counts := map[string]int{}
	for i := range w.devs {
		d := &w.devs[i]
		if int(d.typ) != t {
			continue
		}
		var k string
		switch distinct {
		case "model":
			k = d.model.name
		case "status":
			k = "disconnected"
			if d.connected {
				k = "connected"
			}
		case "site_id":
			k = w.siteID(d.site)
		case "sku":
			k = d.model.sku
		case "version":
			k = d.version
		}
		counts[k]++
	}
	return countResp(distinct, sp.win, sp.limit, counts)
}

// clientFilter holds the wireless-client search and count filters.
type clientFilter struct {
	site, ap                                   int
	ssid, band, mac, ip, host, device, os, mod string
	vlan, text                                 string
	none                                       bool // a filter no simulated client can match
}

func (f *clientFilter) extra() bool {
	return f.none || f.ssid != "" || f.band != "" || f.mac != "" || f.ip != "" || f.host != "" ||
		f.device != "" || f.os != "" || f.mod != "" || f.vlan != "" || f.text != ""
}

func (s *Server) parseClientFilter(rc *reqCtx, si int) clientFilter {
	q := rc.r.URL.Query()
	f := clientFilter{site: si, ap: -1,
		ssid: q.Get("ssid"), band: q.Get("band"), mac: normMAC(q.Get("mac")), ip: q.Get("ip"),
		host: strings.ToLower(q.Get("hostname")), device: strings.ToLower(q.Get("device")),
		os: strings.ToLower(q.Get("os")), mod: strings.ToLower(q.Get("model")), vlan: q.Get("vlan"),
		text: strings.ToLower(q.Get("text")),
	}
	for _, p := range []string{"psk_id", "psk_name", "username"} {
		if q.Get(p) != "" {
			f.none = true
		}
	}
	if v := q.Get("site_id"); v != "" && si < 0 {
		if i, ok := s.w.siteByID[v]; ok {
			f.site = i
		} else {
			f.none = true
		}
	}
	if v := q.Get("ap"); v != "" {
		i, ok := s.w.devByMAC[normMAC(v)]
		switch {
		case !ok || s.w.devs[i].typ != typeAP || (f.site >= 0 && int(s.w.devs[i].site) != f.site):
			f.none = true
		default:
			f.ap = i
		}
	}
	return f
}

func (w *world) clientMatch(c *client, f *clientFilter) bool {
	if f.none {
		return false
	}
	k := &clientKinds[c.kind]
	if f.ssid != "" && ssidNames[c.ssid] != f.ssid || f.band != "" && bandNames[c.band] != f.band {
		return false
	}
	if f.vlan != "" && strconv.Itoa(ssidVLAN[c.ssid]) != f.vlan {
		return false
	}
	if f.device != "" && strings.ToLower(k.device) != f.device ||
		f.os != "" && !strings.Contains(strings.ToLower(k.os), f.os) ||
		f.mod != "" && !strings.Contains(strings.ToLower(k.model), f.mod) {
		return false
	}
	if f.mac != "" && !strings.Contains(c.macString(), f.mac) || f.ip != "" && ipString(c.ip) != f.ip {
		return false
	}
	if f.host != "" && !strings.Contains(strings.ToLower(c.hostname()), f.host) {
		return false
	}
	if f.text != "" {
		t := f.text
		if !strings.Contains(c.macString(), normMAC(t)) && !strings.Contains(strings.ToLower(c.hostname()), t) &&
			!strings.Contains(ipString(c.ip), t) {
			return false
		}
	}
	return true
}

// clientScan is a filtered view of the sorted clients within a window.
type clientScan struct {
	w      *world
	f      *clientFilter
	list   []int32 // nil: all clients
	base   int64
	gLo    int // global index range of the window
	gHi    int
	lo, hi int // the same range as positions in list
}

func (w *world) newClientScan(f *clientFilter, win window) *clientScan {
	cs := &clientScan{w: w, f: f, base: w.base(win.endMs)}
	switch {
	case f.ap >= 0:
		cs.list = w.apClients[f.ap]
	case f.site >= 0:
		cs.list = w.sites[f.site].clients
	}
	loOff, hiOff := win.startMs-cs.base, win.endMs-cs.base
	n := len(w.clients)
	cs.gLo = sort.Search(n, func(i int) bool { return int64(w.clients[i].off) <= hiOff })
	cs.gHi = sort.Search(n, func(i int) bool { return int64(w.clients[i].off) < loOff })
	cs.lo, cs.hi = cs.pos(cs.gLo), cs.pos(cs.gHi)
	return cs
}

// pos maps a global index to the first position in list at or after it.
func (cs *clientScan) pos(g int) int {
	if cs.list == nil {
		return g
	}
	return sort.Search(len(cs.list), func(k int) bool { return int(cs.list[k]) >= g })
}

func (cs *clientScan) at(k int) int32 {
	if cs.list == nil {
		return int32(k)
	}
	return cs.list[k]
}

func (cs *clientScan) ok(i int32) bool {
	c := &cs.w.clients[i]
	if !c.hist && !cs.w.devs[c.ap].connected {
		return false
	}
	return !cs.f.extra() || cs.w.clientMatch(c, cs.f)
}

// total counts the matching clients; without content filters it is the
// range size less the connected clients of APs that are down.
func (cs *clientScan) total() int {
	if cs.f.extra() {
		n := 0
		for k := cs.lo; k < cs.hi; k++ {
			if cs.ok(cs.at(k)) {
				n++
			}
		}
		return n
	}
	w := cs.w
	var aps []int32
	switch {
	case cs.f.ap >= 0:
		aps = []int32{int32(cs.f.ap)}
	case cs.f.site >= 0:
		aps = w.sites[cs.f.site].devs
	default:
		aps = w.byType[typeAP]
	}
	down := 0
	for _, ai := range aps {
		d := &w.devs[ai]
		if d.typ != typeAP || d.connected {
			continue
		}
		live := w.apLive[ai]
		down += lowerBound(live, cs.gHi) - lowerBound(live, cs.gLo)
	}
	return cs.hi - cs.lo - down
}

func lowerBound(list []int32, g int) int {
	return sort.Search(len(list), func(k int) bool { return int(list[k]) >= g })
}

// after returns the list position just past the cursor.
func (cs *clientScan) after(c *cursor) (int, bool) {
	mac, err := strconv.ParseUint(normMAC(c.id), 16, 64)
	if err != nil || len(normMAC(c.id)) != 12 {
		return 0, false
	}
	off := c.tsMs - cs.base
	cl := cs.w.clients
	g := sort.Search(len(cl), func(i int) bool {
		o := int64(cl[i].off)
		return o < off || (o == off && cl[i].mac > mac)
	})
	return max(cs.lo, cs.pos(g)), true
}

// page walks a search: results after the cursor, the total to report, and
// whether more results remain. With shrink (the ShrinkTotal fault on a
// later page) only the first two thirds of the results exist.
func page[T any](total, limit int, shrink bool, start, end int, at func(int) T, ok func(T) bool, rankBefore func() int) (res []T, reported int, more bool) {
	limitTotal := total
	rank := 0
	if shrink {
		limitTotal = total - total/3
		rank = rankBefore()
	}
	res = make([]T, 0, min(limit, max(0, total)))
	k := start
	for ; k < end && len(res) < limit && rank+len(res) < limitTotal; k++ {
		if v := at(k); ok(v) {
			res = append(res, v)
		}
	}
	if rank+len(res) < limitTotal {
		for ; k < end; k++ {
			if ok(at(k)) {
				more = true
				break
			}
		}
	}
	return res, limitTotal, more
}

// searchNext is a search page's next: after last while more results
// remain, else none. The paging faults change it: NextLoop points it back
// at the page itself, and EndlessPaging gives a page past the end one too,
// with a cursor a millisecond older than the one before, so that each is
// new and finds nothing.
func searchNext(rc *reqCtx, sp searchParams, more bool, last *cursor) string {
	switch {
	case rc.loop:
		return rc.r.URL.RequestURI()
	case more:
		return nextURI(rc, sp.win, sp.limit, last.searchAfter())
	case rc.endless:
		c := cursor{tsMs: sp.win.startMs, id: "000000000000"}
		switch {
		case last != nil:
			c = *last
		case sp.cursor != nil:
			c = *sp.cursor
		}
		c.tsMs--
		return nextURI(rc, sp.win, sp.limit, c.searchAfter())
	}
	return ""
}

func handleOrgClientSearch(s *Server, rc *reqCtx) response {
	sp, errResp := parseSearch(rc)
	if errResp != nil {
		return *errResp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	f := s.parseClientFilter(rc, -1)
	cs := w.newClientScan(&f, sp.win)
	start := cs.lo
	if sp.cursor != nil {
		var ok bool
		if start, ok = cs.after(sp.cursor); !ok {
			return badRequest("invalid search_after %q", rc.query("search_after"))
		}
	}
	shrink := rc.shrink && sp.cursor != nil
	res, total, more := page(cs.total(), sp.limit, shrink, start, cs.hi, cs.at, cs.ok, func() int {
		n := 0
		for k := cs.lo; k < start; k++ {
			if cs.ok(cs.at(k)) {
				n++
			}
		}
		return n
	})
	out := make([]clientSearchJSON, len(res))
	for i, ci := range res {
		out[i] = w.clientSearchJSON(ci, cs.base)
	}
	body := searchJSON{Start: secsNum(sp.win.startMs), End: secsNum(sp.win.endMs), Limit: sp.limit, Total: total, Results: out}
	var last *cursor
	if len(res) > 0 {
		c := &w.clients[res[len(res)-1]]
		last = &cursor{tsMs: cs.base + int64(c.off), id: c.macString()}
	}
	body.Next = searchNext(rc, sp, more, last)
	return jsonResp(http.StatusOK, body)
}

// countParams reads a count's distinct (def when absent, one of allowed)
// and its search window.
func countParams(rc *reqCtx, def string, allowed []string) (string, searchParams, *response) {
	distinct := cmp.Or(rc.query("distinct"), def)
	if !slices.Contains(allowed, distinct) {
		resp := badRequest("invalid distinct %q: must be one of %s", distinct, strings.Join(allowed, ", "))
		return "", searchParams{}, &resp
	}
	sp, errResp := parseSearch(rc)
	return distinct, sp, errResp
}

func (s *Server) clientCount(rc *reqCtx, si int, allowed []string) response {
	distinct, sp, errResp := countParams(rc, "device", allowed)
	if errResp != nil {
		return *errResp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	f := s.parseClientFilter(rc, si)
	cs := w.newClientScan(&f, sp.win)
	counts := map[string]int{}
	for k := cs.lo; k < cs.hi; k++ {
		ci := cs.at(k)
		if !cs.ok(ci) {
			continue
		}
		c := &w.clients[ci]
		kind := &clientKinds[c.kind]
		var key string
		switch distinct {
		case "ap":
			key = w.devs[c.ap].mac
		case "device":
			key = kind.device
		case "hostname":
			key = c.hostname()
		case "ip":
			key = ipString(c.ip)
		case "mac":
			key = c.macString()
		case "model":
			key = kind.model
		case "os":
			key = kind.os
		case "ssid":
			key = ssidNames[c.ssid]
		case "vlan":
			key = strconv.Itoa(ssidVLAN[c.ssid])
		}
		if key != "" {
			counts[key]++
		}
	}
	return countResp(distinct, sp.win, sp.limit, counts)
}

func handleOrgClientCount(s *Server, rc *reqCtx) response {
	return s.clientCount(rc, -1, []string{"ap", "device", "hostname", "ip", "mac", "model", "os", "ssid", "vlan"})
}

func handleSiteClientCount(s *Server, rc *reqCtx) response {
	return s.clientCount(rc, rc.site, []string{"ap", "device", "hostname", "ip", "model", "os", "ssid", "vlan"})
}

// handleSiteClientStats is E16: the site's connected wireless clients. It
// pages like a list endpoint (limit, page, X-Page-* headers).
func handleSiteClientStats(s *Server, rc *reqCtx) response {
	si := rc.site
	wired, err := parseBool(rc.r.URL.Query(), "wired", false)
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	var idx []int32
	if !wired { // no wired clients are simulated
		for _, ci := range w.sites[si].clients {
			if c := &w.clients[ci]; w.clientLive(c) {
				idx = append(idx, ci)
			}
		}
	}
	return pageOf(rc, len(idx), rowsOf(func(i int) clientStatJSON { return w.clientStatJSON(idx[i], rc.nowMs) }))
}

// alarmFilter selects alarms for search and count.
type alarmFilter struct {
	site                           string
	types, status, severity, group []string
	acked                          *bool
	win                            window
}

func parseAlarmFilter(rc *reqCtx, siteID string, win window) (alarmFilter, error) {
	q := rc.r.URL.Query()
	f := alarmFilter{site: siteID, types: multi(q, "type"), status: multi(q, "status"),
		severity: multi(q, "severity"), group: multi(q, "group"), win: win}
	if siteID == "" {
		f.site = q.Get("site_id")
	}
	for _, st := range f.status {
		if st != "open" && st != "resolved" {
			return f, fmt.Errorf("invalid status %q: must be open or resolved", st)
		}
	}
	if q.Get("acked") != "" {
		b, err := parseBool(q, "acked", false)
		if err != nil {
			return f, err
		}
		f.acked = &b
	}
	return f, nil
}

func (f *alarmFilter) match(a *alarm) bool {
	status := "open"
	if a.resolved {
		status = "resolved"
	}
	return a.tsMs >= f.win.startMs && a.tsMs <= f.win.endMs && (f.site == "" || a.siteID == f.site) &&
		in(f.types, a.typ) && in(f.status, status) && in(f.severity, a.severity) && in(f.group, a.group) &&
		(f.acked == nil || *f.acked == a.acked)
}

// selectAlarms returns the matching alarms, newest first, then by id.
func (w *world) selectAlarms(f *alarmFilter) []*alarm {
	var out []*alarm
	for _, a := range w.alarms {
		if f.match(a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b *alarm) int {
		if c := cmp.Compare(b.tsMs, a.tsMs); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out
}

func (s *Server) alarmSearch(rc *reqCtx, siteID string) response {
	sp, errResp := parseSearch(rc)
	if errResp != nil {
		return *errResp
	}
	f, err := parseAlarmFilter(rc, siteID, sp.win)
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	list := w.selectAlarms(&f)
	start := 0
	if c := sp.cursor; c != nil {
		start = sort.Search(len(list), func(i int) bool {
			return list[i].tsMs < c.tsMs || (list[i].tsMs == c.tsMs && list[i].id > c.id)
		})
	}
	shrink := rc.shrink && sp.cursor != nil
	res, total, more := page(len(list), sp.limit, shrink, start, len(list),
		func(k int) *alarm { return list[k] }, func(*alarm) bool { return true }, func() int { return start })
	out := make([]alarmJSON, len(res))
	for i, a := range res {
		out[i] = w.alarmJSON(a)
	}
	body := searchJSON{Start: secsNum(sp.win.startMs), End: secsNum(sp.win.endMs), Limit: sp.limit, Total: total, Results: out}
	var last *cursor
	if len(res) > 0 {
		a := res[len(res)-1]
		last = &cursor{tsMs: a.tsMs, id: a.id}
	}
	body.Next = searchNext(rc, sp, more, last)
	return jsonResp(http.StatusOK, body)
}

func handleOrgAlarmSearch(s *Server, rc *reqCtx) response {
	return s.alarmSearch(rc, "")
}

func handleSiteAlarmSearch(s *Server, rc *reqCtx) response {
	return s.alarmSearch(rc, s.w.sites[rc.site].id)
}

func (s *Server) alarmCount(rc *reqCtx, siteID string, allowed []string) response {
	distinct, sp, errResp := countParams(rc, "type", allowed)
	if errResp != nil {
		return *errResp
	}
	f, err := parseAlarmFilter(rc, siteID, sp.win)
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	counts := map[string]int{}
	for _, a := range s.w.selectAlarms(&f) {
		var k string
		switch distinct {
		case "type":
			k = a.typ
		case "group":
			k = a.group
		case "severity":
			k = a.severity
		case "acked":
			k = strconv.FormatBool(a.acked)
		case "site_id":
			k = a.siteID
		case "status":
			k = "open"
			if a.resolved {
				k = "resolved"
			}
		}
		if k != "" {
			counts[k]++
		}
	}
	return countResp(distinct, sp.win, sp.limit, counts)
}

func handleOrgAlarmCount(s *Server, rc *reqCtx) response {
	return s.alarmCount(rc, "", []string{"type", "group", "severity", "acked", "site_id", "status"})
}

func handleSiteAlarmCount(s *Server, rc *reqCtx) response {
	return s.alarmCount(rc, s.w.sites[rc.site].id, []string{"acked", "group", "severity", "type"})
}
