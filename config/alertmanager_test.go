package config

import (
	"testing"
)

const amHead = "alertmanager:\n  urls: [http://alertmanager:9093]\n"

func TestAlertmanagerDefaults(t *testing.T) {
	c := mustParse(t, amHead, "am.yml")
	a := c.Alertmanager
	if a.Mode != ModeAlarms || a.Acknowledged != AckLabel || a.MaxAlertsPerSource != DefaultMaxAlertsPerSource {
		t.Errorf("defaults = mode %q, acknowledged %q, max_alerts_per_source %d; want alarms, label, %d",
			a.Mode, a.Acknowledged, a.MaxAlertsPerSource, DefaultMaxAlertsPerSource)
	}
	c = mustParse(t, amHead+"  mode: aggregated\n  max_alerts_per_source: 200\n", "am.yml")
	if a := c.Alertmanager; a.Mode != ModeAggregated || a.MaxAlertsPerSource != 200 {
		t.Errorf("mode, max_alerts_per_source = %q, %d; want aggregated, 200", a.Mode, a.MaxAlertsPerSource)
	}
	c, err := Parse([]byte(amHead+"  acknowledged: silence\n"), "am.yml")
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
			_ = wantParseError(t, amHead+"  "+tc.lines+"\n", "am.yml", tc.want)
		})
	}
}
