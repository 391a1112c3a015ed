package main

import (
	"sync"
	"sync/atomic"
)

// LockingCounter is the book's example 7: the same counter with a mutex around the count.
type LockingCounter struct {
	mu    sync.Mutex
	count int
}

// Increment adds offset to the count. The three steps are the same as Counter's; the lock makes
// them one step as far as any other goroutine can tell.
func (c *LockingCounter) Increment(offset int) {
	c.mu.Lock()         // FIX: only one goroutine at a time gets from the read to the write.
	defer c.mu.Unlock() // FIX: released after the write, so the next reader sees it.
	value := c.count
	c.count = value + offset
}

// Count returns the current count. Reading takes the lock too: an unguarded read racing a guarded
// write is still a data race.
func (c *LockingCounter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// atomicCounter is a Go alternative the book does not have: the processor adds in one indivisible
// instruction, so there is no gap between read and write to interrupt.
type atomicCounter struct {
	count atomic.Int64
}

// Increment adds offset atomically.
func (c *atomicCounter) Increment(offset int) {
	c.count.Add(int64(offset)) // FIX: read, add and write happen as one step.
}

// Count returns the current count.
func (c *atomicCounter) Count() int {
	return int(c.count.Load())
}

// ownedCounter is the other Go alternative: one goroutine owns the count and nobody else touches
// it; the others send it requests over a channel ("share memory by communicating").
type ownedCounter struct {
	ops  chan ownedOp
	done chan struct{}
}

// ownedOp is one request to the owner: add delta, or, if reply is set, report the count.
type ownedOp struct {
	delta int
	reply chan<- int
}

// newOwnedCounter starts the owner goroutine. Call Close when done, or the goroutine leaks.
func newOwnedCounter() *ownedCounter {
	c := &ownedCounter{ops: make(chan ownedOp, 64), done: make(chan struct{})}
	go c.own()
	return c
}

// own is the only code that reads or writes count. One channel carries both kinds of request, so
// they are served in the order sent: a Count sent after an Increment sees it.
func (c *ownedCounter) own() {
	defer close(c.done)
	count := 0
	for op := range c.ops {
		if op.reply != nil {
			op.reply <- count
			continue
		}
		count += op.delta // FIX: one goroutine owns count, so no two updates can overlap.
	}
}

// Increment asks the owner to add offset.
func (c *ownedCounter) Increment(offset int) {
	c.ops <- ownedOp{delta: offset}
}

// Count asks the owner for the count and waits for the answer.
func (c *ownedCounter) Count() int {
	reply := make(chan int)
	c.ops <- ownedOp{reply: reply}
	return <-reply
}

// Close stops the owner goroutine and waits for it to end. The counter must not be used after.
func (c *ownedCounter) Close() {
	close(c.ops)
	<-c.done
}
