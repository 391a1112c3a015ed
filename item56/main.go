// Item 56 of Effective Python, "Know how to recognize when concurrency is necessary", in Go: the
// Game of Life run serially is fine until every cell needs blocking I/O; then a generation costs
// cells × latency, and fan-out (a goroutine per cell) with fan-in (sync.WaitGroup) brings it back to
// about one latency.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// bookLatency is the book's I/O time per cell.
const bookLatency = 100 * time.Millisecond

// bigSide is the side of the book's large grid: 100 × 100 = 10,000 cells.
const bigSide = 100

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program: it parses args, prints the lesson to stdout and problems to stderr,
// and returns the exit status (0 done, 1 failed, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("item56", flag.ContinueOnError)
	fs.SetOutput(stderr)
	latency := fs.Duration("latency", 10*time.Millisecond, "blocking I/O per cell (the book: 100ms; the serial run then takes 4.5s)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item56 [flags]")
		fmt.Fprintln(fs.Output(), "Item 56: with blocking I/O in every cell the serial Game of Life takes cells × latency per generation; a goroutine per cell (fan-out) and a WaitGroup (fan-in) take about one latency.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "item56: unexpected argument %q (this lesson takes only flags; -h lists them)\n", fs.Arg(0))
		return 2
	case *latency <= 0:
		fmt.Fprintf(stderr, "item56: -latency must be positive (got %s)\n", *latency)
		return 2
	}
	if err := lesson(context.Background(), stdout, *latency); err != nil {
		fmt.Fprintf(stderr, "item56: %v\n", err)
		return 1
	}
	return 0
}

// lesson prints the item listing by listing: the model without I/O, then the cost of I/O done
// serially and with fan-out.
func lesson(ctx context.Context, w io.Writer, latency time.Duration) error {
	fmt.Fprintf(w, "I/O per cell: %s%s\n", latency, bookNote(latency))

	fmt.Fprintln(w, "\n== Example 3: the glider on a 5 × 9 grid, print(grid) ==")
	fmt.Fprint(w, life.Glider())

	fmt.Fprintln(w, "\n== Examples 7–8: simulate and ColumnPrinter, five generations, no I/O yet ==")
	want, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
	if err != nil {
		return err
	}
	fmt.Fprintln(w, want)

	io := life.CellIO{Logic: life.Latency(latency)} // the book's game_logic "does blocking I/O"
	fmt.Fprintf(w, "\n== Example 9: game_logic does blocking I/O, %s per cell: one generation ==\n", latency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "version\tcells\tone generation\texpected\tthe book, at 100ms")
	small, big := life.Glider(), life.NewGrid(bigSide, bigSide)
	for _, r := range []struct {
		version string
		step    step // nil: too slow to run, projected
		grid    *life.Grid
		factor  int // expected time is factor × latency
		book    string
	}{
		{"serial simulate (broken)", simulate, small, small.Cells(), "4.5s"},
		{"fan-out/fan-in (fixed)", simulateFanOut, small, 1, "—"},
		{"serial simulate (broken)", nil, big, big.Cells(), fmt.Sprintf("over 15 minutes (%s)", time.Duration(big.Cells())*bookLatency)},
		{"fan-out/fan-in (fixed)", simulateFanOut, big, 1, "—"},
	} {
		got := fmt.Sprintf("%s projected", time.Duration(r.factor)*latency)
		if r.step != nil {
			took, err := timeStep(ctx, r.step, io, r.grid)
			if err != nil {
				return err
			}
			got = fmt.Sprintf("%s measured", took)
		}
		expected := fmt.Sprintf("%s × latency = %s", thousands(r.factor), time.Duration(r.factor)*latency)
		if r.factor == 1 {
			expected = "≈ " + expected // plus the cost of starting the goroutines
		}
		// %6s right-aligns the cell counts; every row has all five cells, so the columns line up.
		fmt.Fprintf(tw, "%s\t%6s\t%s\t%s\t%s\n", r.version, thousands(r.grid.Cells()), got, expected, r.book)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "Fan-out's time above one latency is the cost of starting its goroutines and timers: more cells, more of it.")

	fmt.Fprintln(w, "\n== The driver with fan-out/fan-in (fixed) and the I/O: five generations ==")
	start := time.Now()
	got, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulateFanOut(ctx, io, g) })
	if err != nil {
		return err
	}
	same := "the same table as above"
	if got != want {
		same = "a DIFFERENT table:\n" + got
	}
	fmt.Fprintf(w, "%d generations took %s measured (5 × latency = %s): %s\n",
		life.Generations, time.Since(start).Round(time.Millisecond), life.Generations*latency, same)
	return nil
}

// step is a way of computing one generation with the cells' I/O: simulate or simulateFanOut.
type step func(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error)

// timeStep runs one generation of grid with step and returns how long it took on the real clock.
func timeStep(ctx context.Context, s step, io life.CellIO, grid *life.Grid) (time.Duration, error) {
	start := time.Now()
	if _, err := s(ctx, io, grid); err != nil {
		return 0, err
	}
	return time.Since(start).Round(time.Millisecond), nil
}

// bookNote says how latency compares with the book's.
func bookNote(latency time.Duration) string {
	if latency == bookLatency {
		return " (the book's value)"
	}
	return fmt.Sprintf(" (the book uses %s; -latency %s to match)", bookLatency, bookLatency)
}

// thousands writes n with a comma between groups of three digits, as the book writes 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
