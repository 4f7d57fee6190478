package mistsim

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

func TestNewSizes(t *testing.T) {
	tests := []struct {
		size                    string
		sites, devices, clients int
	}{
		{"", 3, 40, 300},
		{"small", 3, 40, 300},
		{"medium", 100, 1500, 15000},
		{"large", 1000, 10000, 100000},
	}
	build := func(size string) (*Server, error) {
		return New(Options{Seed: 7, Size: size, Now: func() time.Time { return testStart }})
	}
	for _, tt := range tests {
		simtest.RunSize(t, tt.size, build, func(t *testing.T, s *Server) {
			z := s.Sizes()
			if z.Sites != tt.sites || z.Devices != tt.devices || z.Clients != tt.clients {
				t.Errorf("Sizes() = %+v; want %d sites, %d devices, %d clients", z, tt.sites, tt.devices, tt.clients)
			}
			if got := z.APs + z.Switches + z.Gateways; got != z.Devices {
				t.Errorf("APs+Switches+Gateways = %d; want Devices %d", got, z.Devices)
			}
			if ap := float64(z.APs) / float64(z.Devices); ap < 0.7 || ap > 0.9 {
				t.Errorf("AP share = %.2f; want about 0.8", ap)
			}
			if z.Unassigned == 0 || z.Historical != tt.clients/10 {
				t.Errorf("Unassigned, Historical = %d, %d; want > 0, %d", z.Unassigned, z.Historical, tt.clients/10)
			}
			if z.OpenAlarms < 3 || z.OpenAlarms > max(8, tt.devices*4/100+tt.sites/10) {
				t.Errorf("OpenAlarms = %d; want a handful, about 1-3%% of %d devices", z.OpenAlarms, tt.devices)
			}
			perSite := map[string]int{}
			down := 0
			for _, d := range s.Devices() {
				if d.Type == "ap" {
					perSite[d.SiteID]++
				}
				if !d.Connected {
					down++
				}
			}
			if len(perSite) != z.Sites {
				t.Errorf("sites with an AP = %d; want all %d", len(perSite), z.Sites)
			}
			if want := max(1, tt.devices*2/100); down != want {
				t.Errorf("disconnected devices = %d; want %d (2%%)", down, want)
			}
		})
	}
	if _, err := New(Options{Size: "huge"}); err == nil {
		t.Errorf(`New(Size "huge") error = nil; want an error`)
	}
}

func TestNamesAndIDs(t *testing.T) {
	s, err := New(Options{Seed: 3, Size: "medium"})
	if err != nil {
		t.Fatal(err)
	}
	nameRE := regexp.MustCompile(`^[A-Z]{3}-(HQ|Branch-\d{3})-(ap|sw|gw)-\d{2,}$`)
	serialRE := map[string]*regexp.Regexp{
		"ap":      regexp.MustCompile(`^A(07|16|18)\d{8}$`),
		"switch":  regexp.MustCompile(`^(FJ|JW)\d{4}[A-Z]{2}\d{4}$`),
		"gateway": regexp.MustCompile(`^(CW|TD)\d{4}[A-Z]{2}\d{4}$`),
	}
	macs, serials := map[string]bool{}, map[string]bool{}
	for _, d := range s.Devices() {
		if !nameRE.MatchString(d.Name) {
			t.Errorf("device name %q does not look like <site>-ap-01", d.Name)
		}
		if !serialRE[d.Type].MatchString(d.Serial) {
			t.Errorf("%s serial %q has the wrong form", d.Type, d.Serial)
		}
		if d.ID != "00000000-0000-0000-1000-"+d.MAC || len(d.MAC) != 12 {
			t.Errorf("device id %q for mac %q; want 00000000-0000-0000-1000-<mac>", d.ID, d.MAC)
		}
		if macs[d.MAC] || serials[d.Serial] {
			t.Errorf("duplicate mac %q or serial %q", d.MAC, d.Serial)
		}
		macs[d.MAC], serials[d.Serial] = true, true
	}
	seen := map[uint64]bool{}
	for _, c := range s.w.clients {
		if seen[c.mac] || macs[macString(c.mac)] {
			t.Fatalf("duplicate client mac %s", macString(c.mac))
		}
		seen[c.mac] = true
	}
}

