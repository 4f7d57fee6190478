package primesource

import (
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra"
)

// primeControllers is the controllers collection: WlanControllers joined
// with WlanControllerDetails.
var primeControllers = collector.NewKey[*primeinfra.Controllers]("controllers")

// The wireless controller families.
var (
	primeControllerInfoDesc = exposition.NewFamily("prime_controller_info",
		"A wireless controller Prime manages, value 1: its serial, model, software version, mobility group and RF group.",
		"device", "serial", "model", "version", "mobility_group", "rf_group")
	primeControllerAPsDesc = exposition.NewFamily("prime_controller_aps",
		"Access points joined to the wireless controller, as Prime counts them.", "device")
	primeControllerClientsDesc = exposition.NewFamily("prime_controller_clients",
		"Clients on the wireless controller's access points, as Prime counts them.", "device")
)

// renderControllers emits the controllers' families, and their CPU and
// memory in the families every vendor shares, for those whose details
// carry them.
func renderControllers(out *exposition.Sink, d collector.Data) {
	c, ok := collector.Get(d, primeControllers)
	if !ok {
		return
	}
	var health []model.DeviceHealth
	for _, ctl := range c.Controllers {
		out.Gauge(primeControllerInfoDesc, 1, ctl.Name, ctl.Serial, ctl.Model, ctl.Version, ctl.MobilityGroup, ctl.RFGroup)
		// A controller only the details listed has no counts of Prime's.
		if ctl.Listed {
			out.Gauge(primeControllerAPsDesc, float64(ctl.APs), ctl.Name)
			out.Gauge(primeControllerClientsDesc, float64(ctl.Clients), ctl.Name)
		}
		if ctl.CPU != nil || ctl.Memory != nil {
			health = append(health, model.DeviceHealth{Device: ctl.Name, CPU: ctl.CPU, Memory: ctl.Memory})
		}
	}
	exposition.DeviceHealths(out, health)
}
