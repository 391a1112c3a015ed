package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"workbook/item56/life"
)

// cost is what n goroutines, one per cell, hold while their I/O is in flight.
type cost struct {
	goroutines int
	perG       float64       // bytes of memory per goroutine: stack plus heap (its g, closure, ...)
	stackPerG  float64       // of which stack
	startPerG  time.Duration // time to start one goroutine and have it reach its I/O
}

// goroutineCost starts n goroutines, each stepping one cell of a 1 × n grid and then blocking in
// its I/O (as a cell's goroutine does while it waits for the network), measures the memory they
// hold, then releases them and waits for them all to end.
//
// The garbage collector is off from the first reading to the end: otherwise every cycle re-scans
// the stacks of all the goroutines started so far, and a million take seconds longer. Starting them
// makes next to no garbage, so the second reading counts what they hold.
func goroutineCost(n int) cost {
	grid, next := life.NewGrid(1, n), life.NewGrid(1, n)
	release := make(chan struct{})
	var blocked, done sync.WaitGroup
	io := life.CellIO{Logic: func(ctx context.Context, y, x int) error {
		blocked.Done()
		<-release // the I/O in flight
		return nil
	}}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	gcPercent := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gcPercent)
	start := time.Now()
	blocked.Add(n)
	for x := range n {
		done.Go(func() { _ = life.StepCellIO(context.Background(), io, 0, x, grid.Get, next.Set) })
	}
	blocked.Wait()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	close(release)
	done.Wait()

	perG := func(a, b uint64) float64 { return float64(int64(a)-int64(b)) / float64(n) }
	return cost{
		goroutines: n,
		perG:       perG(after.StackInuse+after.HeapInuse, before.StackInuse+before.HeapInuse),
		stackPerG:  perG(after.StackInuse, before.StackInuse),
		startPerG:  took / time.Duration(n),
	}
}
