package cxcloud

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/internal/cpuslot"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// bulkEndpoint is the bulk download (cxcloud.md 9.5): JSON Lines, one
// record a line, streamed; no paging, filter or field mask applies.
const bulkEndpoint = "bulk/alerts"

// The collections, as their answers are shared by name.
const (
	collInventory    = "inventory"
	collFieldNotices = "field_notices"
	collAdvisories   = "advisories"
	collEox          = "eox"
	collContracts    = "contracts"
	collResets       = "resets"
)

// bulkFed are the collections whose data bulk/alerts carries: all but the
// collectors of the inventory, which come from their list.
var bulkFed = []string{collInventory, collFieldNotices, collAdvisories, collEox, collContracts, collResets}

// bulkAnswer is what one bulk/alerts answer holds of the collections'
// data. The records are decoded as the lists' wire types, so the
// snapshots are built as from the lists; once built, only the devices
// (whose uptimes each inventory counts to its own time), the serial
// numbers and the snapshots are kept. It is shared by the collections and
// never changed once built.
type bulkAnswer struct {
	devices []device
	raw     *bulkRecords // dropped once built

	// modified is the answer's Last-Modified, zero without one; etag its
	// ETag, "" without one.
	modified time.Time
	etag     string

	once sync.Once
	idx  *assetIndex
	fns  *FieldNotices
	adv  *Advisories
	eol  *EndOfLife
	con  *Contracts
	res  *Resets
}

// bulkRecords are the records of an answer but its devices, as far as
// the snapshots need them: the assets are indexed as they come, and of the
// contracts only those without a parent serial (a chassis', not a part's)
// are held, the only ones newContracts keeps.
type bulkRecords struct {
	index        *assetIndex
	assets       int // indexed
	fieldNotices []fieldNotice
	fnBulletins  []fieldNoticeBulletin
	advisories   []advisory // those that are or may be vulnerable, as the lists' filter keeps
	saBulletins  []advisoryBulletin
	hardware     []hardwareEoL
	hwBulletins  []eolBulletin
	software     []softwareEoL
	swBulletins  []eolBulletin
	contracts    []contractSerial
	allContracts int // those kept and the others
	lastResets   []lastReset
	histories    []resetHistory
}

// built builds the snapshots, once, and drops the records they came from.
func (a *bulkAnswer) built() *bulkAnswer {
	a.once.Do(func() {
		r, lm := a.raw, unix(a.modified)
		if cap(a.devices) > len(a.devices) {
			// They grew as they came; they stay as long as the answer.
			a.devices = slices.Clone(a.devices)
		}
		a.idx = r.index
		a.idx.finish(a.devices)
		a.fns = newFieldNotices(r.fieldNotices, r.fnBulletins)
		a.adv = newAdvisories(r.advisories, r.saBulletins)
		a.eol = newEndOfLife(r.hardware, r.hwBulletins, r.software, r.swBulletins, a.idx)
		a.con = newContracts(r.contracts, a.idx)
		a.res = newResets(r.lastResets, r.histories)
		a.fns.LastModified, a.adv.LastModified, a.eol.LastModified, a.con.LastModified, a.res.LastModified = lm, lm, lm, lm, lm
		a.raw = nil
	})
	return a
}

// revalidated is a, confirmed unchanged by a 304 that may carry a newer
// Last-Modified.
func (a *bulkAnswer) revalidated(h http.Header) *bulkAnswer {
	b := a.built()
	out := &bulkAnswer{devices: b.devices, idx: b.idx, modified: b.modified, etag: b.etag}
	if lm, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		out.modified = lm
	}
	if tag := h.Get("ETag"); tag != "" {
		out.etag = tag
	}
	lm := unix(out.modified)
	fns, adv, eol, con, res := *b.fns, *b.adv, *b.eol, *b.con, *b.res
	fns.LastModified, adv.LastModified, eol.LastModified, con.LastModified, res.LastModified = lm, lm, lm, lm, lm
	out.fns, out.adv, out.eol, out.con, out.res = &fns, &adv, &eol, &con, &res
	out.once.Do(func() {})
	return out
}

