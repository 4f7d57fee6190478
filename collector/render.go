package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// Cross-vendor data families: one Desc each, shared by every vendor.
var (
	siteInfoDesc   = desc("site_info", "One series per site, location or virtual domain.", "site_id", "site")
	deviceInfoDesc = desc("device_info", "One series per managed device, value 1.",
		"device", "serial", "mac", "model", "device_type", "site", "version")
	deviceUpDesc = desc("device_up", "1 when the device is connected or reachable, else 0.",
		"device", "serial", "device_type", "site")
	deviceUptimeDesc = desc("device_uptime_seconds", "Device uptime, where the API reports it.",
		"device", "serial", "site")
	clientsDesc   = desc("clients", "Connected wireless clients.", "site", "ssid", "band")
	apClientsDesc = desc("ap_clients", "Connected clients per access point.", "device", "site")
	alarmsDesc    = desc("alarms_active",
		"Active (not cleared) alarms with these labels; device is empty for site-wide alarms.",
		"site", "device", "severity", "category")
)

// crossVendorDescs are the data families every vendor may emit.
var crossVendorDescs = []*prometheus.Desc{
	siteInfoDesc, deviceInfoDesc, deviceUpDesc, deviceUptimeDesc, clientsDesc, apClientsDesc, alarmsDesc,
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// renderDevices emits device info, up, uptime and AP client families.
func renderDevices(ch chan<- prometheus.Metric, devices []vendors.Device) {
	for _, d := range devices {
		gauge(ch, deviceInfoDesc, 1, d.Name, d.Serial, d.MAC, d.Model, d.Type, d.Site, d.Version)
		gauge(ch, deviceUpDesc, boolValue(d.Up), d.Name, d.Serial, d.Type, d.Site)
		if d.Up {
			gauge(ch, deviceUptimeDesc, d.Uptime, d.Name, d.Serial, d.Site)
		}
		if d.Clients >= 0 {
			gauge(ch, apClientsDesc, float64(d.Clients), d.Name, d.Site)
		}
	}
}

func renderClients(ch chan<- prometheus.Metric, counts []vendors.ClientCount) {
	for _, c := range counts {
		gauge(ch, clientsDesc, float64(c.Count), c.Site, c.SSID, c.Band)
	}
}

func renderAlarms(ch chan<- prometheus.Metric, counts []vendors.AlarmCount) {
	for _, a := range counts {
		gauge(ch, alarmsDesc, float64(a.Count), a.Site, a.Device, a.Severity, a.Category)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
