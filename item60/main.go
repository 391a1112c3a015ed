// Command item60 ports Effective Python item 60, "Achieve highly concurrent I/O with coroutines":
// goroutines are Go's coroutines, so a goroutine per cell through errgroup.WithContext is the book's
// asyncio.gather — with cancellation — and it scales to 100,000 cells at about one latency per
// generation. The Go hazard is the leak a hand-made gather leaves when it returns early.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// bookLatency is the I/O time the book gives every cell.
const bookLatency = 100 * time.Millisecond

// minCells and maxCells bound -cells. Below a thousand goroutines the memory measurement is lost in
// the runtime's own noise (it can even come out negative); a million waiting goroutines take a few
// GB, and more is a typo.
const minCells, maxCells = 1_000, 1_000_000

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the whole lesson; main only passes it the process's arguments and streams.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("item60", flag.ContinueOnError)
	flags.SetOutput(stderr)
	latency := flags.Duration("latency", bookLatency, "simulated I/O time per cell (the book's 100ms)")
	cells := flags.Int("cells", 10_000, "cells in the scale run, a goroutine each (try 100000)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./item60 [flags]")
		fmt.Fprintln(stderr, "Item 60: a goroutine per cell is Go's coroutine design; errgroup.WithContext gathers them and cancels on the first error.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case flags.NArg() > 0:
		fmt.Fprintf(stderr, "item60: unexpected argument %q (this lesson takes only flags)\n", flags.Arg(0))
		return 2
	case *latency <= 0:
		fmt.Fprintf(stderr, "item60: -latency must be positive (got %v)\n", *latency)
		return 2
	case *cells < minCells || *cells > maxCells:
		fmt.Fprintf(stderr, "item60: -cells must be between %d and %d (got %d)\n", minCells, maxCells, *cells)
		return 2
	}
	if err := lesson(context.Background(), stdout, *latency, *cells); err != nil {
		fmt.Fprintf(stderr, "item60: %v\n", err)
		return 1
	}
	return 0
}

// lesson prints the item listing by listing.
func lesson(ctx context.Context, w io.Writer, latency time.Duration, cells int) error {
	wait := life.Latency(latency)
	glider := life.Glider()

	fmt.Fprintln(w, "== Examples 1–4 (fixed): simulate, a goroutine per cell through errgroup.WithContext, five generations ==")
	table, took, err := timedTable(ctx, life.CellIO{Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "%d generations of %d cells: %v per generation (1 × %v latency; one cell after another: %d × %v = %v)\n",
		life.Generations, glider.Cells(), perGeneration(took), latency, glider.Cells(), latency, time.Duration(glider.Cells())*latency)
	fmt.Fprintln(w, latencyNote(latency))
	fmt.Fprintln(w)

	fmt.Fprintln(w, "== Example 5 (fixed): gameLogic's I/O fails; the error reaches the caller ==")
	_, err = simulate(ctx, life.CellIO{Logic: life.FailAt(0, 0, life.ErrIO, wait)}, life.NewGrid(1, 1))
	fmt.Fprintf(w, "simulate on Grid(1, 1), its I/O failing -> error: %v   (the book: OSError: Problem with I/O)\n\n", err)

	fmt.Fprintln(w, "== Example 6 (fixed): countNeighbors does I/O too; only its body changes ==")
	both, took, err := timedTable(ctx, life.CellIO{Neighbors: wait, Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, both)
	fmt.Fprintf(w, "same table as Examples 1–4: %v; %v per generation (each cell's two I/O calls run one after the other: 2 × %v)\n\n",
		both == table, perGeneration(took), latency)

	fmt.Fprintf(w, "== Scale (fixed): one generation of %s cells, a goroutine each ==\n", commas(cells))
	if err := scale(ctx, w, latency, cells); err != nil {
		return err
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "== The first error: errgroup cancels the I/O in flight (fixed); a hand-made gather leaks (broken) ==")
	return firstError(ctx, w, latency, glider)
}

// latencyNote says which latency the run used, next to the book's.
func latencyNote(latency time.Duration) string {
	if latency == bookLatency {
		return fmt.Sprintf("latency %v per cell, the book's", latency)
	}
	return fmt.Sprintf("latency %v per cell (the book uses %v; -latency %v to match)", latency, bookLatency, bookLatency)
}

// timedTable runs the book's driver with simulate and reports how long it took. As the book runs
// asyncio.run once per generation, each generation is a call of its own.
func timedTable(ctx context.Context, io life.CellIO) (string, time.Duration, error) {
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulate(ctx, io, g) })
	return table, time.Since(start), err
}

// perGeneration is one generation's share of a whole table's run.
func perGeneration(took time.Duration) time.Duration {
	return (took / life.Generations).Round(time.Millisecond)
}

