package primesim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

type ctrlItem struct {
	ID                 int64  `json:"@id"`
	Name               string `json:"name"`
	IPAddress          string `json:"ipAddress"`
	Type               string `json:"type"`
	APCount            int    `json:"apCount"`
	ClientCount        int    `json:"clientCount"`
	ReachabilityStatus any    `json:"reachabilityStatus"`
	AlarmStatus        string `json:"alarmStatus"`
	MobilityGroupName  string `json:"mobilityGroupName"`
	RFGroupName        string `json:"rfGroupName"`
	SoftwareVersion    string `json:"softwareVersion"`
	Location           string `json:"location"`
}

// ctrlName is what both controller resources have.
type ctrlName struct {
	ID   int64  `json:"@id"`
	Name string `json:"name"`
}

type ctrlDetailsItem struct {
	ID           int64  `json:"@id"`
	Name         string `json:"name"`
	ModelNumber  string `json:"modelNumber"`
	SerialNumber string `json:"serialNumber"`
	Type         string `json:"type"`
	APGroups     struct {
		APGroup []struct {
			APGroupName string `json:"apGroupName"`
		} `json:"apGroup"`
	} `json:"apGroups"`
	CPU    *int `json:"cpuUtilization"`
	Memory *int `json:"memoryUtilization"`
}

// ctrlEnvelope is a WlanControllers or WlanControllerDetails page.
type ctrlEnvelope[T any] struct {
	QueryResponse struct {
		First  int    `json:"@first"`
		Last   int    `json:"@last"`
		Count  int    `json:"@count"`
		Domain string `json:"@domain"`
		Entity []struct {
			DTOType string `json:"@dtoType"`
			URL     string `json:"@url"`
			List    *T     `json:"wlanControllersDTO"`
			Details *T     `json:"wlanControllerDetailsDTO"`
		} `json:"entity"`
	} `json:"queryResponse"`
}

// walkCtrl pages through a controller resource by size, as a client does.
func walkCtrl[T any](h *harness, resource, query string, size int) ([]T, int) {
	h.T.Helper()
	var out []T
	pages := 0
	for first, count := 0, 1; first < count; first += size {
		var env ctrlEnvelope[T]
		h.GetOK(data(resource, fmt.Sprintf(".full=true&.firstResult=%d&.maxResults=%d&%s", first, size, query)), &env)
		pages++
		count = env.QueryResponse.Count
		for _, e := range env.QueryResponse.Entity {
			switch {
			case e.List != nil:
				out = append(out, *e.List)
			case e.Details != nil:
				out = append(out, *e.Details)
			default:
				h.T.Fatalf("%s entity %+v has no DTO under its key", resource, e)
			}
		}
	}
	return out, pages
}

