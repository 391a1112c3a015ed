package main

import (
	"context"
	"sync"

	"workbook/item56/life"
)

// simulateThreaded is the book's simulate_threaded in Go, written the way it first comes to mind:
// a goroutine per cell per generation (45 for the glider), start them all, wait for them all. Like
// the book it keeps both grids in a LockingGrid; the lock is not what is missing. What is missing:
// the error has nowhere safe to go, and nothing stops a panic.
func simulateThreaded(ctx context.Context, io life.CellIO, grid *LockingGrid) (*LockingGrid, error) {
	next := NewLockingGrid(grid.Height, grid.Width)
	var err error
	var wg sync.WaitGroup
	for y := range grid.Height {
		for x := range grid.Width {
			// BUG: no recover: a panic in any one cell's goroutine ends the whole program (Python prints the thread's traceback and carries on).
			wg.Go(func() {
				// BUG: every goroutine writes the one err with no lock: a data race. And the last write wins: a cell that succeeds after the failing one sets err back to nil, so the failure is lost.
				err = life.StepCellIO(ctx, io, y, x, grid.Get, next.Set)
			})
		}
	}
	wg.Wait()
	return next, err
}
