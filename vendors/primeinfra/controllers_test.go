package primeinfra

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/vendors/vendortest"
)

// checkmkControllers is the WlanControllers page of Checkmk's live v4
// sample (shared/vendor-apis/prime.md, section 3), its fields as sent.
const checkmkControllers = `{"queryResponse": {"@last": 1, "@first": 0, "@count": 2, "@type": "WlanControllers",
  "@domain": "ROOT-DOMAIN", "@responseType": "listEntityInstances", "entity": [
  {"@dtoType": "wlanControllersDTO", "@type": "WlanControllers", "wlanControllersDTO": {"@displayName": "27017138148",
   "@id": 27017138148, "alarmStatus": "CRITICAL", "apCount": 483, "auditStatus": "MISMATCH", "autoRefresh": false,
   "clientCount": 167, "contact": "E.Friedrich 33423", "ipAddress": "10.5.1.11", "lastBackup": "2020-07-27T17:28:02.000Z",
   "location": "secgate 1:1", "mobilityGroupName": "mobile-01", "name": "wism21", "reachabilityStatus": true,
   "rfGroupName": "mobile-01", "softwareVersion": "8.0.152.12", "type": "Cisco WiSM2 Controller"}},
  {"@dtoType": "wlanControllersDTO", "@type": "WlanControllers", "wlanControllersDTO": {"@displayName": "27369977635",
   "@id": 27369977635, "alarmStatus": "CRITICAL", "apCount": 298, "auditStatus": "MISMATCH", "autoRefresh": false,
   "clientCount": 108, "contact": "E.Friedrich 33423", "ipAddress": "10.5.1.8", "location": "secgate 1:1",
   "mobilityGroupName": "mobile-02", "name": "wism22", "reachabilityStatus": false, "rfGroupName": "mobile-02",
   "softwareVersion": "8.0.152.12", "type": "Cisco WiSM2 Controller"}}]}}`

func decodeControllers(t *testing.T, list, details string) *Controllers {
	t.Helper()
	var l envelope[controllerEntity]
	if err := json.Unmarshal([]byte(list), &l); err != nil {
		t.Fatalf("decoding %s: %v", list, err)
	}
	var d envelope[controllerDetailsEntity]
	if details != "" {
		if err := json.Unmarshal([]byte(details), &d); err != nil {
			t.Fatalf("decoding %s: %v", details, err)
		}
	}
	return joinControllers(l.QueryResponse.Entity, d.QueryResponse.Entity)
}

// listOf wraps WlanControllers DTOs in a page; detailsOf WlanControllerDetails ones.
func listOf(dtos ...string) string    { return pageOf("wlanControllersDTO", dtos) }
func detailsOf(dtos ...string) string { return pageOf("wlanControllerDetailsDTO", dtos) }

func pageOf(key string, dtos []string) string {
	var es []string
	for _, d := range dtos {
		es = append(es, fmt.Sprintf(`{"%s": %s}`, key, d))
	}
	return `{"queryResponse": {"entity": [` + strings.Join(es, ",") + `]}}`
}

func fmtRatio(p *float64) string {
	if p == nil {
		return "absent"
	}
	return fmt.Sprint(*p)
}

