// Command item60 ports Effective Python item 60, "Achieve highly concurrent I/O with coroutines": a
// goroutine per cell through errgroup.WithContext is the book's asyncio.gather, with cancellation.
// The Go hazard is the goroutines a hand-made gather leaves blocked when it returns early.
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"workbook/item56/life"
)

const bookLatency = 100 * time.Millisecond // the I/O time the book gives every cell

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run parses the flags and runs the lesson; main only passes it the process's arguments and streams.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item60", "Item 60: a goroutine per cell is Go's coroutine design; errgroup.WithContext gathers them and cancels on the first error.", stderr)
	latency := fs.Duration("latency", bookLatency, "simulated I/O time per cell (the book's 100ms)")
	cells := fs.Int("cells", 10_000, "cells in the scale run, a goroutine each (try 100000)")
	return runLesson(fs, args, func() error {
		return cmp.Or(inRange("latency", *latency, time.Millisecond, time.Second, "the lesson waits 18 latencies in all"),
			inRange("cells", *cells, 1_000, 100_000, "fewer are too few to measure; 100,000 goroutines already hold about 500 MB"))
	}, func() error { return lesson(context.Background(), stdout, *latency, *cells) })
}

// lesson prints the book's examples in order, then the Go-only parts.
func lesson(ctx context.Context, w io.Writer, latency time.Duration, cells int) error {
	wait := life.Latency(latency)
	fmt.Fprintln(w, "== Examples 1–4 (fixed): simulate, a goroutine per cell through errgroup.WithContext, five generations ==")
	table, took, err := timedTable(ctx, life.CellIO{Logic: wait})
	chart, chartErr := chartGeneration(ctx, latency) // one more generation, its I/O recorded
	if err = cmp.Or(err, chartErr); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n%v per generation: all 45 cells' I/O at once, 1 × %v (one cell after another: 45 × %v = %v; the book's latency is %v)\n",
		table, took, latency, latency, 45*latency, bookLatency)
	fmt.Fprintf(w, "one generation's I/O, one column per %v: every cell at once, a single column of 45\n%s\n", latency, chart)

	fmt.Fprintln(w, "== Example 5 (fixed): gameLogic's I/O fails; the error reaches the caller ==")
	_, err = simulate(ctx, life.CellIO{Logic: life.FailAt(0, 0, life.ErrIO, wait)}, life.NewGrid(1, 1))
	fmt.Fprintf(w, "simulate on a 1 × 1 grid -> error: %v   (the book: OSError: Problem with I/O)\n\n", err)

	fmt.Fprintln(w, "== Example 6 (fixed): countNeighbors does I/O too; only its body changes ==")
	both, took, err := timedTable(ctx, life.CellIO{Neighbors: wait, Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "same table: %v; %v per generation (each cell's two I/O calls one after the other: 2 × %v)\n\n", both == table, took, latency)

	fmt.Fprintf(w, "== Scale (fixed): one generation of %s cells, a goroutine each ==\n", life.Thousands(cells))
	if err := scale(ctx, w, latency, cells); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== The first error: errgroup cancels the I/O in flight (fixed); a hand-made gather leaks (broken) ==")
	return firstError(ctx, w, life.Glider())
}
