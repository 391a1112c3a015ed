package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"workbook/item56/life"
)

// logicItem is one cell on its way to gameLogicThread: the book's (y, x, state, neighbors) tuple.
// Err carries a failure from an earlier stage (listing 7), so a failed cell still reaches the fan-in
// and is reported there instead of vanishing.
type logicItem struct {
	Y, X      int
	State     life.State
	Neighbors int
	Err       error
}

// cellResult is one cell's next state: the book's (y, x, next_state). Python puts the exception in
// next_state's place; Go gives the error a field of its own.
type cellResult struct {
	Y, X int
	Next life.State
	Err  error
}

// gameLogicThread is what a pool worker does with one cell (listings 2 and 7): apply the rule, with
// its I/O, unless an earlier stage already failed, in which case it passes that error on.
func gameLogicThread(ctx context.Context, io life.IO, item logicItem) cellResult {
	if item.Err != nil {
		return cellResult{Y: item.Y, X: item.X, Err: item.Err}
	}
	next, err := life.GameLogicIO(ctx, io, item.Y, item.X, item.State, item.Neighbors)
	return cellResult{Y: item.Y, X: item.X, Next: next, Err: err}
}

// worker is the book's StoppableWorker: it applies work to every item from in and sends the result
// on out. It returns when in is closed (the normal way to stop a pool) or when ctx is cancelled (the
// emergency exit a watchdog or a test uses to release a pool that is stuck).
func worker[In, Out any](ctx context.Context, work func(context.Context, In) Out, in <-chan In, out chan<- Out) {
	for {
		select {
		case item, ok := <-in:
			if !ok {
				return
			}
			select {
			case out <- work(ctx, item):
			case <-ctx.Done():
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// crew is a fixed set of goroutines started up front (the book's "start the threads upfront"),
// counted so the lesson can show how many are still running.
type crew struct {
	wg      sync.WaitGroup
	running atomic.Int64
}

// start launches n goroutines that each run loop.
func (c *crew) start(n int, loop func()) {
	for range n {
		c.running.Add(1)
		c.wg.Go(func() {
			defer c.running.Add(-1)
			loop()
		})
	}
}

// Pipeline is the single-stage pool of listings 1–2: cells go in on one channel, workers run
// gameLogicThread, results come out on another. Both channels are unbuffered (a Go channel is never
// unbounded, unlike the book's Queue()), and both are reused by every generation.
type Pipeline struct {
	in        chan logicItem
	out       chan cellResult
	neighbors life.IO // count_neighbors' I/O: in this design the coordinator does it, cell by cell
	workers   crew
}

// StartPipeline starts the workers once; every generation then reuses them. ctx is their lifetime:
// cancelling it releases them even if nobody calls Stop.
func StartPipeline(ctx context.Context, workers int, io life.CellIO) *Pipeline {
	p := &Pipeline{in: make(chan logicItem), out: make(chan cellResult), neighbors: io.Neighbors}
	logic := func(ctx context.Context, item logicItem) cellResult { return gameLogicThread(ctx, io.Logic, item) }
	p.workers.start(workers, func() { worker(ctx, logic, p.in, p.out) })
	return p
}

// Stop closes the input once (every worker's receive then ends; the book needs one sentinel per
// thread, Go's close reaches them all) and waits until every worker has returned. Call it once.
func (p *Pipeline) Stop() {
	close(p.in)
	p.workers.wg.Wait()
}

// Running is how many workers have not returned yet.
func (p *Pipeline) Running() int { return int(p.workers.running.Load()) }

// SimulationError says which cell failed; Unwrap hands out the cause, so errors.Is and errors.As
// see through it. It is Python's `raise SimulationError(y, x) from next_state`.
type SimulationError struct {
	Y, X int
	Err  error
}

// Error reads like the book's traceback: the cell, then the cause.
func (e *SimulationError) Error() string {
	return fmt.Sprintf("simulation error at (%d, %d): %v", e.Y, e.X, e.Err)
}

// Unwrap returns the cause, as Python's __cause__.
func (e *SimulationError) Unwrap() error { return e.Err }

// simulatePipeline is listing 3: one generation on the pool. A goroutine of its own fans the cells
// out while this one fans the results in.
func simulatePipeline(ctx context.Context, grid *life.Grid, p *Pipeline) (*life.Grid, error) {
	var fanOut sync.WaitGroup
	defer fanOut.Wait()
	// FIX: fan out on a goroutine of its own, so this one reads results while cells still go in.
	fanOut.Go(func() {
		for y := range grid.Height {
			for x := range grid.Width {
				state := grid.Get(y, x)
				neighbors, err := life.CountNeighborsIO(ctx, p.neighbors, y, x, grid.Get)
				select {
				case p.in <- logicItem{Y: y, X: x, State: state, Neighbors: neighbors, Err: err}: // Fan out
				case <-ctx.Done():
					return
				}
			}
		}
	})
	return fanIn(ctx, grid, p.out)
}

// fanIn reads exactly one result per cell from out and builds the next grid. After a failed cell it
// keeps reading: a result left in the pool would be read by the next generation as its own. So the
// first error is returned only once every cell has come back, and the pool stays usable.
func fanIn(ctx context.Context, grid *life.Grid, out <-chan cellResult) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	var first error
	for received := range grid.Cells() {
		select {
		case r := <-out: // Fan in
			if r.Err != nil {
				if first == nil {
					first = &SimulationError{Y: r.Y, X: r.X, Err: r.Err}
				}
				continue
			}
			next.Set(r.Y, r.X, r.Next)
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: received %d of %d results", context.Cause(ctx), received, grid.Cells())
		}
	}
	if first != nil {
		return nil, first
	}
	return next, nil
}

// runPipeline is listing 5: the book's driver (five generations of the glider) on a pool started
// beforehand, which it stops when it is done.
func runPipeline(ctx context.Context, p *Pipeline) (string, error) {
	defer p.Stop() // FIX: close the input once, after the last generation, and wait for every worker.
	return life.Table(func(grid *life.Grid) (*life.Grid, error) { return simulatePipeline(ctx, grid, p) })
}