// TestControllerShapes: WlanControllers carries the fields of the v4 sample
// with their types (reachabilityStatus a boolean, ipAddress a string);
// WlanControllerDetails the fields seen in use, and the utilization fields
// only with Options.ControllerUtilization.
func TestControllerShapes(t *testing.T) {
	listKeys := strings.Fields(`@id @displayName alarmStatus apCount auditStatus autoRefresh clientCount contact ipAddress
		lastBackup location mobilityGroupName name reachabilityStatus rfGroupName softwareVersion type`)
	detailKeys := strings.Fields(`@id @displayName apGroups ipAddress modelNumber name productDescription serialNumber type`)
	types := map[string]string{"@id": "float64", "apCount": "float64", "clientCount": "float64", "autoRefresh": "bool",
		"reachabilityStatus": "bool", "apGroups": "map[string]interface {}", "ipAddress": "string"}
	for _, util := range []bool{false, true} {
		t.Run(fmt.Sprintf("utilization %v", util), func(t *testing.T) {
			h := newHarness(t, relaxed(Options{Seed: 4, Size: "medium", ControllerUtilization: util}))
			n := h.S.Sizes().Controllers
			check := func(resource, dtoKey string, keys, optional []string) []map[string]any {
				q := raw(h, data(resource, ".full=true"))
				es, _ := q["entity"].([]any)
				if len(es) != n || q["@count"] != float64(n) {
					t.Fatalf("%s: %d entities, @count %v; want the %d controllers", resource, len(es), q["@count"], n)
				}
				var out []map[string]any
				omitted := map[string]int{}
				for _, e := range es {
					e := e.(map[string]any)
					dto, _ := e[dtoKey].(map[string]any)
					if e["@dtoType"] != dtoKey || e["@type"] != resource || dto == nil {
						t.Fatalf("%s entity %v; want @dtoType %s and the DTO under it", resource, e, dtoKey)
					}
					for k, v := range dto {
						if !slices.Contains(keys, k) && !slices.Contains(optional, k) {
							t.Errorf("%s: unexpected attribute %s = %v", resource, k, v)
						}
						if want, ok := types[k]; ok && resource == "WlanControllers" && fmt.Sprintf("%T", v) != want {
							t.Errorf("%s %s = %#v (%T); want a %s", resource, k, v, v, want)
						}
					}
					for _, k := range keys {
						if _, ok := dto[k]; !ok {
							omitted[k]++
						}
					}
					out = append(out, dto)
				}
				for k, c := range omitted {
					if k != "lastBackup" {
						t.Errorf("%s: %s omitted in %d entities; want it always", resource, k, c)
					}
				}
				return out
			}
			optional := []string(nil)
			if util {
				optional = []string{"cpuUtilization", "memoryUtilization"}
			}
			list := check("WlanControllers", "wlanControllersDTO", listKeys, nil)
			details := check("WlanControllerDetails", "wlanControllerDetailsDTO", detailKeys, optional)
			for i, d := range details {
				if list[i]["name"] != d["name"] || list[i]["@id"] != d["@id"] {
					t.Errorf("row %d: list %v, details %v; want the same controller in the same order", i, list[i]["name"], d["name"])
				}
				if ip, _ := d["ipAddress"].(map[string]any); ip["address"] != list[i]["ipAddress"] {
					t.Errorf("details ipAddress %v; want v4's address object of %v", d["ipAddress"], list[i]["ipAddress"])
				}
				for _, k := range []string{"cpuUtilization", "memoryUtilization"} {
					v, has := d[k]
					if f, ok := v.(float64); has != util || (util && (!ok || f != float64(int(f)) || f < 0 || f > 100)) {
						t.Errorf("%s %s = %v (present %v); want an integer percent only with the option", d["name"], k, v, has)
					}
				}
			}
		})
	}

	// The other reading of reachabilityStatus, and the v3 forms.
	h := newHarness(t, relaxed(Options{Seed: 4, ControllerReachabilityString: true}))
	dto := firstDTO(t, raw(h, data("WlanControllers", ".full=true")), "wlanControllersDTO")
	if dto["reachabilityStatus"] != "REACHABLE" {
		t.Errorf("reachabilityStatus with ControllerReachabilityString = %#v; want \"REACHABLE\"", dto["reachabilityStatus"])
	}
	det := firstDTO(t, raw(h, dataAt("v3", "WlanControllerDetails", ".full=true")), "wlanControllerDetailsDTO")
	if _, ok := det["ipAddress"].(string); !ok {
		t.Errorf("v3 details ipAddress = %#v; want a string", det["ipAddress"])
	}
}

// TestControllerCountsAgreeWithAPs: a controller's apCount is the APs that
// AccessPointDetails shows joined to it, its clientCount their clients,
// which is also its DEVICE row in ClientCounts; both follow an AP going
// down and a Step.
func TestControllerCountsAgreeWithAPs(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 5, Size: "medium"}))
	check := func(when string) {
		t.Helper()
		ctrls, _ := walkCtrl[ctrlItem](h, "WlanControllers", "", 1000)
		aps := walkAll[apItem](h, "AccessPointDetails", "", 1000)
		rows := walkAll[ccItem](h, "ClientCounts", "type=DEVICE&subkey=All", 1000)
		joined, clients := map[string]int{}, map[string]int{}
		for _, a := range aps {
			if c := a.UnifiedApInfo.ControllerName; c != "" {
				joined[c]++
				clients[c] += a.ClientCount
			}
		}
		byIP := map[string]int{}
		for _, r := range rows {
			byIP[r.s("key")] = r.n("count")
		}
		total := 0
		for _, c := range ctrls {
			if c.APCount != joined[c.Name] || c.ClientCount != clients[c.Name] || c.ClientCount != byIP[c.IPAddress] {
				t.Errorf("%s: %s apCount %d, clientCount %d; want the %d joined APs, their %d clients, its DEVICE row's %d",
					when, c.Name, c.APCount, c.ClientCount, joined[c.Name], clients[c.Name], byIP[c.IPAddress])
			}
			total += c.APCount
		}
		if z := h.S.Sizes(); total != z.APs-z.UnreachableAPs || len(ctrls) != z.Controllers {
			t.Errorf("%s: %d controllers with %d APs; want %d with the %d reachable APs", when, len(ctrls), total, z.Controllers, z.APs-z.UnreachableAPs)
		}
		info := h.S.Controllers()
		for i, c := range ctrls {
			if i >= len(info) || info[i].Name != c.Name || info[i].APs != c.APCount || info[i].Clients != c.ClientCount {
				t.Errorf("%s: Controllers()[%d] = %+v; want %s with %d APs, %d clients", when, i, info[i], c.Name, c.APCount, c.ClientCount)
			}
		}
	}
	check("at New")
	var busy APInfo
	for _, a := range h.S.APs() {
		if a.Reachable && a.Clients > busy.Clients {
			busy = a
		}
	}
	if err := h.S.SetAPReachable(busy.Name, false); err != nil {
		t.Fatal(err)
	}
	check("after an AP went down")
	h.S.Step()
	check("after a Step")
}

