package mist

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The frames of mist.md section 15, written for that document.
const (
	siteCh  = "/sites/2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f/stats/devices"
	apBasic = `{"event": "data", "channel": "` + siteCh + `",
 "data": "{\"mac\": \"5c5b35d0077b\", \"last_seen\": 1720595866, \"uptime\": 864000, \"version\": \"0.14.29313\", \"ip\": \"10.20.30.41\", \"ip_stat\": {\"ip\": \"10.20.30.41\"}, \"_offset_apbasic\": 4639768722, \"_time\": 1720595866.6}"}`
	apFull = `{"event": "data", "channel": "` + siteCh + `",
 "data": "{\"mac\": \"5c5b35d0077b\", \"model\": \"AP45\", \"uptime\": 864010, \"last_seen\": 1720595876, \"num_clients\": 17, \"cpu_util\": 5, \"tx_bytes\": 9876543210, \"rx_bytes\": 1234567890, \"radio_stat\": {\"band_5\": {\"channel\": 44, \"bandwidth\": 80, \"power\": 17, \"num_clients\": 14, \"util_all\": 12, \"noise_floor\": -95}}, \"_offset_apstats\": 4639768801}"}`
	clientData = `{"event": "data", "channel": "/sites/2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f/stats/clients",
 "data": "{\"mac\": \"a4b1c2d3e4f5\", \"ap_mac\": \"5c5b35d0077b\", \"ssid\": \"Corp\", \"band\": \"5\", \"rssi\": -58, \"tx_bytes\": 123456, \"rx_bytes\": 654321, \"last_seen\": 1720595870, \"_ttl\": 300}"}`
	subscribed = `{"event": "channel_subscribed", "channel": "` + siteCh + `"}`
	refused    = `{"event": "subscribe_failed", "channel": "/orgs/6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7/stats/devices", "detail": "channel not supported"}`
)

// want is an update's fields written out: "-" for a field left out.
type want struct {
	mac, status, uptime, lastSeen, clients, version, ip string
}

func fields(u DeviceUpdate) want {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	n := "-"
	if u.NumClients != nil {
		n = strconv.Itoa(*u.NumClients)
	}
	return want{u.MAC, s(u.Status), f(u.Uptime), f(u.LastSeen), n, s(u.Version), s(u.IP)}
}

var (
	basicWant = want{"5c5b35d0077b", "-", "864000", "1720595866", "-", "0.14.29313", "10.20.30.41"}
	fullWant  = want{"5c5b35d0077b", "-", "864010", "1720595876", "17", "-", "-"}
)

