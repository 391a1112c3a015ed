package main

import (
	"context"
	"errors"
	"sync"

	"workbook/item56/life"
)

// simulateFanOut is simulate with fan-out and fan-in, the two shapes the book names: it starts one
// goroutine per cell (fan-out) and waits for all of them (fan-in) before the next generation may
// begin. Every cell's I/O is in flight at once, so a generation takes about one latency, however
// many cells there are.
//
// No lock is needed: each goroutine reads only the old grid, which nobody writes during the
// generation, and writes only its own cell of the new grid and its own slot of errs. Writes to
// different elements do not race (go test -race ./item56 runs this code and would report one),
// and wg.Wait makes them all visible here: the return from each function passed to wg.Go
// "synchronizes before" the return of Wait (pkg.go.dev/sync#WaitGroup.Go).
func simulateFanOut(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	errs := make([]error, grid.Cells())
	var wg sync.WaitGroup
	for y := range grid.Height {
		for x := range grid.Width {
			// FIX: fan-out: the cell's I/O runs in its own goroutine, so all cells wait at the same time instead of one after another.
			wg.Go(func() {
				errs[y*grid.Width+x] = life.StepCellIO(ctx, io, y, x, grid.Get, next.Set)
			})
		}
	}
	// FIX: fan-in: wait for every cell before handing back the new grid; the generations stay in lockstep.
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return next, nil
}
