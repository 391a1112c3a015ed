package main

import (
	"testing"
	"time"
)

// BenchmarkPipeline pushes 1000 items through each pipeline with the book's stub stages and
// reports throughput in items/s and allocations per run of 1000 items; the fixed one with a
// few buffer sizes. The broken pipeline
// pays for its polling sleeps; stopping its workers is not timed.
func BenchmarkPipeline(b *testing.B) {
	const items = 1000
	b.Run("broken", func(b *testing.B) {
		b.ReportAllocs()
		runs := 0
		for b.Loop() {
			p := newPollingPipeline(bookStages(), 10*time.Millisecond)
			runPolling(p, items, nil)
			b.StopTimer()
			p.Stop()
			b.StartTimer()
			runs++
		}
		b.ReportMetric(float64(runs*items)/b.Elapsed().Seconds(), "items/s")
	})
	for _, bench := range []struct {
		name    string
		workers Workers
		buffer  int
	}{
		{"fixed-1-1-1/buffer-0", Workers{1, 1, 1}, 0},
		{"fixed-1-1-1/buffer-10", Workers{1, 1, 1}, 10},
		{"fixed-1-1-1/buffer-100", Workers{1, 1, 1}, 100},
		{"fixed-3-4-5/buffer-10", Workers{3, 4, 5}, 10},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			runs := 0
			for b.Loop() {
				runChannels(newChannelPipeline(bookStages(), bench.workers, bench.buffer), items)
				runs++
			}
			b.ReportMetric(float64(runs*items)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
