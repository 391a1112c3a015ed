package main

import (
	"context"

	"workbook/item56/life"
)

// simulateGather is asyncio.gather written by hand with a channel: a goroutine per cell sends its
// result, and the coordinator receives one result per cell. It returns as soon as a result is an
// error, which looks like the book's "the exception goes straight to the caller" — but every
// goroutine that has not yet sent is left blocked on a channel nobody will ever read again: a
// goroutine leak, one per unfinished cell, that no error message reveals. Their I/O is not
// cancelled either; it runs to the end only to block.
func simulateGather(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	errs := make(chan error) // unbuffered: a send completes only when the coordinator receives it
	for y := range grid.Height {
		for x := range grid.Width {
			go func() {
				errs <- life.StepCellIO(ctx, io, y, x, grid.Get, next.Set) // BUG: blocks forever once the coordinator has stopped receiving.
			}()
		}
	}
	for range grid.Cells() {
		if err := <-errs; err != nil {
			return nil, err // BUG: returns with the other cells' I/O still running: nothing cancels it, nothing waits for it.
		}
	}
	return next, nil
}
