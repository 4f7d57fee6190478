package benchmarks

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
)

// heapProfileEnv names a file: BenchmarkLarge writes the heap profile
// there each time the live heap reaches a new high, so that the file ends
// holding the profile of the peak. Read it with
// `go tool pprof -sample_index=inuse_space` (what is held at the peak) or
// `-sample_index=alloc_space` (what was allocated up to it).
const heapProfileEnv = "NMS_BENCH_HEAPPROFILE"

// heapProfileAtPeak starts watching the live heap when heapProfileEnv is
// set, and returns what stops it; it logs the highest live heap and heap
// in use seen.
func heapProfileAtPeak(b *testing.B) (stop func()) {
	path := os.Getenv(heapProfileEnv)
	if path == "" {
		return func() {}
	}
	// One sample per 64 kB allocated rather than 512: the records of a
	// snapshot are small, and many.
	runtime.MemProfileRate = 64 << 10
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},                // what the last GC found reachable: what the profile shows
		{Name: "/memory/classes/heap/objects:bytes"}, // live and not yet collected
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peakLive, peakObjects uint64
	wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(samples)
			live, objects := samples[0].Value.Uint64(), samples[1].Value.Uint64()
			peakObjects = max(peakObjects, objects)
			// A new high by more than 1%: the profile of the last GC, the
			// one that measured it.
			if live > peakLive+peakLive/100 {
				peakLive = live
				if err := writeHeapProfile(path); err != nil {
					b.Errorf("heap profile: %v", err)
					return
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		b.Logf("heap profile at a live heap of %.1f MiB in %s (heap objects at most %.1f MiB)",
			float64(peakLive)/(1<<20), path, float64(peakObjects)/(1<<20))
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
