package main

import "sync"

// counter is what every counter in this item offers, so one worker, one benchmark and one test
// table serve them all.
type counter interface {
	Increment(offset int)
	Count() int
}

// Counter is the book's example 1: a count with no lock around it.
type Counter struct {
	count int
}

// Increment adds offset to the count, written as the three steps of the book's example 5.
func (c *Counter) Increment(offset int) {
	value := c.count         // BUG: read-add-write is three steps; another goroutine can write in between.
	c.count = value + offset // BUG: this write overwrites whatever was written since the read.
}

// Count returns the current count.
func (c *Counter) Count() int {
	return c.count
}

// worker is the book's example 2: howMany sensor readings, each adding one to the shared counter.
// sensorIndex names the sensor; the stand-in for reading it does nothing.
func worker(sensorIndex, howMany int, c counter) {
	_ = sensorIndex // a real worker would read sensor number sensorIndex here
	for range howMany {
		c.Increment(1)
	}
}

// runWorkers is the book's example 3: start `workers` goroutines sharing c, each doing howMany
// increments, and wait for all of them. A start gate (the book's Barrier) holds every goroutine
// until all exist, so they can overlap instead of the first finishing before the last is started.
func runWorkers(workers, howMany int, c counter) {
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			<-gate
			worker(i, howMany, c)
		})
	}
	close(gate) // every goroutine is released at once
	wg.Wait()
}
