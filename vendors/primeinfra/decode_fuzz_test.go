package primeinfra

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// simBody fetches one page of a data resource from the simulator, for a
// realistic seed.
func simBody(f *testing.F, base string, cr primesim.Credentials, resource, query string) []byte {
	f.Helper()
	req, err := http.NewRequest(http.MethodGet, base+apiRoot+"v4/data/"+resource+".json?.full=true&.maxResults=5"+query, nil)
	if err != nil {
		f.Fatal(err)
	}
	req.SetBasicAuth(cr.Username, cr.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		f.Fatalf("GET %s = %d %s, %v", resource, resp.StatusCode, b, err)
	}
	return b
}

func FuzzEnvelope(f *testing.F) {
	// The seeds' requests come faster than Prime's limits allow.
	sim, base := vendortest.Serve(f, primesim.New, primesim.Options{Seed: 2, Size: "small", MaxSessions: -1, RateLimit: -1, ControllerUtilization: true})
	cr := sim.Credentials()
	for _, b := range [][]byte{
		simBody(f, base, cr, "AccessPointDetails", ""),
		simBody(f, base, cr, "Alarms", ""),
		simBody(f, base, cr, "ClientCounts", "&type=%22SSID%22"),
		simBody(f, base, cr, "ClientCounts", "&type=%22ACCESSPOINT%22"),
		simBody(f, base, cr, "ClientCounts", "&type=%22DEVICE%22"),
		simBody(f, base, cr, "WlanControllers", ""),
		simBody(f, base, cr, "WlanControllerDetails", ""),
		simBody(f, base, cr, "RogueApAlarms", ""),
		simBody(f, base, cr, "RadioDetails", ""),
		simBody(f, base, cr, "RFLoadStats", ""),
	} {
		f.Add(b, "Campus > Building 1 > Floor 2")
		f.Add(b[:len(b)/2], "Campus > Building 1")
		f.Add(b[:len(b)-1], "Campus")
	}
	for _, s := range []string{
		`{"queryResponse":{"@first":0,"@last":0,"@count":1,"entity":[{"accessPointDetailsDTO":{"name":"ap1","ethernetMac":{"octets":"AA:BB:CC:00:11:22"},"reachabilityStatus":"Reachable","upTime":12345,"mapLocation":"HQ > B1 > F1"}}]}}`,
		`{"queryResponse":{"entity":[{"accessPointDetailsDTO":{"ethernetMac":"aa-bb-cc-00-11-22","locationHierarchy":"HQ > B1"}}]}}`,
		`{"queryResponse":{"entity":[{"alarmsDTO":{"alarmId":7,"severity":"CRITICAL","category":{"value":"AP"},"deviceName":"ap1,aa:bb:cc:dd:ee:ff","acknowledgementStatus":true}},{"alarmsDTO":{"alarmId":7,"severity":"CRITICAL"}},{"alarmsDTO":{"severity":"CLEARED"}}]}}`,
		`{"queryResponse":{"entity":[{"clientCountsDTO":{"type":"ACCESSPOINT","key":"aa:bb:cc:00:11:22","subkey":"corp","count":9,"dot11aCount":3,"dot11gCount":2}}]}}`,
		`{"queryResponse":{"@count":"1","entity":{"clientCountsDTO":{"type":"SSID","key":"All SSIDs","subkey":"ROOT-DOMAIN","count":9}}}}`,
		`{"queryResponse":{"entity":[{"accessPointDetailsDTO":{"ethernetMac":{"octets":7}}}]}}`,
		`{"queryResponse":{"entity":[{"wlanControllersDTO":{"name":"w","apCount":"3","reachabilityStatus":"REACHABLE"},"wlanControllerDetailsDTO":{"ipAddress":{"address":"10.0.0.1"},"cpuUtilization":"95"}}]}}`,
		`{"queryResponse":{"entity":[{"@dtoType":"rogueApAlarmsDTO","rogueApAlarmsDTO":{"alarmId":3,"severity":"MAJOR","deviceName":"ap1,aa:bb","rogueApAlarmDetails":{"classificationType":{"value":"MALICIOUS"},"location":"HQ > B1 > F1"}}},{"rogueApAlarmsDTO":{"severity":"MINOR"}}]}}`,
		`{"queryResponse":{"entity":[{"@dtoType":"radioDetailsDTO","radioDetailsDTO":{"apName":"ap1","baseRadioMac":"aa:bb:cc:00:11:22","slotId":"1","channelNumber":36,"channelWidth":"Above 40 MHz","radioType":"XOR (5GHz)"}},{"@dtoType":"x","rfLoadStatsDTO":{"macAddress":{"octets":"aabbcc001122"},"slotId":1,"collectionTime":"2020-07-27T17:28:02.000Z","channelUtilization":250,"txUtilization":-1}}]}}`,
		`{"queryResponse":{"entity":null}}`,
		`{"queryResponse":null}`,
		`{}`,
		`[]`,
		``,
	} {
		f.Add([]byte(s), " > > ")
	}

	f.Fuzz(func(t *testing.T, data []byte, loc string) {
		var aps envelope[apEntity]
		if json.Unmarshal(data, &aps) == nil {
			for _, e := range aps.QueryResponse.Entity {
				d := newAP(e)
				if d.Type != "ap" || d.SiteID != d.Site || d.Site != SiteOf(cmp.Or(e.DTO.MapLocation, e.DTO.LocationHierarchy, e.DTO.LocationHeirarchy)) {
					t.Errorf("newAP(%+v) = %+v; want type ap and the site of its location", e, d)
				}
				if !d.Up && d.Uptime != 0 {
					t.Errorf("newAP(%+v) = %+v; want no uptime when down", e, d)
				}
				if strings.ContainsAny(d.MAC, ":-.") || d.MAC != strings.ToLower(d.MAC) {
					t.Errorf("newAP(%+v) MAC = %q; want no separators, lower case", e, d.MAC)
				}
			}
		}
		var alarms envelope[alarmEntity]
		if json.Unmarshal(data, &alarms) == nil {
			list := newAlarmList("https://pi.example.com")
			list.add(alarms.QueryResponse.Entity)
			res := list.result()
			if len(res.Alarms) > len(alarms.QueryResponse.Entity) {
				t.Errorf("%d alarms of %d entities", len(res.Alarms), len(alarms.QueryResponse.Entity))
			}
			ids := map[string]bool{}
			for _, a := range res.Alarms {
				if Severity(a.Severity) != a.Severity || strings.EqualFold(a.VendorSeverity, "CLEARED") {
					t.Errorf("alarm severity %q (%q) is not on the exporter's scale, or cleared", a.Severity, a.VendorSeverity)
				}
				if a.ID != "" && ids[a.ID] {
					t.Errorf("alarm %s listed twice", a.ID)
				}
				ids[a.ID] = true
			}
		}
		var counts envelope[clientCountEntity]
		if json.Unmarshal(data, &counts) == nil {
			rows := map[countKey]clientCount{}
			for _, e := range counts.QueryResponse.Entity {
				rows[countKey{e.DTO.Type, e.DTO.Key, e.DTO.Subkey}] = e.DTO
			}
			res := newClients(rootDomain, rows, rows, rows)
			for _, r := range res.Radios {
				if r.Count <= 0 || strings.EqualFold(r.SSID, allRows) || strings.ContainsAny(r.Radio, ":-.") {
					t.Errorf("radio count %+v; want a positive count of one SSID on a bare radio MAC", r)
				}
			}
		}

		var list envelope[controllerEntity]
		var details envelope[controllerDetailsEntity]
		if json.Unmarshal(data, &list) == nil && json.Unmarshal(data, &details) == nil {
			res := joinControllers(list.QueryResponse.Entity, details.QueryResponse.Entity)
			names := map[string]bool{}
			for _, c := range res.Controllers {
				if c.Name == "" || names[c.Name] {
					t.Errorf("controller %+v: want a name, once", c)
				}
				names[c.Name] = true
				for _, r := range []*float64{c.CPU, c.Memory} {
					if r != nil && (*r < 0 || *r > 1) {
						t.Errorf("controller %+v: utilization %v; want a ratio in 0..1", c, *r)
					}
				}
			}
			if len(res.Controllers) > len(list.QueryResponse.Entity)+len(details.QueryResponse.Entity) {
				t.Errorf("%d controllers from %d rows and %d details", len(res.Controllers), len(list.QueryResponse.Entity), len(details.QueryResponse.Entity))
			}
		}
		var rogues envelope[rogueEntity]
		if json.Unmarshal(data, &rogues) == nil {
			tally := newRogueTally()
			tally.add(rogues.QueryResponse.Entity)
			res := tally.result()
			sum := 0
			for _, r := range res.Counts {
				if r.Count < 1 || Severity(r.Severity) != r.Severity || r.Classification == "" || r.Classification != strings.ToLower(r.Classification) ||
					(r.Site != "" && r.AP != "") {
					t.Errorf("rogue count %+v; want a count, a severity on the exporter's scale, a lower-case classification, an AP only without a site", r)
				}
				sum += r.Count
			}
			if sum != res.Total || res.Total > len(rogues.QueryResponse.Entity) {
				t.Errorf("tally of %d rogue alarms = total %d, sum %d", len(rogues.QueryResponse.Entity), res.Total, sum)
			}
		}
		var radioDetails envelope[radioEntity]
		var loads envelope[loadEntity]
		if json.Unmarshal(data, &radioDetails) == nil && json.Unmarshal(data, &loads) == nil {
			d, l := map[radioKey]radioDetail{}, map[radioKey]loadStat{}
			for _, e := range radioDetails.QueryResponse.Entity {
				d[radioKey{e.DTO.BaseRadioMac.mac(), e.DTO.SlotID.n}] = e.DTO
			}
			for _, e := range loads.QueryResponse.Entity {
				l[radioKey{e.DTO.MacAddress.mac(), e.DTO.SlotID.n}] = e.DTO
			}
			seen := map[[2]string]bool{}
			for _, r := range newRadios(d, l).Radios {
				id := [2]string{r.Device, r.Band}
				if r.Device == "" || (r.Band != "2.4" && r.Band != "5" && r.Band != "6") || seen[id] {
					t.Errorf("radio %+v; want an AP name, a band among 2.4, 5 and 6, once", r)
				}
				seen[id] = true
				for kind, v := range r.Utilization.All() {
					if v < 0 || v > 1 {
						t.Errorf("radio %+v: utilization %s = %v; want a ratio", r, kind, v)
					}
				}
			}
		}

		site := SiteOf(loc)
		if got, most := len(strings.Split(site, " > ")), len(strings.Split(loc, " > ")); got > most {
			t.Errorf("SiteOf(%q) = %q: %d parts; want at most the input's %d", loc, site, got, most)
		}
		if !strings.HasPrefix(loc, site) {
			t.Errorf("SiteOf(%q) = %q; want a prefix of the location", loc, site)
		}
	})
}
