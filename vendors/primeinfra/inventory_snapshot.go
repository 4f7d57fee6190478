package primeinfra

import (
	"cmp"
	"slices"
	"strings"

	"github.com/nmsexporter/nms_exporter/config"
)

// Inventory is the inventory collection: what Prime's InventoryDetails
// says of each controller, switch and router, as of Prime's last
// inventory of it.
type Inventory struct {
	Devices []InventoryDevice
}

// InventoryDevice is one device's inventory.
type InventoryDevice struct {
	// ID is Prime's deviceId, the one Devices gives the device too; 0 when
	// not sent.
	ID            int64
	Name, Address string
	// Type is the exporter's: controller, switch, router, gateway, other.
	Type string
	Up   bool
	// Serial and Model are those of the device's own chassis, the one at
	// the lowest entPhysicalIndex: a stack's, of its members.
	Serial, Model string
	// Chassis counts the chassis: a stack's members.
	Chassis int
	// Uptime is in seconds, as Prime last saw it; 0 when not reported.
	Uptime     float64
	Interfaces []Interface
	Neighbors  []Neighbor
}

// Interface is one Ethernet interface of a device.
type Interface struct {
	Name        string
	Up, AdminUp bool
	// SpeedBytes is the link's speed in bytes per second while it is up;
	// 0 while it is down or when the speed is unknown.
	SpeedBytes float64
	// MAC is twelve lowercase hex digits.
	MAC string
}

// Neighbor is what CDP sees on one of a device's interfaces.
type Neighbor struct {
	Interface    string // the device's own interface
	Device, Port string // the neighbour and its interface
	Platform     string
}

// ifSpeedCeiling is IF-MIB ifSpeed's largest value, which it reports for
// any interface faster than that: the speed is then unknown here.
const ifSpeedCeiling = 4_294_967_295

// speedBytes reads an interface's speed. Prime's unit is not documented
// (shared/vendor-apis/prime.md, section 8): IF-MIB gives ifSpeed in bits
// per second and ifHighSpeed in megabits. An Ethernet link runs at 10
// Mb/s at least, which is 10,000,000 in bits and at most 400,000 in
// megabits, so a value below a million is megabits.
func speedBytes(s flexNumber) float64 {
	switch v := s.v; {
	case !s.set || v <= 0 || v == ifSpeedCeiling:
		return 0
	case v < 1e6:
		return v * 1e6 / 8
	default:
		return v / 8
	}
}

// isUp reads an interface status, UP or up (the spellings are not
// documented).
func isUp(s flexString) bool { return strings.EqualFold(strings.TrimSpace(string(s)), "up") }

// newInventoryDevice converts one entity; access points are left to their
// own collection, as in Devices.
func newInventoryDevice(e *inventoryEntity, uptimeUnit string) (InventoryDevice, bool) {
	d := &e.DTO
	t := deviceType(d.Summary.ProductFamily)
	if t == "ap" {
		return InventoryDevice{}, false
	}
	out := InventoryDevice{
		ID: d.Summary.DeviceID.n, Name: cmp.Or(d.Summary.DeviceName, string(d.Summary.IPAddress)), Address: string(d.Summary.IPAddress),
		Type: t, Up: reachable(string(d.Summary.Reachability)), Chassis: len(d.Chassis.Chassis),
	}
	if up := d.Summary.UpTime; up.set && up.v > 0 {
		out.Uptime = up.v / 100
		if uptimeUnit == config.UptimeSeconds {
			out.Uptime = up.v
		}
	}
	if len(d.Chassis.Chassis) > 0 {
		own := slices.MinFunc(d.Chassis.Chassis, func(a, b chassisWire) int {
			return cmp.Compare(a.EntPhysicalIndex.int(0), b.EntPhysicalIndex.int(0))
		})
		out.Serial, out.Model = strings.TrimSpace(own.SerialNr), cmp.Or(own.ProductID, own.ModelNr)
	}
	for _, w := range d.EthernetInterfaces.EthernetInterface {
		if w.Name == "" {
			continue
		}
		i := Interface{Name: w.Name, Up: isUp(w.OperationalStatus), AdminUp: isUp(w.AdminStatus), MAC: w.MacAddress.mac()}
		if i.Up {
			i.SpeedBytes = speedBytes(w.Speed)
		}
		out.Interfaces = append(out.Interfaces, i)
	}
	for _, n := range d.CdpNeighbors.CdpNeighbor {
		if n.NearEndInterface == "" || n.NeighborDeviceName == "" {
			continue
		}
		out.Neighbors = append(out.Neighbors, Neighbor{Interface: n.NearEndInterface, Device: n.NeighborDeviceName,
			Port: n.FarEndInterface, Platform: n.NeighborDevicePlatformType})
	}
	return out, true
}
