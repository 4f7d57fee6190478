package primesim

import (
	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Spec builds this simulator for sim/simulators.
var Spec = simkit.Spec{Vendor: "prime", Build: build}

func build(o simkit.Setup) (*simkit.Built, error) {
	po := Options{Seed: o.Seed, Size: o.Size, MaxSessions: o.Sessions}
	if o.Unlimited {
		po.RateLimit = -1
	}
	if o.PageCap > 0 {
		po.PageLimit, po.ClampMaxResults = o.PageCap, true
		po.DefaultPageSize = min(o.PageCap, DefaultMaxResults)
	}
	s, err := New(po)
	if err != nil {
		return nil, err
	}
	c := s.Credentials()
	return simkit.Serve(s, simkit.Built{
		Credentials: simkit.Credentials{Username: c.Username, Password: c.Password},
		Devices: func() []simkit.DeviceSeed {
			var out []simkit.DeviceSeed
			for _, ap := range s.APs() {
				out = append(out, simkit.DeviceSeed{Serial: ap.Serial, Name: ap.Name, Site: ap.Site, Vendor: "Cisco", Type: "ap"})
			}
			return out
		},
		Section: func(a simkit.SectionArgs) (string, error) {
			file, err := a.Secret("password", c.Password)
			return a.Write([]string{"username: " + c.Username, "password_file: " + file},
				"access_points 30s", "clients 30s", "devices 60s", "alarms 15s", "rogues 60s", "radios 60s"), err
		},
	})
}
