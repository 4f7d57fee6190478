package model

import (
	"fmt"
	"testing"
)

// TestCountAlarms: alarms are counted once each by the labels of
// nms_alarms_active, in their order.
func TestCountAlarms(t *testing.T) {
	as := []Alarm{
		{ID: "3", Site: "HQ", Device: "sw-1", Severity: "major", Category: "infrastructure"},
		{ID: "1", Site: "HQ", Device: "sw-1", Severity: "major", Category: "infrastructure", Type: "other type"},
		{ID: "2", Site: "HQ", Severity: "minor", Category: "infrastructure"},
		{ID: "4", Site: "Annex", Device: "sw-1", Severity: "major", Category: "infrastructure"},
	}
	got := fmt.Sprint(CountAlarms(as))
	want := "[{Annex sw-1 major infrastructure 1} {HQ  minor infrastructure 1} {HQ sw-1 major infrastructure 2}]"
	if got != want {
		t.Errorf("CountAlarms() = %s; want %s", got, want)
	}
	if got := CountAlarms(nil); len(got) != 0 {
		t.Errorf("CountAlarms(nil) = %v; want none", got)
	}
}

// TestFindAlarm: an alarm of a list sorted by SortAlarms is found by its
// id; an id the list lacks is not.
func TestFindAlarm(t *testing.T) {
	as := []Alarm{{ID: "b"}, {ID: "c", Text: "the c"}, {ID: "a"}}
	SortAlarms(as)
	for _, id := range []string{"a", "b", "c"} {
		if a, ok := FindAlarm(as, id); !ok || a.ID != id {
			t.Errorf("FindAlarm(%s) = %+v, %t; want it", id, a, ok)
		}
	}
	if a, _ := FindAlarm(as, "c"); a.Text != "the c" {
		t.Errorf("FindAlarm(c) = %+v; want the c", a)
	}
	if a, ok := FindAlarm(as, "d"); ok {
		t.Errorf("FindAlarm(d) = %+v; want none", a)
	}
}
