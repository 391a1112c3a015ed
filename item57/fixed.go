package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"workbook/item56/life"
)

// simulateThreadedSafe is simulateThreaded with its bug fixed: still a goroutine per cell per
// generation, and still no lock on the grids, but every cell's error comes back, naming its cell.
//
// It does not recover panics: a panic in a cell's goroutine ends the program, as Go means it to
// (README.md, "A panic ends the program").
func simulateThreadedSafe(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	// FIX: one error slot per cell: each goroutine writes only its own slot, so no lock is needed and no error can overwrite another.
	errs := make([]error, grid.Cells())
	var wg sync.WaitGroup
	for y := range grid.Height {
		for x := range grid.Width {
			wg.Go(func() {
				if err := life.StepCellIO(ctx, io, y, x, grid.Get, next.Set); err != nil {
					// FIX: the error says which cell failed; %w keeps errors.Is(err, life.ErrIO) true.
					errs[y*grid.Width+x] = fmt.Errorf("cell (%d, %d): %w", y, x, err)
				}
			})
		}
	}
	wg.Wait()
	// FIX: read the slots only after wg.Wait(), which orders every goroutine's write before this read.
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return next, nil
}
