package main

// The lesson's measurement: one generation timed on the real clock, printed beside what the book
// predicts. The exact figures are proven on the fake clock in item56_test.go.

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// bookLatency is the book's I/O time per cell.
const bookLatency = 100 * time.Millisecond

// bigSide is the side of the book's large grid: 100 × 100 = 10,000 cells.
const bigSide = 100

// step is the signature simulate (broken.go) and simulateFanOut (fixed.go) share: one generation of
// grid, each cell doing cellIO.
type step func(ctx context.Context, cellIO life.CellIO, grid *life.Grid) (*life.Grid, error)

// printGenerationTimes times one generation of the glider and of 10,000 cells with each version
// and prints a table beside cells × latency and the book's figure. The serial run on 10,000 cells
// would take 10,000 latencies, so it is projected, not run. Under the table it draws the glider
// runs' I/O calls in flight over time (life.Timeline), one column per latency.
func printGenerationTimes(ctx context.Context, w io.Writer, cellIO life.CellIO, latency time.Duration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "version\tcells\tone generation\texpected\tthe book, at 100ms")
	small, big := life.Glider(), life.NewGrid(bigSide, bigSide)
	var charts []string
	for _, r := range []struct {
		version string
		step    step // nil: too slow to run, projected
		grid    *life.Grid
		factor  int    // expected time is factor × latency
		book    string // the book's figure
		shape   string // what the chart of a glider run shows
	}{
		{"serial simulate (broken)", simulate, small, small.Cells(), "4.5s", "one call at a time: 45 columns of height 1"},
		{"fan-out/fan-in (fixed)", simulateFanOut, small, 1, "—", "every call at once: one column of height 45"},
		{"serial simulate (broken)", nil, big, big.Cells(), fmt.Sprintf("over 15 minutes (%s)", time.Duration(big.Cells())*bookLatency), ""},
		{"fan-out/fan-in (fixed)", simulateFanOut, big, 1, "—", ""},
	} {
		got := fmt.Sprintf("%s projected", time.Duration(r.factor)*latency)
		if r.step != nil {
			tl, timed := life.NewTimeline(), cellIO
			if r.shape != "" { // record only the runs that are charted: recording costs time too
				timed.Logic = life.Recorded(cellIO.Logic, tl)
			}
			start := time.Now()
			if _, err := r.step(ctx, timed, r.grid); err != nil {
				return err
			}
			got = fmt.Sprintf("%s measured", time.Since(start).Round(time.Millisecond))
			if r.shape != "" {
				charts = append(charts, fmt.Sprintf("\n%s, %d cells — %s:\n%s", r.version, r.grid.Cells(), r.shape, tl.Chart(latency, r.grid.Cells())))
			}
		}
		expected := fmt.Sprintf("%s × latency = %s", life.Thousands(r.factor), time.Duration(r.factor)*latency)
		if r.factor == 1 {
			expected = "≈ " + expected // plus the cost of starting the goroutines
		}
		// %6s right-aligns the cell counts; every row has all five cells, so the columns line up.
		fmt.Fprintf(tw, "%s\t%6s\t%s\t%s\t%s\n", r.version, life.Thousands(r.grid.Cells()), got, expected, r.book)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "Fan-out's time above one latency is the cost of starting its goroutines and timers: more cells, more of it.")
	for _, c := range charts {
		fmt.Fprint(w, c)
	}
	return nil
}

// bookNote says how latency compares with the book's.
func bookNote(latency time.Duration) string {
	if latency == bookLatency {
		return " (the book's value)"
	}
	return fmt.Sprintf(" (the book uses %s; -latency %s to match)", bookLatency, bookLatency)
}
