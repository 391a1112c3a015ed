package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"time"

	"workbook/item56/life"
)

// scale runs one generation of a cells-cell grid, a goroutine per cell, for its wall time, then
// measures what each goroutine holds while it waits for its I/O. Its grids are one row of cells: the
// cost is per cell, whatever the shape (the grid wraps, so every cell counts eight neighbours).
func scale(ctx context.Context, w io.Writer, latency time.Duration, cells int) error {
	start := time.Now()
	if _, err := simulate(ctx, life.CellIO{Logic: life.Latency(latency)}, life.NewGrid(1, cells)); err != nil {
		return err
	}
	took := time.Since(start)
	perStart := max(took-latency, 0) / time.Duration(cells)
	fmt.Fprintf(w, "one generation took %v: 1 × %v latency + %v per goroutine started (one cell after another: %v)\n",
		took.Round(time.Millisecond), latency, perStart.Round(10*time.Nanosecond), time.Duration(cells)*latency)

	cost, err := memoryPerGoroutine(ctx, cells)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "while they wait, each goroutine holds %.1f KiB: %.1f KiB of stack and %.0f B of heap (runtime.MemStats)\n",
		(cost.stack+cost.heap)/1024, cost.stack/1024, cost.heap)
	fmt.Fprintln(w, "a goroutine starts with a 2 KiB stack (or the average size the last GC saw) and is copied to one twice the size when its calls go deeper; the book puts a coroutine under 1 KB.")
	return nil
}

// goroutineCost is what one waiting goroutine holds, in bytes.
type goroutineCost struct {
	stack, heap float64
}

// memoryPerGoroutine measures what a goroutine per cell costs while it waits for I/O. It runs
// simulate on a cells-cell grid whose I/O is the lesson's own wait (life.Latency) with no end in
// sight, reads the runtime's live memory (heap in use plus goroutine stacks) once every cell is
// waiting, then cancels the waits and returns the growth divided by cells. The figure includes each
// goroutine's stack, its closure, its timer, its share of errgroup's bookkeeping and one byte of
// the new grid.
//
// Growth is what a fresh process such as go run sees. A process that has already run many
// goroutines may keep their stacks for reuse; new goroutines then take those, and the stack figure
// falls towards zero.
func memoryPerGoroutine(ctx context.Context, cells int) (goroutineCost, error) {
	ctx, release := context.WithCancel(ctx)
	defer release()
	var started atomic.Int64
	allStarted := make(chan struct{})
	// The count is taken in the cell's neighbour I/O, which has returned before its game-logic I/O
	// begins, so the wait runs at the same stack depth as in scale's generation. Counting in a
	// wrapper around the wait would add a frame under it, and one frame is enough to make the
	// runtime copy every goroutine's stack to 4 KiB (README, "Goroutines at their cost floor").
	io := life.CellIO{
		Neighbors: func(context.Context, int, int) error {
			if started.Add(1) == int64(cells) {
				close(allStarted)
			}
			return nil
		},
		Logic: life.Latency(time.Hour), // ended by release, once measured
	}

	before := liveBytes()
	done := make(chan error, 1)
	go func() {
		_, err := simulate(ctx, io, life.NewGrid(1, cells))
		done <- err
	}()
	<-allStarted // every cell's goroutine is past its neighbour I/O, a few calls from its wait
	during := liveBytes()
	for range 100 { // until the last ones have parked: a grown stack is copied before the goroutine parks
		again := liveBytes()
		if again.stack == during.stack {
			break
		}
		during = again
	}
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		return goroutineCost{}, fmt.Errorf("the measured generation ended with %v, not with its cancellation", err)
	}
	return goroutineCost{
		stack: (float64(during.stack) - float64(before.stack)) / float64(cells),
		heap:  (float64(during.heap) - float64(before.heap)) / float64(cells),
	}, nil
}

// live is the memory the program holds right now.
type live struct {
	stack, heap uint64
}

// liveBytes collects garbage, then returns the heap still in use and the memory held by goroutine
// stacks.
func liveBytes() live {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return live{stack: m.StackInuse, heap: m.HeapAlloc}
}