// TestControllerPaging: the controller lists page, filter, sort and scope
// to a virtual domain like every resource, and each @url answers.
func TestControllerPaging(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 6, Size: "large"}))
	info := h.S.Controllers()
	for _, res := range []string{"WlanControllers", "WlanControllerDetails"} {
		for _, size := range []int{1, 3, 20} {
			got, pages := walkCtrl[ctrlName](h, res, "", size)
			if len(got) != len(info) || pages != (len(info)+size-1)/size {
				t.Errorf("%s by %d = %d controllers in %d pages; want %d in %d", res, size, len(got), pages, len(info), (len(info)+size-1)/size)
			}
			for i := 1; i < len(got); i++ {
				if got[i].ID <= got[i-1].ID {
					t.Fatalf("%s by %d: @id %d after %d; want ascending", res, size, got[i].ID, got[i-1].ID)
				}
			}
		}
		want := info[len(info)/2]
		one, _ := walkCtrl[ctrlName](h, res, "name="+want.Name, 10)
		if len(one) != 1 || one[0].ID != want.ID {
			t.Errorf("%s?name=%s = %+v; want the one controller %d", res, want.Name, one, want.ID)
		}
		h.GetOK(dataPrefix+res+"/"+idString(want.ID)+".json", nil)
		var sorted ctrlEnvelope[ctrlName]
		h.GetOK(data(res, ".full=true&.sort=-name&.maxResults=1"), &sorted)
		names := make([]string, len(info))
		for i, c := range info {
			names[i] = c.Name
		}
		if e := sorted.QueryResponse.Entity; len(e) != 1 || (e[0].List == nil && e[0].Details == nil) {
			t.Fatalf("%s sorted page = %+v", res, e)
		} else if got := cmpName(e[0].List, e[0].Details); got != slices.Max(names) {
			t.Errorf("%s .sort=-name first = %s; want %s", res, got, slices.Max(names))
		}
		for _, dom := range h.S.Domains()[1:] {
			var env ctrlEnvelope[ctrlName]
			h.GetOK(data(res, ".full=true&_ctx.domain="+dom), &env)
			n := 0
			for _, c := range info {
				if c.Domain == dom {
					n++
				}
			}
			if q := env.QueryResponse; q.Count != n || len(q.Entity) != n || q.Domain != dom {
				t.Errorf("%s in %s: @count %d, %d entities, @domain %s; want its %d controllers", res, dom, q.Count, len(q.Entity), q.Domain, n)
			}
		}
	}
	if r := h.Get(data("WlanControllers", "nosuch=1")); r.Status != 400 {
		t.Errorf("WlanControllers?nosuch=1 = %d; want 400", r.Status)
	}
}

func cmpName(list, details *ctrlName) string {
	if list != nil {
		return list.Name
	}
	return details.Name
}

