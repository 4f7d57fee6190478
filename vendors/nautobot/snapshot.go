package nautobot

import (
	"cmp"
	"slices"
)

// The snapshot types are what the collector reads: one per collection,
// sorted, never changed once returned.

// Device is one device in the source of truth.
type Device struct {
	Name, Serial, Location, Role, Tenant, Platform, Status string
}

// Devices is the devices collection.
type Devices struct{ Devices []Device }

// Location is one location (2.x) or site (1.x).
type Location struct {
	ID, Name, Type, Parent string
}

// Locations is the locations collection.
type Locations struct{ Locations []Location }

// Status is the status collection.
type Status struct {
	Version, PythonVersion, APIVersion string
	Workers                            int // -1 when not reported
}

// IPAM is the ipam collection: counts.
type IPAM struct{ Prefixes, IPAddresses int }

func newDevices(all []device, major int) *Devices {
	out := &Devices{Devices: make([]Device, 0, len(all))}
	for _, d := range all {
		dev := Device{
			Name: d.Name, Serial: d.Serial, Status: d.Status.String(), Tenant: d.Tenant.String(),
			Platform: d.Platform.String(), Location: d.Location.String(), Role: d.Role.String(),
		}
		if major == 1 {
			// 1.x devices sit in a site, with an optional location below it.
			dev.Role = d.DeviceRole.String()
			if dev.Location == "" {
				dev.Location = d.Site.String()
			}
		}
		out.Devices = append(out.Devices, dev)
	}
	slices.SortFunc(out.Devices, func(a, b Device) int {
		return cmp.Or(cmp.Compare(a.Location, b.Location), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Serial, b.Serial))
	})
	return out
}

func newLocations(all []location) *Locations {
	out := &Locations{Locations: make([]Location, 0, len(all))}
	for _, l := range all {
		out.Locations = append(out.Locations, Location{ID: l.ID, Name: l.Name, Type: l.LocationType.String(), Parent: l.Parent.String()})
	}
	slices.SortFunc(out.Locations, func(a, b Location) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}
