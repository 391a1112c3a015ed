package main

import (
	"fmt"
	"io"
	"sync"
)

// The three demos of examples 11–16 show what Python's queue.Queue adds over MyQueue, with a
// channel as the queue. The book's line order is not what Python promises: run unchanged, its
// code prints these lines in several orders (README.md, "Go is not Python here"), because a
// queue orders the work around it (a get returns after the put), not every print. Here every
// line is ordered by a channel operation, a WaitGroup or a go statement, and nothing else; the
// book's lines that nothing orders, in Python or in Go, are left out, so the order you see is the
// queue's doing. Where main is the consumer, that is so it can say "Consumer waiting" before the
// producer exists.

// demoBlockingGet is examples 11–12: a receive (Queue.get) waits until an item is sent.
// (The book's "Producer done" is left out: it would print at the same time as "Consumer done".)
func demoBlockingGet(w io.Writer) {
	queue := make(chan int, 1) // Queue(): the book's is unbounded; one slot is all this demo needs
	fmt.Fprintln(w, "Consumer waiting")
	go func() {
		fmt.Fprintln(w, "Producer putting")
		queue <- 1 // runs before the receive below returns
	}()
	// Runs after the send above: however late the producer is, the receive waits for it. It is
	// also thread.join(): after its send the producer has nothing left to do.
	<-queue
	fmt.Fprintln(w, "Consumer done")
}

// demoBufferSize is examples 13–14: with a buffer of one (Queue(1)), the second send waits
// until the consumer has taken the first item. The producer first tries the second send
// without waiting, which a select with a default case does, and reports that it cannot.
func demoBufferSize(w io.Writer) {
	queue := make(chan int, 1) // Queue(1): room for one item
	queue <- 1                 // runs first: the buffer has room
	fmt.Fprintln(w, "Producer put 1")
	select {
	case queue <- 2:
		fmt.Fprintln(w, "Producer put 2 without waiting") // not with room for one item
	default:
		fmt.Fprintln(w, "Producer cannot put 2 yet: the buffer is full")
	}
	var consumer sync.WaitGroup
	consumer.Go(func() { // starts only now, where the book's consumer sleeps 0.1 s first
		fmt.Fprintln(w, "Consumer got", <-queue) // runs second
		fmt.Fprintln(w, "Consumer got", <-queue) // runs fourth
		fmt.Fprintln(w, "Consumer done")
	})
	queue <- 2      // runs third: waits until the consumer has taken item 1
	consumer.Wait() // thread.join()
	fmt.Fprintln(w, "Producer done")
}

// demoTaskDone is examples 15–16: task_done and join, which in Go are a sync.WaitGroup's Done
// and Wait. The producer waits until the consumer has finished the work, not just received it.
// (The book's "Producer waiting" is left out: it would print at the same time as "Consumer
// working".)
func demoTaskDone(w io.Writer) {
	queue := make(chan int, 1)
	var tasks sync.WaitGroup // counts items put but not yet finished: Python's unfinished_tasks
	fmt.Fprintln(w, "Consumer waiting")
	var producer sync.WaitGroup
	producer.Go(func() {
		fmt.Fprintln(w, "Producer putting")
		tasks.Add(1) // Python's put counts the task; in Go, Add before the send
		queue <- 1   // done first
		tasks.Wait() // join(): done fourth, after tasks.Done below, not after the receive
		fmt.Fprintln(w, "Producer done")
	})
	<-queue // done second
	fmt.Fprintln(w, "Consumer working")
	// Doing work
	fmt.Fprintln(w, "Consumer done")
	tasks.Done()    // task_done(): done third
	producer.Wait() // thread.join()
}
