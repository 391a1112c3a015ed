package main

// The proofs that drive the broken and the fixed pipeline through one table each. A broken row
// expects the bug as shipped and, under -tags exercise, what the fixed row expects: the learner's
// fix of broken.go must pass them (README.md, "Your turn"). The steps: polling
// (TestWorker_PollsWhileIdle, TestStages_Busy), the busy-waiting main (TestPipeline_MainWaitsWithoutSpinning, then
// TestPipeline_Latency), the workers that never stop (TestWorkers_Leak), the unbounded queue
// (TestPipeline_BackPressure, TestPipeline_PeakQueue).

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/item56/life"
)

// sleepMillisecond is main's wait between two looks at the done queue inside a synctest
// bubble: a pure spin would never let the fake clock move, and the workers sleep on it.
func sleepMillisecond() { time.Sleep(time.Millisecond) }

// startBroken builds the broken pipeline with killable stages, starts its workers and lets them
// settle: each finds its queue empty at 0 ms and sleeps (or, fixed, waits), so what follows has
// one possible outcome.
func startBroken(stages Stages) *PollingPipeline {
	p := newPollingPipeline(killable(stages), 10*time.Millisecond)
	p.start()
	synctest.Wait()
	return p
}

// brokenRun returns a run of the broken pipeline for a table: items through stages. Its workers
// are stopped when the test ends (t.Cleanup runs inside the bubble), so a timing is the run's.
func brokenRun(stages Stages, items int) func(t *testing.T) Result {
	return func(t *testing.T) Result {
		p := startBroken(stages)
		t.Cleanup(func() { stopBroken(t, p) })
		return p.process(items, sleepMillisecond)
	}
}

// fixedRun returns a run of the fixed pipeline for a table: items through stages with workers
// and channels of capacity buffer, waited for by untilClosed.
func fixedRun(stages Stages, workers Workers, buffer, items int) func(t *testing.T) Result {
	return func(t *testing.T) Result {
		p := newChannelPipeline(stages, workers, buffer)
		return untilClosed(t, p, func() Result { return runChannels(p, items) })
	}
}

// tally compares done with 0, 1, …, items-1, each once, and returns what is missing and what is
// extra, at most 5 of each, so a failure reads in a line.
func tally(done []int, items int) (missing, extra []int) {
	seen := make(map[int]int)
	for _, item := range done {
		seen[item]++
		if (item < 0 || item >= items || seen[item] > 1) && len(extra) < 5 {
			extra = append(extra, item)
		}
	}
	for item := range items {
		if seen[item] == 0 && len(missing) < 5 {
			missing = append(missing, item)
		}
	}
	return missing, extra
}

// TestPipeline_DeliversEveryItemOnce sends 1000 items through the broken pipeline and through
// the fixed one with 1/1/1 and 3/4/5 workers and several buffer sizes: each item must reach the
// done queue exactly once.
func TestPipeline_DeliversEveryItemOnce(t *testing.T) {
	requireFixedRuns(t)
	const items = 1000
	tests := []struct {
		name   string
		broken bool
		run    func(t *testing.T) Result
	}{
		{"broken", true, brokenRun(bookStages(), items)},
		{"fixed 1/1/1 unbuffered", false, fixedRun(bookStages(), Workers{1, 1, 1}, 0, items)},
		{"fixed 1/1/1 buffer 1", false, fixedRun(bookStages(), Workers{1, 1, 1}, 1, items)},
		{"fixed 1/1/1 buffer 10", false, fixedRun(bookStages(), Workers{1, 1, 1}, 10, items)},
		{"fixed 3/4/5 unbuffered", false, fixedRun(bookStages(), Workers{3, 4, 5}, 0, items)},
		{"fixed 3/4/5 buffer 10", false, fixedRun(bookStages(), Workers{3, 4, 5}, 10, items)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			synctest.Test(t, func(t *testing.T) {
				missing, extra := tally(tt.run(t).Done, items)
				assert.Empty(t, missing, "items that never reached the done queue")
				assert.Empty(t, extra, "items that reached it more than once, or that were never sent")
			})
		})
	}
}

