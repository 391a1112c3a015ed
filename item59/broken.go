package main

import (
	"context"
	"sync"

	"workbook/item56/life"
)

// simulatePoolHandmade is the pool people write before they meet errgroup: a buffered channel as a
// semaphore (a slot per worker), a WaitGroup for fan-in, and one error variable guarded by a mutex.
// The limit works and the race detector is satisfied, yet a worker's error can vanish: every task
// reports into the same variable, so the last task to finish decides what the caller sees — almost
// always a success. The caller then gets a nil error and a grid with the failed cell never written.
func simulatePoolHandmade(ctx context.Context, limit int, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	sem := make(chan struct{}, limit) // a slot per worker
	var wg sync.WaitGroup
	var mu sync.Mutex
	var err error
	for y := range grid.Height {
		for x := range grid.Width {
			// The send blocks while limit cells are in flight: the executor's queue.
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				cellErr := life.StepCellIO(ctx, io, y, x, grid.Get, next.Set)
				mu.Lock()
				err = cellErr // BUG: every task reports, successes too; a later nil overwrites the failure, so the last cell to finish decides.
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return next, nil
}
