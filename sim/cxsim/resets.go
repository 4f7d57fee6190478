package cxsim

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Device reset and contract data, derived from the devices and assets so
// that every output agrees with inventory.

// reset is one reset of a device.
type reset struct {
	at          int64 // Unix seconds
	reason, typ string
}

// created is when device i was first inventoried.
func (w *world) created(i int) int64 {
	h := w.hash(w.devs[i].id)
	return int64(w.today)*day - int64(30+h%1400)*day - int64((h>>11)%day)
}

// resets lists up to n of device i's resets, the latest first; the latest
// is its lastResetTimestamp. About one in eight last resets is a crash.
func (w *world) resets(i, n int) []reset {
	d := &w.devs[i]
	h := w.hash(d.id)
	created := w.created(i)
	anchor := int64(w.today) * day
	at := max(created+3600, anchor-int64(1+(h>>24)%300)*day-int64((h>>33)%day))
	out := make([]reset, 0, min(n, 3))
	for k := 0; k < min(n, 1+int(h>>50)%3); k++ {
		r := reset{at: at, reason: resetReasons[(h>>(5+3*k))%uint64(len(resetReasons))], typ: "reload"}
		if (h>>(45+k))%8 == 0 {
			r.reason = "Critical software exception, check bootflash:crashinfo_RP_00_00_" +
				time.Unix(at, 0).UTC().Format("20060102-150405") + "-UTC"
			r.typ = "crash"
		}
		out = append(out, r)
		at -= int64(20+(h>>(20+4*k))%200) * day
		if at <= created {
			break
		}
	}
	return out
}

// inventoryTS is device i's inventoryTimestamp: when its collector last
// uploaded it; null when its inventory is not available.
func (w *world) inventoryTS(i int) value {
	if w.devs[i].flags&flagInventoryNA != 0 {
		return vnull
	}
	return vt(w.collectorOf(i).lastUpload - int64((w.hash(w.devs[i].id)>>40)%1800))
}

// resetDevices lists the devices that report resets: all but access points.
func (w *world) resetDevices() []int32 {
	var out []int32
	for i := range w.devs {
		if products[w.devs[i].prod].role != roleAP {
			out = append(out, int32(i))
		}
	}
	return out
}

func lastResetRow(w *world, k int, r []value) []value {
	i := int(w.resetDevs[k])
	d := &w.devs[i]
	p := &products[d.prod]
	sv := &swVersions[d.sw]
	last := w.resets(i, 1)[0]
	return append(r[:0], vi(int64(d.id)), vs(w.deviceIP(i)), vs(w.deviceName(i)), w.inventoryTS(i), vt(last.at),
		vs(p.family), vs(p.pid), vs(last.reason), vs(last.typ), vs(sv.typ), vs(sv.ver))
}

func resetHistoryRow(w *world, k int, r []value) []value {
	i := int(w.resetDevs[k])
	d := &w.devs[i]
	p := &products[d.prod]
	sv := &swVersions[d.sw]
	var b []byte
	b = append(b, '[')
	for n, rs := range w.resets(i, 3) {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendObject(b, resetDetailAttrs, []value{vt(rs.at), vs(rs.reason), vs(rs.typ), vs(sv.typ), vs(sv.ver)}, nil)
	}
	b = append(b, ']')
	return append(r[:0], vi(int64(d.id)), vs(w.deviceIP(i)), vs(w.deviceName(i)), vs(p.family), vs(p.pid), vraw(string(b)))
}

var resetDetailAttrs = []string{"resetTimestamp", "resetReason", "resetType", "softwareType", "softwareVersion"}

func resetCountRow(w *world, _ int, r []value) []value {
	crash, reload := 0, 0
	for _, i := range w.resetDevs {
		if w.resets(int(i), 1)[0].typ == "crash" {
			crash++
		} else {
			reload++
		}
	}
	return append(r[:0], vi(int64(crash)), vi(int64(reload)))
}

// contractAssets lists the assets that have a serial number, which
// contracts cover, in asset order.
func (w *world) contractAssets() []int32 {
	var out []int32
	for i := range w.assets {
		if w.serial(i) != "" {
			out = append(out, int32(i))
		}
	}
	return out
}

// contractSite is the street address of a site's contract.
var contractStreets = []string{"1 Main Street", "200 Harbour Road", "45 Station Square", "9 Industrial Way"}

