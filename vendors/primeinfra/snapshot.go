package primeinfra

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// The snapshot types are what the collector reads: one per collection,
// sorted, never changed once returned.

// AccessPoints is the access_points collection.
type AccessPoints struct {
	Devices []vendors.Device
	// Controllers maps an AP's name to its wireless controller.
	Controllers map[string]string
	// Sites lists the sites the APs are on.
	Sites []string
	// Domain is the virtual domain the server answered for.
	Domain string
}

// Devices is the devices collection: controllers, switches and routers.
type Devices struct {
	Devices []vendors.Device
	// Names maps management addresses to device names.
	Names map[string]string
}

// WiredCount is the wired clients on one device, known by its management
// address.
type WiredCount struct {
	Address string
	Count   int
}

// Clients is the clients collection: Prime's newest client count sample.
type Clients struct {
	Wireless []vendors.ClientCount
	Wired    []WiredCount
	// CollectedAt is when Prime took the sample.
	CollectedAt time.Time
	Total       int
}

// AckCount is the number of acknowledged active alarms with one severity
// and category.
type AckCount struct {
	Severity, Category string
	Count              int
}

// Alarms is the alarms collection. Alarms carry no site: the collector
// finds it from the device, in whichever of the access point and device
// collections knows it.
type Alarms struct {
	Active       []vendors.AlarmCount
	Acknowledged []AckCount
	Total        int
}

// SiteOf turns a map location ("Campus > Building > Floor") into the site:
// the location without its floor. Shorter locations are the site as they are.
func SiteOf(location string) string {
	parts := strings.Split(location, " > ")
	if len(parts) >= 3 {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, " > ")
}

// reachable reads Prime's reachability states; v2 spells them in title case.
func reachable(s string) bool {
	switch strings.ToUpper(s) {
	case "REACHABLE", "PING_REACHABLE":
		return true
	}
	return false
}

func newAP(e apEntity) vendors.Device {
	d := e.DTO
	loc := d.MapLocation
	if loc == "" {
		loc = d.LocationHierarchy
	}
	ap := vendors.Device{
		Name: d.Name, Serial: d.SerialNumber, MAC: d.EthernetMac.mac(), Model: d.Model, Version: d.SoftwareVersion,
		Type: "ap", Site: SiteOf(loc), Up: reachable(d.ReachabilityStatus), Clients: d.ClientCount,
	}
	ap.SiteID = ap.Site
	if ap.Up {
		ap.Uptime = d.UpTime / 100
	}
	return ap
}

// finish sorts the APs and lists their sites.
func (a *AccessPoints) finish() {
	vendors.SortDevices(a.Devices)
	seen := map[string]bool{}
	for _, d := range a.Devices {
		if d.Site != "" && !seen[d.Site] {
			seen[d.Site] = true
			a.Sites = append(a.Sites, d.Site)
		}
	}
	slices.Sort(a.Sites)
}

// deviceType maps Prime's product families onto the exporter's types.
func deviceType(family string) string {
	f := strings.ToLower(family)
	switch {
	case strings.Contains(f, "access point") || strings.Contains(f, "unified ap"):
		return "ap"
	case strings.Contains(f, "controller"):
		return "controller"
	case strings.Contains(f, "switch"):
		return "switch"
	case strings.Contains(f, "router"):
		return "router"
	case strings.Contains(f, "security") || strings.Contains(f, "firewall"):
		return "gateway"
	}
	return "other"
}

// newDevice converts a device; access points are left to their own
// collection, which knows more of them.
func newDevice(e deviceEntity) (vendors.Device, bool) {
	d := e.DTO
	t := deviceType(d.ProductFamily)
	if t == "ap" {
		return vendors.Device{}, false
	}
	name := d.DeviceName
	if name == "" {
		name = string(d.IPAddress)
	}
	return vendors.Device{
		Name: name, Model: d.DeviceType, Version: d.SoftwareVersion, Type: t,
		Site: d.Location, SiteID: d.Location, Up: reachable(d.Reachability), Clients: -1,
	}, true
}

