package primesource

import (
	"slices"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra"
)

// primeInventory is InventoryDetails: serials, uptimes, interfaces and
// CDP neighbours of the controllers, switches and routers.
var primeInventory = collector.NewKey[*primeinfra.Inventory]("inventory")

func countInventory(i *primeinfra.Inventory) int { return len(i.Devices) }

// inventoryIndex finds a device's inventory: by Prime's deviceId, else by
// name for an inventory whose deviceId no device of the devices collection
// has (or that has none), so a name never takes another device's
// inventory.
type inventoryIndex struct {
	byID   map[int64]*primeinfra.InventoryDevice
	byName map[string]*primeinfra.InventoryDevice
}

func newInventoryIndex(inv *primeinfra.Inventory, devs *primeinfra.Devices) inventoryIndex {
	x := inventoryIndex{byID: map[int64]*primeinfra.InventoryDevice{}, byName: map[string]*primeinfra.InventoryDevice{}}
	if inv == nil {
		return x
	}
	known := map[int64]bool{}
	if devs != nil {
		for _, id := range devs.IDs {
			known[id] = id != 0
		}
	}
	for k := range inv.Devices {
		e := &inv.Devices[k]
		if e.ID != 0 {
			x.byID[e.ID] = e
		}
		if !known[e.ID] && e.Name != "" {
			x.byName[e.Name] = e
		}
	}
	return x
}

// of returns the inventory of the devices collection's i-th device, or nil.
func (x inventoryIndex) of(devs *primeinfra.Devices, i int) *primeinfra.InventoryDevice {
	if i < len(devs.IDs) && devs.IDs[i] != 0 {
		if e := x.byID[devs.IDs[i]]; e != nil {
			return e
		}
	}
	return x.byName[devs.Devices[i].Name]
}

// primeDeviceList is the devices collection's devices with the serial and,
// where Devices has none, the uptime the inventory has of them. The two
// collections refresh apart and either may fail: without an inventory, or
// for a device it has not seen, the devices are as the devices collection
// has them, with an empty serial; an inventory without the devices
// collection adds no device.
func primeDeviceList(d collector.Data) []model.Device {
	devs, ok := collector.Get(d, primeDevices)
	if !ok {
		return nil
	}
	inv, ok := collector.Get(d, primeInventory)
	if !ok {
		return devs.Devices
	}
	x := newInventoryIndex(inv, devs)
	out := slices.Clone(devs.Devices)
	for i := range out {
		e := x.of(devs, i)
		if e == nil {
			continue
		}
		out[i].Serial = e.Serial
		if out[i].Uptime == 0 {
			out[i].Uptime = e.Uptime
		}
	}
	return out
}

// primeInterfaces is the interfaces the filter keeps, named and placed as
// the devices collection has their devices (else as the inventory names
// them, without a site). An interface with several CDP neighbours carries
// its state once and each further neighbour on its own.
func primeInterfaces(d collector.Data, f *config.PrimeInterfaces) []model.Interface {
	inv, ok := collector.Get(d, primeInventory)
	if !ok {
		return nil
	}
	type place struct{ name, site, typ string }
	placed := map[*primeinfra.InventoryDevice]place{}
	if devs, ok := collector.Get(d, primeDevices); ok {
		x := newInventoryIndex(inv, devs)
		for i, dev := range devs.Devices {
			if e := x.of(devs, i); e != nil {
				placed[e] = place{dev.Name, dev.Site, dev.Type}
			}
		}
	}
	var out []model.Interface
	for k := range inv.Devices {
		e := &inv.Devices[k]
		p, ok := placed[e]
		if !ok {
			p = place{e.Name, "", e.Type}
		}
		if !f.KeepsType(p.typ) {
			continue
		}
		neighbors := map[string][]primeinfra.Neighbor{}
		for _, n := range e.Neighbors {
			neighbors[n.Interface] = append(neighbors[n.Interface], n)
		}
		keep := func(name string, up bool) bool {
			return f.MatchName(name) && (!f.UpOnly || up) && (f.Keep == config.KeepAll || len(neighbors[name]) > 0)
		}
		listed := map[string]bool{}
		for _, i := range e.Interfaces {
			listed[i.Name] = true
			if !keep(i.Name, i.Up) {
				continue
			}
			mi := model.Interface{Device: p.name, Interface: i.Name, Site: p.site, Up: &i.Up}
			if i.SpeedBytes > 0 {
				mi.SpeedBytes = &i.SpeedBytes
			}
			ns := neighbors[i.Name]
			if len(ns) == 0 {
				out = append(out, mi)
				continue
			}
			mi.Neighbor, mi.NeighborInterface = ns[0].Device, ns[0].Port
			out = append(out, mi)
			for _, n := range ns[1:] {
				out = append(out, model.Interface{Device: p.name, Interface: i.Name, Site: p.site, Neighbor: n.Device, NeighborInterface: n.Port})
			}
		}
		// A neighbour on an interface the Ethernet list lacks still says
		// what is cabled where; its link state is unknown.
		for _, n := range e.Neighbors {
			if !listed[n.Interface] && f.MatchName(n.Interface) && !f.UpOnly {
				out = append(out, model.Interface{Device: p.name, Interface: n.Interface, Site: p.site, Neighbor: n.Device, NeighborInterface: n.Port})
			}
		}
	}
	return out
}

// renderInventory emits the interface families.
func renderInventory(out *exposition.Sink, d collector.Data, f *config.PrimeInterfaces) {
	exposition.Interfaces(out, primeInterfaces(d, f))
}
