package mist

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
)

// The snapshot types are what the collector reads: one per collection,
// already filtered to the kept sites, with site names resolved, sorted, and
// never changed once returned.

// Site is one site and its counts.
type Site struct {
	ID, Name string
	// Devices and Connected count devices by type: ap, switch, gateway.
	Devices   map[string]int
	Connected map[string]int
	Clients   int
}

// Sites is the sites collection.
type Sites struct{ Sites []Site }

// Devices is the devices collection: the devices, the radios of the APs and
// what each device reports of its CPU, memory, temperatures, fans and power
// supplies, all at no call beyond the devices' own.
type Devices struct {
	Devices []model.Device
	Radios  []model.Radio        `json:",omitempty"`
	Health  []model.DeviceHealth `json:",omitempty"`
}

// Clients is the clients collection.
type Clients struct {
	Counts []model.ClientCount
	Total  int
}

// Alarms is the alarms collection: the open alarms of the kept sites,
// sorted by id.
type Alarms struct {
	Alarms []model.Alarm
}

// UnmarshalJSON reads saved alarms back (vendors.SavedAlarms); an earlier
// version saved counts in their place, as Counts.
func (a *Alarms) UnmarshalJSON(b []byte) error {
	alarms, err := vendors.SavedAlarms(b, "Counts")
	if err != nil {
		return err
	}
	a.Alarms = alarms
	return nil
}

// Usage is the token's API usage in the current hour.
type Usage struct{ Requests, Limit float64 }

func newSites(all []siteStats, idx *siteIndex) *Sites {
	out := &Sites{}
	for _, s := range all {
		if !idx.kept[s.ID] {
			continue
		}
		out.Sites = append(out.Sites, Site{
			ID: s.ID, Name: s.Name, Clients: s.NumClients,
			Devices:   map[string]int{"ap": s.NumAP, "switch": s.NumSwitch, "gateway": s.NumGateway},
			Connected: map[string]int{"ap": s.NumAPConnected, "switch": s.NumSwitchConnected, "gateway": s.NumGatewayConnected},
		})
	}
	slices.SortFunc(out.Sites, func(a, b Site) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}

// siteName falls back to the id for a site the index has not seen yet.
func (idx *siteIndex) siteName(id string) string {
	if n, ok := idx.names[id]; ok {
		return n
	}
	return id
}

// keeps reports whether data of this site is kept. Data with no site is
// kept only when no filter is set.
func (idx *siteIndex) keeps(id string, filtered bool) bool {
	if id == "" || idx.names[id] == "" {
		return !filtered
	}
	return idx.kept[id]
}

func (idx *siteIndex) filtered() bool { return len(idx.kept) != len(idx.names) }

func deviceType(t string) string {
	switch t {
	case "ap", "switch", "gateway":
		return t
	}
	return "other"
}

func newDevices(all []deviceStats, idx *siteIndex) *Devices {
	out := &Devices{Devices: make([]model.Device, 0, len(all))}
	filtered := idx.filtered()
	for _, d := range all {
		if !idx.keeps(d.SiteID, filtered) {
			continue
		}
		dev := model.Device{
			Name: d.Name, Serial: d.Serial, MAC: d.MAC, Model: d.Model, Version: d.Version,
			Type: deviceType(d.Type), SiteID: d.SiteID, Site: idx.siteName(d.SiteID),
			Up: d.Status == "connected", Uptime: d.Uptime, LastSeen: d.LastSeen, Clients: -1,
		}
		if dev.Name == "" {
			dev.Name = d.MAC
		}
		if dev.Type == "ap" {
			dev.Clients = 0
			if d.NumClients != nil {
				dev.Clients = *d.NumClients
			}
			out.Radios = append(out.Radios, d.radios(dev.Name)...)
		}
		if h, ok := d.health(dev.Name, dev.Type); ok {
			out.Health = append(out.Health, h)
		}
		out.Devices = append(out.Devices, dev)
	}
	model.SortDevices(out.Devices)
	slices.SortFunc(out.Radios, func(a, b model.Radio) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Band, b.Band))
	})
	slices.SortFunc(out.Health, func(a, b model.DeviceHealth) int { return cmp.Compare(a.Device, b.Device) })
	return out
}

// bands maps the search API's band values to the exporter's.
var bands = map[string]string{"24": "2.4", "2.4": "2.4", "5": "5", "6": "6"}

// tally counts items by label set, once per item id: a cursor walk over
// changing data can return an item twice.
type tally[K comparable] struct {
	idx      *siteIndex
	filtered bool
	seen     map[string]bool
	counts   map[K]int
}

func newTally[K comparable](idx *siteIndex) *tally[K] {
	return &tally[K]{idx: idx, filtered: idx.filtered(), seen: map[string]bool{}, counts: map[K]int{}}
}

// count adds one item of a kept site, unless its id was counted already.
func (t *tally[K]) count(id, siteID string, key func(site string) K) {
	if id != "" {
		if t.seen[id] {
			return
		}
		t.seen[id] = true
	}
	if t.idx.keeps(siteID, t.filtered) {
		t.counts[key(t.idx.siteName(siteID))]++
	}
}

// sorted returns the label sets with their counts set, in sort's order,
// and the sum of the counts.
func (t *tally[K]) sorted(setCount func(*K, int), sort func([]K)) ([]K, int) {
	out, total := make([]K, 0, len(t.counts)), 0
	for k, n := range t.counts {
		setCount(&k, n)
		out = append(out, k)
		total += n
	}
	sort(out)
	return out, total
}

type clientCounter struct{ *tally[model.ClientCount] }

