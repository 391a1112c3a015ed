package main

import (
	"fmt"
	"io"
	"sync"
)

// The three demos of examples 11–16 show what Python's queue.Queue adds over MyQueue, with a
// channel as the queue. Python does not print them in one order: the book's example code, run
// unchanged 20 times on CPython 3.11.7, printed demo 1 in four different orders (see README.md).
// Go promises nothing about which of two runnable goroutines prints first either. So each demo passes a
// `turn` channel back and forth (lines marked ORDER) to fix the order of the *prints*; the
// queue, the buffer and the WaitGroup still order the *work*, as the comments beside them say.

// demoBlockingGet is the first demo: a receive (Queue.get) waits until an item is sent.
func demoBlockingGet(w io.Writer) {
	queue := make(chan struct{}, 1) // Queue(): the book's is unbounded; one slot is all this demo needs
	turn := make(chan struct{})
	var consumer sync.WaitGroup
	consumer.Go(func() {
		fmt.Fprintln(w, "Consumer waiting")
		turn <- struct{}{} // ORDER: the producer speaks after this line
		<-queue            // runs after the send below: a receive waits for an item
		<-turn             // ORDER: and this goroutine speaks again after "Producer done"
		fmt.Fprintln(w, "Consumer done")
	})
	<-turn
	fmt.Fprintln(w, "Producer putting")
	queue <- struct{}{} // runs before the receive above can return
	fmt.Fprintln(w, "Producer done")
	turn <- struct{}{}
	consumer.Wait() // thread.join()
}

// demoBufferSize is the second demo: with a buffer of one (Queue(1)), the second send waits
// until the consumer has taken the first item.
func demoBufferSize(w io.Writer) {
	queue := make(chan int, 1) // Queue(1): room for one item
	turn := make(chan struct{})
	var consumer sync.WaitGroup
	consumer.Go(func() {
		<-turn  // ORDER: replaces the book's time.sleep(0.1): start after "Producer put 1"
		<-queue // runs second
		fmt.Fprintln(w, "Consumer got 1")
		turn <- struct{}{} // ORDER
		<-queue            // runs fourth
		<-turn             // ORDER
		fmt.Fprintln(w, "Consumer got 2")
		fmt.Fprintln(w, "Consumer done")
	})
	queue <- 1 // runs first: the buffer has room
	fmt.Fprintln(w, "Producer put 1")
	turn <- struct{}{}
	queue <- 2 // runs third: waits until the consumer has taken item 1, as the buffer holds one
	<-turn
	fmt.Fprintln(w, "Producer put 2")
	fmt.Fprintln(w, "Producer done")
	turn <- struct{}{}
	consumer.Wait()
}

// demoTaskDone is the third demo: task_done and join, which in Go are a sync.WaitGroup's Done
// and Wait. The producer waits until the consumer has finished the work, not just received it.
func demoTaskDone(w io.Writer) {
	inQueue := make(chan int, 1)
	var tasks sync.WaitGroup // counts items put but not yet finished: Python's unfinished_tasks
	turn := make(chan struct{})
	var consumer sync.WaitGroup
	consumer.Go(func() {
		fmt.Fprintln(w, "Consumer waiting")
		turn <- struct{}{} // ORDER
		<-inQueue          // done second
		<-turn             // ORDER
		fmt.Fprintln(w, "Consumer working")
		// Doing work
		fmt.Fprintln(w, "Consumer done")
		tasks.Done() // task_done(): done third
	})
	<-turn
	fmt.Fprintln(w, "Producer putting")
	tasks.Add(1) // Python's put counts the task; in Go, Add before the send
	inQueue <- 1 // done first
	fmt.Fprintln(w, "Producer waiting")
	turn <- struct{}{}
	tasks.Wait() // join(): done fourth; returns only after tasks.Done, so "Consumer done" comes first
	fmt.Fprintln(w, "Producer done")
	consumer.Wait()
}