// bulkReadBuffer is the buffered reader's size: lines shorter than it are
// decoded where they lie; a longer one is gathered in a buffer of its own.
const bulkReadBuffer = 64 << 10

// knownBulkTypes are the record types of the SDK's BULK_TYPE_MODEL_MAPPING
// (master and develop) the exporter does not read; other types it does
// not know are counted as it skips them.
var knownBulkTypes = []string{"configuration_best_practice_rules", "configuration_best_practice_rules_reference",
	"configuration_best_practice_summary", "groups", "group_members", "reset_count", "risk_mitigation_details",
	"risk_mitigation_summary", "track_members", "track_smupie_recommendation", "track_smupie_compliance", "track_summary",
	"si_details", "si_summary", "si_rule_details", "pva_devices_policies", "pva_details", "pva_policy_variations"}

// bulkDecoder reads bulk/alerts one line at a time into a bulkAnswer: the
// body is never held whole, only the line being decoded.
type bulkDecoder struct {
	lineLimit int // the longest line taken, in bytes
	maxItems  int // the most records of one kind taken
	out       *bulkAnswer
	// skipped counts the lines of types the exporter does not know.
	skipped map[string]int
	lines   int
	// held is the most bytes the decoder held for lines at once: its
	// reader's buffer and, for a longer line, the line.
	held int
	// shared holds one copy of each value that repeats from record to
	// record (a model, a version, a status), which the answer keeps.
	shared vendors.Interner
}

func newBulkDecoder(lineLimit int64, maxItems int) *bulkDecoder {
	return &bulkDecoder{lineLimit: int(min(lineLimit, 1<<40)), maxItems: maxItems,
		out: &bulkAnswer{raw: &bulkRecords{index: &assetIndex{}}}, skipped: map[string]int{}, shared: vendors.Interner{}}
}

