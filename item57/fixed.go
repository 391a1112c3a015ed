package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"workbook/item56/life"
)

// simulateThreadedSafe is simulateThreaded with its bugs fixed: still a goroutine per cell per
// generation, but every cell's error comes back (with its coordinates), a panicking cell becomes an
// error, and nothing is shared, so nothing needs a lock.
func simulateThreadedSafe(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	// FIX: no lock on the grids: each goroutine only reads grid, which nobody writes during the generation, and writes only its own cell of next; distinct cells are distinct memory locations, so nothing races.
	next := life.NewGrid(grid.Height, grid.Width)
	// FIX: one error slot per cell: each goroutine writes only its own slot, so no lock is needed and no error can overwrite another.
	errs := make([]error, grid.Cells())
	var wg sync.WaitGroup
	for y := range grid.Height {
		for x := range grid.Width {
			// FIX: stepCell recovers a panic in this goroutine and returns it as the cell's error.
			wg.Go(func() {
				errs[y*grid.Width+x] = stepCell(ctx, io, y, x, grid.Get, next.Set)
			})
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return next, nil
}

// stepCell is life.StepCellIO as one goroutine's whole job: an error names its cell, and a panic
// becomes an error instead of ending the program.
//
// Recovering is right here because the step is self-contained: it shares nothing, and a cell that
// fails is simply not written, so the program is still in a known state and the caller can decide
// (retry, report, give up). Where a panic means shared state may be half-updated, let it crash.
func stepCell(ctx context.Context, io life.CellIO, y, x int, get life.Getter, set life.Setter) (err error) {
	defer func() {
		// FIX: only the goroutine that panics can recover; here the panic becomes this cell's error.
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = fmt.Errorf("cell (%d, %d): panic: %w", y, x, e)
			} else {
				err = fmt.Errorf("cell (%d, %d): panic: %v", y, x, p)
			}
		}
	}()
	if err := life.StepCellIO(ctx, io, y, x, get, set); err != nil {
		// FIX: the error says which cell failed; %w keeps errors.Is(err, life.ErrIO) true.
		return fmt.Errorf("cell (%d, %d): %w", y, x, err)
	}
	return nil
}
