package main

import (
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// sleepMillisecond is main's wait between two looks at the done queue inside a synctest
// bubble: a pure spin would never let the fake clock move, and the workers sleep on it.
func sleepMillisecond() { time.Sleep(time.Millisecond) }

// TestPipeline_DeliversEveryItemOnce sends 1000 items through the broken pipeline and through
// the fixed one with 1/1/1 and 3/4/5 workers and several buffer sizes: each item must reach the
// done queue exactly once.
func TestPipeline_DeliversEveryItemOnce(t *testing.T) {
	const items = 1000
	broken := func(*testing.T) Result {
		p := newPollingPipeline(bookStages(), 10*time.Millisecond)
		defer p.Stop()
		return runPolling(p, items, sleepMillisecond)
	}
	fixed := func(workers Workers, buffer int) func(*testing.T) Result {
		return fixedRun(bookStages(), workers, buffer, items)
	}
	tests := []struct {
		name string
		run  func(t *testing.T) Result
	}{
		{"broken", broken},
		{"fixed 1/1/1 unbuffered", fixed(Workers{1, 1, 1}, 0)},
		{"fixed 1/1/1 buffer 1", fixed(Workers{1, 1, 1}, 1)},
		{"fixed 1/1/1 buffer 10", fixed(Workers{1, 1, 1}, 10)},
		{"fixed 3/4/5 unbuffered", fixed(Workers{3, 4, 5}, 0)},
		{"fixed 3/4/5 buffer 10", fixed(Workers{3, 4, 5}, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got := tt.run(t).Done
				slices.Sort(got)
				assert.Equal(t, upTo(items), got)
			})
		})
	}
}

// TestPipeline_PollsAndLatency times both pipelines on synctest's fake clock, each stage
// working 1 ms (+3 ns) per item. The broken one polls exactly 3012 times and finishes 29 ms
// after the fixed one, which polls zero times and takes exactly the pipeline's 1002 steps.
func TestPipeline_PollsAndLatency(t *testing.T) {
	// The 3 ns keep every event of a stage off the 10 ms poll grid and off main's 1 ms grid.
	// Goroutines that wake at the same fake instant run at the same time, and whether one
	// sees the other's put would then be luck; with distinct instants, every look at a queue
	// has one possible outcome.
	const work = time.Millisecond + 3
	const items = 1000
	tests := []struct {
		name        string
		run         func(t *testing.T) (Result, time.Duration)
		wantPolls   int64
		wantElapsed time.Duration
	}{
		{
			name: "broken",
			run: func(*testing.T) (Result, time.Duration) {
				start := time.Now()
				p := newPollingPipeline(withLatency(bookStages(), work), 10*time.Millisecond)
				defer p.Stop() // runs after time.Since below: stopping is not part of the timing
				p.start()
				synctest.Wait() // every worker has found its queue empty at 0 ms and sleeps until 10 ms
				return p.process(items, sleepMillisecond), time.Since(start)
			},
			// Each worker takes 1000 items and finds its queue empty 4 times: download at 0 ms
			// and after its last item at 1010.003 ms, 1020.003 ms and 1030.003 ms; resize at 0,
			// 10, 1020.003 and 1030.003 ms; upload at 0, 10 and 20 ms and after its last item
			// at 1030.003 ms. main's next look, at 1031 ms, sees all 1000.
			wantPolls:   3*items + 3*4,
			wantElapsed: 1031 * time.Millisecond,
		},
		{
			name: "fixed",
			run: func(t *testing.T) (Result, time.Duration) {
				start := time.Now()
				p := newChannelPipeline(withLatency(bookStages(), work), Workers{1, 1, 1}, 10)
				return untilClosed(t, p, func() Result { return runChannels(p, items) }), time.Since(start)
			},
			// No poll, no wait: item 999 leaves download after 1000 steps, then resize and upload.
			wantPolls:   0,
			wantElapsed: (items + 2) * work,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				res, elapsed := tt.run(t)
				assert.Len(t, res.Done, items)
				assert.Equal(t, tt.wantPolls, res.Polls, "polls")
				assert.Equal(t, tt.wantElapsed, elapsed, "fake time until main saw the last item")
			})
		})
	}
}

// TestWorker_PollsForeverWhenIdle shows the broken workers still at work after the last item:
// in one idle second on the fake clock, the three of them poll exactly 3 × 100 times.
func TestWorker_PollsForeverWhenIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPollingPipeline(bookStages(), 10*time.Millisecond)
		defer p.Stop()
		require.Len(t, runPolling(p, 100, sleepMillisecond).Done, 100)
		synctest.Wait() // every worker has finished its look and sleeps
		before := p.polls()
		time.Sleep(time.Second)
		synctest.Wait() // the workers that woke with us have looked again
		assert.Equal(t, int64(3*100), p.polls()-before, "polls in one idle second")
	})
}

