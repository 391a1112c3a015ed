// Command item58 ports Effective Python item 58, "Understand how using Queue for concurrency
// requires refactoring": the Game of Life on a fixed pool of worker goroutines fed by channels, the
// deadlock and the leak such a pool invites, errors carried back as values, and a second I/O stage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// ErrDeadlock is the cause the lesson's watchdog gives when it releases the broken pipeline.
var ErrDeadlock = errors.New("deadlock")

// errStuck is the cause the lesson's safety limit gives when it releases a fixed pool that never
// finished: the fixed code has been broken (see the README's Try it).
var errStuck = errors.New("stuck")

// bookLatency is the I/O time per call the book assumes.
const bookLatency = 100 * time.Millisecond

// run is the lesson, listing by listing. It returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("item58", flag.ContinueOnError)
	fs.SetOutput(stderr)
	latency := fs.Duration("latency", 5*time.Millisecond, "I/O time per call to countNeighbors or gameLogic (the book uses 100ms)")
	workers := fs.Int("workers", 5, "worker goroutines per stage (the book uses 5)")
	watchdog := fs.Duration("watchdog", 200*time.Millisecond, "how long the broken pipeline may hang before the lesson releases it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./item58 [flags]")
		fmt.Fprintln(stderr, "Item 58: a fixed pool of worker goroutines fed by channels runs the Game of Life, but invites a deadlock and a leak, and a second I/O stage means rebuilding it.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case *latency < 0:
		fmt.Fprintf(stderr, "item58: -latency must not be negative (got %v)\n", *latency)
		return 2
	case *workers <= 0:
		fmt.Fprintf(stderr, "item58: -workers must be positive (got %d)\n", *workers)
		return 2
	case *watchdog <= 0:
		fmt.Fprintf(stderr, "item58: -watchdog must be positive (got %v)\n", *watchdog)
		return 2
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "item58: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	l := lesson{w: stdout, latency: *latency, workers: *workers, watchdog: *watchdog}
	if err := l.run(context.Background()); err != nil {
		fmt.Fprintf(stderr, "item58: %v\n", err)
		return 1
	}
	return 0
}

// lesson holds the parameters and the writer every section uses.
type lesson struct {
	w        io.Writer
	latency  time.Duration
	workers  int
	watchdog time.Duration
}

// run prints every section in the book's order and stops at the first unexpected error. A safety
// limit bounds the whole lesson: if a fixed pool hangs (a fix undone, say), the limit cancels its
// context, the pool lets go, and the lesson ends with an error instead of hanging.
func (l lesson) run(ctx context.Context) error {
	limit := l.safetyLimit()
	ctx, cancel := context.WithTimeoutCause(ctx, limit, fmt.Errorf("%w: the lesson's %v safety limit passed", errStuck, limit))
	defer cancel()
	fmt.Fprintln(l.w, "item58: the Game of Life on fixed pools of worker goroutines fed by channels")
	fmt.Fprintf(l.w, "latency %v per I/O call (the book uses %v; -latency %v to match), %d workers per stage, watchdog %v\n",
		l.latency, bookLatency, bookLatency, l.workers, l.watchdog)
	for _, section := range []func(context.Context) error{
		l.deadlock, l.errorDemo, l.driver, l.leak, l.phased, l.phasedErrorDemo, l.cost,
	} {
		fmt.Fprintln(l.w)
		if err := section(ctx); err != nil {
			return err
		}
	}
	if cause := context.Cause(ctx); errors.Is(cause, errStuck) {
		return cause // a Stop that waited for the limit: the output may look right, the pool was not
	}
	return nil
}

// safetyLimit is far more than the lesson needs: it runs 22 generations of the 45-cell glider (or
// smaller), at most two I/O calls per cell, so even one call after another they take 22 × 90 ×
// latency. The broken section has its own watchdog on top, and 2 s are for a slow machine.
func (l lesson) safetyLimit() time.Duration {
	return l.watchdog + 2*time.Second + 22*90*l.latency
}

