// Command item59 ports Effective Python item 59, "Consider ThreadPoolExecutor when threads are
// necessary for concurrency": errgroup.Group with SetLimit is Go's bounded executor, it hands a
// worker's error back to the caller, and its limit caps how much I/O can overlap.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// bookLatency is the I/O time the book gives every cell.
const bookLatency = 100 * time.Millisecond

// maxCells bounds -cells so a typo cannot ask for gigabytes.
const maxCells = 1_000_000

// runLimit is the longest generation the limit table runs for real; longer ones are only predicted
// (the fake-clock test proves them).
const runLimit = time.Second

// failY, failX is the cell whose I/O fails in the error demos: ALIVE in the glider's next
// generation, so a grid that silently skipped it is visibly wrong.
const failY, failX = 1, 2

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the whole lesson; main only passes it the process's arguments and streams.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("item59", flag.ContinueOnError)
	flags.SetOutput(stderr)
	latency := flags.Duration("latency", 10*time.Millisecond, "simulated I/O time per cell (the book uses 100ms)")
	limit := flags.Int("limit", 10, "how many cells may do I/O at once (the book's max_workers)")
	cells := flags.Int("cells", 10_000, "cells in the big grid of the limit table")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./item59 [flags]")
		fmt.Fprintln(stderr, "Item 59: errgroup with SetLimit is Go's ThreadPoolExecutor: bounded, error-returning, and capped at limit cells of I/O at a time.")
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
		fmt.Fprintf(stderr, "item59: unexpected argument %q (this lesson takes only flags)\n", flags.Arg(0))
		return 2
	case *latency <= 0:
		fmt.Fprintf(stderr, "item59: -latency must be positive (got %v)\n", *latency)
		return 2
	case *limit < 1:
		fmt.Fprintf(stderr, "item59: -limit must be at least 1 (got %d)\n", *limit)
		return 2
	case *cells < 1 || *cells > maxCells:
		fmt.Fprintf(stderr, "item59: -cells must be between 1 and %d (got %d)\n", maxCells, *cells)
		return 2
	}
	if err := lesson(context.Background(), stdout, *latency, *limit, *cells); err != nil {
		fmt.Fprintf(stderr, "item59: %v\n", err)
		return 1
	}
	return 0
}

// lesson prints the item listing by listing.
func lesson(ctx context.Context, w io.Writer, latency time.Duration, limit, cells int) error {
	wait := life.Latency(latency)
	glider := life.Glider()
	waves := ceilDiv(glider.Cells(), limit)

	fmt.Fprintf(w, "== Examples 2–3 (fixed): simulatePool, errgroup.Group with SetLimit(%d), five generations ==\n", limit)
	table, took, err := timedTable(ctx, limit, life.CellIO{Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "%d generations of %d cells: %v per generation (⌈%d/%d⌉ = %d waves × %v = %v)\n",
		life.Generations, glider.Cells(), perGeneration(took), glider.Cells(), limit, waves, latency, time.Duration(waves)*latency)
	fmt.Fprintf(w, "latency %v per cell (the book uses %v; -latency %v to match)\n\n", latency, bookLatency, bookLatency)

	fmt.Fprintln(w, "== Example 4 (fixed): gameLogic's I/O fails; Wait hands the error to the caller ==")
	_, err = submitGameLogic(ctx, limit, life.FailAt(0, 0, life.ErrIO, wait), life.Alive, 3)
	fmt.Fprintf(w, "%-44s -> error: %v   (the book: OSError: Problem with I/O)\n", "submitGameLogic(ALIVE, 3), its I/O failing", err)
	failing := life.CellIO{Logic: life.FailAt(failY, failX, life.ErrIO, wait)}
	_, err = simulatePool(ctx, limit, failing, glider)
	fmt.Fprintf(w, "%-44s -> error: %v\n\n", fmt.Sprintf("simulatePool, cell (%d, %d) failing", failY, failX), err)

	fmt.Fprintln(w, "== Hand-made pool (broken): semaphore channel + WaitGroup, one shared error variable ==")
	next, err := simulatePoolHandmade(ctx, limit, failing, glider)
	fmt.Fprintf(w, "%-44s -> error: %v\n", fmt.Sprintf("simulatePoolHandmade, cell (%d, %d) failing", failY, failX), err)
	if err == nil {
		want := life.Simulate(glider)
		fmt.Fprintf(w, "%-44s    and its grid is wrong: cell (%d, %d) is %q, life.Simulate says %q\n", "",
			failY, failX, next.Get(failY, failX), want.Get(failY, failX))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "== The book's text, no example (fixed): countNeighbors does I/O too; simulatePool does not change ==")
	both, took, err := timedTable(ctx, limit, life.CellIO{Neighbors: wait, Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, both)
	fmt.Fprintf(w, "same table as Examples 2–3: %v; %v per generation (two I/O calls per cell: 2 × %d waves × %v = %v)\n\n",
		both == table, perGeneration(took), waves, latency, time.Duration(2*waves)*latency)

	fmt.Fprintf(w, "== The limit in numbers: one generation, latency %v ==\n", latency)
	return limitTable(ctx, w, latency, limit, cells)
}

// timedTable runs the book's driver with simulatePool and reports how long it took.
func timedTable(ctx context.Context, limit int, io life.CellIO) (string, time.Duration, error) {
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulatePool(ctx, limit, io, g) })
	return table, time.Since(start), err
}

