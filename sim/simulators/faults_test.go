package simulators

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Every simulator takes every shared fault under its shared name, with a
// field of the same kind.
func TestSharedFaultsEverywhere(t *testing.T) {
	all := simkit.Faults{Latency: 1, ErrorRate: 1, ErrorStatus: 1, Throttle: true, RetryAfter: 1, Truncate: true,
		Malformed: true, Oversize: 1, Reset: true, ResetMidBody: true, ShrinkTotal: true, EndlessPaging: true,
		Revoke: true, RevokeAfter: 1, PathPrefix: "/"}
	v := reflect.ValueOf(all)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("the test leaves %s zero", v.Type().Field(i).Name)
		}
	}
	for name, f := range map[string]any{"mist": &mistsim.Faults{}, "prime": &primesim.Faults{},
		"cxcloud": &cxsim.Faults{}, "nautobot": &nautobotsim.Faults{}} {
		if err := simkit.Apply(f, all); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if got := simkit.FaultsOn(f); !maps.Equal(got, simkit.FaultsOn(all)) {
			t.Errorf("%s with every shared fault on: %v; want %v", name, got, simkit.FaultsOn(all))
		}
	}
}

// faultsAt sends method to a simulator's FaultsURL with query and decodes
// the answer.
func faultsAt(t *testing.T, s *Simulator, method, query string) (int, faultsState, string) {
	t.Helper()
	u := s.FaultsURL
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequest(method, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var st faultsState
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("%s %s: %s: %v", method, u, b, err)
		}
	}
	return resp.StatusCode, st, string(b)
}

