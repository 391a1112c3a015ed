package main

import (
	"context"
	"sync"

	"workbook/item56/life"
)

// simulateThreaded is the book's simulate_threaded in Go, written the way it first comes to mind:
// a goroutine per cell per generation (45 for the glider), start them all, wait for them all.
//
// The book guards both grids with a LockingGrid; Go does not need it here, because each goroutine
// only reads the old grid and writes its own cell of the new one (lockinggrid.go shows when the lock
// is needed). What is wrong is where each goroutine's error goes.
func simulateThreaded(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	var err error
	var wg sync.WaitGroup
	for y := range grid.Height {
		for x := range grid.Width {
			wg.Go(func() {
				// BUG: every goroutine writes the one err with nothing ordering the writes: a data race.
				// BUG: the last write wins: a cell that succeeds after the failing one sets err back to nil, so the failure is lost.
				err = life.StepCellIO(ctx, io, y, x, grid.Get, next.Set)
			})
		}
	}
	wg.Wait()
	return next, err
}