// TestWorkers_Leak runs each pipeline to the end and asks goleak what is left. The broken
// workers are still running, and goleak names them; the test then stops them and checks that
// nothing is left. The fixed pipeline has shut itself down, stage by stage. Both run inside a
// synctest bubble: goleak's retries (it looks again for about 0.4 s before it reports) then
// sleep on the fake clock and cost no real time, and a fixed pipeline that never ends fails the
// test (untilClosed) instead of hanging it.
func TestWorkers_Leak(t *testing.T) {
	tests := []struct {
		name     string
		run      func(t *testing.T) (stop func())
		wantLeak string // a function goleak must name, or "" for no leak
	}{
		{"broken", func(*testing.T) func() {
			p := newPollingPipeline(bookStages(), 10*time.Millisecond)
			runPolling(p, 100, sleepMillisecond)
			return p.Stop
		}, "item55.(*Worker).Run"},
		{"fixed", func(t *testing.T) func() {
			p := newChannelPipeline(bookStages(), Workers{3, 4, 5}, 10)
			untilClosed(t, p, func() Result { return runChannels(p, 100) })
			return func() {}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				bubble := goleak.IgnoreCurrent() // synctest's goroutines and this one: not the pipeline's
				stop := tt.run(t)
				err := goleak.Find(bubble)
				if tt.wantLeak == "" {
					require.NoError(t, err)
					return
				}
				require.Error(t, err, "the workers should still be running")
				assert.Contains(t, err.Error(), tt.wantLeak)
				stop()
				require.NoError(t, goleak.Find(bubble), "after Stop")
			})
		})
	}
}

// stalled is a pipeline whose done queue nobody reads: a consumer that has stalled.
type stalled struct {
	put         func(item int) // what the producer calls for each item
	closeInput  func()         // what the producer calls after the last item
	doneWaiting func() int     // items waiting in the done queue
	release     func()         // unblocks and ends everything
}

// TestPipeline_BackPressure lets a fast producer feed each pipeline while nobody reads the done
// queue. The broken queue takes every item (its high-water mark grows with the item count);
// the fixed producer blocks, durably, once each of the four channels holds cap items and each
// of the three workers holds one: 4×cap+3 items in flight, whatever the item count.
func TestPipeline_BackPressure(t *testing.T) {
	const buffer = 10
	broken := func(*testing.T) stalled {
		p := newPollingPipeline(bookStages(), 10*time.Millisecond)
		p.start()
		return stalled{put: p.downloadQueue.Put, closeInput: func() {}, doneWaiting: p.doneQueue.Len, release: p.Stop}
	}
	fixed := func(t *testing.T) stalled {
		p := newChannelPipeline(bookStages(), Workers{1, 1, 1}, buffer)
		return stalled{
			put:         func(item int) { p.downloadQueue <- item },
			closeInput:  func() { close(p.downloadQueue) },
			doneWaiting: func() int { return len(p.doneQueue) },
			release: func() {
				untilClosed(t, p, func() Result {
					for range p.doneQueue { // the consumer wakes up: the producer finishes and the stages close
					}
					return Result{}
				})
			},
		}
	}
	tests := []struct {
		name        string
		start       func(t *testing.T) stalled
		items       int
		wantSent    int
		wantWaiting int
		wantBlocked bool
	}{
		{"broken 100 items", broken, 100, 100, 100, false},
		{"broken 1000 items", broken, 1000, 1000, 1000, false},
		{"fixed 100 items", fixed, 100, 4*buffer + 3, buffer, true},
		{"fixed 1000 items", fixed, 1000, 4*buffer + 3, buffer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := tt.start(t)
				var sent atomic.Int64
				produced := make(chan struct{})
				go func() {
					defer close(produced)
					for i := range tt.items {
						p.put(i)
						sent.Add(1)
					}
					p.closeInput()
				}()
				time.Sleep(time.Second) // on the fake clock: time for the polling workers to move everything
				synctest.Wait()         // every goroutine is durably blocked (or asleep)

				blocked := true
				select {
				case <-produced:
					blocked = false
				default:
				}
				assert.Equal(t, tt.wantBlocked, blocked, "producer blocked")
				assert.Equal(t, int64(tt.wantSent), sent.Load(), "items the producer got rid of")
				assert.Equal(t, tt.wantWaiting, p.doneWaiting(), "items waiting in the done queue")
				p.release()
				<-produced
			})
		})
	}
}

// TestPipeline_PeakQueue checks the lesson's "peak queue" figure exactly, on the fake clock. The
// broken download queue takes all 1000 items before a worker wakes (they sleep 10 ms on an empty
// queue), so its peak is the item count. In the fixed pipeline one stage is slow (1 ms per item):
// once the channels before it are full they stay full (a receive from a full channel takes in a
// blocked sender's item at once), so the peak is exactly the capacity, whatever the item count.
func TestPipeline_PeakQueue(t *testing.T) {
	const items = 1000
	slow := withLatency(bookStages(), time.Millisecond)
	slowDownload, slowUpload := bookStages(), bookStages()
	slowDownload.Download, slowUpload.Upload = slow.Download, slow.Upload
	tests := []struct {
		name string
		run  func(t *testing.T) Result
		want int
	}{
		{"broken", func(*testing.T) Result {
			p := newPollingPipeline(bookStages(), 10*time.Millisecond)
			defer p.Stop()
			p.start()
			synctest.Wait() // every worker has found its queue empty and sleeps
			return p.process(items, sleepMillisecond)
		}, items},
		{"fixed, slow download, buffer 1", fixedRun(slowDownload, Workers{1, 1, 1}, 1, items), 1},
		{"fixed, slow download, buffer 10", fixedRun(slowDownload, Workers{1, 1, 1}, 10, items), 10},
		{"fixed, slow upload, buffer 10", fixedRun(slowUpload, Workers{1, 1, 1}, 10, items), 10},
		{"fixed 3/4/5, slow upload, buffer 10", fixedRun(slowUpload, Workers{3, 4, 5}, 10, items), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				res := tt.run(t)
				assert.Len(t, res.Done, items)
				assert.Equal(t, tt.want, res.PeakQueue, "the most items seen waiting in one queue")
			})
		})
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