func TestFaultsEndpoint(t *testing.T) {
	s, err := all.Start("nautobot", Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.FaultsURL, "http://127.0.0.1:") || !strings.HasSuffix(s.FaultsURL, FaultsPath) {
		t.Fatalf("FaultsURL = %q; want the simulator's own listener", s.FaultsURL)
	}
	devices := func() int {
		req, _ := http.NewRequest("GET", s.BaseURL+"/api/dcim/devices/?limit=1", nil)
		req.Header.Set("Authorization", "Token "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	code, st, _ := faultsAt(t, s, "GET", "")
	if code != 200 || st.Vendor != "nautobot" || len(st.On) != 0 || !slices.Contains(st.Names, "throttle") || !slices.Contains(st.Names, "next_loop") {
		t.Fatalf("GET faults = %d %+v; want none on, the shared and Nautobot's names", code, st)
	}
	if code, st, _ := faultsAt(t, s, "POST", "name=throttle&on=true"); code != 200 || st.On["throttle"] != "true" || devices() != 429 {
		t.Errorf("POST throttle on = %d %v; want it on and a 429", code, st.On)
	}
	if code, st, _ := faultsAt(t, s, "POST", "name=retry_after&value=3s"); code != 200 || st.On["retry_after"] != "3s" || st.On["throttle"] != "true" {
		t.Errorf("POST retry_after=3s = %d %v; want it beside throttle", code, st.On)
	}
	if code, st, _ := faultsAt(t, s, "POST", "name=throttle&on=false"); code != 200 || st.On["throttle"] != "" || devices() != 200 {
		t.Errorf("POST throttle off = %d %v; want it off and a 200", code, st.On)
	}
	for _, q := range []string{"name=nope", "", "name=latency", "name=throttle&on=perhaps", "name=error_rate&value=7"} {
		if code, _, body := faultsAt(t, s, "POST", q); code != 400 || body == "" {
			t.Errorf("POST ?%s = %d %q; want 400 with a reason", q, code, body)
		}
	}
	if code, _, _ := faultsAt(t, s, "PUT", ""); code != 405 {
		t.Errorf("PUT = %d; want 405", code)
	}
	faultsAt(t, s, "POST", "name=error_rate")
	if code, st, _ := faultsAt(t, s, "DELETE", ""); code != 200 || len(st.On) != 0 || devices() != 200 {
		t.Errorf("DELETE = %d %v; want every fault off", code, st.On)
	}
	if s.Calls() != 3 {
		t.Errorf("Calls() = %d; want 3: the fault switches are not API calls", s.Calls())
	}
}

// Faults and a page cap given at Start are in force from the first call,
// for every vendor.
func TestStartWithFaultsAndPageCap(t *testing.T) {
	for _, vendor := range all.Vendors() {
		s, err := all.Start(vendor, Options{Seed: 1, PageCap: 7, Faults: map[string]string{"latency": "30ms", "malformed": ""}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"latency": "30ms", "malformed": "true"}
		if got := s.FaultsOn(); !maps.Equal(got, want) {
			t.Errorf("%s: FaultsOn = %v; want %v", vendor, got, want)
		}
		s.Close()
	}
	if _, err := all.Start("mist", Options{Faults: map[string]string{"next_loop": "", "reprocess_mid_walk": ""}}); err == nil || !strings.Contains(err.Error(), "reprocess_mid_walk") {
		t.Errorf("Start(mist) with CX Cloud's reprocess_mid_walk = %v; want an error naming it", err)
	}
	if _, err := all.Start("mist", Options{PageCap: -1}); err == nil {
		t.Errorf("Start with a negative page cap = nil error; want one")
	}
}

// The page cap caps each vendor's page: what a client asking for 100 rows
// gets.
func TestPageCap(t *testing.T) {
	get := func(t *testing.T, s *Simulator, path string, auth func(*http.Request)) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", s.BaseURL+path, nil)
		auth(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	t.Run("mist", func(t *testing.T) {
		s := start(t, "mist", Options{Seed: 1, PageCap: 7})
		var items []json.RawMessage
		b := get(t, s, "/api/v1/orgs/"+s.OrgID+"/stats/devices?type=all&limit=100", func(r *http.Request) { r.Header.Set("Authorization", "Token "+s.Token) })
		if err := json.Unmarshal(b, &items); err != nil || len(items) != 7 {
			t.Errorf("limit=100 under a cap of 7: %d items, %v; want 7", len(items), err)
		}
	})
	t.Run("nautobot", func(t *testing.T) {
		s := start(t, "nautobot", Options{Seed: 1, PageCap: 7})
		var p struct{ Results []json.RawMessage }
		b := get(t, s, "/api/dcim/devices/?limit=100", func(r *http.Request) { r.Header.Set("Authorization", "Token "+s.Token) })
		if err := json.Unmarshal(b, &p); err != nil || len(p.Results) != 7 {
			t.Errorf("limit=100 under a cap of 7: %d results, %v; want 7", len(p.Results), err)
		}
	})
	t.Run("prime", func(t *testing.T) {
		s := start(t, "prime", Options{Seed: 1, PageCap: 7, Unlimited: true})
		var env struct {
			QueryResponse struct {
				Entity []json.RawMessage `json:"entity"`
			} `json:"queryResponse"`
		}
		b := get(t, s, "/webacs/api/v4/data/AccessPointDetails.json?.full=true&.maxResults=100", func(r *http.Request) { r.SetBasicAuth(s.Username, s.Password) })
		if err := json.Unmarshal(b, &env); err != nil || len(env.QueryResponse.Entity) != 7 {
			t.Errorf(".maxResults=100 under a cap of 7: %d entities, %v; want 7, clamped", len(env.QueryResponse.Entity), err)
		}
	})
	t.Run("cxcloud", func(t *testing.T) {
		s := start(t, "cxcloud", Options{Seed: 1, PageCap: 7})
		body, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": s.ClientID, "secret": s.ClientSecret, "scope": cxsim.Scope})
		resp, err := http.Post(s.TokenURL, "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"accessToken"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		var p struct{ Items []json.RawMessage }
		b := get(t, s, "/inventory/devices", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) })
		if err := json.Unmarshal(b, &p); err != nil || len(p.Items) != 7 {
			t.Errorf("a list page under a cap of 7: %d items, %v; want 7", len(p.Items), err)
		}
	})
}

func start(t *testing.T, vendor string, o Options) *Simulator {
	t.Helper()
	s, err := all.Start(vendor, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
