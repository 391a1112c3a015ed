package main

import (
	"context"

	"golang.org/x/sync/errgroup"

	"workbook/item56/life"
)

// simulate is the book's async simulate: a goroutine per cell, all of them at once, then wait for
// every one (asyncio.gather). Go needs no async keyword — the runtime parks a goroutine that waits
// on I/O and runs others on the same threads, so a goroutine per cell is the coroutine design. Each
// goroutine writes only its own cell of next, so no lock is needed (item 57).
// errgroup.WithContext is gather plus cancellation: the first error cancels the context every other
// cell's I/O is waiting on, and Wait returns only after all of them have returned.
func simulate(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	g, ctx := errgroup.WithContext(ctx) // FIX: the first error cancels ctx, and with it every I/O still in flight.
	for y := range grid.Height {
		for x := range grid.Width {
			g.Go(func() error {
				return life.StepCellIO(ctx, io, y, x, grid.Get, next.Set) // FIX: the result goes to the group, which never blocks the goroutine.
			})
		}
	}
	if err := g.Wait(); err != nil { // FIX: Wait returns only after every goroutine has, cancelled ones too, then reports the first error.
		return nil, err
	}
	return next, nil
}