// scale runs one generation of cells goroutines for its wall time, then measures what each
// goroutine holds while it waits.
func scale(ctx context.Context, w io.Writer, latency time.Duration, cells int) error {
	took, err := timeGeneration(ctx, latency, cells)
	if err != nil {
		return err
	}
	perGoroutine, err := memoryPerGoroutine(ctx, cells)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	startup := max(took-latency, 0) / time.Duration(cells)
	fmt.Fprintln(tw, "cells\tlatency\twall time\t(wall − latency) / cells\tmemory per waiting goroutine\tof which stack\theap\t")
	fmt.Fprintf(tw, "%s\t%v\t%v\t%v\t%.1f KiB\t%.1f KiB\t%.0f B\t\n", commas(cells), latency, took.Round(time.Millisecond),
		startup.Round(10*time.Nanosecond), perGoroutine.total()/1024, perGoroutine.stack/1024, perGoroutine.heap)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "a goroutine starts with a 2 KiB stack, copied to one twice the size when its calls go deeper;")
	fmt.Fprintln(w, "the book puts a coroutine under 1 KB. Serially, this generation would take "+
		(time.Duration(cells)*latency).String()+".")
	return nil
}

// ioTally counts how the I/O of the cells that do not fail ended.
type ioTally struct {
	cancelled, completed atomic.Int64
	begun                sync.WaitGroup // one per cell that does not fail, until its I/O has begun
	pending              sync.WaitGroup // one per cell that does not fail, until its I/O returns
}

// failFirst returns the I/O for a grid of cells cells in which cell (0, 0) fails as soon as every
// other cell's I/O has begun — so the failure meets I/O in flight, not cells yet to start — and
// every other cell waits latency, or less if its context is cancelled; the tally counts the
// outcomes. Every cell needs a goroutine of its own: under a limit, (0, 0) would wait forever.
func failFirst(cells int, latency time.Duration) (life.IO, *ioTally) {
	tally := &ioTally{}
	tally.begun.Add(cells - 1)
	tally.pending.Add(cells - 1)
	wait := life.Latency(latency)
	return func(ctx context.Context, y, x int) error {
		if y == 0 && x == 0 {
			tally.begun.Wait()
			return life.ErrIO
		}
		defer tally.pending.Done()
		tally.begun.Done()
		if err := wait(ctx, y, x); err != nil {
			tally.cancelled.Add(1)
			return err
		}
		tally.completed.Add(1)
		return nil
	}, tally
}

// firstError fails cell (0, 0) of the glider while the other 44 cells wait on their I/O,
// and shows what each strategy leaves behind: simulate cancels the 44 and waits for them;
// simulateGather returns just as fast but leaves 44 goroutines blocked forever, which the lesson
// then releases.
func firstError(ctx context.Context, w io.Writer, latency time.Duration, grid *life.Grid) error {
	fmt.Fprintf(w, "cell (0, 0) fails as soon as the other %d cells' I/O has begun; each of those waits %v\n", grid.Cells()-1, latency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\treturned after\terror\tI/O cancelled\tI/O run to the end\tgoroutines left behind")

	io, tally := failFirst(grid.Cells(), latency)
	start := time.Now()
	_, err := simulate(ctx, life.CellIO{Logic: io}, grid)
	took := time.Since(start)
	tally.pending.Wait()
	fmt.Fprintf(tw, "simulate (fixed)\t%v\t%v\t%d\t%d\t%d\n", took.Round(time.Millisecond), err,
		tally.cancelled.Load(), tally.completed.Load(), goroutinesIn(".simulate.func"))

	io, tally = failFirst(grid.Cells(), latency)
	start = time.Now()
	_, leaked, err := simulateGather(ctx, life.CellIO{Logic: io}, grid)
	took = time.Since(start)
	tally.pending.Wait() // the abandoned cells' I/O runs to the end: nothing cancels it
	fmt.Fprintf(tw, "simulateGather (broken)\t%v\t%v\t%d\t%d\t%d\n", took.Round(time.Millisecond), err,
		tally.cancelled.Load(), tally.completed.Load(), goroutinesIn(".simulateGather.func"))
	if err := tw.Flush(); err != nil {
		return err
	}

	leaked.release()
	fmt.Fprintf(w, "released simulateGather's %d stuck goroutines by receiving their results; left behind now: %d\n",
		leaked.stuck, settle(".simulateGather.func"))
	return nil
}

// settle waits up to a second for the goroutines passing through fn to exit — a released goroutine
// still has to be scheduled to return — and reports how many remain.
func settle(fn string) int {
	deadline := time.Now().Add(time.Second)
	for {
		n := goroutinesIn(fn)
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

// goroutinesIn counts the live goroutines whose stack passes through a function whose name contains
// fn, such as ".simulateGather.func" for the goroutines simulateGather starts.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for stack := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(stack, []byte(fn)) {
			count++
		}
	}
	return count
}

// commas writes n with thousands separators, as the book writes 10,000.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
