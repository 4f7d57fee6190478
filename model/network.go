package model

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
	// Utilization is airtime used (0..1) by kind: all, tx, rx_in_bss,
	// rx_other_bss, non_wifi.
	Utilization map[string]float64 `json:",omitempty"`
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
