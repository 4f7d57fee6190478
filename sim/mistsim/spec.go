package mistsim

import (
	"math"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Spec builds this simulator for sim/simulators.
var Spec = simkit.Spec{Vendor: "mist", Build: build}

func build(o simkit.Setup) (*simkit.Built, error) {
	hourly := o.HourlyLimit
	if o.Unlimited {
		hourly = math.MaxInt32
	}
	s, err := New(Options{Seed: o.Seed, Size: o.Size, RetryAfter: o.RetryAfter, HourlyLimit: hourly, MaxLimit: o.PageCap})
	if err != nil {
		return nil, err
	}
	c := s.Credentials()
	return simkit.Serve(s, simkit.Built{
		Credentials: simkit.Credentials{Token: c.Token, Email: c.Email, Password: c.Password, OrgID: c.OrgID},
		Devices: func() []simkit.DeviceSeed {
			var out []simkit.DeviceSeed
			for _, d := range s.Devices() {
				out = append(out, simkit.DeviceSeed{Serial: d.Serial, Name: d.Name, Site: d.Site, Vendor: "Juniper", Type: d.Type})
			}
			return out
		},
		Section: func(a simkit.SectionArgs) (string, error) {
			file, err := a.Secret("token", c.Token)
			return a.Write([]string{"token_file: " + file, "ports: {keep: neighbors}"},
				"sites 30s", "devices 15s", "clients 30s", "alarms 15s", "usage 60s",
				"ports 30s", "vpn_peers 30s", "tunnels 30s", "bgp_peers 30s", "mxedges 60s", "sle 60s"), err
		},
	})
}
