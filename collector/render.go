package collector

import "github.com/nmsexporter/nms_exporter/model"

// Cross-vendor data families: one Desc each, shared by every vendor.
var (
	siteInfoDesc   = newFamily("site_info", "One series per site, location or virtual domain.", "site_id", "site")
	deviceInfoDesc = newFamily("device_info", "One series per managed device, value 1.",
		"device", "serial", "mac", "model", "device_type", "site", "version")
	deviceUpDesc = newFamily("device_up", "1 when the device is connected or reachable, else 0.",
		"device", "serial", "device_type", "site")
	deviceUptimeDesc = newFamily("device_uptime_seconds", "Device uptime, where the API reports it.",
		"device", "serial", "site")
	clientsDesc   = newFamily("clients", "Connected wireless clients.", "site", "ssid", "band")
	apClientsDesc = newFamily("ap_clients", "Connected clients per access point.", "device", "site")
	alarmsDesc    = newFamily("alarms_active",
		"Active (not cleared) alarms with these labels; device is empty for site-wide alarms.",
		"site", "device", "severity", "category")
)

// renderDevices emits device info, up, uptime and AP client families.
func renderDevices(out *sink, devices []model.Device) {
	for _, d := range devices {
		out.gauge(deviceInfoDesc, 1, d.Name, d.Serial, d.MAC, d.Model, d.Type, d.Site, d.Version)
		out.gauge(deviceUpDesc, boolValue(d.Up), d.Name, d.Serial, d.Type, d.Site)
		// Uptime 0 is a device the API reports no uptime for.
		if d.Up && d.Uptime > 0 {
			out.gauge(deviceUptimeDesc, d.Uptime, d.Name, d.Serial, d.Site)
		}
		if d.Clients >= 0 {
			out.gauge(apClientsDesc, float64(d.Clients), d.Name, d.Site)
		}
	}
}

func renderClients(out *sink, counts []model.ClientCount) {
	for _, c := range counts {
		out.gauge(clientsDesc, float64(c.Count), c.Site, c.SSID, c.Band)
	}
}

func renderAlarms(out *sink, counts []model.AlarmCount) {
	for _, a := range counts {
		out.gauge(alarmsDesc, float64(a.Count), a.Site, a.Device, a.Severity, a.Category)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