func TestStreamFrames(t *testing.T) {
	at := time.Unix(1720595867, 0)
	for _, tc := range []struct {
		name     string
		frame    string
		want     []want
		answered int
		failed   string
		bad      string // in the one BadFrame error, if any
	}{
		{"AP basic, data a string", apBasic, []want{basicWant}, 0, "", ""},
		{"AP full, data a string", apFull, []want{fullWant}, 0, "", ""},
		{"data an object", `{"event":"data","channel":"` + siteCh + `","data":{"mac":"5C5B35D0077B","uptime":5,"_offset_devstats":1,"_time":2}}`,
			[]want{{"5c5b35d0077b", "-", "5", "-", "-", "-", "-"}}, 0, "", ""},
		{"array of objects", `{"event":"data","channel":"` + siteCh + `","data":[{"mac":"aa","uptime":1},{"mac":"bb","num_clients":0}]}`,
			[]want{{"aa", "-", "1", "-", "-", "-", "-"}, {"bb", "-", "-", "-", "0", "-", "-"}}, 0, "", ""},
		{"array of strings", `{"event":"data","channel":"` + siteCh + `","data":["{\"mac\":\"aa\",\"status\":\"disconnected\",\"uptime\":0}","{\"mac\":\"bb\"}"]}`,
			[]want{{"aa", "disconnected", "0", "-", "-", "-", "-"}, {"bb", "-", "-", "-", "-", "-", "-"}}, 0, "", ""},
		{"string holding an array", `{"event":"data","channel":"` + siteCh + `","data":"[{\"mac\":\"aa\",\"ip\":\"10.0.0.1\"}]"}`,
			[]want{{"aa", "-", "-", "-", "-", "-", "10.0.0.1"}}, 0, "", ""},
		{"null fields are left out", `{"event":"data","channel":"` + siteCh + `","data":{"mac":"aa","uptime":null,"num_clients":null}}`,
			[]want{{"aa", "-", "-", "-", "-", "-", "-"}}, 0, "", ""},
		{"fractional last_seen", `{"event":"data","channel":"` + siteCh + `","data":{"mac":"aa","last_seen":1720595866.5}}`,
			[]want{{"aa", "-", "-", "1720595866.5", "-", "-", "-"}}, 0, "", ""},
		{"NUL bytes in a binary frame", "\x00" + apBasic[:20] + "\x00" + apBasic[20:] + "\x00\x00", []want{basicWant}, 0, "", ""},
		{"subscribed", subscribed, nil, 1, "", ""},
		{"subscribed twice counts once", subscribed, nil, 1, "", ""},
		{"refused", refused, nil, 0, "/orgs/6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7/stats/devices: channel not supported", ""},
		{"client stats are not ours", clientData, nil, 0, "", ""},
		{"unknown event", `{"event":"hello","channel":"x"}`, nil, 0, "", ""},

		{"not JSON", `{"event": "data", "chan`, nil, 0, "", "not a JSON object"},
		{"not an object", `[1,2]`, nil, 0, "", "not a JSON object"},
		{"data a number", `{"event":"data","channel":"` + siteCh + `","data":42}`, nil, 0, "", "not a document"},
		{"data missing", `{"event":"data","channel":"` + siteCh + `"}`, nil, 0, "", "no data"},
		{"data a bad string", `{"event":"data","channel":"` + siteCh + `","data":"{\"mac\":"}`, nil, 0, "", "device document"},
		{"no mac", `{"event":"data","channel":"` + siteCh + `","data":{"uptime":5}}`, nil, 0, "", "without a mac"},
		{"mac a number", `{"event":"data","channel":"` + siteCh + `","data":{"mac":5}}`, nil, 0, "", "mac: 5 is not a string"},
		{"a wrong type keeps the rest", `{"event":"data","channel":"` + siteCh + `","data":{"mac":"aa","uptime":"long","ip":"10.0.0.1","num_clients":1.5}}`,
			[]want{{"aa", "-", "-", "-", "-", "-", "10.0.0.1"}}, 0, "", `device aa: uptime: "long" is not a float64`},
		{"one bad document of two", `{"event":"data","channel":"` + siteCh + `","data":[{"uptime":1},{"mac":"bb"}]}`,
			[]want{{"bb", "-", "-", "-", "-", "-", "-"}}, 0, "", "without a mac"},
		{"nested too deep", `{"event":"data","channel":"` + siteCh + `","data":[[[[[{"mac":"aa"}]]]]]}`, nil, 0, "", "too deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newRecorder()
			r := newStreamReader(h, []string{siteCh, "/sites/other/stats/devices"}, time.Now)
			r.frame([]byte(tc.frame), at)
			if tc.name == "subscribed twice counts once" {
				r.frame([]byte(tc.frame), at)
			}
			var got []want
			for _, u := range h.updates {
				got = append(got, fields(u))
				if u.SiteID != "2f6c1e0a-7b3d-4c5e-9f80-1a2b3c4d5e6f" || !u.Received.Equal(at) {
					t.Errorf("update site %q, received %v; want the channel's site, %v", u.SiteID, u.Received, at)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("updates = %+v; want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("update %d = %+v; want %+v", i, got[i], tc.want[i])
				}
			}
			if n := r.answeredCount(); n != tc.answered {
				t.Errorf("answered = %d; want %d", n, tc.answered)
			}
			if f := strings.Join(h.failed, "|"); f != tc.failed {
				t.Errorf("failed = %q; want %q", f, tc.failed)
			}
			switch {
			case tc.bad == "" && len(h.bad) > 0:
				t.Errorf("bad frames %v; want none", h.bad)
			case tc.bad != "" && (len(h.bad) != 1 || !strings.Contains(h.bad[0].Error(), tc.bad)):
				t.Errorf("bad frames %v; want one containing %q", h.bad, tc.bad)
			}
		})
	}
}

// TestStreamAnswersRefusedCount: a refused subscribe is an answer, so that
// a channel the server will never take does not drop the connection every
// ten seconds.
func TestStreamAnswersRefusedCount(t *testing.T) {
	h := newRecorder()
	other := "/orgs/6a1f2c3d-4b5e-4f60-8a71-92b3c4d5e6f7/stats/devices"
	r := newStreamReader(h, []string{siteCh, other}, time.Now)
	r.frame([]byte(subscribed), time.Now())
	select {
	case <-r.all:
		t.Fatal("all answered after one of two")
	default:
	}
	r.frame([]byte(refused), time.Now())
	select {
	case <-r.all:
	default:
		t.Fatal("not all answered after an ack and a refusal")
	}
	// An answer for a channel not asked for counts nothing.
	r2 := newStreamReader(h, []string{"/sites/x/stats/devices"}, time.Now)
	r2.frame([]byte(subscribed), time.Now())
	if n := r2.answeredCount(); n != 0 {
		t.Errorf("answered = %d for a channel not asked; want 0", n)
	}
}

// FuzzStreamFrame: no frame panics the reader, and every update it hands
// on names a device.
func FuzzStreamFrame(f *testing.F) {
	for _, s := range []string{apBasic, apFull, clientData, subscribed, refused,
		`{"event":"data","channel":"` + siteCh + `","data":[{"mac":"aa"},"{\"mac\":\"bb\"}"]}`,
		`{"event":"data","channel":"` + siteCh + `","data":"\"\\\"\\\"\""}`,
		"\x00\x00", `{"event":"data","channel":"` + siteCh + `","data":{"mac":"aa","num_clients":1e300}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h := newRecorder()
		r := newStreamReader(h, []string{siteCh}, time.Now)
		r.frame(b, time.Now())
		for _, u := range h.updates {
			if u.MAC == "" {
				t.Errorf("update %+v without a device", u)
			}
		}
		for _, err := range h.bad {
			if err == nil {
				t.Error("BadFrame(nil)")
			}
		}
	})
}
