package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
)

// namespace prefixes every metric the exporter exposes.
const namespace = "nms"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}

// Source health, on every /probe.
var (
	sourceUpDesc = desc("source_up",
		"1 when every enabled collection's last refresh succeeded and the last render kept within limits.series, else 0. Data is served from a cache refreshed in the background.")
	renderSuccessDesc = desc("source_render_success",
		"1 if the last render of the source's data kept within limits.series; on failure the last good render is still served.")
	collectionSuccessDesc = desc("collection_success",
		"1 if the last refresh of this collection succeeded; on failure the last good data is still served.", "collection")
	collectionLastSuccessDesc = desc("collection_last_success_timestamp_seconds",
		"When the collection last refreshed successfully, in unix seconds (0 if never).", "collection")
	collectionDurationDesc = desc("collection_duration_seconds",
		"How long the last refresh of this collection took.", "collection")
	collectionIntervalDesc = desc("collection_interval_seconds",
		"The refresh interval in force, after any stretching to fit the API budget.", "collection")
	collectionItemsDesc = desc("collection_items",
		"Items fetched by the last successful refresh.", "collection")
	collectionFailuresDesc = desc("collection_failures_total",
		"Refreshes of this collection that failed.", "collection")
	collectionCallsDesc = desc("collection_api_calls",
		"Upstream calls the last refresh of this collection made.", "collection")
	rateLimitRemainingDesc = desc("api_rate_limit_remaining",
		"What the vendor last said is left of its rate limit, by window (second, hour, day).", "window")
	budgetRemainingDesc = desc("api_budget_remaining",
		"What the exporter's own accounting says is left of the configured budget, by window.", "window")
	throttledDesc = desc("api_throttled_seconds_total",
		"Time spent waiting on the local rate limiter or a vendor's Retry-After.")
)

var healthDescs = []*prometheus.Desc{
	sourceUpDesc, renderSuccessDesc, collectionSuccessDesc, collectionLastSuccessDesc, collectionDurationDesc,
	collectionIntervalDesc, collectionItemsDesc, collectionFailuresDesc, collectionCallsDesc,
	rateLimitRemainingDesc, budgetRemainingDesc, throttledDesc,
	streamConnectedDesc, streamMessagesDesc, streamReconnectsDesc,
}

// healthFamilies collects the health families a scrape shows, from one
// snapshot of what they report.
type healthFamilies struct {
	api   *APIStats
	state healthState
}

// Describe implements prometheus.Collector.
func (c healthFamilies) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range healthDescs {
		ch <- d
	}
	c.api.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c healthFamilies) Collect(ch chan<- prometheus.Metric) {
	up := 1.0
	for _, st := range c.state.status {
		l := st.Collection
		ok := 0.0
		if st.Success {
			ok = 1
		} else {
			up = 0
		}
		var last float64
		if !st.LastSuccess.IsZero() {
			last = float64(st.LastSuccess.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(collectionSuccessDesc, prometheus.GaugeValue, ok, l)
		ch <- prometheus.MustNewConstMetric(collectionLastSuccessDesc, prometheus.GaugeValue, last, l)
		ch <- prometheus.MustNewConstMetric(collectionDurationDesc, prometheus.GaugeValue, st.Duration.Seconds(), l)
		ch <- prometheus.MustNewConstMetric(collectionIntervalDesc, prometheus.GaugeValue, st.Interval.Seconds(), l)
		ch <- prometheus.MustNewConstMetric(collectionItemsDesc, prometheus.GaugeValue, float64(st.Items), l)
		ch <- prometheus.MustNewConstMetric(collectionFailuresDesc, prometheus.CounterValue, float64(st.Failures), l)
		ch <- prometheus.MustNewConstMetric(collectionCallsDesc, prometheus.GaugeValue, float64(st.Calls), l)
	}
	rendered := 1.0
	if c.state.renderErr != "" {
		rendered, up = 0, 0
	}
	ch <- prometheus.MustNewConstMetric(sourceUpDesc, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(renderSuccessDesc, prometheus.GaugeValue, rendered)

	if c.state.budget {
		for w, v := range c.state.vendorRemaining {
			ch <- prometheus.MustNewConstMetric(rateLimitRemainingDesc, prometheus.GaugeValue, v, w)
		}
		for w, v := range c.state.remaining {
			ch <- prometheus.MustNewConstMetric(budgetRemainingDesc, prometheus.GaugeValue, v, w)
		}
		ch <- prometheus.MustNewConstMetric(throttledDesc, prometheus.CounterValue, c.state.throttled.Seconds())
	}
	c.state.live.collect(ch)
	c.api.Collect(ch)
}

// renderKey changes whenever the data a render reads does.
func (s *Source) renderKey() uint64 {
	key := s.cache.dataVersion()
	for _, name := range s.dependsOn {
		if s.peers == nil {
			break
		}
		if p, ok := s.peers(name); ok {
			key += p.cache.dataVersion()
		}
	}
	return key
}

// renderInput is everything a render reads. It is gathered before the
// render takes a core, so that nothing holds a slot while it waits on a
// lock, and it carries the view the render's health is reported from.
type renderInput struct {
	key    uint64 // renderKey of what was gathered
	view   view
	peers  map[string][]model.Device // devices of the sources this one describes
	alarms []model.AlarmCount
	live   map[string]model.DeviceState // what the live feed said of devices
}

// gather takes the source's data, and its peers' devices, as they are now.
func (s *Source) gather() *renderInput {
	in := &renderInput{view: s.cache.view()}
	in.key = in.view.version
	for _, name := range s.dependsOn {
		if s.peers == nil {
			break
		}
		p, ok := s.peers(name)
		if !ok {
			continue
		}
		pv := p.cache.view()
		in.key += pv.version
		if in.peers == nil {
			in.peers = map[string][]model.Device{}
		}
		in.peers[name] = p.devicesOf(pv)
	}
	in.alarms = s.alarmsOf(in.view).counts
	in.live = s.liveStates()
	return in
}

// renderFrom builds the data series of what was gathered, sorted for the
// encoders.
func (s *Source) renderFrom(in *renderInput) *exposition.Sink {
	var out *exposition.Sink
	if sizes := s.sinkSizes.Load(); sizes != nil {
		out = exposition.NewSinkSized(*sizes)
	} else {
		out = exposition.NewSink()
	}
	data := in.view.data()
	data.live = in.live
	if s.Render != nil {
		s.Render(out, data)
	}
	if s.renderPeers != nil {
		s.renderPeers(out, data, in.peers)
	}
	// Alarms merge the last poll with webhooks, so they render here.
	exposition.Alarms(out, in.alarms)
	out.Sort()
	sizes := out.Sizes()
	s.sinkSizes.Store(&sizes)
	return out
}
