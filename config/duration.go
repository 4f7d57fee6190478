package config

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as Prometheus writes them: 30s, 5m,
// 1h, 1d.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler. It takes the node so that a bad
// value's error can name its line, which yaml.v3 does not add itself.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a duration such as 30s or 5m", n.Line)
	}
	v, err := model.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: invalid duration %q: want a number and a unit such as 30s, 5m or 1h", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// String writes the duration as it would be written in the file.
func (d Duration) String() string { return model.Duration(d).String() }
