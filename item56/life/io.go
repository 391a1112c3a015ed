package life

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// IO stands for the blocking network call the book adds to a cell's step ("each cell needs about
// 100 ms of I/O"). It is told which cell it serves, so a test can make one cell fail. A nil IO does
// nothing.
type IO func(ctx context.Context, y, x int) error

// ErrIO is the book's OSError('Problem with I/O') (its item 57 raises it from game_logic),
// lower-cased as Go error strings are.
var ErrIO = errors.New("problem with I/O")

// Latency returns an IO that waits d, or less if ctx is cancelled first, in which case it returns
// the cancellation cause. The wait is a timer, so inside a testing/synctest bubble it runs on the
// fake clock and takes no real time.
//
// The cancellation error is built by cancelled, not here: fmt.Errorf's arguments would more than
// double this function's stack frame (208 bytes instead of 144 on amd64), and the runtime adds the
// timer to its heap (selectgo → blockTimerChan → timers.addHeap) on top of this frame. With the
// bigger frame that no longer fits in a goroutine's 2 KiB starting stack, and every cell's
// goroutine had its stack copied to a 4 KiB one (item 60's "Goroutines at their cost floor").
func Latency(d time.Duration) IO {
	return func(ctx context.Context, y, x int) error {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return cancelled(ctx, y, x)
		}
	}
}

// cancelled is the error of an I/O call for cell (y, x) that ctx cancelled. It is kept out of line
// so that its frame is not on the stack of a goroutine waiting in Latency.
//
//go:noinline
func cancelled(ctx context.Context, y, x int) error {
	return fmt.Errorf("I/O for cell (%d, %d) cancelled: %w", y, x, context.Cause(ctx))
}

// FailAt returns an IO that behaves like io for every cell except (y, x), where it returns err
// after io has run, so the failing call still costs its latency, like a network call that fails
// after its round trip. If io itself fails (cancelled, say), its error comes back instead.
func FailAt(y, x int, err error, io IO) IO {
	return func(ctx context.Context, cy, cx int) error {
		if e := io.Do(ctx, cy, cx); e != nil {
			return e
		}
		if cy == y && cx == x {
			return err
		}
		return nil
	}
}

// Do runs the I/O for cell (y, x); a nil IO succeeds at once.
func (io IO) Do(ctx context.Context, y, x int) error {
	if io == nil {
		return nil
	}
	return io(ctx, y, x)
}

// CellIO is the I/O a cell's step performs: the book first puts it in game_logic; its item 58 gives
// count_neighbors blocking I/O too, and item 60 makes count_neighbors a coroutine so that it can
// await some. The zero value does no I/O.
type CellIO struct {
	Neighbors IO // before counting the neighbours
	Logic     IO // before applying the rule
}

// CountNeighborsIO is CountNeighbors after its I/O: the book's count_neighbors with I/O (item 58).
func CountNeighborsIO(ctx context.Context, io IO, y, x int, get Getter) (int, error) {
	if err := io.Do(ctx, y, x); err != nil {
		return 0, err
	}
	return CountNeighbors(y, x, get), nil
}

// GameLogicIO is GameLogic after its I/O: the book's game_logic that "does blocking I/O".
func GameLogicIO(ctx context.Context, io IO, y, x int, state State, neighbors int) (State, error) {
	if err := io.Do(ctx, y, x); err != nil {
		return state, err
	}
	return GameLogic(state, neighbors), nil
}

// StepCellIO is StepCell with the cell's I/O: read, count (with I/O), decide (with I/O), write. The
// cell is written only if both calls succeed.
func StepCellIO(ctx context.Context, io CellIO, y, x int, get Getter, set Setter) error {
	state := get(y, x)
	neighbors, err := CountNeighborsIO(ctx, io.Neighbors, y, x, get)
	if err != nil {
		return err
	}
	next, err := GameLogicIO(ctx, io.Logic, y, x, state, neighbors)
	if err != nil {
		return err
	}
	set(y, x, next)
	return nil
}

// SimulateIO is Simulate with every cell's I/O done one cell after another: the serial program of
// item 56, taking cells × latency per generation. It stops at the first error. Item 56's broken.go
// spells out the same loop as its simulate, the code its learner edits; its tests keep the two equal.
func SimulateIO(ctx context.Context, io CellIO, grid *Grid) (*Grid, error) {
	next := NewGrid(grid.Height, grid.Width)
	for y := range grid.Height {
		for x := range grid.Width {
			if err := StepCellIO(ctx, io, y, x, grid.Get, next.Set); err != nil {
				return nil, err
			}
		}
	}
	return next, nil
}