// TestWorker_PollsWhileIdle (step 1, polling) watches the broken workers after the last item: in
// one idle second on the fake clock the three of them poll exactly 3 × 100 times. A worker whose
// Get waits for an item polls 0 times.
func TestWorker_PollsWhileIdle(t *testing.T) {
	if inBrokenChild(t) {
		return
	}
	synctest.Test(t, func(t *testing.T) {
		p := startBroken(bookStages())
		defer stopBroken(t, p)
		require.Equal(t, 100, len(p.process(100, sleepMillisecond).Done), "items done")
		synctest.Wait() // every worker has finished its look and sleeps (or waits)
		before := p.polls()
		time.Sleep(time.Second)
		synctest.Wait() // the workers that woke with us have looked again
		want := int64(3 * 100)
		if exercise {
			want = 0
		}
		assert.Equal(t, want, p.polls()-before, "broken.go's workers still poll: looks at their queues in one idle second")
	})
}

// lastUpload wraps stages so that each upload records the fake time it finished.
func lastUpload(s Stages, at *atomic.Int64) Stages {
	upload := s.Upload
	s.Upload = func(item int) int {
		item = upload(item)
		at.Store(time.Now().UnixNano())
		return item
	}
	return s
}

// TestPipeline_MainWaitsWithoutSpinning (step 2, busy waiting) measures, on the fake clock, how
// long main takes to see that the last item is done. The broken main looks at the done queue
// again and again (in the test every millisecond; in the lesson without pause), so it sees it
// only at its next look: exactly 997 µs late, with each stage taking 1 ms + 3 ns. A main that
// waits in a receive wakes the moment the item arrives: 0 late.
func TestPipeline_MainWaitsWithoutSpinning(t *testing.T) {
	requireFixedRuns(t)
	const work = time.Millisecond + 3
	const items = 1000
	tests := []struct {
		name     string
		broken   bool
		run      func(Stages) func(*testing.T) Result
		wantLate time.Duration
	}{
		{"broken", true, func(s Stages) func(*testing.T) Result { return brokenRun(s, items) }, 997 * time.Microsecond},
		{"fixed", false, func(s Stages) func(*testing.T) Result { return fixedRun(s, Workers{1, 1, 1}, 10, items) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			synctest.Test(t, func(t *testing.T) {
				var uploaded atomic.Int64
				res := tt.run(lastUpload(withLatency(bookStages(), work), &uploaded))(t)
				late := time.Duration(time.Now().UnixNano() - uploaded.Load())
				require.Equal(t, items, len(res.Done), "items done")
				want := tt.wantLate
				if tt.broken && exercise {
					want = 0
				}
				assert.Equal(t, want, late, "how late main saw the last item: broken.go's main still looks again and again instead of waiting")
			})
		})
	}
}

