package main

// The pools as the tests drive them: one shape for both pipelines (and for the broken coordinator),
// so one proof runs over each; and the model of how long a generation takes on them.

import (
	"context"
	"slices"
	"testing/synctest"
	"time"

	"workbook/item56/life"
)

// pool is a started pipeline as a test drives it.
type pool struct {
	simulate func(context.Context, *life.Grid) (*life.Grid, error) // one generation
	running  func() int                                            // workers not yet returned
	stop     func()                                                // the pipeline's Stop
	feed     func(y, x int)                                        // sends one cell into the first stage, bypassing the coordinator
	out      <-chan cellResult                                     // the results, for a test that plays the coordinator
	// unstick does one channel operation, without waiting, that releases a goroutine blocked on
	// one of the pool's channels, and says which; "" if none was blocked. A test calls it, after
	// synctest.Wait, to release what a broken coordinator or worker left stuck, so that the bubble
	// can end; the shipped code leaves nothing for it to do after a cancel.
	unstick func() string
	// logicClosed reports, without waiting, whether the phased pipeline's logic channel is closed
	// (nil for the single stage). It must be called only when nothing is sending on it.
	logicClosed func() bool
}

// startWith starts a single-stage Pipeline whose generations run coordinate (simulatePipeline, or
// brokenSimulatePipeline).
func startWith(coordinate func(context.Context, *life.Grid, *Pipeline) (*life.Grid, error)) func(context.Context, int, life.CellIO) pool {
	return func(ctx context.Context, workers int, io life.CellIO) pool {
		p := StartPipeline(ctx, workers, io)
		return pool{
			simulate: func(ctx context.Context, g *life.Grid) (*life.Grid, error) { return coordinate(ctx, g, p) },
			running:  p.Running,
			stop:     p.Stop,
			feed:     func(y, x int) { p.in <- logicItem{Y: y, X: x} },
			out:      p.out,
			unstick: func() string {
				dropBuffered(p.in)
				select {
				case <-p.in:
					return "a send on in (a fan-out that ignores ctx)"
				default:
				}
				return unstickOut(p.out)
			},
		}
	}
}

var (
	startSingleStage = startWith(simulatePipeline)
	startBroken      = startWith(brokenSimulatePipeline)
)

// startPhased starts a PhasedPipeline.
func startPhased(ctx context.Context, workers int, io life.CellIO) pool {
	p := StartPhasedPipeline(ctx, workers, io)
	grid := life.NewGrid(1, 1)
	return pool{
		simulate: func(ctx context.Context, g *life.Grid) (*life.Grid, error) { return simulatePhasedPipeline(ctx, g, p) },
		running:  p.Running,
		stop:     p.Stop,
		feed:     func(y, x int) { p.in <- neighborsItem{Y: y, X: x, Get: grid.Get} },
		out:      p.out,
		unstick: func() string {
			dropBuffered(p.in)
			dropBuffered(p.logic)
			select {
			case <-p.in:
				return "a send on in (a fan-out that ignores ctx)"
			case <-p.logic:
				return "a send on logic (a first-stage worker that ignores ctx)"
			default:
			}
			return unstickOut(p.out)
		},
		logicClosed: func() bool {
			select {
			case _, ok := <-p.logic:
				return !ok
			default:
				return false
			}
		},
	}
}

// design is one way to run a generation on a fixed pool.
type design int

const (
	singleStage       design = iota // Pipeline; only gameLogic does I/O (listings 1–5)
	singleStageBothIO               // Pipeline; countNeighbors' I/O falls to the coordinator
	phased                          // PhasedPipeline; each stage does its own I/O (listings 6–10)
)

// String names the design in test names.
func (d design) String() string {
	return [...]string{"single stage", "single stage, I/O in countNeighbors too", "phased"}[d]
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

// generationTime is how long one generation takes when every I/O call waits latency:
//   - singleStage: ⌈cells/workers⌉ rounds, since each worker takes a cell, waits out its I/O, and
//     only then takes the next (the lesson's "9 rounds").
//   - singleStageBothIO: the coordinator counts neighbours one cell after another (cells ×
//     latency) and the workers keep up, so the last cell's gameLogic adds one latency.
//   - phased: each stage takes ⌈cells/workers⌉ rounds, but they overlap: the second stage trails
//     the first by one round (the lesson's "10 rounds").
func generationTime(d design, cells, workers int, latency time.Duration) time.Duration {
	switch d {
	case singleStageBothIO:
		return time.Duration(cells+1) * latency
	case phased:
		return time.Duration(ceilDiv(cells, workers)+1) * latency
	default:
		return time.Duration(ceilDiv(cells, workers)) * latency
	}
}

// unstickOut releases a goroutine blocked on out, without waiting: a worker sending a result (by
// taking it) or a fan-in waiting for one (by giving it an empty one, which it counts). It says
// which, or "" for none. Results merely left in a buffer (Try it 1 adds one) are dropped.
func unstickOut(out chan cellResult) string {
	dropBuffered(out)
	feed := out
	if cap(out) > 0 {
		feed = nil // a send would only fill the buffer
	}
	select {
	case <-out:
		return "a send on out (a worker that ignores ctx)"
	case feed <- cellResult{}:
		return "a receive on out (a fan-in that ignores ctx)"
	default:
		return ""
	}
}

// dropBuffered empties ch's buffer, if it has one: values waiting there are not stuck goroutines.
func dropBuffered[T any](ch chan T) {
	for len(ch) > 0 {
		<-ch
	}
}

// release unsticks, one operation at a time, every goroutine left blocked on p's channels, and
// returns what it found (nothing, for the shipped code after a cancel).
func release(p pool) []string {
	var stuck []string
	for range 1000 {
		synctest.Wait()
		what := p.unstick()
		if what == "" {
			break
		}
		if !slices.Contains(stuck, what) {
			stuck = append(stuck, what)
		}
	}
	return stuck
}
