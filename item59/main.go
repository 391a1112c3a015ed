// Command item59 ports Effective Python item 59, "Consider ThreadPoolExecutor when threads are
// necessary for concurrency": errgroup.Group with SetLimit is Go's bounded executor, it hands a
// worker's error back to the caller, and its limit caps how much I/O can overlap.
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

// failY, failX is the cell whose I/O fails in the error demo: Alive in the glider's next
// generation, so a grid that silently skipped it is visibly wrong.
const failY, failX = 1, 2

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run reads the flags and runs the lesson; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item59", "Item 59: errgroup with SetLimit is Go's ThreadPoolExecutor: bounded, error-returning, and capped at limit cells of I/O at a time.", stderr)
	latency := fs.Duration("latency", 10*time.Millisecond, "simulated I/O time per cell (the book: 100ms)")
	limit := fs.Int("limit", 10, "how many cells may do I/O at once (the book's max_workers)")
	return runLesson(fs, args, func() error {
		return cmp.Or(
			inRange("latency", *latency, time.Millisecond, bookLatency, "the glider at -limit 1 then takes at most 22.5s"),
			inRange("limit", *limit, 1, 10_000, "the largest grid here has 10,000 cells"))
	}, func() error {
		if err := lesson(context.Background(), stdout, *latency, *limit); err != nil {
			return err
		}
		return limitTable(context.Background(), stdout, *latency, *limit)
	})
}

// lesson prints the book's examples in order, then the hand-made pool against errgroup.
func lesson(ctx context.Context, w io.Writer, latency time.Duration, limit int) error {
	wait := life.Latency(latency)
	glider := life.Glider()

	fmt.Fprintf(w, "== Examples 2–3 (fixed): simulatePool, errgroup.Group with SetLimit(%d), five generations ==\n", limit)
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) {
		return simulatePool(ctx, limit, life.CellIO{Logic: wait}, g)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "%v per generation: ⌈%d cells / %d⌉ = %d waves of I/O × %v (the book's latency is %v)\n",
		(time.Since(start) / life.Generations).Round(time.Millisecond), glider.Cells(), limit, waves(glider.Cells(), limit), latency, bookLatency)
	// One more generation, its I/O recorded: the pool's shape over time.
	tl := life.NewTimeline()
	if _, err := simulatePool(ctx, limit, life.CellIO{Logic: life.Recorded(wait, tl)}, glider); err != nil {
		return err
	}
	fmt.Fprintf(w, "one generation's I/O, one column per %v: waves of %d cells, the last one partly full\n", latency, limit)
	fmt.Fprintln(w, tl.Chart(latency, glider.Cells()))

	fmt.Fprintln(w, "== Example 4 (fixed): gameLogic's I/O fails; Wait hands the error to the caller ==")
	_, err = submitGameLogic(ctx, life.FailAt(0, 0, life.ErrIO, wait), life.Alive, 3)
	fmt.Fprintf(w, "submitGameLogic(Alive, 3) -> error: %v   (the book: OSError: Problem with I/O)\n\n", err)

	// Go only: the pool people write by hand, against errgroup, with one cell failing.
	fmt.Fprintf(w, "== The hand-made pool (broken) and errgroup (fixed): cell (%d, %d)'s I/O fails ==\n", failY, failX)
	failing := life.CellIO{Logic: life.FailAt(failY, failX, life.ErrIO, wait)}
	want := life.Simulate(glider).Get(failY, failX)
	for _, p := range []struct {
		name string
		pool func(context.Context, int, life.CellIO, *life.Grid) (*life.Grid, error)
	}{
		{"simulatePool (fixed)", simulatePool},
		{"simulatePoolHandmade (broken)", simulatePoolHandmade},
	} {
		next, err := p.pool(ctx, limit, failing, glider)
		fmt.Fprintf(w, "%-30s -> error: %v", p.name, err)
		if err == nil {
			fmt.Fprintf(w, ", and cell (%d, %d) is %q where life.Simulate says %q", failY, failX, next.Get(failY, failX), want)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	return nil
}
