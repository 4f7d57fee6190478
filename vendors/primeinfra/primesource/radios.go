package primesource

import (
	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra"
)

var primeRadios = collector.NewKey[*primeinfra.Radios]("radios")

// renderRadios emits the cross-vendor radio families, as Mist's render
// does.
func renderRadios(out *exposition.Sink, d collector.Data) {
	if r, ok := collector.Get(d, primeRadios); ok {
		exposition.Radios(out, r.Radios)
	}
}
