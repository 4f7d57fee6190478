package exposition

import "github.com/nmsexporter/nms_exporter/model"

// The data families every vendor shares.
var (
	SiteInfo   = NewFamily("site_info", "One series per site, location or virtual domain.", "site_id", "site")
	DeviceInfo = NewFamily("device_info", "One series per managed device, value 1.",
		"device", "serial", "mac", "model", "device_type", "site", "version")
	DeviceUp = NewFamily("device_up", "1 when the device is connected or reachable, else 0.",
		"device", "serial", "device_type", "site")
	DeviceUptime = NewFamily("device_uptime_seconds", "Device uptime, where the API reports it.",
		"device", "serial", "site")
	ClientsFamily = NewFamily("clients", "Connected wireless clients.", "site", "ssid", "band")
	APClients     = NewFamily("ap_clients", "Connected clients per access point.", "device", "site")
	AlarmsActive  = NewFamily("alarms_active",
		"Active (not cleared) alarms with these labels; device is empty for site-wide alarms.",
		"site", "device", "severity", "category")
)

// Devices emits the device info, up, uptime and AP client families.
func Devices(out *Sink, devices []model.Device) {
	for _, d := range devices {
		out.Gauge(DeviceInfo, 1, d.Name, d.Serial, d.MAC, d.Model, d.Type, d.Site, d.Version)
		out.Gauge(DeviceUp, BoolValue(d.Up), d.Name, d.Serial, d.Type, d.Site)
		// Uptime 0 is a device the API reports no uptime for.
		if d.Up && d.Uptime > 0 {
			out.Gauge(DeviceUptime, d.Uptime, d.Name, d.Serial, d.Site)
		}
		if d.Clients >= 0 {
			out.Gauge(APClients, float64(d.Clients), d.Name, d.Site)
		}
	}
}

// Clients emits the wireless client counts.
func Clients(out *Sink, counts []model.ClientCount) {
	for _, c := range counts {
		out.Gauge(ClientsFamily, float64(c.Count), c.Site, c.SSID, c.Band)
	}
}

// Alarms emits the active alarm counts.
func Alarms(out *Sink, counts []model.AlarmCount) {
	for _, a := range counts {
		out.Gauge(AlarmsActive, float64(a.Count), a.Site, a.Device, a.Severity, a.Category)
	}
}

// BoolValue is 1 for true and 0 for false.
func BoolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