func contractRow(w *world, k int, r []value) []value {
	ai := int(w.contracts[k])
	a := &w.assets[ai]
	di := int(a.dev)
	d := &w.devs[di]
	h := simkit.Mix(w.salt ^ uint64(a.id)<<3)
	s := &w.sites[d.site]
	ct := &cities[s.city]
	serial := w.serial(ai)
	parent := ""
	if a.part >= 0 {
		parent = w.serial(int(d.asset0))
	}
	pid := w.assetPID(ai)
	ship := w.created(di) - int64(10+h%40)*day
	covered := h%10 < 8
	end := vnull
	if covered {
		end = vd(w.today + int32(30+(h>>8)%1500))
	}
	warranty := vd(int32(ship/day) + int32(365*(1+(h>>20)%5)))
	contract := "20" + strconv.Itoa(int(10000000+(h>>24)%89999999))
	line := "Smart Net Total Care 8X5XNBD"
	if !covered {
		contract, line = "", ""
	}
	orderable := `[{"itemDescription": "` + pid + `", "itemPosition": "1.0", "itemType": "Hardware", "orderableProductId": "` + pid +
		`", "pillarCode": "ENT"}]`
	return append(r[:0], vraw(`[{"baseProductId": "`+pid+`"}]`), vs(contractStreets[h%uint64(len(contractStreets))]), vs(ct.name),
		vs(ct.country), vs("Example Corp "+strings.ToUpper(s.label)), vs(time.Unix(ship, 0).UTC().Format(time.DateTime)), vs(""), end,
		vb(covered), vraw(orderable), vs(parent), vs(serial), vs(contract),
		vs(line), warranty, vs("WARR-1YR-LTD-HW"), vs("Cisco 1 Year Limited Hardware Warranty"))
}

func findContract(w *world, serial string) int {
	k, ok := w.contractBySerial[serial]
	if !ok {
		return -1
	}
	return k
}

