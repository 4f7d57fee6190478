// Package model holds the records every vendor's data is made of where it is
// the same kind (devices, client counts, alarms), so one renderer serves them
// all.
package model

import (
	"cmp"
	"slices"
	"time"
)

// Device is one managed device: an AP, switch, gateway, router or
// controller.
type Device struct {
	Name, Serial, MAC, Model, Version string
	// Type is ap, switch, gateway, router, controller or other.
	Type         string
	SiteID, Site string
	Up           bool
	Uptime       float64 // seconds; 0 when the API reports none, and then not exported
	LastSeen     float64 // unix seconds; 0 when not reported
	Clients      int     // connected clients of an AP; -1 for other devices
}

// ClientCount is the number of wireless clients on one site, SSID and band
// (2.4, 5 or 6).
type ClientCount struct {
	Site, SSID, Band string
	Count            int
}

// AlarmCount is the number of active alarms with one set of labels.
// Severity is critical, major, minor, warning or info.
type AlarmCount struct {
	Site, Device, Severity, Category string
	Count                            int
}

// PushedAlarm is one alarm event a vendor pushed by webhook.
type PushedAlarm struct {
	// Event is the same for every delivery of this event and differs for
	// any other, an update of the same alarm included.
	Event string
	// At is when the vendor says the event happened; zero when it did not
	// say.
	At time.Time
	// Alarm is the alarm as the event tells of it. Its ID is the alarm's
	// identity: a later event of the alarm replaces an earlier one, and
	// stands for the record a poll gave under that id until a poll that
	// began after it.
	Alarm Alarm
	// Cleared says the event ends the alarm: it leaves the active alarms.
	Cleared bool
}

// SortDevices orders devices by site, name and MAC, so expositions are
// stable.
func SortDevices(ds []Device) { slices.SortFunc(ds, CompareDevices) }

// CompareDevices is SortDevices' order.
func CompareDevices(a, b Device) int {
	return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Name, b.Name), cmp.Compare(a.MAC, b.MAC))
}

// SortClientCounts orders client counts by their labels.
func SortClientCounts(cs []ClientCount) {
	slices.SortFunc(cs, func(a, b ClientCount) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.SSID, b.SSID), cmp.Compare(a.Band, b.Band))
	})
}

// SortAlarmCounts orders alarm counts by their labels.
func SortAlarmCounts(as []AlarmCount) {
	slices.SortFunc(as, func(a, b AlarmCount) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Device, b.Device),
			cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Category, b.Category))
	})
}

// DeviceState is what a vendor pushed about one device between polls (a
// stream's frame, a webhook's event): whether it is up, and when that was
// so.
type DeviceState struct {
	MAC string
	Up  bool
	At  time.Time
}
