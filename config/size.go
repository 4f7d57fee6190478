package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Size is a number of bytes written as Prometheus writes sizes: 512KiB,
// 64MiB, 1GiB, or a plain number of bytes. KB, MB and GB mean the same as
// KiB, MiB and GiB, as in Prometheus's body_size_limit.
type Size int64

// sizeUnits are the suffixes a Size takes, longest first.
var sizeUnits = []struct {
	suffix string
	n      int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1},
}

// UnmarshalYAML implements yaml.Unmarshaler, naming the line of a bad value.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a size such as 64MiB", n.Line)
	}
	v, ok := parseSize(n.Value)
	if !ok {
		return fmt.Errorf("line %d: invalid size %q: want a number of bytes, or one with KiB, MiB or GiB such as 64MiB", n.Line, n.Value)
	}
	*s = Size(v)
	return nil
}

func parseSize(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	unit := int64(1)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, unit = strings.TrimSpace(num), u.n
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return 0, false
	}
	return n * unit, true
}

// MarshalYAML implements yaml.Marshaler.
func (s Size) MarshalYAML() (any, error) { return s.String(), nil }

// String writes the size in the largest unit that divides it.
func (s Size) String() string {
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if s != 0 && int64(s)%u.n == 0 {
			return strconv.FormatInt(int64(s)/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(s), 10)
}
