package config

import (
	"strings"
	"testing"
)

const amHead = "alertmanager:\n  urls: [http://alertmanager:9093]\n"

func TestAlertmanagerDefaults(t *testing.T) {
	c, err := Parse([]byte(amHead), "am.yml")
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alertmanager
	if a.Mode != ModeAlarms || a.Acknowledged != AckLabel || a.MaxAlertsPerSource != DefaultMaxAlertsPerSource {
		t.Errorf("defaults = mode %q, acknowledged %q, max_alerts_per_source %d; want alarms, label, %d",
			a.Mode, a.Acknowledged, a.MaxAlertsPerSource, DefaultMaxAlertsPerSource)
	}
	c, err = Parse([]byte(amHead+"  mode: aggregated\n  max_alerts_per_source: 200\n"), "am.yml")
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Alertmanager; a.Mode != ModeAggregated || a.MaxAlertsPerSource != 200 {
		t.Errorf("mode, max_alerts_per_source = %q, %d; want aggregated, 200", a.Mode, a.MaxAlertsPerSource)
	}
	c, err = Parse([]byte(amHead+"  acknowledged: silence\n"), "am.yml")
	if err != nil || c.Alertmanager.Acknowledged != AckSilence {
		t.Errorf("Parse(acknowledged: silence) = %v; want silence", err)
	}
}

func TestAlertmanagerErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ name, lines, want string }{
		{"mode", "mode: per_alarm", `am.yml:3: alertmanager.mode: mode "per_alarm" must be alarms or aggregated`},
		{"cap zero", "max_alerts_per_source: 0", "am.yml:3: alertmanager.max_alerts_per_source: max_alerts_per_source 0 must be between 1 and 1000000"},
		{"cap huge", "max_alerts_per_source: 5000000", "alertmanager.max_alerts_per_source: max_alerts_per_source 5000000 must be"},
		{"ack", "acknowledged: hide", `am.yml:3: alertmanager.acknowledged: acknowledged "hide" must be label, resolve or silence`},
		{"ack aggregated", "mode: aggregated\n  acknowledged: silence", "am.yml:4: alertmanager.acknowledged: acknowledged: silence needs mode: alarms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(amHead+"  "+tc.lines+"\n"), "am.yml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%s) = %v; want an error containing %q", tc.lines, err, tc.want)
			}
		})
	}
}