// perGeneration is one generation's share of a whole table's run.
func perGeneration(took time.Duration) time.Duration {
	return (took / life.Generations).Round(time.Millisecond)
}

// limitTable prints the book's warning in numbers: a generation takes ⌈cells/limit⌉ × latency, so
// a limit of 10 — or even 100 — cannot serve 10,000 cells at once. The last row has no limit: a
// goroutine per cell, which is item 60.
func limitTable(ctx context.Context, w io.Writer, latency time.Duration, limit, cells int) error {
	type row struct{ cells, limit int }
	rows := []row{{45, limit}, {cells, limit}}
	if limit != 100 {
		rows = append(rows, row{cells, 100}) // the book: "even 100 won't serve 10,000"
	}
	rows = append(rows, row{cells, -1})

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cells\tlimit\twaves ⌈cells/limit⌉\t× latency\tmeasured\t")
	for _, r := range rows {
		waves, name := 1, "none"
		if r.limit > 0 {
			waves, name = ceilDiv(r.cells, r.limit), strconv.Itoa(r.limit)
		}
		predicted := time.Duration(waves) * latency
		measured := "not run (longer than " + runLimit.String() + ")"
		if predicted <= runLimit {
			took, err := timeGeneration(ctx, r.limit, latency, r.cells)
			if err != nil {
				return err
			}
			measured = took.Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t\n", commas(r.cells), name, commas(waves), predicted, measured)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "limit none is a goroutine per cell: item60's strategy, one latency for any number of cells.")
	fmt.Fprintln(w, "TestSimulatePool_GenerationTakesWavesTimesLatency proves every row exactly on synctest's fake clock.")
	return nil
}

// timeGeneration runs one generation of a cells-cell grid at the given limit and returns its wall
// time.
func timeGeneration(ctx context.Context, limit int, latency time.Duration, cells int) (time.Duration, error) {
	grid := gridFor(cells)
	start := time.Now()
	_, err := simulatePool(ctx, limit, life.CellIO{Logic: life.Latency(latency)}, grid)
	return time.Since(start), err
}

// gridFor returns an empty grid of exactly cells cells, as square as the number allows.
func gridFor(cells int) *life.Grid {
	height := 1
	for h := 1; h*h <= cells; h++ {
		if cells%h == 0 {
			height = h
		}
	}
	return life.NewGrid(height, cells/height)
}

// ceilDiv is ⌈a/b⌉ for positive numbers: how many waves of b tasks a tasks need.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// commas writes n with thousands separators, as the book writes 10,000.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
