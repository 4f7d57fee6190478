package simulators

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// FaultsPath is where a running simulator takes fault switches, on its own
// listener: no vendor's API has a path under /-/.
//
//	GET    /-/sim/faults                          the faults on, and every name
//	POST   /-/sim/faults?name=throttle&on=true    one fault on (a bool, or error_rate at 1)
//	POST   /-/sim/faults?name=latency&value=2s    one fault on with a value
//	POST   /-/sim/faults?name=throttle&on=false   one fault off
//	DELETE /-/sim/faults                          every fault off
//
// Each answers the faults on after it, as GET does. The switch is the
// simulator's own SetFaults: the error draw and the revoke count restart.
const FaultsPath = "/-/sim/faults"

// FaultNames lists the faults this simulator takes: the shared ones
// (simkit.Faults) and its vendor's own.
func (s *Simulator) FaultNames() []string { return s.built.Faults.Names() }

// SetFault switches the fault name on, with value as simkit.SetFault
// reads it ("" = on).
func (s *Simulator) SetFault(name, value string) error {
	return s.built.Faults.Set(name, value)
}

// ClearFault switches the fault name off.
func (s *Simulator) ClearFault(name string) error {
	return s.built.Faults.Clear(name)
}

// ClearFaults switches every fault off.
func (s *Simulator) ClearFaults() { s.built.Faults.ClearAll() }

// FaultsOn lists the faults switched on, by name, with their values.
func (s *Simulator) FaultsOn() map[string]string { return s.built.Faults.On() }

// withControl serves FaultsPath in front of the vendor's handler.
func (s *Simulator) withControl(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == FaultsPath {
			s.ServeFaults(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// faultsState is what FaultsPath answers.
type faultsState struct {
	Vendor string            `json:"vendor"`
	On     map[string]string `json:"on"`
	Names  []string          `json:"names"`
}

// ServeFaults answers FaultsPath (see there).
func (s *Simulator) ServeFaults(w http.ResponseWriter, r *http.Request) {
	var err error
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodDelete:
		s.ClearFaults()
	case http.MethodPost:
		err = s.switchFault(r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, _ := json.Marshal(faultsState{Vendor: s.Vendor, On: s.FaultsOn(), Names: s.FaultNames()})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}

// switchFault reads one switch from a POST's query or form: name, and on
// (true when left out) or value.
func (s *Simulator) switchFault(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	name := strings.TrimSpace(r.Form.Get("name"))
	if name == "" {
		return fmt.Errorf("name the fault: one of %s", strings.Join(s.FaultNames(), ", "))
	}
	on := true
	if v := r.Form.Get("on"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("on=%q is not true or false", v)
		}
		on = b
	}
	if !on {
		return s.ClearFault(name)
	}
	return s.SetFault(name, r.Form.Get("value"))
}
