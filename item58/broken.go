package main

import (
	"context"
	"fmt"

	"workbook/item56/life"
)

// brokenSimulatePipeline is listing 3 ported line by line: put every cell in, then read every
// result. Python's Queue() is unbounded, so the puts never block there. Go's channels here are
// unbuffered: each worker takes one cell and then waits to hand its result to a reader that is still
// busy sending. With more cells than workers nobody can move. It is released only by ctx.
func brokenSimulatePipeline(ctx context.Context, grid *life.Grid, p *Pipeline) (*life.Grid, error) {
	sent := 0
	// BUG: fan out on this goroutine, before it reads any result: the send of cell workers+1 blocks
	// forever, because every worker is blocked sending its result back to this same goroutine.
	for y := range grid.Height {
		for x := range grid.Width {
			state := grid.Get(y, x)
			neighbors, err := life.CountNeighborsIO(ctx, p.neighbors, y, x, grid.Get)
			select {
			case p.in <- logicItem{Y: y, X: x, State: state, Neighbors: neighbors, Err: err}: // Fan out
				sent++
			case <-ctx.Done():
				return nil, fmt.Errorf("%w: sent %d of %d cells, received no result", context.Cause(ctx), sent, grid.Cells())
			}
		}
	}
	return fanIn(ctx, grid, p.out)
}

// brokenRunPipeline is listing 5 without its last two loops: the table comes out right, but the
// workers are never told to stop.
func brokenRunPipeline(ctx context.Context, p *Pipeline) (string, error) {
	// BUG: nothing closes p.in, so every worker waits on it forever: a goroutine leak per worker.
	return life.Table(func(grid *life.Grid) (*life.Grid, error) { return simulatePipeline(ctx, grid, p) })
}
