package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// gather is the shape simulate and simulateGather share.
type gather func(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error)

// replyLimit bounds runFailFirst: if a version has not returned this long after the call, the
// held-back replies arrive anyway, so a version that waits for them instead of cancelling ends late
// instead of never.
const replyLimit = 10 * time.Second

// firstError runs each version on grid with cell (0, 0) failing once every other cell's I/O has
// begun. Those cells' replies are held back until the call returns, so only cancellation can end
// their I/O sooner. Then it counts the goroutines each version left behind.
func firstError(ctx context.Context, w io.Writer, grid *life.Grid) error {
	fmt.Fprintf(w, "cell (0, 0) fails once the other %d cells' I/O has begun; their replies are held back until the call returns\n", grid.Cells()-1)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\terror\tI/O cancelled\tI/O run to the end\tgoroutines left behind")
	for _, v := range []struct {
		name, fn string
		gather   gather
	}{
		{"simulate (fixed)", ".simulate.func1", simulate},
		{"simulateGather (broken)", ".simulateGather.func1", simulateGather},
	} {
		tally, err := runFailFirst(ctx, v.gather, grid)
		fmt.Fprintf(tw, "%s\t%v\t%d\t%d\t%d\n", v.name, err, tally.cancelled.Load(), tally.completed.Load(), goroutinesIn(v.fn))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "simulateGather's goroutines are blocked forever sending results nobody will read; only the end of this process frees them.")
	return nil
}

// runFailFirst runs gather on grid with failFirst's I/O, then lets the held-back replies arrive and
// waits for the other cells' I/O to end.
func runFailFirst(ctx context.Context, gather gather, grid *life.Grid) (*ioTally, error) {
	reply := make(chan struct{})
	deliver := sync.OnceFunc(func() { close(reply) })
	defer time.AfterFunc(replyLimit, deliver).Stop()
	io, tally := failFirst(grid.Cells(), reply)
	_, err := gather(ctx, life.CellIO{Logic: io}, grid)
	deliver() // the call has returned: the replies arrive
	tally.ended.Wait()
	return tally, err
}

// ioTally counts how the I/O of the cells that do not fail ended.
type ioTally struct {
	cancelled, completed atomic.Int64
	ended                sync.WaitGroup // one per cell that does not fail, until its I/O returns
}

// failFirst returns the I/O for a grid of cells cells: cell (0, 0) fails as soon as every other
// cell's I/O has begun (or reply is closed, whichever comes first), and every other cell waits for
// reply to be closed, or for its context to be cancelled. The tally counts the outcomes. Every cell
// needs a goroutine of its own, as here, or (0, 0) waits for reply.
func failFirst(cells int, reply <-chan struct{}) (life.IO, *ioTally) {
	tally := &ioTally{}
	tally.ended.Add(cells - 1)
	var begun atomic.Int64
	allBegun := make(chan struct{})
	return func(ctx context.Context, y, x int) error {
		if y == 0 && x == 0 {
			select {
			case <-allBegun:
			case <-reply:
			}
			return life.ErrIO
		}
		defer tally.ended.Done()
		if begun.Add(1) == int64(cells-1) {
			close(allBegun)
		}
		select {
		case <-reply:
			tally.completed.Add(1)
			return nil
		case <-ctx.Done():
			tally.cancelled.Add(1)
			return context.Cause(ctx)
		}
	}, tally
}

// goroutinesIn counts the live goroutines that are inside the function whose name ends in name,
// such as ".simulateGather.func1", the goroutine simulateGather starts per cell.
func goroutinesIn(name string) int {
	records := make([]runtime.StackRecord, runtime.NumGoroutine()+100)
	n, ok := runtime.GoroutineProfile(records)
	for !ok {
		records = make([]runtime.StackRecord, 2*n)
		n, ok = runtime.GoroutineProfile(records)
	}
	count := 0
	for _, r := range records[:n] {
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			if strings.HasSuffix(f.Function, name) {
				count++
				break
			}
			if !more {
				break
			}
		}
	}
	return count
}
