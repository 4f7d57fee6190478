package cxsim

import (
	"math"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Spec builds this simulator for sim/simulators.
var Spec = simkit.Spec{Vendor: "cxcloud", Build: build}

func build(o simkit.Setup) (*simkit.Built, error) {
	co := Options{Seed: o.Seed, Size: o.Size, PageSize: o.PageCap}
	if o.Unlimited {
		co.PerSecond, co.PerDay = math.MaxInt32, math.MaxInt32
	}
	s, err := New(co)
	if err != nil {
		return nil, err
	}
	c := s.Credentials()
	return simkit.Serve(s, simkit.Built{
		// The data is under /{region}/bcs/v2, the token beside it.
		Credentials: simkit.Credentials{ClientID: c.ClientID, ClientSecret: c.ClientSecret, BasePath: c.BasePath(), TokenPath: c.TokenPath()},
		Section: func(a simkit.SectionArgs) (string, error) {
			file, err := a.Secret("secret", c.ClientSecret)
			return a.Write([]string{"token_url: " + a.TokenURL, "client_id: " + c.ClientID, "client_secret_file: " + file},
				"inventory 60s", "field_notices 60s", "advisories 60s", "eox 120s"), err
		},
	})
}
