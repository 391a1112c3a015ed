package main

import "sync"

// stoppableWorker is example 19's StoppableWorker with a channel as the queue: for each item
// in in, put fn(item) on out.
func stoppableWorker(fn func(int) int, in <-chan int, out chan<- int) {
	for item := range in { // FIX: a receive waits for an item (no polling), and the loop ends once in is closed and drained.
		out <- fn(item) // FIX: a send waits while out is full: back-pressure bounds the memory.
	}
}

// startWorkers is the book's start_threads and stop_threads (example 23) together: count goroutines run
// stoppableWorker from in to out, and out is closed once, when the last of them has returned.
//
// Why once, and why only then: the goroutines share out, so each is a sender. Closing out
// per worker (the book puts one sentinel per thread) panics on the second close; closing it
// while another worker may still send panics that worker ("send on closed channel"). The
// WaitGroup says when the last sender is done.
func startWorkers(count int, fn func(int) int, in <-chan int, out chan<- int) {
	var senders sync.WaitGroup
	for range count {
		senders.Go(func() { stoppableWorker(fn, in, out) })
	}
	go func() {
		senders.Wait()
		close(out) // FIX: close once, after every sender is done: the next stage's range ends, and so, stage by stage, does the pipeline.
	}()
}

// ChannelPipeline is examples 20 and 24 with channels for ClosableQueues: four channels and
// startWorkers between each pair.
type ChannelPipeline struct {
	downloadQueue, resizeQueue, uploadQueue, doneQueue chan int
}

// newChannelPipeline makes the channels, each with capacity buffer, and starts the workers.
// Python's Queue() is unbounded; a channel never is, and its capacity is Queue(maxsize).
func newChannelPipeline(stages Stages, workers Workers, buffer int) *ChannelPipeline {
	p := &ChannelPipeline{
		downloadQueue: make(chan int, buffer),
		resizeQueue:   make(chan int, buffer),
		uploadQueue:   make(chan int, buffer),
		doneQueue:     make(chan int, buffer),
	}
	startWorkers(workers.Download, stages.Download, p.downloadQueue, p.resizeQueue)
	startWorkers(workers.Resize, stages.Resize, p.resizeQueue, p.uploadQueue)
	startWorkers(workers.Upload, stages.Upload, p.uploadQueue, p.doneQueue)
	return p
}

// waiting returns the most items waiting in any one channel right now.
func (p *ChannelPipeline) waiting() int {
	return max(len(p.downloadQueue), len(p.resizeQueue), len(p.uploadQueue), len(p.doneQueue))
}

// runChannels is examples 21–22 (and the end of 24): put the items, close the download queue, and take
// results until the done queue is closed. The items go in from their own goroutine: with
// bounded channels main could not put 1000 items before taking any out (the book's unbounded
// queues let its main thread do both in turn).
func runChannels(p *ChannelPipeline, items int) Result {
	go func() {
		for i := range items {
			p.downloadQueue <- i
		}
		close(p.downloadQueue) // FIX: the producer is the download queue's only sender, so it closes it when it is done.
	}()
	var res Result
	for item := range p.doneQueue { // FIX: waits without polling, and ends when the last stage closes the done queue.
		res.Done = append(res.Done, item)
		res.PeakQueue = max(res.PeakQueue, p.waiting()) // a sample, not in the book: never above the capacity
	}
	return res
}
