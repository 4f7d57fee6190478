package primesim

import (
	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Spec builds this simulator for sim/simulators.
var Spec = simkit.Spec{Vendor: "prime", Build: build}

func build(o simkit.Setup) (*simkit.Built, error) {
	// The demo and `simulate` show controllers' CPU and memory, so their
	// panels and rules have data; where Prime keeps them is unverified.
	po := Options{Seed: o.Seed, Size: o.Size, MaxSessions: o.Sessions, ControllerUtilization: true}
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
		Devices:     s.DeviceSeeds,
		Section: func(a simkit.SectionArgs) (string, error) {
			file, err := a.Secret("password", c.Password)
			return a.Write([]string{"username: " + c.Username, "password_file: " + file},
				"access_points 30s", "clients 30s", "devices 60s", "alarms 15s", "controllers 60s", "inventory 5m",
				"rogues 60s", "radios 60s"), err
		},
	})
}