// deadlock runs one generation of the broken coordinator under a watchdog, then releases the pool.
func (l lesson) deadlock(ctx context.Context) error {
	fmt.Fprintln(l.w, "== Listings 1–3 (broken): the coordinator sends every cell before it reads any result ==")
	ctx, cancel := context.WithTimeoutCause(ctx, l.watchdog, ErrDeadlock)
	defer cancel()
	p := StartPipeline(ctx, l.workers, life.CellIO{Logic: life.Latency(l.latency)})
	defer p.Stop()
	grid := life.Glider()
	next, err := brokenSimulatePipeline(ctx, grid, p)
	switch {
	case errors.Is(err, ErrDeadlock):
		fmt.Fprintln(l.w, err)
		fmt.Fprintf(l.w, "each of the %d workers holds a finished cell it cannot hand back; the %v watchdog released them\n",
			l.workers, l.watchdog)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(l.w, "no deadlock this time (%d cells, %d workers; correct result: %t): the bug is hidden, not gone\n",
		grid.Cells(), l.workers, next.String() == life.Simulate(grid).String())
	return nil
}

// errorDemo is listing 4: gameLogic fails on a 1×1 grid; then the same pool runs again.
func (l lesson) errorDemo(ctx context.Context) error {
	fmt.Fprintln(l.w, "== Listing 4 (fixed): gameLogic fails on a 1×1 grid ==")
	cause := fmt.Errorf("%w in gameLogic", life.ErrIO)
	p := startSingleStage(ctx, l.workers, life.CellIO{Logic: failOnceAt(0, 0, cause, life.Latency(l.latency))})
	defer p.stop()
	return l.showError(ctx, p, "OSError: Problem with I/O in game_logic")
}

// showError runs a generation of a 1×1 grid on p, shows how errors.As and errors.Is read the
// failure, then runs the glider on the same pool to show it survived.
func (l lesson) showError(ctx context.Context, p pool, book string) error {
	_, err := p.simulate(ctx, life.NewGrid(1, 1))
	if err == nil {
		return errors.New("the 1×1 grid did not fail")
	}
	var simErr *SimulationError
	tw := tabwriter.NewWriter(l.w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "error:\t%v\n", err)
	fmt.Fprintf(tw, "errors.As:\t%t, *SimulationError{Y: %d, X: %d}\n", errors.As(err, &simErr), simErr.Y, simErr.X)
	fmt.Fprintf(tw, "errors.Is(err, life.ErrIO):\t%t\n", errors.Is(err, life.ErrIO))
	fmt.Fprintf(tw, "the book:\tSimulationError: (0, 0), raised from %s\n", book)
	glider := life.Glider()
	next, err := p.simulate(ctx, glider)
	if err != nil {
		return fmt.Errorf("the pool failed after the error: %w", err)
	}
	fmt.Fprintf(tw, "same pool, next call:\tglider generation matches life.Simulate: %t; %d workers running\n",
		next.String() == life.Simulate(glider).String(), p.running())
	return tw.Flush()
}

// driver is listing 5: five generations of the glider on one pool, stopped at the end.
func (l lesson) driver(ctx context.Context) error {
	fmt.Fprintf(l.w, "== Listing 5 (fixed): %d workers started once, reused for %d generations, then stopped ==\n",
		l.workers, life.Generations)
	p := StartPipeline(ctx, l.workers, life.CellIO{Logic: life.Latency(l.latency)})
	start := time.Now()
	table, err := runPipeline(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintln(l.w, table)
	l.timing(time.Since(start), singleStage)
	fmt.Fprintf(l.w, "workers still running after it returned: %d\n", p.Running())
	return nil
}

// timing prints how long the five generations took next to what the model predicts.
func (l lesson) timing(took time.Duration, d design) {
	cells := life.Glider().Cells()
	per := generationTime(d, cells, l.workers, l.latency)
	fmt.Fprintf(l.w, "%d generations in %v; model: %s = %v per generation, %v in all\n",
		life.Generations, took.Round(time.Millisecond), d.formula(cells, l.workers, l.latency), per, life.Generations*per)
}

// leak is listing 5 without its shutdown: the same table, and workers left behind.
func (l lesson) leak(ctx context.Context) error {
	fmt.Fprintln(l.w, "== Listing 5 (broken): the driver never closes the input channel ==")
	p := StartPipeline(ctx, l.workers, life.CellIO{Logic: life.Latency(l.latency)})
	table, err := brokenRunPipeline(ctx, p)
	if err != nil {
		return err
	}
	want, _ := life.Table(func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
	fmt.Fprintf(l.w, "same table: %t\n", table == want)
	fmt.Fprintf(l.w, "workers still running after it returned: %d (leaked: each waits on the open input channel)\n", p.Running())
	p.Stop()
	fmt.Fprintf(l.w, "after the lesson calls Stop for it: %d\n", p.Running())
	return nil
}

// phased is listings 6–10: countNeighbors needs I/O too, so a second stage of workers.
func (l lesson) phased(ctx context.Context) error {
	fmt.Fprintf(l.w, "== Listings 6–10 (fixed): countNeighbors needs I/O too: %d + %d workers in two stages ==\n",
		l.workers, l.workers)
	io := life.Latency(l.latency)
	p := StartPhasedPipeline(ctx, l.workers, life.CellIO{Neighbors: io, Logic: io})
	start := time.Now()
	table, err := runPhasedPipeline(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintln(l.w, table)
	l.timing(time.Since(start), phased)
	fmt.Fprintf(l.w, "workers still running after it returned: %d\n", p.Running())
	return nil
}

// phasedErrorDemo is listing 11: countNeighbors fails on a 1×1 grid in the phased pipeline.
func (l lesson) phasedErrorDemo(ctx context.Context) error {
	fmt.Fprintln(l.w, "== Listing 11 (fixed): countNeighbors fails on a 1×1 grid in the phased pipeline ==")
	cause := fmt.Errorf("%w in countNeighbors", life.ErrIO)
	io := life.Latency(l.latency)
	p := startPhased(ctx, l.workers, life.CellIO{Neighbors: failOnceAt(0, 0, cause, io), Logic: io})
	defer p.stop()
	return l.showError(ctx, p, "OSError: Problem with I/O in count_neighbors")
}

// cost times one generation of the glider in each design and shows what a big grid would take.
func (l lesson) cost(ctx context.Context) error {
	fmt.Fprintf(l.w, "== The parallelism is fixed up front: one generation of %d cells, %d workers per stage ==\n",
		life.Glider().Cells(), l.workers)
	tw := tabwriter.NewWriter(l.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "design\tmodel\t\tmeasured")
	for _, d := range []design{singleStage, singleStageBothIO, phased} {
		p := d.start(ctx, l.workers, life.Latency(l.latency))
		begin := time.Now()
		_, err := p.simulate(ctx, life.Glider())
		took := time.Since(begin)
		p.stop()
		if err != nil {
			return err
		}
		cells := life.Glider().Cells()
		fmt.Fprintf(tw, "%s\t%s\t= %6v\t%8v\n", d, d.formula(cells, l.workers, l.latency),
			generationTime(d, cells, l.workers, l.latency), took.Round(time.Millisecond))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	const big = 10_000
	fmt.Fprintf(l.w, "at 10,000 cells and the book's %v: single stage %s = %v, phased %v per generation;\n",
		bookLatency, singleStage.formula(big, l.workers, bookLatency),
		generationTime(singleStage, big, l.workers, bookLatency), generationTime(phased, big, l.workers, bookLatency))
	fmt.Fprintf(l.w, "a goroutine per cell (item 57) needs %v whatever the size\n", bookLatency)
	return nil
}

// design is one way to run a generation on a fixed pool, for the model and the cost table.
type design int

const (
	singleStage       design = iota // Pipeline; only gameLogic does I/O (listings 1–5)
	singleStageBothIO               // Pipeline; countNeighbors' I/O falls to the coordinator
	phased                          // PhasedPipeline; each stage does its own I/O (listings 6–10)
)

// String names the design in the cost table.
func (d design) String() string {
	switch d {
	case singleStage:
		return "single stage, I/O in gameLogic"
	case singleStageBothIO:
		return "single stage, I/O in countNeighbors too"
	default:
		return "phased, I/O in both stages"
	}
}

// rounds is ⌈cells/workers⌉: each worker takes a cell, waits out its I/O, takes the next.
func rounds(cells, workers int) int { return (cells + workers - 1) / workers }

// generationTime is how long one generation takes when every I/O call waits latency. The fake-clock
// tests prove it exact.
//   - singleStage: ⌈cells/workers⌉ rounds of one latency.
//   - singleStageBothIO: the coordinator counts neighbours one cell after another (cells ×
//     latency) and the workers keep up, so the last cell's gameLogic adds one latency.
//   - phased: each stage takes ⌈cells/workers⌉ rounds, but they overlap: the second stage trails the
//     first by one round.
func generationTime(d design, cells, workers int, latency time.Duration) time.Duration {
	switch d {
	case singleStageBothIO:
		return time.Duration(cells+1) * latency
	case phased:
		return time.Duration(rounds(cells, workers)+1) * latency
	default:
		return time.Duration(rounds(cells, workers)) * latency
	}
}

// formula spells generationTime out with the numbers filled in.
func (d design) formula(cells, workers int, latency time.Duration) string {
	switch d {
	case singleStageBothIO:
		return fmt.Sprintf("(%d + 1) × %v", cells, latency)
	case phased:
		return fmt.Sprintf("(⌈%d/%d⌉ + 1) × %v", cells, workers, latency)
	default:
		return fmt.Sprintf("⌈%d/%d⌉ × %v", cells, workers, latency)
	}
}

// pool is either pipeline as the lesson and the tests drive it: one generation, a worker count,
// and the shutdown.
type pool struct {
	simulate func(context.Context, *life.Grid) (*life.Grid, error)
	running  func() int
	stop     func()
}

// startSingleStage starts a Pipeline and wraps it as a pool.
func startSingleStage(ctx context.Context, workers int, io life.CellIO) pool {
	p := StartPipeline(ctx, workers, io)
	simulate := func(ctx context.Context, g *life.Grid) (*life.Grid, error) { return simulatePipeline(ctx, g, p) }
	return pool{simulate: simulate, running: p.Running, stop: p.Stop}
}

// startPhased starts a PhasedPipeline and wraps it as a pool.
func startPhased(ctx context.Context, workers int, io life.CellIO) pool {
	p := StartPhasedPipeline(ctx, workers, io)
	simulate := func(ctx context.Context, g *life.Grid) (*life.Grid, error) { return simulatePhasedPipeline(ctx, g, p) }
	return pool{simulate: simulate, running: p.Running, stop: p.Stop}
}

// start starts a pool of design d whose I/O calls, wherever the design puts them, all run io.
func (d design) start(ctx context.Context, workers int, io life.IO) pool {
	switch d {
	case singleStageBothIO:
		return startSingleStage(ctx, workers, life.CellIO{Neighbors: io, Logic: io})
	case phased:
		return startPhased(ctx, workers, life.CellIO{Neighbors: io, Logic: io})
	default:
		return startSingleStage(ctx, workers, life.CellIO{Logic: io})
	}
}

// failOnceAt is life.FailAt that fails only the first time cell (y, x) is served, so the lesson can
// run the same pool again afterwards and see that it still works.
func failOnceAt(y, x int, err error, io life.IO) life.IO {
	var fired atomic.Bool
	return func(ctx context.Context, cy, cx int) error {
		if e := io.Do(ctx, cy, cx); e != nil {
			return e
		}
		if cy == y && cx == x && fired.CompareAndSwap(false, true) {
			return err
		}
		return nil
	}
}
