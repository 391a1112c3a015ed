package main

// How the lesson shows each example: the helpers main.go calls, so that main.go reads as the book.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// showDeadlock runs one generation of the glider through brokenSimulatePipeline, on a pool of its
// own, under a watchdog that allows four times what a generation needs plus 100 ms for a busy
// machine. It calls the outcome a deadlock only on the evidence: no worker ever came back for a
// second cell. The pool is not stopped but cancelled: its workers may be stuck holding results.
func showDeadlock(ctx context.Context, w io.Writer, latency time.Duration) {
	grid := life.Glider()
	need := time.Duration(ceilDiv(grid.Cells(), workers)) * latency
	limit := 100*time.Millisecond + 4*need
	ctx, cancel := context.WithTimeoutCause(ctx, limit, fmt.Errorf("watchdog: no result after %v (a generation needs %v)", limit, need))
	defer cancel()
	var taken atomic.Int64 // cells that reached gameLogic
	logic := func(ctx context.Context, y, x int) error {
		taken.Add(1)
		return life.Latency(latency)(ctx, y, x)
	}
	p := StartPipeline(ctx, workers, life.CellIO{Logic: logic}) // the deferred cancel releases it

	next, err := brokenSimulatePipeline(ctx, grid, p)
	switch {
	case err == nil:
		fmt.Fprintf(w, "no deadlock: the generation finished, correct: %t\n", next.String() == life.Simulate(grid).String())
	case taken.Load() == workers:
		fmt.Fprintln(w, err)
		fmt.Fprintf(w, "deadlock: each of the %d workers took one cell and never came back for another: it waits\n", workers)
		fmt.Fprintln(w, "to hand its result to the coordinator, which waits to send the next cell; the watchdog released them")
	default:
		fmt.Fprintln(w, err)
	}
}

// showError runs a 1×1 grid whose I/O fails, shows how errors.As and errors.Is read the error, then
// runs the glider on the same pool to show that the pool survived.
func showError(w io.Writer, bookFunc string, running func() int, simulate life.Step) error {
	_, err := simulate(life.NewGrid(1, 1))
	var simErr *SimulationError
	if !errors.As(err, &simErr) {
		return fmt.Errorf("the 1×1 grid should fail with a *SimulationError, got %v", err)
	}
	glider := life.Glider()
	next, nextErr := simulate(glider)
	if nextErr != nil {
		return fmt.Errorf("the pool failed after the error: %w", nextErr)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "error:\t%v\n", err)
	fmt.Fprintf(tw, "errors.As:\ttrue, *SimulationError{Y: %d, X: %d}\n", simErr.Y, simErr.X)
	fmt.Fprintf(tw, "errors.Is(err, life.ErrIO):\t%t\n", errors.Is(err, life.ErrIO))
	fmt.Fprintf(tw, "the book:\tSimulationError: (0, 0), raised from OSError: Problem with I/O in %s\n", bookFunc)
	fmt.Fprintf(tw, "same pool, next call:\tglider generation matches life.Simulate: %t; %d workers running\n",
		next.String() == life.Simulate(glider).String(), running())
	return tw.Flush()
}

// showTable runs a driver and prints its table, its time beside the model's (rounds of I/O per
// generation, proven on the fake clock by TestGeneration_TakesModelTime) and how many workers are
// still running after it returned.
func showTable(w io.Writer, running func() int, rounds int, latency time.Duration, drive func() (string, error)) error {
	start := time.Now()
	table, err := drive()
	if err != nil {
		return err
	}
	took := time.Since(start)
	per := time.Duration(rounds) * latency
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "%d generations in %v; model: %d rounds × %v = %v per generation, %v in all\n",
		life.Generations, took.Round(time.Millisecond), rounds, latency, per, life.Generations*per)
	fmt.Fprintf(w, "workers still running after it returned: %d\n", running())
	return nil
}

// showShape runs one generation of the glider on the pool that start builds around io, a latency
// whose every call is recorded, then draws how many calls were in flight over time: one column per
// latency, the grid's 45 cells at the top (the scale items 56–60 share).
func showShape(w io.Writer, caption string, latency time.Duration, start func(io life.IO) (life.Step, func())) error {
	tl := life.NewTimeline()
	step, stop := start(life.Recorded(life.Latency(latency), tl))
	glider := life.Glider()
	_, err := step(glider)
	stop()
	if err != nil {
		return err
	}
	fmt.Fprintln(w, caption)
	fmt.Fprint(w, tl.Chart(latency, glider.Cells()))
	return nil
}

// gliderTable is the book's table, computed serially.
func gliderTable() string {
	table, _ := life.Table(func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
	return table
}

// ceilDiv is ⌈a/b⌉: cells on a fixed pool take ⌈cells/workers⌉ rounds, since each worker takes a
// cell, waits out its I/O, and only then takes the next.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