// TestControllerSerials: every controller has a Cisco-style serial of its
// own, a function of the seed, which the details, Controllers() and the
// devices a source of truth mirrors agree on.
func TestControllerSerials(t *testing.T) {
	serialsOf := func(seed int64) []string {
		s, err := New(Options{Seed: seed, Size: "large"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range s.Controllers() {
			out = append(out, c.Serial)
		}
		return out
	}
	a, b, c := serialsOf(8), serialsOf(8), serialsOf(9)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("serials of seeds 8, 8, 9 = %v, %v, %v; want a function of the seed", a, b, c)
	}
	if len(a) != 20 || len(slices.Compact(slices.Sorted(slices.Values(a)))) != len(a) {
		t.Errorf("serials = %v; want 20 distinct", a)
	}
	h := newHarness(t, relaxed(Options{Seed: 8, Size: "medium"}))
	aps := map[string]bool{}
	for _, ap := range h.S.APs() {
		aps[ap.Serial] = true
	}
	details, _ := walkCtrl[ctrlDetailsItem](h, "WlanControllerDetails", "", 1000)
	pid := regexp.MustCompile(`^(C9800-(40|80)-K9|AIR-CT5520-K9)$`)
	for i, c := range h.S.Controllers() {
		d := details[i]
		if d.SerialNumber != c.Serial || !serialRE.MatchString(c.Serial) || aps[c.Serial] {
			t.Errorf("%s: serialNumber %q, Controllers() %q; want one Cisco-style serial no AP has", c.Name, d.SerialNumber, c.Serial)
		}
		if d.ModelNumber != c.ModelNumber || !pid.MatchString(d.ModelNumber) || d.Type != c.Model {
			t.Errorf("%s: modelNumber %q, type %q; want %q, %q", c.Name, d.ModelNumber, d.Type, c.ModelNumber, c.Model)
		}
		var groups []string
		for _, g := range d.APGroups.APGroup {
			groups = append(groups, g.APGroupName)
		}
		if len(groups) == 0 || !slices.Equal(groups, c.APGroups) {
			t.Errorf("%s: apGroups %v; want its APs' groups %v", c.Name, groups, c.APGroups)
		}
	}

	built, err := Spec.Build(simkit.Setup{Seed: 8, Size: "medium"})
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string]simkit.DeviceSeed{}
	for _, d := range built.Devices() {
		seeds[d.Serial] = d
	}
	for _, c := range h.S.Controllers() {
		if d := seeds[c.Serial]; d.Name != c.Name || d.Type != "controller" || d.Site != c.Location {
			t.Errorf("mirrored %s = %+v; want it with its serial, type controller and site %s", c.Name, d, c.Location)
		}
	}
}

// TestControllerUtilization: with the option, each controller's CPU and
// memory are percents that move a little with each Step; at size large one
// or two run above 90% throughout. Without it, none is reported.
func TestControllerUtilization(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 10, Size: "large", ControllerUtilization: true}))
	before := h.S.Controllers()
	changed := false
	for step := range 5 {
		details, _ := walkCtrl[ctrlDetailsItem](h, "WlanControllerDetails", "", 1000)
		now := h.S.Controllers()
		hot := 0
		for i, d := range details {
			if d.CPU == nil || d.Memory == nil || *d.CPU != now[i].CPU || *d.Memory != now[i].Memory {
				t.Fatalf("step %d %s: cpu %v, memory %v; want Controllers()' %d, %d", step, d.Name, d.CPU, d.Memory, now[i].CPU, now[i].Memory)
			}
			if *d.CPU < 0 || *d.CPU > 100 || *d.Memory < 0 || *d.Memory > 100 {
				t.Errorf("step %d %s: cpu %d, memory %d; want percents", step, d.Name, *d.CPU, *d.Memory)
			}
			if *d.CPU > 90 {
				hot++
				if !now[i].Hot {
					t.Errorf("step %d %s: cpu %d%% but not one of the hot controllers", step, d.Name, *d.CPU)
				}
			} else if now[i].Hot {
				t.Errorf("step %d %s: a hot controller at %d%%; want above 90", step, d.Name, *d.CPU)
			}
			if d := now[i].CPU - before[i].CPU; d != 0 {
				changed = true
				if d < -6 || d > 6 {
					t.Errorf("step %d %s: cpu moved %d points in a step; want a few", step, now[i].Name, d)
				}
			}
		}
		if hot < 1 || hot > 2 {
			t.Errorf("step %d: %d controllers above 90%% CPU; want one or two", step, hot)
		}
		before = now
		h.S.Step()
	}
	if !changed {
		t.Error("no controller's CPU changed over five steps; want it to move with Step")
	}

	off := newHarness(t, relaxed(Options{Seed: 10, Size: "large"}))
	details, _ := walkCtrl[ctrlDetailsItem](off, "WlanControllerDetails", "", 1000)
	for i, d := range details {
		if c := off.S.Controllers()[i]; d.CPU != nil || d.Memory != nil || c.CPU != 0 || c.Memory != 0 {
			t.Errorf("%s without the option: cpu %v, memory %v, Controllers() %d, %d; want none", d.Name, d.CPU, d.Memory, c.CPU, c.Memory)
		}
	}
}
