package main

import (
	"context"
	"runtime"
	"sync"
	"time"

	"workbook/item56/life"
)

// timeGeneration runs one generation of a cells-cell grid with simulate, every cell waiting latency
// for its I/O, and returns the wall time.
func timeGeneration(ctx context.Context, latency time.Duration, cells int) (time.Duration, error) {
	grid := gridFor(cells)
	start := time.Now()
	_, err := simulate(ctx, life.CellIO{Logic: life.Latency(latency)}, grid)
	return time.Since(start), err
}

// goroutineCost is what one waiting goroutine holds, in bytes.
type goroutineCost struct {
	stack, heap float64
}

// total is the goroutine's whole cost.
func (c goroutineCost) total() float64 { return c.stack + c.heap }

// memoryPerGoroutine measures what a goroutine per cell costs while it waits for I/O. It runs
// simulate on a cells-cell grid whose I/O blocks until every cell has started waiting, reads the
// runtime's live memory (heap in use plus goroutine stacks) at that moment, lets the cells finish,
// and returns the growth divided by cells. The figure includes each goroutine's stack, its closure,
// its share of errgroup's bookkeeping and one byte of the new grid.
//
// Growth is what a fresh process such as go run sees. A process that has already run many
// goroutines may hold their stacks for reuse (the runtime starts goroutines at the average stack
// size it has seen and keeps such stacks with exited goroutines); new goroutines then take those,
// the stack figure falls towards zero, and it no longer says what a goroutine costs.
func memoryPerGoroutine(ctx context.Context, cells int) (goroutineCost, error) {
	grid := gridFor(cells)
	var waiting sync.WaitGroup
	waiting.Add(cells)
	gate := make(chan struct{})
	io := life.CellIO{Logic: func(ctx context.Context, y, x int) error {
		waiting.Done()
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}}

	before := liveBytes()
	done := make(chan error, 1)
	go func() {
		_, err := simulate(ctx, io, grid)
		done <- err
	}()
	waiting.Wait() // every cell's goroutine is now parked in its I/O
	during := liveBytes()
	close(gate)
	if err := <-done; err != nil {
		return goroutineCost{}, err
	}
	n := float64(cells)
	return goroutineCost{
		stack: (float64(during.stack) - float64(before.stack)) / n,
		heap:  (float64(during.heap) - float64(before.heap)) / n,
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

// gridFor returns an empty grid of exactly cells cells, as square as the number allows
// (10,000 → 100 × 100, 100,000 → 250 × 400).
func gridFor(cells int) *life.Grid {
	height := 1
	for h := 1; h*h <= cells; h++ {
		if cells%h == 0 {
			height = h
		}
	}
	return life.NewGrid(height, cells/height)
}
