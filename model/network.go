package model

import (
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"
)

// The wired, WAN, radio and service-level records. A nil value is one the
// API did not report: it is not exported, where 0 would read as a reading.

// Radio is one enabled radio of an access point; Band is 2.4, 5 or 6.
type Radio struct {
	Device, Band     string
	Channel          *float64 `json:",omitempty"`
	BandwidthHertz   *float64 `json:",omitempty"`
	TransmitPowerDBm *float64 `json:",omitempty"`
	NoiseFloorDBm    *float64 `json:",omitempty"`
	Clients          *float64 `json:",omitempty"`
	// Utilization is airtime used (0..1) by kind.
	Utilization Utilization `json:",omitzero"`
}

// UtilizationKind is a kind of a radio's airtime.
type UtilizationKind uint8

// The kinds of airtime, as nms_ap_radio_utilization_ratio's kind label
// names them.
const (
	UtilizationAll UtilizationKind = iota
	UtilizationTx
	UtilizationRxInBSS
	UtilizationRxOtherBSS
	UtilizationNonWiFi
	numUtilizationKinds
)

var utilizationNames = [numUtilizationKinds]string{"all", "tx", "rx_in_bss", "rx_other_bss", "non_wifi"}

// String is the kind's label value.
func (k UtilizationKind) String() string {
	if k < numUtilizationKinds {
		return utilizationNames[k]
	}
	return fmt.Sprintf("UtilizationKind(%d)", uint8(k))
}

// Utilization is a radio's airtime used (0..1) by kind, for the kinds the
// vendor reported. It is held in place: a map for each of the tens of
// thousands of radios of a large organisation cost a fifth of its data.
// It reads and writes as the JSON object a map of the kinds' names would.
type Utilization struct {
	ratio [numUtilizationKinds]float64
	set   uint8 // bit k: kind k reported
}

// With returns u with kind k at v.
func (u Utilization) With(k UtilizationKind, v float64) Utilization {
	u.Set(k, v)
	return u
}

// Set reports kind k at v.
func (u *Utilization) Set(k UtilizationKind, v float64) {
	u.ratio[k] = v
	u.set |= 1 << k
}

// Len is the number of kinds reported.
func (u Utilization) Len() int {
	n := 0
	for k := range numUtilizationKinds {
		if u.set&(1<<k) != 0 {
			n++
		}
	}
	return n
}

// IsZero reports whether no kind is reported.
func (u Utilization) IsZero() bool { return u.set == 0 }

// All yields the kinds reported, by label value, with their ratios.
func (u Utilization) All() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for k := range numUtilizationKinds {
			if u.set&(1<<k) != 0 && !yield(utilizationNames[k], u.ratio[k]) {
				return
			}
		}
	}
}

func (u Utilization) asMap() map[string]float64 {
	m := make(map[string]float64, u.Len())
	for name, v := range u.All() {
		m[name] = v
	}
	return m
}

// String writes u as fmt writes a map.
func (u Utilization) String() string { return fmt.Sprint(u.asMap()) }

// MarshalJSON implements json.Marshaler.
func (u Utilization) MarshalJSON() ([]byte, error) { return json.Marshal(u.asMap()) }

// UnmarshalJSON implements json.Unmarshaler; a kind it does not know is an
// error.
func (u *Utilization) UnmarshalJSON(b []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*u = Utilization{}
	for name, v := range m {
		k := slices.Index(utilizationNames[:], name)
		if k < 0 {
			return fmt.Errorf("utilization: unknown kind %q (want one of %s)", name, strings.Join(utilizationNames[:], ", "))
		}
		u.Set(UtilizationKind(k), v)
	}
	return nil
}

// DeviceHealth is what a device reports of its own resources.
type DeviceHealth struct {
	Device string
	// CPU and Memory are utilization ratios, 0..1.
	CPU          *float64      `json:",omitempty"`
	Memory       *float64      `json:",omitempty"`
	Temperatures []Temperature `json:",omitempty"`
	Components   []Component   `json:",omitempty"`
}

// Temperature is the reading of one sensor, in degrees Celsius.
type Temperature struct {
	Sensor  string
	Celsius float64
}

// Component is one power supply or fan of a chassis member.
type Component struct {
	// Member is the chassis member (fpc0, fpc1, ...), Kind psu or fan.
	Member, Kind, Name string
	OK                 bool
}

// Interface is one wired port. Device is the device's name.
type Interface struct {
	Device, Interface, Site string
	Up                      *bool    `json:",omitempty"`
	SpeedBytes              *float64 `json:",omitempty"` // bytes per second
	ReceiveBytes            *float64 `json:",omitempty"`
	TransmitBytes           *float64 `json:",omitempty"`
	ReceiveErrors           *float64 `json:",omitempty"`
	TransmitErrors          *float64 `json:",omitempty"`
	PoEWatts                *float64 `json:",omitempty"`
	// Neighbor and NeighborInterface name the LLDP neighbour; an empty
	// Neighbor is none.
	Neighbor, NeighborInterface string
}

// Peer is one VPN path, tunnel or BGP session of a device; Peer names it
// uniquely on the device.
type Peer struct {
	Device, Peer, Site string
	Up                 bool
	// ReceivedPrefixes is a BGP session's; nil for others.
	ReceivedPrefixes *float64 `json:",omitempty"`
}

// SLE is one site's service-level ratio for one metric of one family
// (wifi, wired, wan).
type SLE struct {
	Site, SLE, Metric string
	Ratio             float64
}
