package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Size is a number of bytes, written as a number or with a unit: 512KiB,
// 16MiB, 1GiB (powers of 1024), or kB, MB, GB (powers of 1000).
type Size int64

var units = []struct {
	suffix string
	n      int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}

// UnmarshalYAML reads a size.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	v := strings.TrimSpace(n.Value)
	mult := int64(1)
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = strings.TrimSpace(num), u.n
			break
		}
	}
	x, err := strconv.ParseInt(v, 10, 64)
	if err != nil || x < 0 || x > (1<<62)/mult {
		return fmt.Errorf("line %d: %q is not a size such as 16MiB", n.Line, n.Value)
	}
	*s = Size(x * mult)
	return nil
}

func (s Size) String() string { return strconv.FormatInt(int64(s), 10) + "B" }

// Duration is a duration written as Go writes them: 10s, 5m, 1h30m.
type Duration time.Duration

// UnmarshalYAML reads a duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration such as 10s or 5m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) String() string { return time.Duration(d).String() }