// TestPipeline_Latency times both pipelines on synctest's fake clock, each stage working 1 ms
// (+3 ns) per item. The broken one polls exactly 3012 times and main has every item 1031 ms after
// the start; the fixed one takes exactly the pipeline's 1002 steps, and so must broken.go once its
// workers and its main wait instead of polling (steps 1 and 2).
func TestPipeline_Latency(t *testing.T) {
	requireFixedRuns(t)
	// The 3 ns keep every event of a stage off the 10 ms poll grid and off main's 1 ms grid.
	// Goroutines that wake at the same fake instant run at the same time, and whether one
	// sees the other's put would then be luck; with distinct instants, every look at a queue
	// has one possible outcome.
	const work = time.Millisecond + 3
	const items = 1000
	tests := []struct {
		name        string
		broken      bool
		run         func(*testing.T) Result
		wantPolls   int64 // checked for the broken pipeline as shipped; the fixed one has no polls
		wantElapsed time.Duration
	}{
		// Each broken worker takes 1000 items and finds its queue empty 4 times: download at 0 ms
		// and after its last item at 1010.003 ms, 1020.003 ms and 1030.003 ms; resize at 0, 10,
		// 1020.003 and 1030.003 ms; upload at 0, 10 and 20 ms and after its last item at
		// 1030.003 ms. main's next look, at 1031 ms, sees all 1000.
		{"broken", true, brokenRun(withLatency(bookStages(), work), items), 3*items + 3*4, 1031 * time.Millisecond},
		// No poll, no wait: item 999 leaves download after 1000 steps, then resize and upload.
		{"fixed", false, fixedRun(withLatency(bookStages(), work), Workers{1, 1, 1}, 10, items), 0, (items + 2) * work},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				res := tt.run(t)
				elapsed := time.Since(start)
				require.Equal(t, items, len(res.Done), "items done")
				want := tt.wantElapsed
				if tt.broken && exercise {
					want = (items + 2) * work
				} else {
					assert.Equal(t, tt.wantPolls, res.Polls, "polls")
				}
				assert.Equal(t, want, elapsed, "fake time until main had the last item: an item still waits for a worker's or main's next look")
			})
		})
	}
}

// TestWorkers_Leak (step 3, workers that never stop) runs each pipeline to the end and asks
// goleak what is left. The broken workers are still running, and goleak names them; the test
// then calls Stop, and none may be left the moment it returns. The fixed pipeline has shut itself
// down, stage by stage. Both run inside a
// synctest bubble: goleak's retries (it looks again for about 0.4 s before it reports) then
// sleep on the fake clock and cost no real time.
func TestWorkers_Leak(t *testing.T) {
	requireFixedRuns(t)
	tests := []struct {
		name   string
		broken bool
		run    func(t *testing.T) (p *PollingPipeline, stop func())
	}{
		{"broken", true, func(t *testing.T) (*PollingPipeline, func()) {
			p := startBroken(bookStages())
			p.process(100, sleepMillisecond)
			return p, func() { stopBroken(t, p) }
		}},
		{"fixed", false, func(t *testing.T) (*PollingPipeline, func()) {
			p := newChannelPipeline(bookStages(), Workers{3, 4, 5}, 10)
			untilClosed(t, p, func() Result { return runChannels(p, 100) })
			return nil, func() {}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			synctest.Test(t, func(t *testing.T) {
				bubble := goleak.IgnoreCurrent() // synctest's goroutines and this one: not the pipeline's
				p, stop := tt.run(t)
				defer stop()
				err := goleak.Find(bubble)
				if tt.broken && !exercise {
					require.Error(t, err, "the workers should still be running")
					assert.Contains(t, err.Error(), "item55.(*Worker).Run")
					stopped := make(chan struct{})
					go func() {
						p.Stop()
						close(stopped)
					}()
					select {
					case <-stopped:
						assert.Zero(t, workersRunning(), "workers still running when Stop returned: Stop must wait for them")
					case <-time.After(time.Second):
						t.Error("Stop did not return within a second of fake time: it no longer tells the workers to stop")
					}
					return
				}
				assert.NoError(t, err, "goroutines still running after the run: nothing told broken.go's workers that the work is over")
			})
		})
	}
}

// workersRunning counts the goroutines now in (*Worker).Run, from a stack dump of every goroutine:
// unlike goleak, it does not wait and look again.
func workersRunning() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "item55.(*Worker).Run(")
}

// stalledUpload returns stages whose upload waits until gate is closed: a consumer that has
// stalled, so everything before it backs up.
func stalledUpload(gate <-chan struct{}) Stages {
	s := bookStages()
	s.Upload = func(item int) int {
		<-gate
		return item
	}
	return s
}

