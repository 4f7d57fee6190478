package simulators

import (
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/cxsim"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
	"github.com/nmsexporter/nms_exporter/sim/nautobotsim"
	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// all is every simulator there is.
var all = New(mistsim.Spec, primesim.Spec, cxsim.Spec, nautobotsim.Spec)

// TestStartHooks: Front sees the API's requests and not the fault
// switch's, ConnState sees the connections, and every simulator says how
// its vendor refuses.
func TestStartHooks(t *testing.T) {
	for _, vendor := range all.Vendors() {
		t.Run(vendor, func(t *testing.T) {
			var fronted, conns atomic.Int64
			s, err := all.Start(vendor, Options{Seed: 1,
				Front: func(h http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						fronted.Add(1)
						h.ServeHTTP(w, r)
					})
				},
				ConnState: func(_ net.Conn, st http.ConnState) {
					if st == http.StateNew {
						conns.Add(1)
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if code, _, body := faultsAt(t, s, http.MethodGet, ""); code != http.StatusOK {
				t.Fatalf("GET %s = %d %s", s.FaultsURL, code, body)
			}
			if n := fronted.Load(); n != 0 {
				t.Errorf("Front saw %d requests to the fault switch; want none", n)
			}
			resp, err := http.Get(s.BaseURL + "/")
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if n := fronted.Load(); n != 1 {
				t.Errorf("Front saw %d requests to the API; want 1", n)
			}
			if conns.Load() == 0 {
				t.Errorf("ConnState saw no connection")
			}
			if tr := s.Traits; tr.Throttled.Status < 400 || tr.Revoked.Status < 400 {
				t.Errorf("Traits = %+v; want the statuses a throttled call and revoked credentials are refused with", tr)
			}
		})
	}
}

// TestStartAll: every vendor starts, one per seed asked, and the source
// of truth last, holding the devices of all the others.
func TestStartAll(t *testing.T) {
	sims, err := all.StartAll(Options{Seed: 1}, map[string][]int64{"mist": {1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, s := range sims {
			_ = s.Close()
		}
	}()
	var got []string
	devices := 0
	for _, s := range sims[:len(sims)-1] {
		got = append(got, s.Vendor)
		if s.built.Devices != nil {
			devices += len(s.built.Devices())
		}
	}
	if want := []string{"mist", "mist", "prime", "cxcloud"}; !slices.Equal(got, want) {
		t.Errorf("started %v, then %s; want %v, then the source of truth", got, sims[len(sims)-1].Vendor, want)
	}
	nb := sims[len(sims)-1].Server.(*nautobotsim.Server)
	if n := nb.Sizes().Devices; n < devices*9/10 || n > devices*11/10 {
		t.Errorf("the source of truth holds %d devices; want about the others' %d, give or take its drift", n, devices)
	}
}
