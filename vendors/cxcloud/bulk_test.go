package cxcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

const bulkPath = "/{region}/bcs/v2/bulk/alerts"

// snapshots are every collection's data, read by a client.
type snapshots struct {
	inv *Inventory
	fns *FieldNotices
	adv *Advisories
	eol *EndOfLife
	con *Contracts
	res *Resets
}

// readAll reads every collection, failing on an error that is not a
// FallbackError; it returns those it met.
func readAll(t *testing.T, c *Client) (snapshots, []error) {
	t.Helper()
	ctx := context.Background()
	var s snapshots
	var fallbacks []error
	check := func(name string, err error) {
		t.Helper()
		var fb *vendors.FallbackError
		switch {
		case errors.As(err, &fb):
			fallbacks = append(fallbacks, err)
		case err != nil:
			t.Fatalf("%s = %v", name, err)
		}
	}
	var err error
	s.inv, err = c.Inventory(ctx)
	check("Inventory()", err)
	s.fns, err = c.FieldNotices(ctx)
	check("FieldNotices()", err)
	s.adv, err = c.Advisories(ctx)
	check("Advisories()", err)
	s.eol, err = c.EndOfLife(ctx)
	check("EndOfLife()", err)
	s.con, err = c.Contracts(ctx)
	check("Contracts()", err)
	s.res, err = c.Resets(ctx)
	check("Resets()", err)
	return s, fallbacks
}

// sameData reports how a and b differ, leaving out the processing and
// reading times and the uptimes, which follow the clock; "" when they do
// not.
func sameData(a, b snapshots) string {
	strip := func(s snapshots) snapshots {
		inv := *s.inv
		inv.Devices = append(inv.Devices[:0:0], inv.Devices...)
		for i := range inv.Devices {
			inv.Devices[i].Uptime = 0
		}
		inv.LastModified, inv.At = 0, 0
		fns, adv, eol, con, res := *s.fns, *s.adv, *s.eol, *s.con, *s.res
		fns.LastModified, adv.LastModified, eol.LastModified, con.LastModified, res.LastModified = 0, 0, 0, 0, 0
		return snapshots{&inv, &fns, &adv, &eol, &con, &res}
	}
	a, b = strip(a), strip(b)
	for _, p := range []struct {
		name string
		x, y any
	}{{"inventory", a.inv, b.inv}, {"field notices", a.fns, b.fns}, {"advisories", a.adv, b.adv}, {"end of life", a.eol, b.eol},
		{"contracts", a.con, b.con}, {"resets", a.res, b.res}} {
		if !reflect.DeepEqual(p.x, p.y) {
			return p.name + " differ"
		}
	}
	return ""
}

// TestBulkReadsWhatTheListsRead: the bulk plan's snapshots equal the lists
// plan's, in every form bulk/alerts may take, and cost one bulk/alerts
// call and the collectors' list.
func TestBulkReadsWhatTheListsRead(t *testing.T) {
	for _, o := range []cxsim.Options{{}, {BulkQuirks: true}, {BulkConditional: true}, {Size: "medium", PageSize: 100}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			o.Seed, o.PerSecond = 5, 1000
			sim, base, _ := newSim(t, o)
			lists, _ := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan), nil)
			want, _ := readAll(t, lists)
			bulk, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), nil)
			sim.ResetCalls()
			got, fallbacks := readAll(t, bulk)
			if len(fallbacks) > 0 {
				t.Fatalf("the bulk plan fell back: %v", fallbacks)
			}
			if diff := sameData(got, want); diff != "" {
				t.Errorf("the bulk plan's data and the lists': %s", diff)
			}
			if len(got.inv.Devices) == 0 || len(got.adv.Counts) == 0 || len(got.con.Coverage) == 0 || len(got.res.Resets) == 0 {
				t.Errorf("the bulk plan read %d devices, %d advisory counts, %d coverages, %d resets; want some of each",
					len(got.inv.Devices), len(got.adv.Counts), len(got.con.Coverage), len(got.res.Resets))
			}
			if by := sim.CallsByPath(); by[bulkPath] != 1 || len(by) != 2 {
				t.Errorf("the bulk plan's calls %v; want one bulk/alerts call and the collectors", by)
			}
		})
	}
}

