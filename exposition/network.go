package exposition

import "github.com/nmsexporter/nms_exporter/model"

// The wired, WAN, radio and service-level families every vendor that offers
// them shares.
var (
	InterfaceUp = NewFamily("interface_up", "1 when the interface's link is up, else 0, for the interfaces the source's filter keeps.",
		"device", "interface", "site")
	InterfaceSpeed = NewFamily("interface_speed_bytes", "Negotiated interface speed, in bytes per second.",
		"device", "interface")
	InterfaceReceiveBytes = NewCounter("interface_receive_bytes_total", "Bytes received on the interface, as the vendor counts them.",
		"device", "interface")
	InterfaceTransmitBytes = NewCounter("interface_transmit_bytes_total", "Bytes sent on the interface, as the vendor counts them.",
		"device", "interface")
	InterfaceReceiveErrors = NewCounter("interface_receive_errors_total", "Receive errors on the interface, as the vendor counts them.",
		"device", "interface")
	InterfaceTransmitErrors = NewCounter("interface_transmit_errors_total", "Transmit errors on the interface, as the vendor counts them.",
		"device", "interface")
	InterfacePoEPower = NewFamily("interface_poe_power_watts", "PoE power drawn on the interface, in watts.",
		"device", "interface")
	InterfaceNeighborInfo = NewFamily("interface_neighbor_info", "The interface's LLDP neighbour (CDP on Prime), value 1.",
		"device", "interface", "neighbor", "neighbor_interface")

	VPNPeerUp               = NewFamily("vpn_peer_up", "1 when the VPN path to the peer is up, else 0.", "device", "peer", "site")
	TunnelUp                = NewFamily("tunnel_up", "1 when the tunnel is up, else 0.", "device", "peer", "site")
	BGPPeerUp               = NewFamily("bgp_peer_up", "1 when the BGP session is established, else 0.", "device", "peer", "site")
	BGPPeerReceivedPrefixes = NewFamily("bgp_peer_received_prefixes", "Prefixes received from the BGP peer.",
		"device", "peer")

	SLERatio = NewFamily("sle_ratio", "Share of user-minutes meeting the service-level metric over the vendor's window, 0..1.",
		"site", "sle", "metric")

	APRadioChannel       = NewFamily("ap_radio_channel", "The radio's channel.", "device", "band")
	APRadioBandwidth     = NewFamily("ap_radio_bandwidth_hertz", "The radio's channel width, in hertz.", "device", "band")
	APRadioTransmitPower = NewFamily("ap_radio_transmit_power_dbm", "The radio's transmit power, in dBm.", "device", "band")
	APRadioNoiseFloor    = NewFamily("ap_radio_noise_floor_dbm", "The noise floor the radio hears, in dBm.", "device", "band")
	APRadioClients       = NewFamily("ap_radio_clients", "Clients connected to the radio.", "device", "band")
	APRadioUtilization   = NewFamily("ap_radio_utilization_ratio",
		"Airtime used on the radio's channel, 0..1, by kind: all, tx, rx_in_bss, rx_other_bss, non_wifi.", "device", "band", "kind")

	DeviceCPU         = NewFamily("device_cpu_utilization_ratio", "CPU busy, 0..1.", "device")
	DeviceMemory      = NewFamily("device_memory_utilization_ratio", "Memory in use, 0..1.", "device")
	DeviceTemperature = NewFamily("device_temperature_celsius", "A temperature sensor's reading, in degrees Celsius.", "device", "sensor")
	DeviceComponentOK = NewFamily("device_component_ok",
		"1 when a power supply or fan of a chassis member reports ok, else 0; component is psu or fan.",
		"device", "member", "component", "name")
)

// setGauge emits v unless it is nil: a reading the API did not report.
func setGauge(out *Sink, f *Family, v *float64, labels ...string) {
	if v != nil {
		out.Gauge(f, *v, labels...)
	}
}

// Radios emits the radio families.
func Radios(out *Sink, radios []model.Radio) {
	for _, r := range radios {
		setGauge(out, APRadioChannel, r.Channel, r.Device, r.Band)
		setGauge(out, APRadioBandwidth, r.BandwidthHertz, r.Device, r.Band)
		setGauge(out, APRadioTransmitPower, r.TransmitPowerDBm, r.Device, r.Band)
		setGauge(out, APRadioNoiseFloor, r.NoiseFloorDBm, r.Device, r.Band)
		setGauge(out, APRadioClients, r.Clients, r.Device, r.Band)
		for kind, v := range r.Utilization.All() {
			out.Gauge(APRadioUtilization, v, r.Device, r.Band, kind)
		}
	}
}

// DeviceHealths emits the CPU, memory, temperature and component families.
func DeviceHealths(out *Sink, hs []model.DeviceHealth) {
	for _, h := range hs {
		setGauge(out, DeviceCPU, h.CPU, h.Device)
		setGauge(out, DeviceMemory, h.Memory, h.Device)
		for _, t := range h.Temperatures {
			out.Gauge(DeviceTemperature, t.Celsius, h.Device, t.Sensor)
		}
		for _, c := range h.Components {
			out.Gauge(DeviceComponentOK, BoolValue(c.OK), h.Device, c.Member, c.Kind, c.Name)
		}
	}
}

// Interfaces emits the interface families.
func Interfaces(out *Sink, ifs []model.Interface) {
	for _, i := range ifs {
		if i.Up != nil {
			out.Gauge(InterfaceUp, BoolValue(*i.Up), i.Device, i.Interface, i.Site)
		}
		setGauge(out, InterfaceSpeed, i.SpeedBytes, i.Device, i.Interface)
		setGauge(out, InterfaceReceiveBytes, i.ReceiveBytes, i.Device, i.Interface)
		setGauge(out, InterfaceTransmitBytes, i.TransmitBytes, i.Device, i.Interface)
		setGauge(out, InterfaceReceiveErrors, i.ReceiveErrors, i.Device, i.Interface)
		setGauge(out, InterfaceTransmitErrors, i.TransmitErrors, i.Device, i.Interface)
		setGauge(out, InterfacePoEPower, i.PoEWatts, i.Device, i.Interface)
		if i.Neighbor != "" {
			out.Gauge(InterfaceNeighborInfo, 1, i.Device, i.Interface, i.Neighbor, i.NeighborInterface)
		}
	}
}

// Peers emits f, one of the VPN peer, tunnel and BGP peer families, and for
// BGP the received prefixes.
func Peers(out *Sink, f *Family, peers []model.Peer) {
	for _, p := range peers {
		out.Gauge(f, BoolValue(p.Up), p.Device, p.Peer, p.Site)
		setGauge(out, BGPPeerReceivedPrefixes, p.ReceivedPrefixes, p.Device, p.Peer)
	}
}

// SLEs emits the service-level ratios.
func SLEs(out *Sink, sles []model.SLE) {
	for _, s := range sles {
		out.Gauge(SLERatio, s.Ratio, s.Site, s.SLE, s.Metric)
	}
}
