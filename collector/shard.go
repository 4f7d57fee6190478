package collector

import (
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/internal/sharding"
)

// Shard returns the shard whose sources the manager runs.
func (m *Manager) Shard() sharding.Shard { return m.opts.Shard }

// Elsewhere reports whether the config in force has a source of this name
// that another shard polls, and which.
func (m *Manager) Elsewhere(name string) (shard int, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.elsewhere[name] {
		return 0, false
	}
	return m.opts.Shard.Owner(name), true
}

// Configured returns how many sources the config in force has, this
// shard's and the others'.
func (m *Manager) Configured() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.running) + len(m.elsewhere)
}

// warnDescribedElsewhere says which of the sources src describes another
// shard polls: src compares itself only with the sources running beside
// it, so a source of truth is still polled once, by its own shard, and
// has no drift series for those.
func (m *Manager) warnDescribedElsewhere(src *Source, elsewhere map[string]bool) {
	var others []string
	for _, name := range src.dependsOn {
		if elsewhere[name] {
			others = append(others, name)
		}
	}
	if len(others) == 0 {
		return
	}
	slices.Sort(others)
	m.opts.Logger.Warn("the source describes sources other shards poll: it has no drift series for them",
		"target", src.Name, "shard", m.opts.Shard.String(), "elsewhere", others)
}

var (
	shardInfoDesc = desc("exporter_shard_info",
		"The shard this exporter is (0-based) and how many there are: it polls the configured sources whose names hash to its shard. Value 1.",
		"shard", "total_shards")
	sourcesDesc = desc("exporter_sources",
		"Sources this exporter polls: every configured source, or with more than one shard those of its own.")
)

// ShardCollector exposes on /metrics which shard the exporter is and how
// many sources it polls.
type ShardCollector struct{ Manager *Manager }

// Describe implements prometheus.Collector.
func (c ShardCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- shardInfoDesc
	ch <- sourcesDesc
}

// Collect implements prometheus.Collector.
func (c ShardCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.Manager.Shard()
	ch <- prometheus.MustNewConstMetric(shardInfoDesc, prometheus.GaugeValue, 1,
		strconv.Itoa(s.Index), strconv.Itoa(max(s.Total, 1)))
	c.Manager.mu.RLock()
	n := len(c.Manager.running)
	c.Manager.mu.RUnlock()
	ch <- prometheus.MustNewConstMetric(sourcesDesc, prometheus.GaugeValue, float64(n))
}