// serveBulk answers bulk/alerts: JSON Lines, streamed (the SDK reads it
// with stream=True, line by line). Whether the API puts Last-Modified and
// an ETag on it, and answers If-None-Match with a 304, is not documented:
// by default it does neither; Options.BulkConditional does both, with a
// version that changes whenever the data of any endpoint the stream
// carries does.
func (s *Server) serveBulk(r *http.Request, rt route) response {
	resp := response{status: http.StatusOK, ctype: "application/x-ndjson", stream: s.writeBulk}
	if !s.opts.BulkConditional {
		return resp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := s.w.vers[epBulk]
	tag := s.w.etag(v.n, rt.rest, r.URL.Query())
	lm := time.Unix(v.mod, 0).UTC()
	if pre, done := precondition(r, tag, lm, true); done {
		return pre
	}
	setValidators(resp.Header(), tag, lm)
	return resp
}

// bulkFlush is how many bytes of lines writeBulk gathers before it writes
// them out: the stream is never held whole (a large world's is over
// 100 MB).
const bulkFlush = 64 << 10

// writeBulk writes bulk/alerts to out: one record per line with its type,
// consistent with the list endpoints. Device lines nest the device's
// assets (each with its field notices, hardware end of life and
// contract), its software end of life, security advisories and an empty
// configurationBestPractice, as the SDK's DeviceBulk model reads them.
// With Options.BulkQuirks, contract dates are empty strings and
// baseProductIdList is left out, as the SDK's bulk validators expect. It
// stops at the first failed write (the client went away).
func (s *Server) writeBulk(out io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	b := make([]byte, 0, 2*bulkFlush)
	var err error
	flush := func() {
		if err == nil && len(b) >= bulkFlush {
			_, err = out.Write(b)
			b = b[:0]
		}
	}
	row := make([]value, 0, 40)
	line := func(typ string, ep int, k int, extra func(b []byte) []byte) {
		e := &endpoints[ep]
		row = e.row(w, k, row)
		b = appendTyped(b, typ, e.attrs, row, s.opts.BulkQuirks && ep == epContracts, extra)
		b = append(b, '\n')
		flush()
	}
	line("reset_count", epResetCount, 0, nil)

	fnByAsset := map[int32][]int{}
	for k, m := range w.fns {
		fnByAsset[w.devs[m.dev].asset0] = append(fnByAsset[w.devs[m.dev].asset0], k)
	}
	saByDev := map[int32][]int{}
	for k, m := range w.sas {
		saByDev[m.dev] = append(saByDev[m.dev], k)
	}
	hwByAsset := map[int32]int{}
	for k, ai := range w.hwItems {
		hwByAsset[ai] = k
	}
	swByDev := map[int32]int{}
	for k, di := range w.swItems {
		swByDev[di] = k
	}
	contractOf := map[int32]int{}
	for k, ai := range w.contracts {
		contractOf[ai] = k
	}
	nestedRow := make([]value, 0, 40)
	nested := func(b []byte, ep, k int, quirks bool) []byte {
		e := &endpoints[ep]
		nestedRow = e.row(w, k, nestedRow)
		return appendTyped(b, "", e.attrs, nestedRow, quirks, nil)
	}
	assetRow := make([]value, 0, 40)
	for i := range w.devs {
		if err != nil {
			return err
		}
		d := &w.devs[i]
		line("device", epDevices, i, func(b []byte) []byte {
			b = append(b, `,"assets":[`...)
			for ai := d.asset0; ai < d.asset0+int32(d.nAsset); ai++ {
				if ai > d.asset0 {
					b = append(b, ',')
				}
				e := &endpoints[epAssets]
				assetRow = e.row(w, int(ai), assetRow)
				b = appendTyped(b, "", e.attrs, assetRow, false, func(b []byte) []byte {
					b = append(b, `,"fieldNotices":[`...)
					for n, k := range fnByAsset[ai] {
						if n > 0 {
							b = append(b, ',')
						}
						b = nested(b, epFieldNotices, k, false)
					}
					b = append(b, `],"hardwareEndOfLife":`...)
					if k, ok := hwByAsset[ai]; ok {
						b = nested(b, epHardwareEoL, k, false)
					} else {
						b = append(b, "null"...)
					}
					b = append(b, `,"contract":`...)
					if k, ok := contractOf[ai]; ok {
						b = nested(b, epContracts, k, s.opts.BulkQuirks)
					} else {
						b = append(b, "null"...)
					}
					return b
				})
			}
			b = append(b, `],"configurationBestPractice":{},"softwareEndOfLife":`...)
			if k, ok := swByDev[int32(i)]; ok {
				b = nested(b, epSoftwareEoL, k, false)
			} else {
				b = append(b, "null"...)
			}
			b = append(b, `,"securityAdvisory":[`...)
			for n, k := range saByDev[int32(i)] {
				if n > 0 {
					b = append(b, ',')
				}
				b = nested(b, epAdvisories, k, false)
			}
			return append(b, ']')
		})
	}
	for k := range w.resetDevs {
		line("lastest_reset", epLastReset, k, nil) // sic: the SDK's spelling
		line("history_reset", epResetHistory, k, nil)
	}
	for k := range w.fnb {
		line("fn_bulletin", epFieldNoticeBulletins, k, nil)
	}
	for k := range w.sab {
		line("psirt_bulletin", epAdvisoryBulletins, k, nil)
	}
	for k := range w.hwb {
		line("hw_eox_bulletin", epHardwareEoLBulletins, k, nil)
	}
	for k := range w.swb {
		line("sw_eox_bulletin", epSoftwareEoLBulletins, k, nil)
	}
	if err == nil && len(b) > 0 {
		_, err = out.Write(b)
	}
	return err
}

// contractDates are the contract attributes the bulk quirks write as "".
var contractDates = []string{"coveredProductLineEndDate", "warrantyEndDate"}

// appendTyped writes one object: "type" first when typ is set, then the
// attributes, then what extra appends. quirks writes a contract's null
// dates as "" and leaves baseProductIdList out.
func appendTyped(b []byte, typ string, attrs []string, row []value, quirks bool, extra func([]byte) []byte) []byte {
	var mask []bool
	if quirks {
		row = slices.Clone(row)
		mask = make([]bool, len(attrs))
		for k, a := range attrs {
			mask[k] = a != "baseProductIdList"
			if slices.Contains(contractDates, a) && row[k].k == kNull {
				row[k] = vs("")
			}
		}
	}
	start := len(b)
	b = appendObject(b, attrs, row, mask)
	b = b[:len(b)-1] // reopen the object
	if typ != "" {
		obj := slices.Clone(b[start+1:])
		b = append(b[:start], `{"type":`...)
		b = simkit.AppendJSONString(b, typ)
		if len(obj) > 0 {
			b = append(b, ',')
			b = append(b, obj...)
		}
	}
	if extra != nil {
		b = extra(b)
	}
	return append(b, '}')
}