func newClients(wireless, wired []clientCount, at int64) *Clients {
	out := &Clients{}
	if at > 0 {
		out.CollectedAt = time.UnixMilli(at)
	}
	counts := map[vendors.ClientCount]int{}
	for _, c := range wireless {
		site := SiteOf(c.Key)
		ghz24 := c.Dot11bCount + c.Dot11gCount + c.Dot11n24Count + c.Dot11ax24Count
		ghz5 := c.Dot11aCount + c.Dot11acCount + c.Dot11n5Count + c.Dot11ax5Count
		counts[vendors.ClientCount{Site: site, SSID: c.Subkey, Band: "2.4"}] += ghz24
		counts[vendors.ClientCount{Site: site, SSID: c.Subkey, Band: "5"}] += ghz5
		// Clients without a protocol split have no band.
		if rest := c.Count - ghz24 - ghz5; rest > 0 {
			counts[vendors.ClientCount{Site: site, SSID: c.Subkey}] += rest
		}
		out.Total += c.Count
	}
	for k, n := range counts {
		k.Count = n
		out.Wireless = append(out.Wireless, k)
	}
	vendors.SortClientCounts(out.Wireless)
	for _, c := range wired {
		n := c.Wired10MCount + c.Wired100MCount + c.Wired1GCount + c.Wired10GCount
		if n == 0 {
			n = c.Count
		}
		out.Wired = append(out.Wired, WiredCount{Address: c.Key, Count: n})
	}
	slices.SortFunc(out.Wired, func(a, b WiredCount) int { return cmp.Compare(a.Address, b.Address) })
	return out
}

// Severity maps Prime's alarm severities onto the exporter's scale.
func Severity(s string) string {
	switch strings.ToUpper(s) {
	case "CRITICAL":
		return "critical"
	case "MAJOR":
		return "major"
	case "MINOR":
		return "minor"
	case "WARNING":
		return "warning"
	}
	return "info"
}

type alarmTally struct {
	seen   map[int64]bool
	active map[vendors.AlarmCount]int
	acked  map[AckCount]int
}

func newAlarmTally() *alarmTally {
	return &alarmTally{seen: map[int64]bool{}, active: map[vendors.AlarmCount]int{}, acked: map[AckCount]int{}}
}

// alarmDevice names the device of an alarm: AP alarms carry
// "<ap name>,<radio MAC>".
func alarmDevice(deviceName, source string) string {
	if deviceName == "" {
		deviceName = source
	}
	name, _, _ := strings.Cut(deviceName, ",")
	return name
}

func (t *alarmTally) add(page []alarmEntity) {
	for _, e := range page {
		a := e.DTO
		if strings.EqualFold(a.Severity, "CLEARED") {
			continue
		}
		// Pages over changing data can repeat an alarm.
		if a.AlarmID != 0 {
			if t.seen[a.AlarmID] {
				continue
			}
			t.seen[a.AlarmID] = true
		}
		sev, cat := Severity(a.Severity), string(a.Category)
		t.active[vendors.AlarmCount{Device: alarmDevice(a.DeviceName, a.Source), Severity: sev, Category: cat}]++
		if a.AcknowledgementStatus {
			t.acked[AckCount{Severity: sev, Category: cat}]++
		}
	}
}

func (t *alarmTally) result() *Alarms {
	out := &Alarms{}
	for k, n := range t.active {
		k.Count = n
		out.Active = append(out.Active, k)
		out.Total += n
	}
	vendors.SortAlarmCounts(out.Active)
	for k, n := range t.acked {
		k.Count = n
		out.Acknowledged = append(out.Acknowledged, k)
	}
	slices.SortFunc(out.Acknowledged, func(a, b AckCount) int {
		return cmp.Or(cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Category, b.Category))
	})
	return out
}
