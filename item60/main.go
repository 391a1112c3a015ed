// Command item60 ports Effective Python item 60, "Achieve highly concurrent I/O with coroutines":
// goroutines are Go's coroutines, so a goroutine per cell through errgroup.WithContext is the book's
// asyncio.gather — with cancellation — and it scales to 100,000 cells at about one latency per
// generation. The Go hazard is the leak a hand-made gather leaves when it returns early.
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

// bookLatency is the I/O time the book gives every cell.
const bookLatency = 100 * time.Millisecond

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run parses the flags and runs the lesson; main only passes it the process's arguments and streams.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item60", "Item 60: a goroutine per cell is Go's coroutine design; errgroup.WithContext gathers them and cancels on the first error.", stderr)
	latency := fs.Duration("latency", bookLatency, "simulated I/O time per cell (the book's 100ms)")
	cells := fs.Int("cells", 10_000, "cells in the scale run, a goroutine each (try 100000)")
	return runLesson(fs, args, func() error {
		return cmp.Or(
			inRange("latency", *latency, time.Millisecond, time.Second, "the lesson waits 18 latencies in all"),
			inRange("cells", *cells, 1_000, 100_000, "fewer are too few to measure; 100,000 goroutines already hold about 500 MB"))
	}, func() error { return lesson(context.Background(), stdout, *latency, *cells) })
}

// lesson prints the item, the book's examples in order, then the Go-only parts.
func lesson(ctx context.Context, w io.Writer, latency time.Duration, cells int) error {
	wait := life.Latency(latency)
	glider := life.Glider()

	fmt.Fprintln(w, "== Examples 1–4 (fixed): simulate, a goroutine per cell through errgroup.WithContext, five generations ==")
	table, took, err := timedTable(ctx, life.CellIO{Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "%v per generation: all 45 cells' I/O at once, 1 × %v (one cell after another: 45 × %v = %v; the book's latency is %v)\n",
		took, latency, latency, 45*latency, bookLatency)
	// One more generation, its I/O recorded: a goroutine per cell's shape over time.
	tl := life.NewTimeline()
	if _, err := simulate(ctx, life.CellIO{Logic: life.Recorded(wait, tl)}, glider); err != nil {
		return err
	}
	fmt.Fprintf(w, "one generation's I/O, one column per %v: every cell at once, a single column of 45\n", latency)
	fmt.Fprintln(w, tl.Chart(latency, glider.Cells()))

	fmt.Fprintln(w, "== Example 5 (fixed): gameLogic's I/O fails; the error reaches the caller ==")
	_, err = simulate(ctx, life.CellIO{Logic: life.FailAt(0, 0, life.ErrIO, wait)}, life.NewGrid(1, 1))
	fmt.Fprintf(w, "simulate on a 1 × 1 grid -> error: %v   (the book: OSError: Problem with I/O)\n\n", err)

	fmt.Fprintln(w, "== Example 6 (fixed): countNeighbors does I/O too; only its body changes ==")
	both, took, err := timedTable(ctx, life.CellIO{Neighbors: wait, Logic: wait})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "same table: %v; %v per generation (each cell's two I/O calls one after the other: 2 × %v)\n\n", both == table, took, latency)

	// Go only: how far a goroutine per cell scales, and what the first error leaves behind.
	fmt.Fprintf(w, "== Scale (fixed): one generation of %s cells, a goroutine each ==\n", life.Thousands(cells))
	if err := scale(ctx, w, latency, cells); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== The first error: errgroup cancels the I/O in flight (fixed); a hand-made gather leaks (broken) ==")
	return firstError(ctx, w, glider)
}

// timedTable runs the book's driver with simulate and returns the table and the time per
// generation. As the book runs asyncio.run once per generation, each generation is a call of its own.
func timedTable(ctx context.Context, io life.CellIO) (string, time.Duration, error) {
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulate(ctx, io, g) })
	return table, (time.Since(start) / life.Generations).Round(time.Millisecond), err
}
