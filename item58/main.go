// Command item58 ports Effective Python item 58, "Understand how using Queue for concurrency
// requires refactoring": the Game of Life on a fixed pool of worker goroutines fed by channels, the
// deadlock and the leak such a pool invites, errors carried back as values, and a second I/O stage.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"workbook/item56/life"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const (
	workers     = 5                      // the book's five threads per stage
	bookLatency = 100 * time.Millisecond // the book's I/O time per call
	lessonLimit = 30 * time.Second       // then a pool that hangs (a fix undone) is cancelled
)

// run reads the flags and runs the lesson; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item58", "Item 58: a fixed pool of worker goroutines fed by channels runs the Game of Life, but invites a deadlock and a leak, and a second I/O stage means rebuilding it.", stderr)
	latency := fs.Duration("latency", 5*time.Millisecond, "I/O time per call to countNeighbors or gameLogic (the book's is 100ms)")
	return runLesson(fs, args, func() error {
		return inRange("latency", *latency, time.Millisecond, bookLatency, "at the book's 100ms the lesson already takes about 18 s")
	}, func() error {
		// The limit cancels every pool's context: a pool that hangs (a fix undone) lets go, and
		// the lesson ends with an error instead of hanging.
		ctx, cancel := context.WithTimeoutCause(context.Background(), lessonLimit,
			fmt.Errorf("stuck: the lesson's %v limit passed", lessonLimit))
		defer cancel()
		return lesson(ctx, stdout, *latency)
	})
}

// lesson runs the book's examples in order, each on a pool of its own that it stops.
func lesson(ctx context.Context, w io.Writer, latency time.Duration) error {
	slow := life.Latency(latency) // every I/O call waits this long
	rounds := ceilDiv(life.Glider().Cells(), workers)
	fmt.Fprintf(w, "item58: the Game of Life on fixed pools of %d worker goroutines fed by channels\n", workers)
	fmt.Fprintf(w, "latency %v per I/O call (the book's: -latency %v)\n", latency, bookLatency)

	fmt.Fprintln(w, "\n== Listings 1–3 (broken): the coordinator sends every cell before it reads any result ==")
	showDeadlock(ctx, w, latency)

	fmt.Fprintln(w, "\n== Listing 4 (fixed): gameLogic fails on a 1×1 grid ==")
	fails := failOnceAt(0, 0, fmt.Errorf("%w in gameLogic", life.ErrIO), slow)
	p := StartPipeline(ctx, workers, life.CellIO{Logic: fails})
	err := showError(w, "game_logic", p.Running, func(g *life.Grid) (*life.Grid, error) { return simulatePipeline(ctx, g, p) })
	p.Stop()
	if err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== Listing 5 (fixed): the driver reuses the workers for every generation, then stops them ==")
	p = StartPipeline(ctx, workers, life.CellIO{Logic: slow})
	if err := showTable(w, p.Running, rounds, latency, func() (string, error) { return runPipeline(ctx, p) }); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== Listing 5 (broken): the driver never closes the input channel, so its workers wait on it ==")
	leakCtx, release := context.WithCancel(ctx)
	p = StartPipeline(leakCtx, workers, life.CellIO{}) // no I/O: the leak does not depend on it
	table, err := brokenRunPipeline(leakCtx, p)
	if err != nil {
		release()
		return err
	}
	fmt.Fprintf(w, "same table: %t\n", table == gliderTable())
	fmt.Fprintf(w, "workers still running after it returned: %d\n", p.Running())
	// Release them through their context and wait, as Stop would, but without closing p.in:
	// a fixed brokenRunPipeline has closed it already, and a second close panics.
	release()
	p.workers.wg.Wait()
	fmt.Fprintf(w, "after the lesson cancels their context: %d\n", p.Running())

	fmt.Fprintln(w, "\n== Listings 6–10 (fixed): countNeighbors needs I/O too, so a second stage of workers ==")
	q := StartPhasedPipeline(ctx, workers, life.CellIO{Neighbors: slow, Logic: slow})
	// The second stage trails the first by one round, so a generation takes one round more.
	if err := showTable(w, q.Running, rounds+1, latency, func() (string, error) { return runPhasedPipeline(ctx, q) }); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== Listing 11 (fixed): countNeighbors fails on a 1×1 grid in the phased pipeline ==")
	fails = failOnceAt(0, 0, fmt.Errorf("%w in countNeighbors", life.ErrIO), slow)
	q = StartPhasedPipeline(ctx, workers, life.CellIO{Neighbors: fails, Logic: slow})
	err = showError(w, "count_neighbors", q.Running, func(g *life.Grid) (*life.Grid, error) { return simulatePhasedPipeline(ctx, g, q) })
	q.Stop()
	if err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== The parallelism is fixed when the pool starts: one generation of the glider on each pool ==")
	if err := showShape(w, "single stage: never more than 5 I/O calls in flight, the pool's size", latency, func(io life.IO) (life.Step, func()) {
		p := StartPipeline(ctx, workers, life.CellIO{Logic: io})
		return func(g *life.Grid) (*life.Grid, error) { return simulatePipeline(ctx, g, p) }, p.Stop
	}); err != nil {
		return err
	}
	if err := showShape(w, "phased: up to 10 in flight while both stages are busy, 5 while one fills or drains", latency, func(io life.IO) (life.Step, func()) {
		q := StartPhasedPipeline(ctx, workers, life.CellIO{Neighbors: io, Logic: io})
		return func(g *life.Grid) (*life.Grid, error) { return simulatePhasedPipeline(ctx, g, q) }, q.Stop
	}); err != nil {
		return err
	}
	const big = 10_000
	fmt.Fprintf(w, "%s cells on %d workers at the book's %v: %s rounds, %v per generation (phased: one round more)\n",
		life.Thousands(big), workers, bookLatency, life.Thousands(ceilDiv(big, workers)), time.Duration(ceilDiv(big, workers))*bookLatency)
	fmt.Fprintf(w, "a goroutine per cell (item 57): %v whatever the size\n", bookLatency)
	return context.Cause(ctx) // nil, unless a pool needed the lesson's limit to let go
}
