package mistsource_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// TestStreamShowsADeviceDownAtOnce runs a source with the device stream on
// and its devices polled once an hour: a device the simulator takes down
// shows nms_device_up 0 on the scrape within 5 s, with no poll of the
// devices; while the stream is up the devices interval in force is ten
// times the configured one, so the polls of the devices fall by 90%.
func TestStreamShowsADeviceDownAtOnce(t *testing.T) {
	sim, scrape := runStreamSource(t, "    collections: {devices: {interval: 1h}}\n")
	waitUntil(t, "the stream up", func() bool { return collectortest.HasLine(scrape(), "nms_stream_connected 1") })
	waitUntil(t, "the devices interval stretched to 10h (1h × 10)", func() bool {
		return strings.Contains(scrape(), `nms_collection_interval_seconds{collection="devices"} 36000`)
	})
	var ap mistsim.DeviceInfo
	for _, d := range sim.Devices() {
		if d.Type == "ap" && d.Connected {
			ap = d
			break
		}
	}
	up := fmt.Sprintf(`nms_device_up{device=%q,device_type="ap",serial=%q,site=%q}`, ap.Name, ap.Serial, ap.Site)
	waitUntil(t, ap.Name+" up after the first poll", func() bool { return strings.Contains(scrape(), up+" 1") })
	polls := sim.CallsByPath()["/api/v1/orgs/{org_id}/stats/devices"]
	start := time.Now()
	if err := sim.SetDeviceConnected(ap.MAC, false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ap.Name+" down on the scrape", func() bool { return strings.Contains(scrape(), up+" 0") })
	t.Logf("%s down on the scrape %v after the simulator took it down", ap.Name, time.Since(start).Round(time.Millisecond))
	if n := sim.CallsByPath()["/api/v1/orgs/{org_id}/stats/devices"]; n != polls {
		t.Errorf("%d polls of the devices while the stream told of the device; want none", n-polls)
	}
	if err := sim.SetDeviceConnected(ap.MAC, true); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ap.Name+" up again on the scrape", func() bool { return strings.Contains(scrape(), up+" 1") })
}

// TestStreamFollowsASiteAddedLater: a site created in the org while the
// source runs is subscribed on the stream once a walk of the sites has seen
// it, without a restart of the source, and the stream is up again after.
func TestStreamFollowsASiteAddedLater(t *testing.T) {
	sim, scrape := runStreamSource(t, "    collections: {sites: {interval: 1s}, devices: {interval: 1h}}\n")
	channel := func(site string) string { return "/sites/" + site + "/stats/devices" }
	var want []string
	for _, id := range sim.SiteIDs() {
		want = append(want, channel(id))
	}
	slices.Sort(want)
	waitUntil(t, "every site subscribed", func() bool { return slices.Equal(sim.StreamChannels(), want) })

	id := sim.AddSite("NEW-Branch-999")
	want = append(want, channel(id))
	slices.Sort(want)
	waitUntil(t, "the new site subscribed", func() bool { return slices.Equal(sim.StreamChannels(), want) })
	waitUntil(t, "the stream up again", func() bool { return collectortest.HasLine(scrape(), "nms_stream_connected 1") })
}

// TestStreamStartsOnTheFirstSiteKept: a source whose site filter keeps no
// site yet holds no channel; once a site it names is created, the stream
// subscribes it.
func TestStreamStartsOnTheFirstSiteKept(t *testing.T) {
	sim, _ := runStreamSource(t, "    collections: {sites: {interval: 1s}, devices: {interval: 1h}}\n"+
		"    sites:\n      names: [NEW-Branch-999]\n")
	time.Sleep(2 * time.Second) // two walks of the sites, keeping none
	if got := sim.StreamChannels(); len(got) != 0 {
		t.Fatalf("channels with no site kept = %v; want none", got)
	}
	id := sim.AddSite("NEW-Branch-999")
	want := []string{"/sites/" + id + "/stats/devices"}
	waitUntil(t, "the new site subscribed", func() bool { return slices.Equal(sim.StreamChannels(), want) })
}

// runStreamSource runs a source on a small org whose devices report on
// the stream every 200 ms, with extra config, until the test ends; scrape
// reads its /probe.
func runStreamSource(t *testing.T, extra string) (sim *mistsim.Server, scrape func() string) {
	t.Helper()
	s, sim := mistSourceOn(t, mistsim.Options{Seed: 5, Size: "small", Stream: mistsim.StreamOptions{Period: 200 * time.Millisecond}}, extra)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return sim, func() string { return collectortest.Probe(s, nil).Body.String() }
}

// waitUntil polls cond for up to 5 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
