package primesource_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/sim/primesim"
)

// TestPrimeRadioFamilies: the cross-vendor radio families show each radio
// of a reachable AP as the simulator has it, on the AP's device name and
// the band as the exporter spells it.
func TestPrimeRadioFamilies(t *testing.T) {
	sim := newSim(t, primesim.Options{Seed: 11, Size: "small", RateLimit: -1})
	got := scrapedValues(t, refreshedSource(t, sim, ""))
	devices := map[string]bool{}
	for labels := range got["nms_device_info"] {
		for _, p := range splitLabels(labels) {
			if p[0] == "device" {
				devices[p[1]] = true
			}
		}
	}
	want := map[string]map[string]float64{}
	add := func(family, labels string, v float64) {
		if want[family] == nil {
			want[family] = map[string]float64{}
		}
		want[family][labels] = v
	}
	up := 0
	for _, r := range sim.Radios() {
		if !r.Up {
			continue
		}
		up++
		if !devices[r.AP] {
			t.Errorf("radio of %s, which nms_device_info does not list", r.AP)
		}
		band := map[string]string{"2.4 GHz": "2.4", "5 GHz": "5"}[r.Band]
		l := fmt.Sprintf("band=%s,device=%s", band, r.AP)
		add("nms_ap_radio_channel", l, float64(r.Channel))
		add("nms_ap_radio_bandwidth_hertz", l, float64(r.WidthMHz)*1e6)
		add("nms_ap_radio_transmit_power_dbm", l, float64(r.TxPowerDBm))
		add("nms_ap_radio_clients", l, float64(r.Clients))
		add("nms_ap_radio_utilization_ratio", l+",kind=all", float64(r.ChannelUtilization)/100)
		add("nms_ap_radio_utilization_ratio", l+",kind=tx", float64(r.TxUtilization)/100)
	}
	for family, w := range want {
		if fmt.Sprint(got[family]) != fmt.Sprint(w) {
			t.Errorf("%s = %d series; want %d:\n%v\nwant\n%v", family, len(got[family]), len(w), got[family], w)
		}
	}
	if n := got["nms_collection_items"]["collection=radios"]; int(n) != up || up == 0 {
		t.Errorf("radios items = %v; want the %d radios of the reachable APs", n, up)
	}
	if len(got["nms_ap_radio_noise_floor_dbm"]) != 0 {
		t.Errorf("nms_ap_radio_noise_floor_dbm = %v; want none: Prime's radio resources carry no noise floor", got["nms_ap_radio_noise_floor_dbm"])
	}
}

// splitLabels undoes labelText: name and value pairs.
func splitLabels(labels string) [][2]string {
	var out [][2]string
	for _, p := range strings.Split(labels, ",") {
		name, value, _ := strings.Cut(p, "=")
		out = append(out, [2]string{name, value})
	}
	return out
}
