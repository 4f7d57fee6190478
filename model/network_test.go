package model

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUtilizationJSON: a radio's utilization is saved in state files as
// the object a map of the kinds' names made before it was held in place,
// byte for byte, so that state saved by either reads back in the other;
// none reported is left out, and a kind not known is refused by name.
func TestUtilizationJSON(t *testing.T) {
	ch := 6.0
	type before struct { // the record as it was, its utilization a map
		Device, Band     string
		Channel          *float64           `json:",omitempty"`
		BandwidthHertz   *float64           `json:",omitempty"`
		TransmitPowerDBm *float64           `json:",omitempty"`
		NoiseFloorDBm    *float64           `json:",omitempty"`
		Clients          *float64           `json:",omitempty"`
		Utilization      map[string]float64 `json:",omitempty"`
	}
	for _, tc := range []struct {
		name string
		now  Radio
		was  before
	}{
		{"every kind",
			Radio{Device: "ap-1", Band: "5", Channel: &ch, Utilization: Utilization{}.With(UtilizationNonWiFi, 0.01).
				With(UtilizationAll, 0.41).With(UtilizationRxOtherBSS, 0.1).With(UtilizationTx, 0.03).With(UtilizationRxInBSS, 0.2)},
			before{Device: "ap-1", Band: "5", Channel: &ch, Utilization: map[string]float64{"all": 0.41, "tx": 0.03, "rx_in_bss": 0.2,
				"rx_other_bss": 0.1, "non_wifi": 0.01}}},
		{"one at 0", Radio{Device: "ap-1", Band: "2.4", Channel: &ch, Utilization: Utilization{}.With(UtilizationTx, 0)},
			before{Device: "ap-1", Band: "2.4", Channel: &ch, Utilization: map[string]float64{"tx": 0}}},
		{"none", Radio{Device: "ap-2", Band: "6", Channel: &ch}, before{Device: "ap-2", Band: "6", Channel: &ch}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.now)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tc.was)
			if string(got) != string(want) {
				t.Errorf("saved as %s; want %s", got, want)
			}
			var back Radio
			if err := json.Unmarshal(want, &back); err != nil || back.Utilization != tc.now.Utilization {
				t.Errorf("read back as %v, %v; want %v", back.Utilization, err, tc.now.Utilization)
			}
		})
	}
	var r Radio
	if err := json.Unmarshal([]byte(`{"Device": "ap-1", "Utilization": {"all": 0.5, "rx": 0.2}}`), &r); err == nil || !strings.Contains(err.Error(), `"rx"`) {
		t.Errorf("an unknown kind read as %v, %v; want an error naming it", r.Utilization, err)
	}
}

// TestUtilizationKinds: the kinds reported are given in a fixed order, by
// the label values of nms_ap_radio_utilization_ratio's kind.
func TestUtilizationKinds(t *testing.T) {
	u := Utilization{}.With(UtilizationNonWiFi, 0.01).With(UtilizationAll, 0.5).With(UtilizationRxInBSS, 0.2)
	var got []string
	for kind := range u.All() {
		got = append(got, kind)
	}
	if strings.Join(got, ",") != "all,rx_in_bss,non_wifi" || u.Len() != 3 {
		t.Errorf("kinds = %v, Len %d; want all, rx_in_bss, non_wifi", got, u.Len())
	}
	if u.String() != "map[all:0.5 non_wifi:0.01 rx_in_bss:0.2]" {
		t.Errorf("String() = %s; want it written as a map", u)
	}
}