// TestBulkRevalidates: where bulk/alerts answers If-None-Match, a refresh
// of unchanged data costs a 304 and serves the same data; once the data
// changes, the new.
func TestBulkRevalidates(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, PerSecond: 1000, BulkConditional: true, Now: clock.Now})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), clock.Now)
	first, _ := readAll(t, c)
	sim.ResetCalls()
	clock.Advance(time.Hour)
	again, _ := readAll(t, c)
	if by := sim.CallsByPath(); by[bulkPath] != 1 || sim.NotModified() != sim.Calls() {
		t.Errorf("a refresh of unchanged data: %d of %d calls were 304s (%v); want all, one of them bulk/alerts", sim.NotModified(), sim.Calls(), by)
	}
	if diff := sameData(again, first); diff != "" || again.fns.LastModified != first.fns.LastModified {
		t.Errorf("data from a 304: %s, processed at %d; want the same, processed at %d", diff, again.fns.LastModified, first.fns.LastModified)
	}
	if d := again.inv.Devices[0].Uptime - first.inv.Devices[0].Uptime; d != 3600 {
		t.Errorf("uptime an hour later grew by %vs; want 3600", d)
	}
	clock.Advance(time.Hour)
	if err := sim.SetDeviceStatus(sim.DeviceIDs()[0], "INACTIVE"); err != nil {
		t.Fatal(err)
	}
	sim.ResetCalls()
	changed, _ := readAll(t, c)
	if sim.NotModified() != 1 || changed.fns.LastModified <= first.fns.LastModified {
		t.Errorf("after a change: %d 304s of %d calls, processed at %d; want the collectors' 304 alone and a later time than %d",
			sim.NotModified(), sim.Calls(), changed.fns.LastModified, first.fns.LastModified)
	}
}

// TestBulkFallsBackToLists: when bulk/alerts fails (an error status, a
// tenant not entitled to it, a stream cut mid-way, a line that is not
// JSON), each collection walks its lists instead, serves what they hold,
// and says what failed; the collections refreshing within the window walk
// their lists without asking bulk/alerts again. A throttled or refused
// call is not followed by the lists, which would meet the same.
func TestBulkFallsBackToLists(t *testing.T) {
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, PerSecond: 1000})
	ref, _ := newClient(t, cxConfig(t, base, sim.Credentials(), listsPlan), nil)
	want, _ := readAll(t, ref)
	const prefix = "/us/bcs/v2/bulk/"
	for _, tc := range []struct {
		name   string
		faults cxsim.Faults
		says   string
	}{
		{"not entitled", cxsim.Faults{ErrorRate: 1, ErrorStatus: 403, PathPrefix: prefix}, "GET /bulk/alerts: HTTP 403"},
		{"server error", cxsim.Faults{ErrorRate: 1, ErrorStatus: 500, PathPrefix: prefix}, "GET /bulk/alerts: HTTP 500"},
		{"cut mid-way", cxsim.Faults{ResetMidBody: true, PathPrefix: prefix}, "GET /bulk/alerts: unexpected EOF"},
		{"cut at half", cxsim.Faults{Truncate: true, PathPrefix: prefix}, "GET /bulk/alerts: decoding line"},
		{"a line not JSON", cxsim.Faults{Malformed: true, PathPrefix: prefix}, "GET /bulk/alerts: decoding line 1: invalid character ')'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), "    budget:\n      max_retries: 0\n"), nil)
			sim.SetFaults(tc.faults)
			defer sim.SetFaults(cxsim.Faults{})
			sim.ResetCalls()
			got, fallbacks := readAll(t, c)
			if diff := sameData(got, want); diff != "" {
				t.Errorf("data after bulk/alerts failed: %s; want the lists'", diff)
			}
			if len(fallbacks) != 6 {
				t.Fatalf("%d collections said bulk/alerts failed; want all 6", len(fallbacks))
			}
			for _, err := range fallbacks {
				if !strings.Contains(err.Error(), "bulk/alerts failed, so the lists were walked: "+tc.says) {
					t.Errorf("fallback error %q; want it to say %q", err, tc.says)
				}
			}
			if by := sim.CallsByPath(); by[bulkPath] != 1 {
				t.Errorf("bulk/alerts asked %d times; want once, its failure shared (%v)", by[bulkPath], by)
			}
		})
	}
	t.Run("throttled", func(t *testing.T) {
		c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), "    budget:\n      max_retries: 0\n"), nil)
		sim.SetFaults(cxsim.Faults{RateLimit: true, RetryAfter: time.Second, PathPrefix: prefix})
		defer sim.SetFaults(cxsim.Faults{})
		sim.ResetCalls()
		_, err := c.FieldNotices(context.Background())
		var fb *vendors.FallbackError
		if vendors.StatusCode(err) != http.StatusTooManyRequests || errors.As(err, &fb) {
			t.Errorf("FieldNotices() with bulk/alerts throttled = %v; want the 429, no lists", err)
		}
		if by := sim.CallsByPath(); len(by) != 1 {
			t.Errorf("calls %v; want bulk/alerts alone", by)
		}
	})
	t.Run("lists fail too", func(t *testing.T) {
		c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), "    budget:\n      max_retries: 0\n"), nil)
		sim.SetFaults(cxsim.Faults{ErrorRate: 1, ErrorStatus: 502})
		defer sim.SetFaults(cxsim.Faults{})
		_, err := c.Resets(context.Background())
		if err == nil || !strings.Contains(err.Error(), "GET /deviceReset/lastResetDetails: HTTP 502") ||
			!strings.Contains(err.Error(), "after bulk/alerts failed: GET /bulk/alerts: HTTP 502") {
			t.Errorf("Resets() with every call failing = %v; want the lists' failure and the bulk call's", err)
		}
	})
}

