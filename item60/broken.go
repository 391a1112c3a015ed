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
//
// The leak it returns is for the lesson and the tests alone, so they can release the goroutines
// after showing them stuck. Real code written this way hands its caller no such thing.
func simulateGather(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, leak, error) {
	next := life.NewGrid(grid.Height, grid.Width)
	errs := make(chan error) // BUG: unbuffered: a send completes only when the coordinator receives, and it stops receiving at the first error.
	for y := range grid.Height {
		for x := range grid.Width {
			go func() {
				errs <- stepCell(ctx, io, y, x, grid, next) // BUG: blocks forever once the coordinator has returned.
			}()
		}
	}
	for received := range grid.Cells() {
		if err := <-errs; err != nil {
			return nil, leak{errs, grid.Cells() - received - 1}, err // BUG: returns with the other cells still running and no one left to receive from them.
		}
	}
	return next, leak{}, nil
}

// leak is what simulateGather abandons when it returns early: the channel its goroutines are
// sending on and how many of them there are.
type leak struct {
	errs  <-chan error
	stuck int
}

// release receives the result each abandoned goroutine is waiting to send, so every one of them
// can return. It waits for any whose I/O is still running.
func (l leak) release() {
	for range l.stuck {
		<-l.errs
	}
}