func TestDeterminism(t *testing.T) {
	paths := []string{
		"/api/v1/self",
		"/api/v1/orgs/{org}/stats/devices?type=all&limit=50",
		"/api/v1/orgs/{org}/stats/sites",
		"/api/v1/orgs/{org}/inventory",
		"/api/v1/orgs/{org}/clients/search?limit=50",
		"/api/v1/orgs/{org}/alarms/search",
		"/api/v1/orgs/{org}/stats/ports/search?limit=50",
		"/api/v1/orgs/{org}/stats/vpn_peers/search",
		"/api/v1/orgs/{org}/stats/tunnels/search",
		"/api/v1/orgs/{org}/stats/tunnels/search?type=wan",
		"/api/v1/orgs/{org}/stats/bgp_peers/search",
		"/api/v1/orgs/{org}/stats/mxedges",
		"/api/v1/orgs/{org}/insights/sites-sle?sle=wired",
		"/api/v1/orgs/{org}/stats/devices?type=gateway&fields=*",
	}
	body := func(seed int64, path string) []byte {
		h := newHarness(t, Options{Seed: seed})
		p := regexp.MustCompile(`\{org\}`).ReplaceAllString(path, h.C.OrgID)
		return h.GetOK(p, nil).Body
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			simtest.CheckDeterministic(t, "GET "+p+" with seeds 42, 42 and 43", body(42, p), body(42, p), body(43, p))
		})
	}
	a, _ := New(Options{Seed: 9})
	b, _ := New(Options{Seed: 9})
	if a.Credentials() != b.Credentials() {
		t.Errorf("Credentials() = %+v and %+v for the same seed; want equal", a.Credentials(), b.Credentials())
	}
}

// TestConsistency checks that the counts every endpoint reports agree.
func TestConsistency(t *testing.T) {
	h := newHarness(t, Options{Seed: 11, Size: "medium"})
	z := h.S.Sizes()
	var aps []deviceItem
	for page := 1; ; page++ {
		var p []deviceItem
		h.GetOK(h.org(fmt.Sprintf("/stats/devices?fields=*&limit=1000&page=%d", page)), &p)
		if len(p) == 0 {
			break
		}
		aps = append(aps, p...)
	}
	if len(aps) != z.APs {
		t.Fatalf("APs from stats/devices = %d; want %d", len(aps), z.APs)
	}
	perSite := map[string]int{}
	for _, d := range aps {
		if d.Type != "ap" || d.NumClients == nil {
			t.Fatalf("default stats/devices item type %q num_clients %v; want ap with num_clients", d.Type, d.NumClients)
		}
		sum := 0
		for _, r := range d.RadioStat {
			sum += r.NumClients
		}
		if sum != *d.NumClients {
			t.Errorf("AP %s radio num_clients sum = %d; want num_clients %d", d.Name, sum, *d.NumClients)
		}
		if d.Status == "disconnected" && (*d.NumClients != 0 || d.Uptime != 0) {
			t.Errorf("disconnected AP %s num_clients, uptime = %d, %v; want 0, 0", d.Name, *d.NumClients, d.Uptime)
		}
		perSite[d.SiteID] += *d.NumClients
	}
	var sites []siteStatsItem
	h.GetOK(h.org("/stats/sites?limit=1000"), &sites)
	total := 0
	for _, st := range sites {
		if st.NumClients != perSite[st.ID] {
			t.Errorf("site %s num_clients = %d; want %d (sum over its APs)", st.Name, st.NumClients, perSite[st.ID])
		}
		if st.NumDevices != st.NumAP+st.NumSwitch+st.NumGateway ||
			st.NumDevicesConnected != st.NumAPConnected+st.NumSwitchConnected+st.NumGatewayConnected {
			t.Errorf("site %s device counts %+v do not add up", st.Name, st)
		}
		total += st.NumClients
	}
	if total != z.Clients {
		t.Errorf("sum of site num_clients = %d; want Sizes().Clients %d", total, z.Clients)
	}
	var one []struct{}
	r := h.GetOK("/api/v1/sites/"+sites[0].ID+"/stats/clients?limit=1000", &one)
	if got := r.Header.Get("X-Page-Total"); got != strconv.Itoa(sites[0].NumClients) {
		t.Errorf("site stats/clients X-Page-Total = %s; want num_clients %d", got, sites[0].NumClients)
	}
	var sb searchBody[clientItem]
	h.GetOK(h.org("/clients/search?duration=10m&limit=1"), &sb)
	if sb.Total != z.Clients {
		t.Errorf("clients/search duration=10m total = %d; want %d connected", sb.Total, z.Clients)
	}
	var cnt struct {
		Results []struct {
			SSID  string `json:"ssid"`
			Count int    `json:"count"`
		} `json:"results"`
	}
	h.GetOK(h.org("/clients/count?distinct=ssid&duration=10m"), &cnt)
	sum := 0
	for _, r := range cnt.Results {
		sum += r.Count
	}
	if sum != z.Clients || len(cnt.Results) != 3 {
		t.Errorf("clients/count distinct=ssid: %d groups summing to %d; want 3 summing to %d", len(cnt.Results), sum, z.Clients)
	}
}
