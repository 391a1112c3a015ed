package main

import (
	"context"

	"workbook/item56/life"
)

// simulate is the book's simulate once game_logic does blocking I/O. It is life.SimulateIO, which
// steps the cells one after another:
//
//	for y := range grid.Height {
//		for x := range grid.Width {
//			life.StepCellIO(ctx, io, y, x, grid.Get, next.Set) // waits out this cell's I/O
//		}
//	}
//
// The answer is right; the time is not.
func simulate(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	// BUG: one cell at a time: each cell's I/O waits for the previous cell's to finish, so a generation takes cells × latency (45 × 100 ms = 4.5 s; 10,000 cells: over 15 minutes).
	return life.SimulateIO(ctx, io, grid)
}
