package main

import (
	"context"
	"sync"

	"workbook/item56/life"
)

// neighborsItem is one cell on its way to countNeighborsThread: the book's (y, x, state, get).
// Get reads the old grid, which nobody writes while a generation runs, so the five goroutines that
// call it at once need no lock: the book's LockingGrid has no job to do here (see the README).
type neighborsItem struct {
	Y, X  int
	State life.State
	Get   life.Getter
}

// countNeighborsThread is the first stage's work (listing 7): count the neighbours, with I/O, and
// carry a failure on to the next stage instead of dropping the cell.
func countNeighborsThread(ctx context.Context, io life.IO, item neighborsItem) logicItem {
	neighbors, err := life.CountNeighborsIO(ctx, io, item.Y, item.X, item.Get)
	return logicItem{Y: item.Y, X: item.X, State: item.State, Neighbors: neighbors, Err: err}
}

// PhasedPipeline is listing 8: three channels and two crews of workers, countNeighborsThread
// feeding gameLogicThread. All three channels are unbuffered and reused by every generation.
type PhasedPipeline struct {
	in           chan neighborsItem
	logic        chan logicItem
	out          chan cellResult
	countWorkers crew
	logicWorkers crew
}

// StartPhasedPipeline starts workers goroutines for each stage, once. ctx is their lifetime.
func StartPhasedPipeline(ctx context.Context, workers int, io life.CellIO) *PhasedPipeline {
	p := &PhasedPipeline{in: make(chan neighborsItem), logic: make(chan logicItem), out: make(chan cellResult)}
	count := func(ctx context.Context, item neighborsItem) logicItem {
		return countNeighborsThread(ctx, io.Neighbors, item)
	}
	logic := func(ctx context.Context, item logicItem) cellResult { return gameLogicThread(ctx, io.Logic, item) }
	p.countWorkers.start(workers, func() { worker(ctx, count, p.in, p.logic) })
	p.logicWorkers.start(workers, func() { worker(ctx, logic, p.logic, p.out) })
	return p
}

// Stop shuts the stages down in order: close the input, wait for the first crew (nothing can send
// on logic after that), close logic, wait for the second crew. Call it once.
func (p *PhasedPipeline) Stop() {
	close(p.in)
	p.countWorkers.wg.Wait()
	close(p.logic)
	p.logicWorkers.wg.Wait()
}

// Running is how many workers of both stages have not returned yet.
func (p *PhasedPipeline) Running() int {
	return int(p.countWorkers.running.Load() + p.logicWorkers.running.Load())
}

// simulatePhasedPipeline is listing 9: one generation through both stages. The coordinator now only
// reads each cell's state; the neighbours are counted by the first stage.
func simulatePhasedPipeline(ctx context.Context, grid *life.Grid, p *PhasedPipeline) (*life.Grid, error) {
	var fanOut sync.WaitGroup
	defer fanOut.Wait()
	fanOut.Go(func() {
		for y := range grid.Height {
			for x := range grid.Width {
				state := grid.Get(y, x)
				select {
				case p.in <- neighborsItem{Y: y, X: x, State: state, Get: grid.Get}: // Fan out
				case <-ctx.Done():
					return
				}
			}
		}
	})
	return fanIn(ctx, grid, p.out)
}

// runPhasedPipeline is listing 10: the book's driver on the phased pipeline, stopped when done.
func runPhasedPipeline(ctx context.Context, p *PhasedPipeline) (string, error) {
	defer p.Stop()
	return life.Table(func(grid *life.Grid) (*life.Grid, error) { return simulatePhasedPipeline(ctx, grid, p) })
}
