package nautobotsim

import (
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Spec builds this simulator for sim/simulators.
var Spec = simkit.Spec{Vendor: "nautobot", Build: build, Mirrors: true}

func build(o simkit.Setup) (*simkit.Built, error) {
	s, err := New(Options{Seed: o.Seed, Size: o.Size, Mirror: o.Mirror, MaxPageSize: o.PageCap})
	if err != nil {
		return nil, err
	}
	c := s.Credentials()
	return simkit.Serve(s, simkit.Built{
		Credentials: simkit.Credentials{Token: c.Token, APIVersion: c.Version},
		Section: func(a simkit.SectionArgs) (string, error) {
			file, err := a.Secret("token", c.Token)
			return a.Write([]string{"token_file: " + file, `api_version: "` + c.Version + `"`, "describes: [" + strings.Join(a.Peers, ", ") + "]"},
				"status 30s", "devices 30s", "locations 60s", "ipam 60s"), err
		},
	})
}
