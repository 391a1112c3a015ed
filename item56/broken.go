package main

import (
	"context"

	"workbook/item56/life"
)

// simulate is the book's simulate once game_logic does blocking I/O: it steps the cells one after
// another, reading the old grid and writing the new one. The answer is right; the time is not.
//
// It is life.SimulateIO written out on purpose: this is the loop you change in README.md's "Your
// turn", while items 57–60 keep using the shared copy in life (TestSimulate_IsLifeSimulateIO checks
// that the two loops are the same).
func simulate(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	for y := range grid.Height {
		for x := range grid.Width {
			// BUG: one cell at a time: each cell's I/O waits for the previous cell's to finish, so a generation takes cells × latency (45 × 100 ms = 4.5 s; 10,000 cells: over 15 minutes).
			if err := life.StepCellIO(ctx, io, y, x, grid.Get, next.Set); err != nil {
				return nil, err
			}
		}
	}
	return next, nil
}
