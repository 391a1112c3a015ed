package life

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// poolRun does calls I/O calls of the given latency through workers goroutines (a worker pool; one
// worker is a serial loop, as many workers as calls is a goroutine per call) and returns their
// timeline. Run it inside a synctest bubble, where the latency is on the fake clock.
func poolRun(calls, workers int, latency time.Duration) *Timeline {
	tl := NewTimeline()
	io := Recorded(Latency(latency), tl)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range jobs {
				_ = io.Do(context.Background(), 0, 0)
			}
		})
	}
	for i := range calls {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return tl
}

// The four shapes items 56–60 draw, exactly, on the fake clock: 45 calls of one latency each.
func TestTimeline_InFlightIsTheStrategysShape(t *testing.T) {
	const latency = 100 * time.Millisecond
	repeat := func(n int, v float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	for _, tt := range []struct {
		name    string
		workers int
		want    []float64
		summary string
	}{
		{"serial", 1, repeat(45, 1), "1 ×45"},
		{"pool of 5", 5, repeat(9, 5), "5 ×9"},
		{"limit of 10", 10, []float64{10, 10, 10, 10, 5}, "10 ×4, 5"},
		{"a goroutine per call", 45, []float64{45}, "45"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tl := poolRun(45, tt.workers, latency)
				assert.Equal(t, tt.want, tl.InFlight(latency))
				assert.Contains(t, tl.Chart(latency, 45), "calls in flight per 100ms: "+tt.summary+"\n")
			})
		})
	}
}

// A call is split over the slices it overlaps, in proportion to the time it spends in each, and
// idle time before the first call counts as nothing in flight.
func TestTimeline_InFlightSplitsCallsAcrossSlices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tl := NewTimeline()
		time.Sleep(50 * time.Millisecond)
		end := tl.Begin() // 50ms–150ms
		time.Sleep(50 * time.Millisecond)
		end2 := tl.Begin() // 100ms–175ms
		time.Sleep(50 * time.Millisecond)
		end()
		time.Sleep(25 * time.Millisecond)
		end2()
		assert.Equal(t, []float64{0.5, 1.25}, tl.InFlight(100*time.Millisecond))
		assert.Equal(t, []float64{0, 1, 2, 0.5}, tl.InFlight(50*time.Millisecond))
	})
}

func TestTimeline_EmptyHasNoSlices(t *testing.T) {
	assert.Empty(t, NewTimeline().InFlight(time.Second))
}

// A run longer than maxColumns slices is drawn with wider columns, and says so.
func TestTimeline_ChartWidensColumnsToFit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chart := poolRun(130, 1, time.Millisecond).Chart(time.Millisecond, 1)
		assert.Contains(t, chart, "calls in flight per 3ms: 1 ×43, <1\n", chart)
		for _, line := range strings.Split(chart, "\n") {
			require.LessOrEqual(t, len([]rune(line)), maxColumns+6, "a line wider than the chart:\n%s", chart)
		}
	})
}

// The whole chart of item59's strategy, ten calls at a time, drawn against a top of 45.
func TestTimeline_ChartDrawsEveryColumn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		want := "" +
			"45 ┤\n" +
			"   ┤\n" +
			"   ┤\n" +
			"   ┤▇▇▇▇▄\n" +
			"   └─────\n" +
			"    calls in flight per 100ms: 10 ×4, 5\n"
		assert.Equal(t, want, poolRun(45, 10, 100*time.Millisecond).Chart(100*time.Millisecond, 45))
	})
}

// The top README draws the four strategies of items 56–60 with Chart; each drawing must be exactly
// what the strategy produces on the fake clock, so the README cannot drift from the model.
func TestTimeline_TopREADMEChartsAreTheProvedShapes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, workers := range []int{1, 5, 10, 45} {
		synctest.Test(t, func(t *testing.T) {
			chart := poolRun(45, workers, 100*time.Millisecond).Chart(100*time.Millisecond, 45)
			assert.True(t, strings.Contains(string(readme), chart), "README.md should draw %d worker(s) exactly as:\n%s", workers, chart)
		})
	}
}

// Peak and Starts on the fake clock: a pool of 5 over 45 calls never has more than 5 in flight, has
// none left at the end, and starts 5 calls at each latency.
func TestTimeline_PeakAndStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 100 * time.Millisecond
		tl := poolRun(45, 5, latency)
		most, now := tl.Peak()
		assert.Equal(t, 5, most, "most calls in flight at once")
		assert.Equal(t, 0, now, "calls still in flight after the run")
		var want []time.Duration
		for wave := range 9 {
			for range 5 {
				want = append(want, time.Duration(wave)*latency)
			}
		}
		assert.Equal(t, want, tl.Starts())

		running := NewTimeline()
		_ = running.Begin() // a call that has not ended
		most, now = running.Peak()
		assert.Equal(t, []int{1, 1}, []int{most, now}, "one call begun and not ended: peak 1, still 1")
	})
}

// A chart of a long run at a tiny slice widens its columns before it counts: a 10 ms call charted
// per nanosecond is 60 columns, not ten million slices (160 MB) in memory.
func TestTimeline_ChartOfALongRunStaysSmall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tl := NewTimeline()
		end := tl.Begin()
		time.Sleep(10 * time.Millisecond)
		end()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		chart := tl.Chart(time.Nanosecond, 1)
		runtime.ReadMemStats(&after)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated to draw 60 columns: Chart counted every nanosecond before widening its columns")
		assert.Contains(t, chart, "calls in flight per 166.667µs: 1 ×60")
	})
}