// TestControllerDecoding: the sample's controllers decode with their counts
// and groups; reachabilityStatus reads as a boolean or a state, in any
// case; numbers may be strings, as v1 sends them; absent fields are
// zero, and absent utilization stays absent.
func TestControllerDecoding(t *testing.T) {
	got := decodeControllers(t, checkmkControllers, "")
	want := []Controller{
		{Name: "wism21", IP: "10.5.1.11", Model: "Cisco WiSM2 Controller", Version: "8.0.152.12", MobilityGroup: "mobile-01",
			RFGroup: "mobile-01", APs: 483, Clients: 167, Listed: true, Reachable: true},
		{Name: "wism22", IP: "10.5.1.8", Model: "Cisco WiSM2 Controller", Version: "8.0.152.12", MobilityGroup: "mobile-02",
			RFGroup: "mobile-02", APs: 298, Clients: 108, Listed: true, Reachable: false},
	}
	if fmt.Sprintf("%+v", got.Controllers) != fmt.Sprintf("%+v", want) {
		t.Errorf("the sample = %+v;\nwant %+v", got.Controllers, want)
	}

	for _, tc := range []struct {
		reach string
		want  bool
	}{
		{`true`, true}, {`false`, false}, {`"REACHABLE"`, true}, {`"Reachable"`, true}, {`"PING_REACHABLE"`, true},
		{`"UNREACHABLE"`, false}, {`"Unreachable"`, false}, {`"true"`, true}, {`"false"`, false}, {`""`, false},
	} {
		c := decodeControllers(t, listOf(`{"name": "w", "reachabilityStatus": `+tc.reach+`}`), "").Controllers[0]
		if c.Reachable != tc.want {
			t.Errorf("reachabilityStatus %s: Reachable = %v; want %v", tc.reach, c.Reachable, tc.want)
		}
	}
	var bad envelope[controllerEntity]
	err := json.Unmarshal([]byte(listOf(`{"name": "w", "reachabilityStatus": 1}`)), &bad)
	if err == nil || !strings.Contains(err.Error(), "reachabilityStatus") {
		t.Errorf("reachabilityStatus 1: %v; want an error naming reachabilityStatus", err)
	}

	c := decodeControllers(t, listOf(`{"name": "w", "apCount": "12", "clientCount": " 40 ", "ipAddress": {"address": "10.0.0.1"}}`),
		detailsOf(`{"name": "w", "cpuUtilization": "37", "memoryUtilization": 61.5, "serialNumber": "FOX123"}`)).Controllers[0]
	if c.APs != 12 || c.Clients != 40 || c.IP != "10.0.0.1" || fmtRatio(c.CPU) != "0.37" || fmtRatio(c.Memory) != "0.615" || c.Serial != "FOX123" {
		t.Errorf("numbers as strings, an address object = %+v (cpu %s, memory %s); want 12 APs, 40 clients, 10.0.0.1, 0.37, 0.615, FOX123",
			c, fmtRatio(c.CPU), fmtRatio(c.Memory))
	}
	c = decodeControllers(t, listOf(`{"name": "w"}`), detailsOf(`{"name": "w", "cpuUtilization": 150, "memoryUtilization": null}`)).Controllers[0]
	if c.APs != 0 || c.Clients != 0 || c.Reachable || c.CPU != nil || c.Memory != nil || c.Model != "" {
		t.Errorf("a controller with no fields = %+v (cpu %s, memory %s); want zeros, no utilization", c, fmtRatio(c.CPU), fmtRatio(c.Memory))
	}
	// Text that is no number says nothing of the value, as "auto" does of
	// an interface's speed: the controller is kept, without CPU.
	c = decodeControllers(t, listOf(`{"name": "w"}`), detailsOf(`{"name": "w", "cpuUtilization": "busy", "memoryUtilization": "40"}`)).Controllers[0]
	if c.CPU != nil || fmtRatio(c.Memory) != "0.4" {
		t.Errorf("cpuUtilization \"busy\" = cpu %s, memory %s; want no CPU, memory 0.4", fmtRatio(c.CPU), fmtRatio(c.Memory))
	}
}

// TestControllerJoin: details join their controller by name, else by
// management address; the model is the details' modelNumber, else the
// type; a controller only the details have is kept, without counts; a row
// met twice counts once.
func TestControllerJoin(t *testing.T) {
	got := decodeControllers(t,
		listOf(
			`{"name": "b-wlc", "ipAddress": "10.0.0.2", "type": "Cisco 9800-40 Wireless Controller", "apCount": 5, "clientCount": 50}`,
			`{"name": "a-wlc", "ipAddress": "10.0.0.1", "type": "Cisco 5520 Wireless LAN Controller", "apCount": 3}`,
			`{"name": "c-wlc", "ipAddress": "10.0.0.3", "type": "Cisco WiSM2 Controller"}`,
			`{"name": "a-wlc", "ipAddress": "10.0.0.1", "apCount": 99}`),
		detailsOf(
			`{"name": "a-wlc", "modelNumber": "AIR-CT5520-K9", "serialNumber": "FCH1", "cpuUtilization": 20, "memoryUtilization": 40}`,
			`{"name": "b-wlc.example.net", "ipAddress": {"address": "10.0.0.2"}, "modelNumber": "C9800-40-K9", "serialNumber": "FOX2"}`,
			`{"name": "d-wlc", "ipAddress": "10.0.0.4", "type": "Cisco 9800-80 Wireless Controller", "serialNumber": "FOX4", "cpuUtilization": 95}`))
	want := []struct {
		name, ip, serial, model string
		aps, clients            int
		listed                  bool
		cpu, mem                string
	}{
		{"a-wlc", "10.0.0.1", "FCH1", "AIR-CT5520-K9", 3, 0, true, "0.2", "0.4"},
		{"b-wlc", "10.0.0.2", "FOX2", "C9800-40-K9", 5, 50, true, "absent", "absent"},
		{"c-wlc", "10.0.0.3", "", "Cisco WiSM2 Controller", 0, 0, true, "absent", "absent"},
		{"d-wlc", "10.0.0.4", "FOX4", "Cisco 9800-80 Wireless Controller", 0, 0, false, "0.95", "absent"},
	}
	if len(got.Controllers) != len(want) {
		t.Fatalf("joined %d controllers: %+v; want %d", len(got.Controllers), got.Controllers, len(want))
	}
	for i, w := range want {
		c := got.Controllers[i]
		if c.Name != w.name || c.IP != w.ip || c.Serial != w.serial || c.Model != w.model || c.APs != w.aps ||
			c.Clients != w.clients || c.Listed != w.listed || fmtRatio(c.CPU) != w.cpu || fmtRatio(c.Memory) != w.mem {
			t.Errorf("controller %d = %+v (cpu %s, memory %s); want %+v", i, c, fmtRatio(c.CPU), fmtRatio(c.Memory), w)
		}
	}
}

