package mistsource_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/collector/collectortest"
	"github.com/nmsexporter/nms_exporter/sim/mistsim"
)

// BenchmarkStreamDeviceCalls runs a Mist source at medium size on its
// default devices plan (a poll a minute, the stream's default silence, a
// device reporting every 30 s) with every duration sixty times shorter,
// once polling only and once with the stream, and counts the REST calls
// of the devices collection in half an hour of the plan's time once the
// source is steady. It reports them per hour of that time and fails if the
// stream takes less than 80% off.
func BenchmarkStreamDeviceCalls(b *testing.B) {
	const speed = 60
	window := 30 * time.Minute / speed
	calls := map[bool]int{}
	for b.Loop() {
		for _, stream := range []bool{false, true} {
			calls[stream] = deviceCalls(b, stream, speed, window)
		}
	}
	perHour := func(n int) float64 { return float64(n) * float64(time.Hour) / float64(window*speed) }
	b.ReportMetric(perHour(calls[false]), "polled-calls/h")
	b.ReportMetric(perHour(calls[true]), "streamed-calls/h")
	fall := 1 - float64(calls[true])/float64(calls[false])
	b.ReportMetric(100*fall, "fall-%")
	if fall < 0.8 {
		b.Errorf("the stream took %.0f%% off the devices calls (%d streamed, %d polled); want at least 80%%", 100*fall, calls[true], calls[false])
	}
}

// deviceCalls counts the devices collection's calls in window once a
// source, with or without the stream, has made its first refresh (and
// has its stream up).
func deviceCalls(b *testing.B, stream bool, speed int, window time.Duration) int {
	b.Helper()
	scaled := func(d time.Duration) string { return (d / time.Duration(speed)).String() }
	extra := "    collections:\n      devices: {interval: " + scaled(time.Minute) + "}\n" +
		"      clients: {enabled: false}\n      alarms: {enabled: false}\n      ports: {enabled: false}\n" +
		"    stream: {enabled: " + map[bool]string{false: "false", true: "true"}[stream] + ", silence: " + scaled(180*time.Second) + "}\n"
	s, sim := mistSourceOn(b, mistsim.Options{Seed: 5, Size: "medium", Stream: mistsim.StreamOptions{Period: 30 * time.Second / time.Duration(speed)}}, extra)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	const path = "/api/v1/orgs/{org_id}/stats/devices"
	steady := func() bool {
		body := collectortest.Probe(s, nil).Body.String()
		if !strings.Contains(body, `nms_collection_success{collection="devices"} 1`) {
			return false
		}
		return !stream || collectortest.HasLine(body, "nms_stream_connected 1")
	}
	for deadline := time.Now().Add(30 * time.Second); !steady(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the source did not refresh its devices (and connect its stream) within 30 s")
		}
	}
	start := sim.CallsByPath()[path]
	time.Sleep(window)
	return sim.CallsByPath()[path] - start
}
