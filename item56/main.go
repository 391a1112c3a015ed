// Item 56 of Effective Python, "Know how to recognize when concurrency is necessary", in Go: the
// Game of Life run serially is fine until every cell needs blocking I/O; then a generation costs
// cells × latency, and fan-out (a goroutine per cell) with fan-in (sync.WaitGroup) brings it back to
// about one latency.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"workbook/item56/life"
)

// defaultLatency keeps the lesson under a second; the book's 100ms is one flag away.
const defaultLatency = 10 * time.Millisecond

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags and prints the lesson; it returns the exit status (0 done, 1 failed, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item56", "Item 56: with blocking I/O in every cell the serial Game of Life takes cells × latency per generation; a goroutine per cell (fan-out) and a WaitGroup (fan-in) take about one latency.", stderr)
	latency := fs.Duration("latency", defaultLatency, "blocking I/O per cell (the book: 100ms; the serial glider then takes 4.5s)")
	return runLesson(fs, args, func() error {
		return inRange("latency", *latency, time.Millisecond, 500*time.Millisecond,
			"the lesson waits about 51 latencies, so it ends within 30 s; below 1ms starting goroutines costs more than the I/O")
	}, func() error { return lesson(context.Background(), stdout, *latency) })
}

// lesson prints the book's examples in order: the model without I/O (package life), then what
// blocking I/O costs serially (broken.go) and with fan-out/fan-in (fixed.go).
func lesson(ctx context.Context, w io.Writer, latency time.Duration) error {
	fmt.Fprintf(w, "I/O per cell: %s%s\n", latency, bookNote(latency))

	fmt.Fprintln(w, "\n== Example 3: the glider on a 5 × 9 grid, print(grid) ==")
	fmt.Fprint(w, life.Glider())

	// Examples 4–6 are the book's checks of count_neighbors, game_logic and step_cell: tests in life.
	fmt.Fprintln(w, "\n== Examples 7–8: simulate and ColumnPrinter, five generations, no I/O yet ==")
	table, _ := life.Table(func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil }) // no I/O, no error
	fmt.Fprintln(w, table)

	cellIO := life.CellIO{Logic: life.Latency(latency)} // the book's game_logic "does blocking I/O"
	fmt.Fprintf(w, "\n== Example 9: game_logic does blocking I/O, %s per cell: one generation ==\n", latency)
	if err := printGenerationTimes(ctx, w, cellIO, latency); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== The driver through fan-out/fan-in (fixed), with the I/O: five generations ==")
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulateFanOut(ctx, cellIO, g) })
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n%d generations took %s measured (5 × latency = %s)\n",
		table, life.Generations, time.Since(start).Round(time.Millisecond), life.Generations*latency)
	return nil
}