// TestControllersMatchSimulator: against the simulator, each way it may
// answer, Controllers has every controller with the simulator's counts,
// serial, model and reachability, utilization exactly when the details
// carry it, in the page-count minimum of calls.
func TestControllersMatchSimulator(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  primesim.Options
		extra string
	}{
		{"defaults", primesim.Options{}, ""},
		{"utilization", primesim.Options{ControllerUtilization: true}, ""},
		{"reachability as a state", primesim.Options{ControllerReachabilityString: true, ControllerUtilization: true}, ""},
		{"v1 with strings for numbers and bare entities", primesim.Options{StringNumbersAt: []string{"v1"}, BareEntityAt: []string{"v1"}}, "    api_version: v1\n"},
		{"not served at v4", primesim.Options{NotServed: []string{"v4/WlanControllers", "v4/WlanControllerDetails"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.opts
			o.Seed, o.Size, o.RateLimit = 5, "large", -1
			sim, c := simClient(t, o, "    hold: 0s\n    page_size: 7\n"+tc.extra)
			sim.ResetCalls()
			got := vendortest.Get(t, "Controllers()", c.Controllers)
			want := sim.Controllers()
			calls := 2 * ceilDiv(len(want), 7)
			if len(o.NotServed) > 0 {
				calls += 2 // the one 404 at v4 of each resource
			}
			if sim.Calls() != calls {
				t.Errorf("calls = %d; want %d, the page-count minimum of both lists", sim.Calls(), calls)
			}
			byName := map[string]Controller{}
			for _, g := range got.Controllers {
				byName[g.Name] = g
			}
			if len(got.Controllers) != len(want) {
				t.Errorf("%d controllers; want %d", len(got.Controllers), len(want))
			}
			hot := 0
			for _, w := range want {
				g := byName[w.Name]
				if g.IP != w.IP || g.Serial != w.Serial || g.Model != w.ModelNumber || g.APs != w.APs || g.Clients != w.Clients ||
					!g.Listed || g.Reachable != w.Reachable || g.MobilityGroup != w.MobilityGroup || g.RFGroup != w.RFGroup || g.Version == "" {
					t.Errorf("%s = %+v; want %+v", w.Name, g, w)
				}
				switch {
				case !o.ControllerUtilization:
					if g.CPU != nil || g.Memory != nil {
						t.Errorf("%s: cpu %s, memory %s; want none where the details carry none", w.Name, fmtRatio(g.CPU), fmtRatio(g.Memory))
					}
				case g.CPU == nil || g.Memory == nil || *g.CPU != float64(w.CPU)/100 || *g.Memory != float64(w.Memory)/100:
					t.Errorf("%s: cpu %s, memory %s; want %d%%, %d%% as ratios", w.Name, fmtRatio(g.CPU), fmtRatio(g.Memory), w.CPU, w.Memory)
				case *g.CPU > 0.9:
					hot++
				}
			}
			if o.ControllerUtilization && hot == 0 {
				t.Error("no controller above 0.9 CPU; want the simulator's hot ones")
			}
		})
	}
}

// TestControllersFailClearly: a failed walk names its resource, and no
// partial result is returned.
func TestControllersFailClearly(t *testing.T) {
	sim, base := vendortest.Serve(t, primesim.New, primesim.Options{Seed: 5, RateLimit: -1,
		NotServed: []string{"v4/WlanControllerDetails", "v3/WlanControllerDetails"}})
	c := newClient(t, primeConfig(t, base, sim.Credentials(), "    hold: 0s\n"))
	got, err := c.Controllers(context.Background())
	if err == nil || got != nil || !strings.Contains(err.Error(), "WlanControllerDetails") || !strings.Contains(err.Error(), "No such entity type") {
		t.Errorf("Controllers() without details = %+v, %v; want no result and an error naming WlanControllerDetails", got, err)
	}
}
