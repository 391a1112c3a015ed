// Item 57 of Effective Python, "Avoid creating new Thread instances for on-demand fan-out", in Go:
// a goroutine per cell is cheap, and cheaper than an OS thread (measured side by side below), but
// an error each goroutine writes to one shared variable races and gets lost.
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

func main() {
	if role, ok := os.LookupEnv(lessonChildEnv); ok {
		os.Exit(lessonChild(role, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, prints the lesson to stdout and problems to stderr, and returns the exit status
// (0 done, 1 failed, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item57", "Item 57: a goroutine per cell, measured against an OS thread per cell; an error written to one shared variable races and gets lost.", stderr)
	latency := fs.Duration("latency", 10*time.Millisecond, "blocking I/O per cell (the book: 100ms)")
	cells := fs.Int("cells", 1_000, "cells to hold as a goroutine each, then as an OS thread each (the book: 10,000; a few seconds)")
	return runLesson(fs, args, func() error {
		return cmp.Or(
			inRange("latency", *latency, time.Millisecond, 300*time.Millisecond,
				"the lesson waits it about 60 times; below 1ms starting goroutines and timers outlasts the I/O, and the charts (a column per latency) lose its shape"),
			inRange("cells", *cells, 100, 10_000, "fewer make the figures page-size noise; more OS threads than Go's default limit crowd a laptop's pid_max"))
	}, func() error { return lesson(stdout, *latency, *cells) })
}

// lesson prints the item, the book's examples in order.
func lesson(w io.Writer, latency time.Duration, cells int) error {
	// A watchdog: if the cells' I/O never finishes (say, a broken.go that holds a lock while a cell
	// waits), the lesson ends with an error instead of hanging. It waits about 60 latencies in all.
	ctx, cancel := context.WithTimeout(context.Background(), 60*latency+10*time.Second)
	defer cancel()
	fmt.Fprintf(w, "I/O per cell: %s (the book: %s)\n", latency, 100*time.Millisecond)

	fmt.Fprintln(w, "\n== Examples 1–3: simulateThreaded (broken), nothing failing ==")
	if err := printTable(ctx, w, simulateThreaded, latency); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== The same driver with simulateThreadedSafe (fixed) ==")
	if err := printTable(ctx, w, simulateThreadedSafe, latency); err != nil {
		return err
	}

	// The shape of one generation: calls in flight over time, serial (item 56) against a goroutine
	// per cell, drawn on the scale every item uses (one column = one latency; top = 45 cells).
	fmt.Fprintf(w, "\n== One generation's I/O, calls in flight over time (one column = %s) ==\n", latency)
	if err := printCharts(ctx, w, latency); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n== Example 4: cell (2, 3) fails with %q at once, the other 44 succeed %s later ==\n", life.ErrIO, latency)
	next, err := simulateThreaded(ctx, life.CellIO{Logic: failsFirst(failY, failX, latency)}, life.Glider())
	fmt.Fprintf(w, "simulateThreaded (broken) returned error %v; %s\n", err, cellNote(next))
	next, err = simulateThreadedSafe(ctx, life.CellIO{Logic: failsFirst(failY, failX, latency)}, life.Glider())
	fmt.Fprintf(w, "simulateThreadedSafe (fixed) returned error %q; %s\n", err, cellNote(next))
	fmt.Fprintln(w, "The broken version's err is one variable written by all 45 goroutines: the 44 that succeed")
	fmt.Fprintln(w, "after the failure overwrite it with nil. It is also a data race: go test -race ./item57 proves it.")

	fmt.Fprintln(w, "\n== Example 5: cell (2, 3)'s I/O panics instead (simulateThreadedSafe, in a child process) ==")
	if err := printPanicInChild(ctx, w); err != nil {
		return err
	}
	fmt.Fprintln(w, "Python 3.11 prints the thread's traceback and carries on; in Go, a panic no one recovers in")
	fmt.Fprintln(w, "its own goroutine ends the whole program. Go means it to: the lost error above was the bug.")

	// The book's objection: a thread per cell costs memory and time. Measured, side by side.
	fmt.Fprintf(w, "\n== What %s cells cost: a goroutine each, then an OS thread each%s ==\n", life.Thousands(cells), bookCells(cells))
	return printCost(context.Background(), w, cells) // with a watchdog of its own
}