// TestPipeline_BackPressure (step 4, the unbounded queue) stalls the upload stage and lets a fast
// producer feed each pipeline, with 100 and then 1000 items. The broken queues take every item:
// 99 and 999 wait in them (the upload worker holds one). The fixed producer is held back: each of
// the 3 channels before the stalled upload holds its capacity of 10, and the other items wait in
// the producer, whatever their number. A bounded queue keeps the same number waiting.
func TestPipeline_BackPressure(t *testing.T) {
	requireFixedRuns(t)
	const buffer = 10
	tests := []struct {
		name   string
		broken bool
		// start runs items through a pipeline whose upload waits for gate; it returns a count of
		// the items waiting in its queues, and a function that waits for the run to end.
		start       func(t *testing.T, gate chan struct{}, items int) (waiting func() int, end func())
		wantWaiting map[int]int // by item count
	}{
		{"broken", true, func(t *testing.T, gate chan struct{}, items int) (func() int, func()) {
			p := startBroken(stalledUpload(gate))
			done := make(chan struct{})
			go func() {
				defer close(done)
				p.process(items, sleepMillisecond)
			}()
			waiting := func() int {
				return p.downloadQueue.Len() + p.resizeQueue.Len() + p.uploadQueue.Len() + p.doneQueue.Len()
			}
			return waiting, func() { <-done; stopBroken(t, p) }
		}, map[int]int{100: 99, 1000: 999}},
		{"fixed", false, func(t *testing.T, gate chan struct{}, items int) (func() int, func()) {
			p := newChannelPipeline(stalledUpload(gate), Workers{1, 1, 1}, buffer)
			done := make(chan struct{})
			go func() {
				defer close(done)
				untilClosed(t, p, func() Result { return runChannels(p, items) })
			}()
			waiting := func() int {
				return len(p.downloadQueue) + len(p.resizeQueue) + len(p.uploadQueue) + len(p.doneQueue)
			}
			return waiting, func() { <-done }
		}, map[int]int{100: 3 * buffer, 1000: 3 * buffer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			got := map[int]int{}
			for _, items := range []int{100, 1000} {
				synctest.Test(t, func(t *testing.T) {
					gate := make(chan struct{})
					waiting, end := tt.start(t, gate, items)
					time.Sleep(time.Second) // on the fake clock: time for the polling workers to move everything
					synctest.Wait()         // every goroutine is durably blocked (or asleep)
					got[items] = waiting()
					close(gate) // the consumer wakes up: everything flows out
					end()
				})
			}
			if tt.broken && exercise {
				assert.Equal(t, got[100], got[1000],
					"items waiting in broken.go's queues behind a stalled stage: as many with 1000 items to send as with 100 (want), or does a queue without a bound take them all (got)?")
				return
			}
			assert.Equal(t, tt.wantWaiting, got, "items waiting in the queues behind a stalled stage, by items sent")
		})
	}
}

// TestPipeline_PeakQueue (step 4 too) checks the lesson's "peak queue" figure exactly, on the fake
// clock. The broken download queue takes all 1000 items before a worker wakes (they sleep 10 ms
// on an empty queue), so its peak is the item count; a bounded queue's is less. In the fixed
// pipeline one stage is slow (1 ms per item): once the channels before it are full they stay full
// (a receive from a full channel takes in a blocked sender's item at once), so the peak is exactly
// the capacity, whatever the item count.
func TestPipeline_PeakQueue(t *testing.T) {
	requireFixedRuns(t)
	const items = 1000
	slow := withLatency(bookStages(), time.Millisecond)
	slowDownload, slowUpload := bookStages(), bookStages()
	slowDownload.Download, slowUpload.Upload = slow.Download, slow.Upload
	tests := []struct {
		name   string
		broken bool
		run    func(t *testing.T) Result
		want   int
	}{
		{"broken", true, brokenRun(bookStages(), items), items},
		{"fixed, slow download, buffer 1", false, fixedRun(slowDownload, Workers{1, 1, 1}, 1, items), 1},
		{"fixed, slow download, buffer 10", false, fixedRun(slowDownload, Workers{1, 1, 1}, 10, items), 10},
		{"fixed, slow upload, buffer 10", false, fixedRun(slowUpload, Workers{1, 1, 1}, 10, items), 10},
		{"fixed 3/4/5, slow upload, buffer 10", false, fixedRun(slowUpload, Workers{3, 4, 5}, 10, items), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			synctest.Test(t, func(t *testing.T) {
				res := tt.run(t)
				assert.Equal(t, items, len(res.Done), "items done")
				if tt.broken && exercise {
					assert.Less(t, res.PeakQueue, items, "the most items seen waiting in one of broken.go's queues: it took every item")
					return
				}
				assert.Equal(t, tt.want, res.PeakQueue, "the most items seen waiting in one queue")
			})
		})
	}
}

