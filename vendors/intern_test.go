package vendors

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/nmsexporter/nms_exporter/model"
)

// TestShareAlarmStrings: alarms' equal values of the repeated fields end
// up sharing one copy, each unchanged; ids and texts are left their own.
func TestShareAlarmStrings(t *testing.T) {
	// Each a copy of its own, as JSON decoding makes them.
	fresh := func(s string) string { return strings.Clone(s) }
	as := make([]model.Alarm, 3)
	for i := range as {
		as[i] = model.Alarm{ID: fresh("id"), Site: fresh("HQ"), Device: fresh("sw-1"), Severity: fresh("major"),
			VendorSeverity: fresh("MAJOR"), Category: fresh("Routers"), Type: fresh("LINK_DOWN"), Text: fresh("Port down."),
			AckedBy: fresh("Joe"), URL: fresh("https://pi.example.com")}
	}
	before := as[2]
	ShareAlarmStrings(as)
	if as[2] != before {
		t.Errorf("ShareAlarmStrings changed %+v into %+v", before, as[2])
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	for _, f := range []func(model.Alarm) string{
		func(a model.Alarm) string { return a.Site }, func(a model.Alarm) string { return a.Device },
		func(a model.Alarm) string { return a.Severity }, func(a model.Alarm) string { return a.VendorSeverity },
		func(a model.Alarm) string { return a.Category }, func(a model.Alarm) string { return a.Type },
		func(a model.Alarm) string { return a.AckedBy }, func(a model.Alarm) string { return a.URL },
	} {
		if !same(f(as[0]), f(as[2])) {
			t.Errorf("%q is held twice after ShareAlarmStrings", f(as[0]))
		}
	}
	if same(as[0].ID, as[2].ID) || same(as[0].Text, as[2].Text) {
		t.Errorf("ids or texts shared; want each alarm's own")
	}
}
