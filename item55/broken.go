package main

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// errEmpty is what MyQueue.Get returns when there is nothing to take (Python's deque raises
// IndexError).
var errEmpty = errors.New("queue is empty")

// MyQueue is the book's hand-made queue (examples 2–4): a slice used as a deque, guarded by a
// mutex. It is safe for concurrent use, and that is all it is: it cannot make a consumer wait
// for an item, make a producer wait for room, or say that no more items will come.
type MyQueue struct {
	mu    sync.Mutex
	items []int
	peak  int // the most items it ever held: not in the book; it measures the missing back-pressure
}

// Put appends item at the back of the queue.
func (q *MyQueue) Put(item int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, item) // BUG: [step 4] never waits: a producer faster than its consumer grows the queue without bound (no back-pressure).
	q.peak = max(q.peak, len(q.items))
}

// Get removes and returns the item at the front, or fails with errEmpty.
func (q *MyQueue) Get() (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return 0, errEmpty // BUG: [step 1] fails instead of waiting, so every consumer must poll: try, sleep, try again.
	}
	item := q.items[0]
	q.items = q.items[1:]
	return item, nil
}

// Len returns how many items are waiting.
func (q *MyQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Peak returns the most items the queue ever held at once.
func (q *MyQueue) Peak() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.peak
}

// snapshot returns a copy of the waiting items, front first.
func (q *MyQueue) snapshot() []int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]int(nil), q.items...)
}

// Worker is the book's polling thread (examples 5–6): it takes items from in, applies fn and
// puts the results on out.
type Worker struct {
	fn           func(int) int
	in, out      *MyQueue
	pollInterval time.Duration
	polledCount  atomic.Int64 // main reads it while the worker runs, hence atomic
	workDone     atomic.Int64
}

// Run is the worker's loop. MyQueue cannot say "no more items", so the book's example code
// stops its threads with a hack (it sets in_queue to None, and the next get raises
// AttributeError); stop plays that part, so the lesson and the tests can end the leak they
// demonstrate. Nothing in the pipeline itself closes it.
func (w *Worker) Run(stop <-chan struct{}) {
	for { // BUG: [step 3] loops forever: MyQueue cannot say "no more items", so a worker never learns it may stop.
		select {
		case <-stop:
			return
		default:
		}
		w.polledCount.Add(1)
		item, err := w.in.Get()
		if err != nil {
			time.Sleep(w.pollInterval) // BUG: [step 1] polling: wakes every interval whether or not work came, and work that comes waits up to an interval.
			continue
		}
		w.out.Put(w.fn(item))
		w.workDone.Add(1)
	}
}

// PollingPipeline is example 7: four MyQueues and one Worker per stage between them.
type PollingPipeline struct {
	downloadQueue, resizeQueue, uploadQueue, doneQueue *MyQueue
	workers                                            []*Worker
	stop                                               chan struct{}
	stopOnce                                           sync.Once
	running                                            sync.WaitGroup
}

// newPollingPipeline builds the queues and workers; start launches the workers.
func newPollingPipeline(stages Stages, pollInterval time.Duration) *PollingPipeline {
	p := &PollingPipeline{
		downloadQueue: &MyQueue{},
		resizeQueue:   &MyQueue{},
		uploadQueue:   &MyQueue{},
		doneQueue:     &MyQueue{},
		stop:          make(chan struct{}),
	}
	p.workers = []*Worker{
		{fn: stages.Download, in: p.downloadQueue, out: p.resizeQueue, pollInterval: pollInterval},
		{fn: stages.Resize, in: p.resizeQueue, out: p.uploadQueue, pollInterval: pollInterval},
		{fn: stages.Upload, in: p.uploadQueue, out: p.doneQueue, pollInterval: pollInterval},
	}
	return p
}

// start launches one goroutine per worker (example 8's thread.start()).
func (p *PollingPipeline) start() {
	for _, w := range p.workers {
		p.running.Go(func() { w.Run(p.stop) })
	}
}

// polls sums the workers' polled counts, as example 10 does.
func (p *PollingPipeline) polls() int64 {
	var n int64
	for _, w := range p.workers {
		n += w.polledCount.Load()
	}
	return n
}

// peak returns the high-water mark over all four queues.
func (p *PollingPipeline) peak() int {
	return max(p.downloadQueue.Peak(), p.resizeQueue.Peak(), p.uploadQueue.Peak(), p.doneQueue.Peak())
}

// Stop ends the workers and waits for them; calling it again does nothing. It is not in the
// book, whose workers run until the program exits; without it the goroutines would leak.
func (p *PollingPipeline) Stop() {
	p.stopOnce.Do(func() { close(p.stop) })
	p.running.Wait()
}

// runPolling is examples 8–9: start the workers, put the items, and busy-wait until the done
// queue holds every item.
func runPolling(p *PollingPipeline, items int, wait func()) Result {
	p.start()
	return p.process(items, wait)
}

// process is the part of runPolling after the workers have started; a test calls it on its own
// so that it can let the workers settle first. wait is what main does between two looks at the
// done queue: nothing in the lesson, a sleep on synctest's fake clock in tests (a spin would
// never let fake time pass). The book's example code sleeps 0.1 s between looks; the lesson's
// pure spin is the extreme of the same busy wait, and shows its cost as CPU time.
func (p *PollingPipeline) process(items int, wait func()) Result {
	for i := range items {
		p.downloadQueue.Put(i)
	}
	var checks int64
	for p.doneQueue.Len() < items { // BUG: [step 2] busy waiting: main spins on the done queue, burning a CPU, to learn the work is done.
		checks++
		if wait != nil {
			wait()
		}
	}
	return Result{Done: p.doneQueue.snapshot(), Polls: p.polls(), Checks: checks, PeakQueue: p.peak()}
}
