package primeinfra

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// The snapshot types are what the collector reads: one per collection,
// sorted, never changed once returned.

// AccessPoints is the access_points collection.
type AccessPoints struct {
	Devices []model.Device
	// Controllers maps an AP's name to its wireless controller.
	Controllers map[string]string
	// RadioSites maps an AP's base radio MAC (twelve lowercase hex
	// digits), which ClientCounts rows are keyed by, to its site.
	RadioSites map[string]string
	// Sites lists the sites the APs are on.
	Sites []string
	// Domain is the virtual domain the server answered for.
	Domain string
}

// Devices is the devices collection: controllers, switches and routers.
type Devices struct {
	Devices []model.Device
	// IDs are Prime's deviceIds of Devices, by index (0 where none was
	// sent): what the inventory joins on. Data saved before they were
	// kept has none.
	IDs []int64
	// Names maps management addresses to device names.
	Names map[string]string
}

// WiredCount is the wired clients on one device, known by its management
// address.
type WiredCount struct {
	Address string
	Count   int
}

// RadioCount is the wireless clients of one access point on one SSID and
// band; the AP is known by its base radio MAC.
type RadioCount struct {
	Radio, SSID, Band string
	Count             int
}

// Clients is the clients collection: Prime's latest client count
// collection.
type Clients struct {
	// Radios are the access points' clients by SSID and band.
	Radios []RadioCount
	// Wired are the devices' wired clients.
	Wired []WiredCount
	// CollectedAt is when Prime collected the counts.
	CollectedAt time.Time
	// Total is the clients of the virtual domain, Domain.
	Total  int
	Domain string
}

// Alarms is the alarms collection: the active alarms, sorted by id. They
// carry no site: the collector finds it from the device, in whichever of
// the access point and device collections knows it.
type Alarms struct {
	Alarms []model.Alarm
}

// UnmarshalJSON reads saved alarms back (vendors.SavedAlarms); an earlier
// version saved counts in their place, as Active.
func (a *Alarms) UnmarshalJSON(b []byte) error {
	alarms, err := vendors.SavedAlarms(b, "Active")
	if err != nil {
		return err
	}
	a.Alarms = alarms
	return nil
}

// RogueCount is the number of active rogue AP alarms with one
// classification and severity at one site. A rogue whose alarm names no
// location counts under its detecting AP instead, with an empty site, for
// the collector to place from the access points it knows.
type RogueCount struct {
	Site, AP                 string
	Classification, Severity string
	Count                    int
}

// Rogues is the rogues collection: active rogue AP alarms counted, never
// listed one by one (a busy site hears thousands).
type Rogues struct {
	Counts []RogueCount
	Total  int
}