func newClientCounter(idx *siteIndex) clientCounter {
	return clientCounter{newTally[model.ClientCount](idx)}
}

func (a clientCounter) add(page []wirelessEntry) {
	for _, e := range page {
		a.count(e.MAC, e.SiteID, func(site string) model.ClientCount {
			return model.ClientCount{Site: site, SSID: e.LastSSID, Band: bands[e.Band]}
		})
	}
}

func (a clientCounter) result() *Clients {
	counts, total := a.sorted(func(k *model.ClientCount, n int) { k.Count = n }, model.SortClientCounts)
	return &Clients{Counts: counts, Total: total}
}

// Severity maps Mist's alarm severities onto the exporter's scale; an
// unknown one counts as info rather than being dropped.
func Severity(s string) string { return vendors.AlarmSeverity(s, "warn") }

// alarmList collects the open alarms of the kept sites, once per id: a
// cursor walk over changing data can return an alarm twice.
type alarmList struct {
	idx      *siteIndex
	filtered bool
	seen     map[string]bool
	url      string // the org's page of the portal
	out      []model.Alarm
}

func newAlarmList(idx *siteIndex, url string) *alarmList {
	return &alarmList{idx: idx, filtered: idx.filtered(), seen: map[string]bool{}, url: url}
}

func (a *alarmList) add(page []alarm) {
	for _, al := range page {
		if al.Status != "" && al.Status != "open" {
			continue
		}
		if al.ID != "" {
			if a.seen[al.ID] {
				continue
			}
			a.seen[al.ID] = true
		}
		if !a.idx.keeps(al.SiteID, a.filtered) {
			continue
		}
		rec := model.Alarm{
			ID: al.ID, Site: a.idx.siteName(al.SiteID), Device: al.device(),
			Severity: Severity(al.Severity), VendorSeverity: al.Severity, Category: strings.ToLower(al.Group),
			Type: al.Type, Text: al.Note, StartedAt: epoch(al.Timestamp), UpdatedAt: epoch(al.LastSeen),
			Acked: al.Acked, URL: a.url,
		}
		if al.Acked {
			rec.AckedBy, rec.AckedAt = al.AckAdmin, epoch(al.AckedTime)
		}
		a.out = append(a.out, rec)
	}
}

// device names the device an alarm is about: its host name, else its MAC;
// empty for site-wide alarms.
func (al alarmDevices) device() string {
	if len(al.Hostnames) > 0 && al.Hostnames[0] != "" {
		return al.Hostnames[0]
	}
	for _, macs := range [][]string{al.APs, al.Switches, al.Gateways} {
		if len(macs) > 0 {
			return macs[0]
		}
	}
	return ""
}

// NameAlarmDevices returns the alarms with each device given as a MAC
// named by the devices collection: Mist lists no host name for some
// alarm types (a rogue's detecting AP, for one), and an alarm's device
// label is then the name nms_device_up and the alerts carry, so that a
// device down hides its alarms and Nautobot's labels join. The list is
// copied only when a name changes; the collection keeps what Mist said.
func NameAlarmDevices(alarms []model.Alarm, devices *Devices) []model.Alarm {
	if devices == nil {
		return alarms
	}
	var byMAC DeviceIndex
	out, copied := alarms, false
	for i, a := range alarms {
		if !looksLikeMAC(a.Device) {
			continue
		}
		if byMAC == nil {
			byMAC = devices.Index()
		}
		d, ok := byMAC[a.Device]
		if !ok || d.Name == a.Device {
			continue
		}
		if !copied {
			out, copied = slices.Clone(alarms), true
		}
		out[i].Device = d.Name
	}
	return out
}

// looksLikeMAC reports whether s is a MAC as Mist writes them: twelve
// lower-case hex digits.
func looksLikeMAC(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (a *alarmList) result() *Alarms {
	vendors.ShareAlarmStrings(a.out)
	model.SortAlarms(a.out)
	return &Alarms{Alarms: a.out}
}

// consoleHosts are the portal hosts of the clouds' API hosts: Juniper's
// page "API Endpoints and Global Regions" lists both for each region, and
// says an org's portal address is "https://manage.<cloud>/admin/?org_id=".
var consoleHosts = map[string]string{
	"api.mist.com": "manage.mist.com", "api.gc1.mist.com": "manage.gc1.mist.com",
	"api.ac2.mist.com": "manage.ac2.mist.com", "api.gc2.mist.com": "manage.gc2.mist.com",
	"api.gc4.mist.com": "manage.gc4.mist.com", "api.eu.mist.com": "manage.eu.mist.com",
	"api.gc3.mist.com": "manage.gc3.mist.com", "api.ac6.mist.com": "manage.ac6.mist.com",
	"api.gc6.mist.com": "manage.gc6.mist.com", "api.ac5.mist.com": "manage.ac5.mist.com",
	"api.gc5.mist.com": "manage.gc5.mist.com", "api.gc7.mist.com": "manage.gc7.mist.com",
}

// ConsoleURL is the org's page of the Mist portal: of the portal at
// console when set, else of the cloud whose API base URL is base, or ""
// for an API host the page does not list (a simulator, a proxy, a private
// cloud). The documents give no address of an alarm's or a device's own
// page.
func ConsoleURL(console, base, org string) string {
	if org == "" {
		return ""
	}
	if console != "" {
		return strings.TrimRight(console, "/") + "/admin/?org_id=" + url.QueryEscape(org)
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" || u.Port() != "" {
		return ""
	}
	host, ok := consoleHosts[strings.ToLower(u.Hostname())]
	if !ok {
		return ""
	}
	return "https://" + host + "/admin/?org_id=" + url.QueryEscape(org)
}
