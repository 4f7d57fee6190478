package model

import (
	"cmp"
	"slices"
	"time"
)

// Alarm is one active vendor alarm, as its source last heard of it: from
// its last poll, or from a webhook since. Lists of alarms are shared by
// whoever reads them and never changed once made.
//
// A source's large lists hold tens of thousands of these, so the strings
// that repeat from alarm to alarm (site, device, severities, category,
// type, URL) share their bytes: each vendor's list is built with one copy
// of each distinct value (vendors.ShareAlarmStrings).
type Alarm struct {
	// ID is the vendor's alarm id, unique within a source: what makes a
	// webhook's event and a poll's record of the same alarm one alarm.
	ID string `json:",omitempty"`
	// Site and Device are where the alarm is; Device is empty for an
	// alarm of a whole site, Site where the vendor's data does not say.
	Site   string `json:",omitempty"`
	Device string `json:",omitempty"`
	// Severity is on the exporter's scale: critical, major, minor,
	// warning or info. VendorSeverity is the vendor's own word for it.
	Severity       string `json:",omitempty"`
	VendorSeverity string `json:",omitempty"`
	// Category is the vendor's group of alarm types, as the category
	// label of nms_alarms_active shows it.
	Category string `json:",omitempty"`
	// Type is the vendor's alarm type or condition.
	Type string `json:",omitempty"`
	// Text is the vendor's message; empty when it gives none.
	Text string `json:",omitempty"`
	// StartedAt is when the vendor says the alarm began, UpdatedAt when
	// it last changed or was last seen; zero when the vendor does not say.
	// The times of the vendors' records are in UTC.
	StartedAt time.Time `json:",omitzero"`
	UpdatedAt time.Time `json:",omitzero"`
	// Acked says an operator acknowledged the alarm at the vendor;
	// AckedBy names who and AckedAt says when, where the vendor tells
	// (empty and zero where it does not).
	Acked   bool      `json:",omitempty"`
	AckedBy string    `json:",omitempty"`
	AckedAt time.Time `json:",omitzero"`
	// URL links to the alarm, its device or its source in the vendor's
	// console, as deep as the vendor's documents allow; empty where they
	// give no way to build one.
	URL string `json:",omitempty"`
}

// SortAlarms orders alarms by id, so lists are stable and FindAlarm can
// search them.
func SortAlarms(as []Alarm) {
	slices.SortFunc(as, func(a, b Alarm) int { return cmp.Compare(a.ID, b.ID) })
}

// FindAlarm returns the alarm of a list sorted by SortAlarms with this id.
func FindAlarm(as []Alarm, id string) (Alarm, bool) {
	i, ok := slices.BinarySearchFunc(as, id, func(a Alarm, id string) int { return cmp.Compare(a.ID, id) })
	if !ok {
		return Alarm{}, false
	}
	return as[i], true
}

// CountAlarms counts alarms by the labels of nms_alarms_active (site,
// device, severity, category), sorted by them.
func CountAlarms(as []Alarm) []AlarmCount {
	type key struct{ site, device, severity, category string }
	counts := map[key]int{}
	for _, a := range as {
		counts[key{a.Site, a.Device, a.Severity, a.Category}]++
	}
	out := make([]AlarmCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, AlarmCount{Site: k.site, Device: k.device, Severity: k.severity, Category: k.category, Count: n})
	}
	SortAlarmCounts(out)
	return out
}