// TestBulkSharedWithinTheWindow: one bulk/alerts answer serves the
// collections that refresh within the window (the shortest of their
// intervals, an hour at the defaults) after it, each once; a collection
// refreshing again, or after the window, asks anew.
func TestBulkSharedWithinTheWindow(t *testing.T) {
	clock := testtool.NewClock(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	sim, base, _ := newSim(t, cxsim.Options{Seed: 3, PerSecond: 1000, Now: clock.Now})
	c, _ := newClient(t, cxConfig(t, base, sim.Credentials(), ""), clock.Now)
	ctx := context.Background()
	for _, step := range []struct {
		after time.Duration
		call  func(context.Context) error
		name  string
		want  int // bulk calls so far
	}{
		{0, vendortest.Step(c.Inventory), "inventory", 1},
		{30 * time.Minute, vendortest.Step(c.FieldNotices), "field_notices, within the window", 1},
		{0, vendortest.Step(c.Advisories), "advisories, within the window", 1},
		{0, vendortest.Step(c.FieldNotices), "field_notices again", 2},
		{45 * time.Minute, vendortest.Step(c.Inventory), "inventory, after another's call", 2},
		{0, vendortest.Step(c.Inventory), "inventory again", 3},
		{61 * time.Minute, vendortest.Step(c.Resets), "resets, the last answer past the window", 4},
	} {
		clock.Advance(step.after)
		if err := step.call(ctx); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := sim.CallsByPath()[bulkPath]; got != step.want {
			t.Errorf("%s: %d bulk/alerts calls; want %d", step.name, got, step.want)
		}
	}
}

// bulkServer serves body as bulk/alerts in place of the simulator's, the
// rest from the simulator.
func bulkServer(t *testing.T, sim *cxsim.Server, body string) string {
	return rewrite(t, sim, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if strings.HasSuffix(r.URL.Path, "/bulk/alerts") {
			w.Header().Set("Content-Type", "application/x-ndjson")
			_, _ = io.WriteString(w, body)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestBulkInEveryForm reads the forms cxcloud.md 9.5 allows: objects as
// {} or null, contract dates as "", optional fields and ids its place
// gives left out, types the exporter does not know (skipped, counted and
// logged), the type not first, blank lines, CRLF, no newline at the end.
func TestBulkInEveryForm(t *testing.T) {
	sim, _, _ := newSim(t, cxsim.Options{Seed: 3})
	body := strings.Join([]string{
		`{"type": "reset_count", "devicesCrashCount": 1, "devicesReloadCount": 0}`,
		`{"type": "device", "deviceId": 11, "deviceName": "core-sw-1", "deviceStatus": "ACTIVE", "productId": "C9300-48P",` +
			` "assets": [{"physicalAssetId": 101, "physicalAssetType": "Chassis", "serialNumber": "FOC1",` +
			`   "fieldNotices": [{"fieldNoticeId": "72510", "matchConfidence": "Vulnerable"}],` +
			`   "hardwareEndOfLife": {"hardwareEndOfLifeId": 9},` +
			`   "contract": {"serialNumber": "FOC1", "isCovered": true, "coveredProductLineEndDate": "2027-03-31", "warrantyEndDate": ""}},` +
			`  {"physicalAssetId": 102, "physicalAssetType": "Power Supply", "serialNumber": "", "fieldNotices": [], "hardwareEndOfLife": {}, "contract": {}}],` +
			` "configurationBestPractice": {}, "softwareEndOfLife": {},` +
			` "securityAdvisory": [{"securityAdvisoryColdId": 5, "matchConfidence": "Potentially Vulnerable"},` +
			`   {"securityAdvisoryColdId": 6, "matchConfidence": "Not Vulnerable"}]}`,
		``,
		`{"deviceId": 12, "type": "device", "deviceName": "edge-rtr-1", "assets": null, "softwareEndOfLife": {"softwareEndOfLifeId": 3}}`,
		`{"type": "fn_bulletin", "fieldNoticeId": 72510, "bulletinTitle": "A title"}`,
		`{"type": "psirt_bulletin", "securityAdvisoryColdId": 5, "securityAdvisoryId": "cisco-sa-x", "securityImpactRating": "High"}`,
		`{"type": "hw_eox_bulletin", "hardwareEndOfLifeId": 9, "lastDayOfSupportDate": "2027-01-31", "endOfSaleDate": ""}`,
		`{"type": "sw_eox_bulletin", "softwareEndOfLifeId": 3, "lastDayOfSupportDate": "2026-12-31"}`,
		`{"type": "lastest_reset", "deviceId": 11, "deviceName": "core-sw-1", "resetType": "Crash", "lastResetTimestamp": ""}`,
		`{"type": "history_reset", "deviceId": 11, "resetDetails": [{"resetType": "crash"}]}`,
		`{"type": "track_summary", "x": 1}`,
		`{"type": "quantum_insights", "x": 1}`,
		`{"type": "quantum_insights"}`,
		`{"no": "type"}`,
		`{"type": "sw_eox_bulletin", "softwareEndOfLifeId": 4, "lastDayOfSupportDate": "2027-06-30"}`,
	}, "\r\n")
	var logs bytes.Buffer
	cfg := cxConfig(t, bulkServer(t, sim, body), sim.Credentials(), "")
	c := vendortest.Build(t, New, cfg, Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	s, fallbacks := readAll(t, c)
	if len(fallbacks) > 0 {
		t.Fatalf("fell back: %v", fallbacks)
	}
	yes := true
	for _, check := range []struct {
		name      string
		got, want any
	}{
		{"devices", len(s.inv.Devices), 2},
		{"chassis serial", s.inv.Devices[0].Serial, "FOC1"},
		{"field notices", s.fns.Counts, []NoticeCount{{FieldNotice: "72510", MatchConfidence: "vulnerable", Devices: 1}}},
		{"advisories", s.adv.Counts, []AdvisoryCount{{Advisory: "cisco-sa-x", Impact: "high", Devices: 1}}},
		{"advisory matches", s.adv.Total, 1},
		{"milestones", s.eol.Milestones, []Milestone{{Device: "core-sw-1", Serial: "FOC1", Milestone: "last_date_of_support", At: 1801353600},
			{Device: "edge-rtr-1", Milestone: "software_last_date_of_support", At: 1798675200}}},
		{"coverage", s.con.Coverage, []Coverage{{Device: "core-sw-1", Serial: "FOC1", Covered: &yes, ContractEnd: 1806451200}}},
		{"resets", s.res.Resets, []Reset{{Device: "core-sw-1", Type: "crash", Counts: map[string]int{"crash": 1}}}},
	} {
		if !reflect.DeepEqual(check.got, check.want) {
			t.Errorf("%s = %+v; want %+v", check.name, check.got, check.want)
		}
	}
	if log := logs.String(); !strings.Contains(log, `lines="map[(no type):1 quantum_insights:2]"`) {
		t.Errorf("log = %q; want the lines of unknown types counted", log)
	}
}

// TestBulkDecodeRefuses: a line past the cap, a record of the wrong shape
// and more records than limits.items fail the answer, naming the line.
func TestBulkDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		limit      int64
		items      int
		want       string
	}{
		{"line past the cap", `{"type": "fn_bulletin", "bulletinTitle": "` + strings.Repeat("x", 200) + `"}` + "\n", 100, 10,
			"line 1: response body exceeds the size cap (100 bytes a line)"},
		{"long line within the cap", `{"type": "fn_bulletin", "bulletinTitle": "` + strings.Repeat("x", 200<<10) + `"}` + "\n", 1 << 20, 10, ""},
		{"no newline past the cap", "[" + strings.Repeat(" ", 300<<10), 200 << 10, 10, "line 1: response body exceeds the size cap"},
		{"wrong shape", "{\"type\": \"reset_count\"}\n{\"type\": \"device\", \"deviceId\": {\"a\": 1}}\n", 1 << 20, 10,
			`decoding line 2: json: cannot unmarshal {"a": 1} into Go struct field bulkDevice.device.deviceId`},
		{"not an object", "{\"type\": \"device\"}\n[1, 2]\n", 1 << 20, 10, "decoding line 2: json: cannot unmarshal array"},
		{"too many", strings.Repeat("{\"type\": \"fn_bulletin\"}\n", 4), 1 << 20, 3, "decoding line 4: more than 3 field notice bulletins (limits.items)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newBulkDecoder(tc.limit, tc.items)
			err := d.decode(context.Background(), strings.NewReader(tc.body))
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("decode() = %v; want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkBulkDecodeLarge decodes the large simulated tenant's bulk/alerts
// (20,000 devices, over 100 MB) from memory, as a refresh reads it from
// the network. Besides time and allocations a decode it reports body-MB,
// the stream's size; line-buffer-KB, the most the decoder held for lines
// at once: one line and its reader's buffer, not the body, whose size it
// fails past; records-MB, what the decoder holds at the end of the
// stream, before the snapshots are built; and kept-MB, what the answer
// holds once its snapshots are built and its records dropped.
func BenchmarkBulkDecodeLarge(b *testing.B) {
	sim, err := cxsim.New(cxsim.Options{Seed: 1, Size: "large", PerSecond: 1 << 20, PerDay: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	c := sim.Credentials()
	tok := httptest.NewRecorder()
	sim.ServeHTTP(tok, httptest.NewRequest(http.MethodPost, c.TokenPath(), strings.NewReader(fmt.Sprintf(
		`{"grantType": "client_credentials", "clientId": %q, "secret": %q, "scope": %q}`, c.ClientID, c.ClientSecret, Scope))))
	var token struct{ AccessToken string }
	if err := json.Unmarshal(tok.Body.Bytes(), &token); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, c.BasePath()+"/bulk/alerts", nil)
	req.Header.Set("Authorization", "Bearer "+token.AccessToken)
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	longest := 0
	for line := range bytes.Lines(body) {
		longest = max(longest, len(line))
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	var d *bulkDecoder
	for b.Loop() {
		d = newBulkDecoder(defaultBodyLimit, 1_000_000)
		if err := d.decode(context.Background(), bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// Once more, to see what the records hold before the build.
	d = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	d = newBulkDecoder(defaultBodyLimit, 1_000_000)
	if err := d.decode(context.Background(), bytes.NewReader(body)); err != nil {
		b.Fatal(err)
	}
	var records, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&records)
	d.out.built()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(d.out.devices) != sim.Sizes().Devices {
		b.Fatalf("decoded %d devices; want %d", len(d.out.devices), sim.Sizes().Devices)
	}
	if d.held > bulkReadBuffer+2*longest {
		b.Errorf("the decoder held %d bytes for lines; want at most its %d-byte buffer and twice the longest line, %d", d.held, bulkReadBuffer, longest)
	}
	b.ReportMetric(float64(len(body))/1e6, "body-MB")
	b.ReportMetric(float64(d.held)/1024, "line-buffer-KB")
	b.ReportMetric((float64(records.HeapAlloc)-float64(before.HeapAlloc))/1e6, "records-MB")
	b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/1e6, "kept-MB")
	runtime.KeepAlive(d)
	runtime.KeepAlive(body)
}