// Radios is the radios collection: the enabled radios of the reachable
// access points, by AP name and band.
type Radios struct {
	Radios []model.Radio
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

func newAP(e apEntity) model.Device {
	d := e.DTO
	loc := cmp.Or(d.MapLocation, d.LocationHierarchy, d.LocationHeirarchy)
	ap := model.Device{
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
	model.SortDevices(a.Devices)
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
	return vendors.DeviceType(family, "access point", "unified ap")
}

// newDevice converts a device; access points are left to their own
// collection, which knows more of them.
func newDevice(e deviceEntity) (model.Device, bool) {
	d := e.DTO
	t := deviceType(d.ProductFamily)
	if t == "ap" {
		return model.Device{}, false
	}
	name := d.DeviceName
	if name == "" {
		name = string(d.IPAddress)
	}
	return model.Device{
		Name: name, Model: d.DeviceType, Version: d.SoftwareVersion, Type: t,
		Site: d.Location, SiteID: d.Location, Up: reachable(d.Reachability), Clients: -1,
	}, true
}

// rootDomain is the virtual domain that sees everything.
const rootDomain = "ROOT-DOMAIN"

// allRows is the subkey of an aggregate row: the sum of the entity's
// per-SSID rows.
const allRows = "All"

// allSSIDs is the key of a virtual domain's total SSID row.
const allSSIDs = "All SSIDs"

// bands splits a row's clients by the band of their protocols; what the
// protocol columns leave of count has no band.
func (r clientCount) bands() map[string]int {
	out := map[string]int{
		"2.4": r.Dot11bCount + r.Dot11gCount + r.Dot11n24Count + r.Dot11ax24Count,
		"5":   r.Dot11aCount + r.Dot11acCount + r.Dot11n5Count + r.Dot11ax5Count,
		"6":   r.Dot11ax6Count,
	}
	if rest := r.Count - out["2.4"] - out["5"] - out["6"]; rest > 0 {
		out[""] = rest
	}
	return out
}

// wired is a row's clients in its wired columns: never its count, which on
// a controller is its access points' wireless clients.
func (r clientCount) wired() int {
	return r.Wired10MCount + r.Wired100MCount + r.Wired1GCount + r.Wired10GCount
}

// newClients counts each client once (shared/vendor-apis/prime.md, section
// 8.1): the domain's total from its "All SSIDs" row (else the sum of its
// SSID rows), the APs' clients from their per-SSID rows without their "All"
// rows, and the wired clients from the devices' wired columns.
func newClients(domain string, ssids, aps, devices map[countKey]clientCount) *Clients {
	out := &Clients{Domain: domain}
	var at int64
	seen := func(r clientCount) { at = max(at, r.CollectionTime) }
	total, parts, haveTotal := 0, 0, false
	for k, r := range ssids {
		if k.subkey != domain {
			continue
		}
		seen(r)
		if k.key == allSSIDs {
			total, haveTotal = r.Count, true
		} else {
			parts += r.Count
		}
	}
	out.Total = total
	if !haveTotal {
		out.Total = parts
	}
	for k, r := range aps {
		if strings.EqualFold(k.subkey, allRows) {
			continue
		}
		seen(r)
		radio := flexString(k.key).mac()
		for band, n := range r.bands() {
			if n > 0 {
				out.Radios = append(out.Radios, RadioCount{Radio: radio, SSID: k.subkey, Band: band, Count: n})
			}
		}
	}
	slices.SortFunc(out.Radios, func(a, b RadioCount) int {
		return cmp.Or(cmp.Compare(a.Radio, b.Radio), cmp.Compare(a.SSID, b.SSID), cmp.Compare(a.Band, b.Band))
	})
	// A device's wired clients: its "All" row, else the sum of its rows.
	wired := map[string]int{}
	whole := map[string]bool{}
	for k, r := range devices {
		seen(r)
		all := strings.EqualFold(k.subkey, allRows)
		switch {
		case all:
			wired[k.key], whole[k.key] = r.wired(), true
		case !whole[k.key]:
			wired[k.key] += r.wired()
		}
	}
	for addr, n := range wired {
		out.Wired = append(out.Wired, WiredCount{Address: addr, Count: n})
	}
	slices.SortFunc(out.Wired, func(a, b WiredCount) int { return cmp.Compare(a.Address, b.Address) })
	if at > 0 {
		out.CollectedAt = time.UnixMilli(at)
	}
	return out
}

// Severity maps Prime's alarm severities onto the exporter's scale.
func Severity(s string) string { return vendors.AlarmSeverity(s) }

// alarmList collects the active alarms, once per id: pages over changing
// data can repeat an alarm.
type alarmList struct {
	seen map[int64]bool
	url  string // the server's console
	out  []model.Alarm
}

func newAlarmList(url string) *alarmList {
	return &alarmList{seen: map[int64]bool{}, url: url}
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

func (t *alarmList) add(page []alarmEntity) {
	for _, e := range page {
		a := &e.DTO
		if strings.EqualFold(a.Severity, "CLEARED") {
			continue
		}
		// alarmId is the alarm's; @id, the entity's, is the same number
		// where both are sent.
		id := a.AlarmID
		if !id.set || id.n == 0 {
			id = a.ID
		}
		var ids string
		if id.set && id.n != 0 {
			if t.seen[id.n] {
				continue
			}
			t.seen[id.n] = true
			ids = strconv.FormatInt(id.n, 10)
		}
		t.out = append(t.out, model.Alarm{
			ID: ids, Device: alarmDevice(a.DeviceName, a.Source),
			Severity: Severity(a.Severity), VendorSeverity: a.Severity,
			Category: string(a.Category), Type: string(a.Condition), Text: a.Message,
			StartedAt: a.AlarmFoundAt.Time, UpdatedAt: cmp.Or(a.LastUpdatedAt.Time, a.TimeStamp.Time),
			// The DTO has no field for who acknowledged an alarm, or when.
			Acked: a.AcknowledgementStatus, URL: t.url,
		})
	}
}

func (t *alarmList) result() *Alarms {
	vendors.ShareAlarmStrings(t.out)
	model.SortAlarms(t.out)
	return &Alarms{Alarms: t.out}
}

// ConsoleURL is the server's own address, from its base URL without the
// credentials or query it may carry: alarms' links lead to the server's
// console, as the documents give no address of an alarm's own page.
func ConsoleURL(base string) string {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.Path, "/")}).String()
}
