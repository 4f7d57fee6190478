package primesource

import (
	"cmp"
	"slices"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/vendors/primeinfra"
)

var primeRogues = collector.NewKey[*primeinfra.Rogues]("rogues")

// primeRogueAPsDesc counts rogue alarms, never lists them: a busy site
// hears thousands of rogues, each of which would be a series.
var primeRogueAPsDesc = exposition.NewFamily("prime_rogue_aps",
	"Active rogue AP alarms in Prime, by the site of the access point that hears the rogue, its classification and the alarm's severity.",
	"site", "classification", "severity")

// rogueKey is a series of primeRogueAPsDesc.
type rogueKey struct{ site, classification, severity string }

// primeRogueCounts puts the rogues counted by their detecting AP on that
// AP's site, from whatever the access point collection last fetched; an
// AP it does not know yet counts without a site.
func primeRogueCounts(r *primeinfra.Rogues, aps *primeinfra.AccessPoints) map[rogueKey]int {
	sites := map[string]string{}
	if aps != nil {
		for _, d := range aps.Devices {
			sites[d.Name] = d.Site
		}
	}
	out := map[rogueKey]int{}
	for _, c := range r.Counts {
		site := c.Site
		if site == "" {
			site = sites[c.AP]
		}
		out[rogueKey{site, c.Classification, c.Severity}] += c.Count
	}
	return out
}

func renderRogues(out *exposition.Sink, d collector.Data, aps *primeinfra.AccessPoints) {
	r, ok := collector.Get(d, primeRogues)
	if !ok {
		return
	}
	counts := primeRogueCounts(r, aps)
	keys := make([]rogueKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rogueKey) int {
		return cmp.Or(cmp.Compare(a.site, b.site), cmp.Compare(a.classification, b.classification), cmp.Compare(a.severity, b.severity))
	})
	for _, k := range keys {
		out.Gauge(primeRogueAPsDesc, float64(counts[k]), k.site, k.classification, k.severity)
	}
}