// decode reads r to its end. A line past the limit, a line that is not a
// JSON object of its type, or more records of a kind than the limit fail
// it: an answer read in part would under-count.
func (d *bulkDecoder) decode(ctx context.Context, r io.Reader) error {
	br := bufio.NewReaderSize(r, min(bulkReadBuffer, max(d.lineLimit, 16)))
	d.held = br.Size()
	var long []byte // a line longer than br's buffer
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(long) <= d.lineLimit {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			d.held = max(d.held, br.Size()+cap(long))
			line = long
		}
		if len(line) > 0 {
			d.lines++
			if len(bytes.TrimRight(line, "\r\n")) > d.lineLimit {
				return fmt.Errorf("line %d: %w (%d bytes a line)", d.lines, vendors.ErrBodyTooLarge, d.lineLimit)
			}
			var lerr error
			if werr := cpuslot.Do(ctx, func() { lerr = d.line(line) }); werr != nil {
				return werr
			}
			if lerr != nil {
				return fmt.Errorf("decoding line %d: %w", d.lines, lerr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// line decodes one record by its type.
func (d *bulkDecoder) line(line []byte) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	typ, ok := lineType(line)
	if !ok {
		var env struct {
			Type *string `json:"type"`
		}
		if err := json.Unmarshal(line, &env); err != nil {
			return err
		}
		if env.Type == nil {
			d.skipped["(no type)"]++
			return nil
		}
		typ = *env.Type
	}
	o := d.out.raw
	switch typ {
	case "device":
		var v bulkDevice
		if err := json.Unmarshal(line, &v); err != nil {
			return err
		}
		return d.device(&v)
	case "fn_bulletin":
		return decodeInto(line, &o.fnBulletins, d.maxItems, "field notice bulletins")
	case "psirt_bulletin":
		return decodeInto(line, &o.saBulletins, d.maxItems, "security advisory bulletins")
	case "hw_eox_bulletin":
		return decodeInto(line, &o.hwBulletins, d.maxItems, "hardware end-of-life bulletins")
	case "sw_eox_bulletin":
		return decodeInto(line, &o.swBulletins, d.maxItems, "software end-of-life bulletins")
	case "lastest_reset", "latest_reset": // the SDK's spelling, and the word it means
		return decodeInto(line, &o.lastResets, d.maxItems, "last resets")
	case "history_reset":
		return decodeInto(line, &o.histories, d.maxItems, "reset histories")
	}
	if !slices.Contains(knownBulkTypes, typ) {
		d.skipped[typ]++
	}
	return nil
}

// decodeInto appends the record of line to list, up to max records.
func decodeInto[T any](line []byte, list *[]T, limit int, what string) error {
	if len(*list) >= limit {
		return fmt.Errorf("more than %d %s (limits.items)", limit, what)
	}
	var v T
	if err := json.Unmarshal(line, &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}

// device flattens a device line into the lists it stands for. A nested
// record that leaves out the ids its place gives takes them from it; an
// object that came as {} (no id) is none.
func (d *bulkDecoder) device(v *bulkDevice) error {
	o := d.out.raw
	if len(d.out.devices) >= d.maxItems || o.assets+len(v.Assets) > d.maxItems {
		return fmt.Errorf("more than %d devices or assets (limits.items)", d.maxItems)
	}
	in := d.shared
	dev := v.device
	dev.DeviceStatus, dev.DeviceType = in.String(dev.DeviceStatus), in.String(dev.DeviceType)
	dev.ProductFamily, dev.ProductID, dev.ProductType = in.String(dev.ProductFamily), in.String(dev.ProductID), in.String(dev.ProductType)
	dev.SoftwareVersion, dev.SNMPSysLocation = in.String(dev.SoftwareVersion), in.String(dev.SNMPSysLocation)
	d.out.devices = append(d.out.devices, dev)
	for i := range v.Assets {
		a := &v.Assets[i]
		if a.DeviceID == "" {
			a.DeviceID = v.DeviceID
		}
		o.index.add(&a.asset)
		o.assets++
		for _, fn := range a.FieldNotices {
			fn.DeviceID = cmp.Or(fn.DeviceID, v.DeviceID)
			o.fieldNotices = append(o.fieldNotices, fn)
		}
		if hw := a.HardwareEndOfLife; hw != nil && hw.HardwareEndOfLifeID != "" {
			hw.DeviceID = cmp.Or(hw.DeviceID, v.DeviceID)
			hw.DeviceName = sameAs(cmp.Or(hw.DeviceName, v.DeviceName), v.DeviceName)
			hw.PhysicalAssetID = cmp.Or(hw.PhysicalAssetID, a.PhysicalAssetID)
			o.hardware = append(o.hardware, *hw)
		}
		if c := a.Contract; c != nil && c.SerialNumber != "" {
			o.allContracts++
			if c.ParentSerialNumber == "" {
				c.ServiceLineDescription, c.WarrantyType = in.String(c.ServiceLineDescription), in.String(c.WarrantyType)
				o.contracts = append(o.contracts, *c)
			}
		}
	}
	if sw := v.SoftwareEndOfLife; sw != nil && sw.SoftwareEndOfLifeID != "" {
		sw.DeviceID = cmp.Or(sw.DeviceID, v.DeviceID)
		sw.DeviceName = sameAs(cmp.Or(sw.DeviceName, v.DeviceName), v.DeviceName)
		o.software = append(o.software, *sw)
	}
	for _, m := range v.SecurityAdvisory {
		// The lists' filter, applied here: a match neither vulnerable nor
		// potentially so is not counted.
		if !slices.Contains(mayBeVulnerable["matchConfidence"], m.MatchConfidence) {
			continue
		}
		m.DeviceID = cmp.Or(m.DeviceID, v.DeviceID)
		o.advisories = append(o.advisories, m)
	}
	if max(len(o.fieldNotices), len(o.hardware), o.allContracts, len(o.advisories)) > d.maxItems {
		return fmt.Errorf("more than %d field notice matches, hardware end-of-life records, contracts or advisory matches (limits.items)", d.maxItems)
	}
	return nil
}

// sameAs returns s, or kept when the two are equal, so that they share
// one copy: a record nested in a device mostly repeats its name.
func sameAs(s, kept string) string {
	if s == kept {
		return kept
	}
	return s
}

// lineType reads the type of a line that starts with it, {"type": "..."}
// as the SDK's examples and the simulator write it, without decoding the
// rest; false when the line does not start so.
func lineType(line []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("{"))
	if !ok {
		return "", false
	}
	rest, ok = bytes.CutPrefix(bytes.TrimLeft(rest, " \t"), []byte(`"type"`))
	if !ok {
		return "", false
	}
	rest, ok = bytes.CutPrefix(bytes.TrimLeft(rest, " \t"), []byte(":"))
	if !ok {
		return "", false
	}
	rest, ok = bytes.CutPrefix(bytes.TrimLeft(rest, " \t"), []byte(`"`))
	if !ok {
		return "", false
	}
	end := bytes.IndexAny(rest, `"\`)
	if end < 0 || rest[end] != '"' {
		return "", false // an escape: the decoder reads it
	}
	return string(rest[:end]), true
}

// bulkFeed shares bulk/alerts answers among the collections it feeds: a
// refresh takes the last answer when it is newer than the one the
// collection last took and younger than the window, the shortest
// interval of those collections; else it asks anew, sharing a call in
// flight. So the call is made about once a window, by whichever
// collection refreshes first after it, and every refresh serves data no
// older than one window. A failure the lists may not share is kept like
// an answer: the collections within the window walk their lists without
// asking again.
type bulkFeed struct {
	flight vendors.Flight[bulkOutcome]
	window time.Duration

	mu      sync.Mutex
	kept    bulkOutcome // the last answer, or failure, kept
	last    *bulkAnswer // the last good answer
	lastSeq uint64      // its attempt
	seq     uint64      // attempts made
	// took is the attempt each collection last took.
	took map[string]uint64
}

// bulkOutcome is one attempt at bulk/alerts: its answer or failure.
type bulkOutcome struct {
	seq  uint64
	sent time.Time
	ans  *bulkAnswer
	err  error
}

// newBulkFeed sets the window from the intervals of the enabled
// collections bulk/alerts feeds.
func newBulkFeed(cfg *config.CXCloud) *bulkFeed {
	f := &bulkFeed{took: map[string]uint64{}}
	for _, name := range bulkFed {
		if c, ok := cfg.Collections[name]; ok && c.Enabled && (f.window == 0 || time.Duration(c.Interval) < f.window) {
			f.window = time.Duration(c.Interval)
		}
	}
	return f
}

// get returns the answer collection is to serve.
func (f *bulkFeed) get(ctx context.Context, c *Client, collection string) (*bulkAnswer, error) {
	if k, ok := f.reuse(c, collection); ok {
		return k.ans, k.err
	}
	o, err := f.flight.Do(ctx, func(ctx context.Context) (bulkOutcome, error) {
		// An attempt may have ended between the look above and this call:
		// the collections of a refresh start together.
		if k, ok := f.reuse(c, collection); ok {
			return k, k.err
		}
		o := c.fetchBulk(ctx, f.lastGood())
		f.keep(ctx, o)
		return o, o.err
	})
	if o.seq != 0 {
		f.mu.Lock()
		f.took[collection] = max(f.took[collection], o.seq)
		f.mu.Unlock()
	}
	return o.ans, err
}

// reuse returns the outcome kept, and takes it for collection, when it is
// newer than the one collection last took and younger than the window.
func (f *bulkFeed) reuse(c *Client, collection string) (bulkOutcome, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := f.kept
	if k.seq <= f.took[collection] || c.now().Sub(k.sent) >= f.window {
		return bulkOutcome{}, false
	}
	f.took[collection] = k.seq
	return k, true
}

// keep records an attempt's outcome: an answer, or a failure the lists
// may not share. A throttled, unauthorised or cancelled attempt is not
// kept, so the next collection asks again, as it would for its lists.
func (f *bulkFeed) keep(ctx context.Context, o bulkOutcome) {
	if o.err != nil && !fallsBack(ctx, o.err) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.seq > f.kept.seq {
		f.kept = o
	}
	if o.err == nil && o.seq > f.lastSeq {
		f.last, f.lastSeq = o.ans, o.seq
	}
}

// lastGood is the last good answer, nil before one.
func (f *bulkFeed) lastGood() *bulkAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// next numbers an attempt.
func (f *bulkFeed) next() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return f.seq
}

// fallsBack reports whether a failed bulk/alerts call leaves the lists
// worth walking. Not when the API throttles or the budget is spent (the
// lists would meet the same), the credentials are refused, or the refresh
// itself ended; after an error status, a cut or unreadable stream, yes.
func fallsBack(ctx context.Context, err error) bool {
	var spent *vendors.BudgetError
	var backoff *vendors.BackoffError
	var signIn *signInError
	switch {
	case ctx.Err() != nil, errors.As(err, &spent), errors.As(err, &backoff), errors.As(err, &signIn):
		return false
	}
	switch vendors.StatusCode(err) {
	case http.StatusTooManyRequests, http.StatusUnauthorized:
		return false
	}
	return true
}

// fetchBulk reads bulk/alerts, revalidating last where it has an ETag: a
// 304 keeps its data.
func (c *Client) fetchBulk(ctx context.Context, last *bulkAnswer) bulkOutcome {
	o := bulkOutcome{seq: c.bulk.next(), sent: c.now()}
	header := http.Header{"Accept": {"application/x-ndjson, application/json"}}
	if last != nil && last.etag != "" {
		header.Set("If-None-Match", last.etag)
	}
	var dec *bulkDecoder
	do := func() (*vendors.Response, error) {
		dec = newBulkDecoder(cmp.Or(c.req.MaxBodyBytes, defaultBodyLimit), cmp.Or(c.cfg.Limits.Items, config.DefaultMaxItems))
		return c.req.Do(ctx, vendors.Request{URL: c.base + bulkEndpoint, Endpoint: "/" + bulkEndpoint, Header: header,
			Stream: func(_ http.Header, body io.Reader) error { return dec.decode(ctx, body) }})
	}
	gen := c.token.generation()
	resp, err := do()
	var signIn *signInError
	if vendors.StatusCode(err) == http.StatusUnauthorized && !errors.As(err, &signIn) {
		c.token.invalidate(gen)
		resp, err = do()
	}
	switch {
	case err != nil:
		o.err = err
	case resp.NotModified && last != nil:
		o.ans = last.revalidated(resp.Header)
	case resp.NotModified:
		o.err = fmt.Errorf("GET /%s: HTTP 304 to a request without If-None-Match", bulkEndpoint)
	default:
		o.ans = dec.out
		o.ans.etag = resp.Header.Get("ETag")
		o.ans.modified, _ = http.ParseTime(resp.Header.Get("Last-Modified"))
		o.ans.built() // the records are dropped as soon as they are read
		if len(dec.skipped) > 0 {
			c.log.Info("bulk/alerts: skipped the lines of types the exporter does not know", "lines", dec.skipped)
		}
	}
	return o
}

// defaultBodyLimit is the requester's body cap when none is configured:
// here, the longest line taken.
const defaultBodyLimit = 64 << 20

// builtPart is fromBulk's build for a collection the answer builds with
// the others (bulkAnswer.built): pick is its snapshot among them.
func builtPart[T any](pick func(*bulkAnswer) *T) func(context.Context, *bulkAnswer) (*T, error) {
	return func(_ context.Context, a *bulkAnswer) (*T, error) { return pick(a.built()), nil }
}

// fromBulk serves a collection from the bulk answer with build, or from
// its lists: under the lists plan, or when the bulk call failed in a way
// the lists may not. Data from the lists after a failed bulk call come
// with a *vendors.FallbackError naming the failure.
func fromBulk[T any](ctx context.Context, c *Client, collection string, build func(context.Context, *bulkAnswer) (*T, error),
	lists func(context.Context) (*T, error)) (*T, error) {
	if !c.bulkPlan {
		return lists(ctx)
	}
	a, berr := c.bulk.get(ctx, c, collection)
	if berr == nil {
		return build(ctx, a)
	}
	if !fallsBack(ctx, berr) {
		return nil, berr
	}
	v, err := lists(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w (after %s failed: %w)", err, bulkEndpoint, berr)
	}
	return v, &vendors.FallbackError{Err: fmt.Errorf("%s failed, so the lists were walked: %w", bulkEndpoint, berr)}
}