// TestStages_Busy proves, on the fake clock, the charts the lesson draws with -latency: when each
// stage begins each item, and (fixed) how many calls are in flight in each slice of one latency.
// Three items, each stage 4 ms (+3 ns, see TestPipeline_Latency) per item. The fixed stages start
// an item the moment it comes: 1/1/1 is a staircase of one latency per stage; 3/4/5 starts all
// three downloads at once. The broken workers are asleep when the items come (they found their
// queues empty at 0 ms): download starts at its 10 ms poll, resize at 20 ms, upload at 30 ms.
func TestStages_Busy(t *testing.T) {
	requireFixedRuns(t)
	const work = 4*time.Millisecond + 3
	const items = 3
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	steps := func(from int, n int) []time.Duration { // from×work, (from+1)×work, …
		var at []time.Duration
		for i := range n {
			at = append(at, time.Duration(from+i)*work)
		}
		return at
	}
	tests := []struct {
		name       string
		broken     bool
		run        func(Stages) func(*testing.T) Result
		wantStarts [3][]time.Duration // download, resize, upload
		wantBusy   [3][]float64       // calls in flight per slice of work (fixed rows)
	}{
		{"broken", true, func(s Stages) func(*testing.T) Result { return brokenRun(s, items) },
			[3][]time.Duration{
				{ms(10), ms(10) + work, ms(10) + 2*work},
				{ms(20), ms(20) + work, ms(20) + 2*work},
				{ms(30), ms(30) + work, ms(30) + 2*work}},
			[3][]float64{}},
		{"fixed 1/1/1", false, func(s Stages) func(*testing.T) Result { return fixedRun(s, Workers{1, 1, 1}, 10, items) },
			[3][]time.Duration{steps(0, 3), steps(1, 3), steps(2, 3)},
			[3][]float64{{1, 1, 1}, {0, 1, 1, 1}, {0, 0, 1, 1, 1}}},
		{"fixed 3/4/5", false, func(s Stages) func(*testing.T) Result { return fixedRun(s, Workers{3, 4, 5}, 10, items) },
			[3][]time.Duration{{0, 0, 0}, {work, work, work}, {2 * work, 2 * work, 2 * work}},
			[3][]float64{{3}, {0, 3}, {0, 0, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.broken && inBrokenChild(t) {
				return
			}
			synctest.Test(t, func(t *testing.T) {
				stages, tl := recordStages(withLatency(bookStages(), work))
				require.Equal(t, items, len(tt.run(stages)(t).Done), "items done")
				want, wantBusy := tt.wantStarts, tt.wantBusy
				if tt.broken && exercise {
					want, wantBusy = [3][]time.Duration{steps(0, 3), steps(1, 3), steps(2, 3)}, [3][]float64{{1, 1, 1}, {0, 1, 1, 1}, {0, 0, 1, 1, 1}}
				}
				for i, stage := range []*life.Timeline{tl.download, tl.resize, tl.upload} {
					name := [...]string{"download", "resize", "upload"}[i]
					assert.Equal(t, want[i], stage.Starts(), "when %s began each item: an item still waits for a look at its queue", name)
					if len(wantBusy[i]) > 0 {
						assert.Equal(t, wantBusy[i], stage.InFlight(work), "%s's calls in flight per %v", name, work)
					}
				}
			})
		})
	}
}
