package main

import (
	"context"

	"golang.org/x/sync/errgroup"

	"workbook/item56/life"
)

// simulatePool is the book's simulate_pool: one task per cell, at most limit of them running at a
// time, and a task's error handed back to the caller. The book submits each step_cell to a
// ThreadPoolExecutor(max_workers=10) and calls result() on every future; errgroup.Group with
// SetLimit is Go's executor: Go submits, Wait is fan-in and returns the first error. Each task
// writes only its own cell of next, so the tasks need no lock (item 57).
//
// The group lives for one generation, not for the whole run like the book's pool. A Go pool has no
// threads worth keeping — each g.Go starts a fresh goroutine, and the limit is only a semaphore —
// so what carries over between generations is the number limit. And the package says a Group
// "should not be reused for different tasks": its first error sticks, so every later Wait would
// report it again (see TestErrgroup_ReuseReportsAnOldError). A limit below zero means no limit.
func simulatePool(ctx context.Context, limit int, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	var g errgroup.Group // FIX: errgroup keeps the semaphore, the WaitGroup and the error together.
	g.SetLimit(limit)
	for y := range grid.Height {
		for x := range grid.Width {
			// Go blocks while limit cells are in flight: the executor's queue.
			g.Go(func() error {
				return life.StepCellIO(ctx, io, y, x, grid.Get, next.Set) // FIX: return the error; the group keeps the first one and ignores later nils.
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return next, nil
}

// submitGameLogic is the book's error demo, pool.submit(game_logic, ALIVE, 3).result(): a single
// gameLogic call run by a group (with one task, a limit would change nothing). If its I/O fails, the
// error comes back from Wait in the caller's goroutine — the Go version of result() re-raising the
// worker's exception.
func submitGameLogic(ctx context.Context, io life.IO, state life.State, neighbors int) (life.State, error) {
	var g errgroup.Group
	var next life.State
	g.Go(func() error {
		var err error
		next, err = life.GameLogicIO(ctx, io, 0, 0, state, neighbors)
		return err
	})
	// Wait is the happens-before edge that makes next safe to read here.
	err := g.Wait()
	return next, err
}
