// Package sharding splits the configured sources among replicas of the
// exporter, so that together they poll each source exactly once: a
// replica keeps the sources whose names hash to its shard. The hash is
// kube-state-metrics' (FNV-1a of the name, then Lamping and Veach's jump
// consistent hash), the same on every replica, restart and version.
package sharding

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one replica's place among Total: it polls the sources whose
// names hash to Index. The zero value, like Total 1, keeps every source.
type Shard struct {
	Index int // 0-based
	Total int
}

// Validate says what is wrong with the shard, in the flags' words.
func (s Shard) Validate() error {
	switch {
	case s.Total < 1:
		return fmt.Errorf("--total-shards=%d: there must be at least one shard", s.Total)
	case s.Index < 0:
		return fmt.Errorf("--shard=%d: shards are numbered from 0", s.Index)
	case s.Index >= s.Total:
		return fmt.Errorf("--shard=%d is not below --total-shards=%d: shards are numbered from 0 to %d", s.Index, s.Total, s.Total-1)
	}
	return nil
}

// Sharded reports whether the sources are split at all.
func (s Shard) Sharded() bool { return s.Total > 1 }

// Owner returns the shard that polls the source of this name.
func (s Shard) Owner(name string) int {
	if !s.Sharded() {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return jump(h.Sum64(), s.Total)
}

// Owns reports whether this shard polls the source of this name.
func (s Shard) Owns(name string) bool { return s.Owner(name) == s.Index }

// String names the shard as the pages do: "1 of 3" (0-based).
func (s Shard) String() string {
	return fmt.Sprintf("%d of %d", s.Index, max(s.Total, 1))
}

// jump is the jump consistent hash (Lamping and Veach, "A Fast, Minimal
// Memory, Consistent Hash Algorithm", 2014): when the shards go from n to
// n+1, a key either stays or moves to the new shard n. So scaling down
// from 3 to 2 moves only shard 2's sources, and the others keep their
// replica, its saved state and its budget counts.
func jump(key uint64, buckets int) int {
	b, j := int64(-1), int64(0)
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// FromHostname returns the ordinal a StatefulSet gives its pod, the
// number after the last "-" of its name: a pod's hostname is its name, so
// nms-exporter-2 is shard 2.
func FromHostname(host string) (int, error) {
	// A hostname may be given fully qualified; the pod's name is its first
	// label.
	name, _, _ := strings.Cut(host, ".")
	i := strings.LastIndexByte(name, '-')
	digits := name[i+1:]
	n, err := strconv.Atoi(digits)
	if i < 0 || digits == "" || strings.Trim(digits, "0123456789") != "" || err != nil {
		return 0, fmt.Errorf("hostname %q does not end in -<ordinal> as a StatefulSet pod's (name-0, name-1, ...) does", host)
	}
	return n, nil
}
