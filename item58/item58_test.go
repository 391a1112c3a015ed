package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/trace"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/item56/life"
	"workbook/item56/life/lifetest"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// latency is the book's 100 ms of I/O per call; on synctest's fake clock it costs no real time.
const latency = 100 * time.Millisecond

// errTestWatchdog is the cause a test's watchdog gives when it cancels a stuck pool.
var errTestWatchdog = errors.New("stuck: the test's watchdog cancelled the pool after an hour of fake time")

// watchdog returns the context for the pools of one synctest bubble: it is cancelled with
// errTestWatchdog after an hour of fake time, and if that happens the test fails when it ends.
// The fake clock jumps only when every goroutine in the bubble is durably blocked, and every
// worker and coordinator selects on ctx.Done; so a pool that hangs (a fix undone, say) is
// released at once, and the test fails instead of hanging, or of dying with synctest's deadlock
// panic, which would end the whole test binary. No correct run here needs more than 201 s.
func watchdog(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeoutCause(t.Context(), time.Hour, errTestWatchdog)
	t.Cleanup(func() {
		if errors.Is(context.Cause(ctx), errTestWatchdog) {
			t.Error(context.Cause(ctx))
		}
		cancel()
	})
	return ctx, cancel
}

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestSimulatePipeline_DeadlocksWhenCellsExceedWorkers is one proof over both coordinators, on
// the fake clock: each runs a generation on 5 workers and the test sleeps a minute (a generation
// needs 9 × 100 ms), then waits until every goroutine in the bubble is durably blocked. The broken
// one has then sent 5 cells and stopped for good, but only when the grid has more cells than
// workers: on the 1×1 grid of the error demo it finishes, which is how this bug slips past small
// tests. Then the test cancels the context, and the coordinator and every worker must return. A
// coordinator that finishes must be right and take exactly ⌈cells/5⌉ rounds of I/O. This is step 1
// of the exercise (README, "Your turn").
func TestSimulatePipeline_DeadlocksWhenCellsExceedWorkers(t *testing.T) {
	tests := []struct {
		name    string
		coord   string // the coordinator under test, for messages
		start   func(context.Context, int, life.CellIO) pool
		grid    func() *life.Grid
		wantBug bool
	}{
		{"broken/1×1", "brokenSimulatePipeline", startBroken, func() *life.Grid { return life.NewGrid(1, 1) }, false},
		{"broken/glider 5×9", "brokenSimulatePipeline", startBroken, life.Glider, !exercise},
		{"fixed/1×1", "simulatePipeline", startSingleStage, func() *life.Grid { return life.NewGrid(1, 1) }, false},
		{"fixed/glider 5×9", "simulatePipeline", startSingleStage, life.Glider, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := watchdog(t)
				tl := life.NewTimeline()
				p := tt.start(ctx, 5, life.CellIO{Logic: life.Recorded(life.Latency(latency), tl)})
				grid := tt.grid()
				var next *life.Grid
				var err error
				var took time.Duration
				done := make(chan struct{})
				go func() {
					defer close(done)
					start := time.Now()
					next, err = p.simulate(ctx, grid)
					took = time.Since(start)
				}()

				time.Sleep(time.Minute)
				synctest.Wait() // every goroutine in the bubble is now durably blocked, or gone
				finished := isClosed(done)
				stuckWorkers := p.running()

				if tt.wantBug {
					require.False(t, finished, "the generation finished: the deadlock is gone")
					assert.Equal(t, 5, stuckWorkers, "the workers are stuck, not gone")
				} else if !finished {
					t.Errorf("%s still deadlocks: the generation of the %d×%d grid has not finished after a fake minute (it needs %v); %d of 5 workers are still running",
						tt.coord, grid.Height, grid.Width, generationTime(singleStage, grid.Cells(), 5, latency), stuckWorkers)
				}
				if !finished {
					cancel() // the coordinator and the workers all watch ctx
					synctest.Wait()
					assert.Zero(t, p.running(), "workers still blocked sending their results after cancel: the result send must watch ctx.Done too")
					assert.Empty(t, release(p), "goroutines still blocked on the pool's channels after cancel")
					<-done
					require.ErrorIs(t, err, context.Canceled)
					if tt.wantBug {
						assert.Contains(t, err.Error(), "sent 5 of 45 cells, received no result")
					}
				} else {
					require.NoError(t, err)
					assert.Equal(t, life.Simulate(grid).String(), next.String())
					assert.Equal(t, generationTime(singleStage, grid.Cells(), 5, latency), took,
						"%s: fake-clock time of the generation, which should be ⌈cells/5⌉ rounds of I/O: are the cells sent one at a time?", tt.coord)
					assert.Equal(t, waves(grid.Cells(), 5), tl.InFlight(latency),
						"%s: gameLogic calls in flight per 100 ms: waves of 5, the pool's size", tt.coord)
				}
				p.stop()
				assert.Zero(t, p.running())
			})
		})
	}
}

// TestSimulatePipeline_ReturnsWhenCancelled cancels a generation of the glider a fake 250 ms in,
// while cells are still going in and results coming out, on both coordinators and the phased
// pipeline. Each must return the cancellation, every worker must return without Stop, and nothing
// may be left blocked on the pool's channels: the fan-out's send, the fan-in's receive, and each
// worker's receive and result send all watch ctx. The broken coordinator is deadlocked by then, so
// for it this checks the workers' result send; a learner's fan-out must keep it so (step 1).
func TestSimulatePipeline_ReturnsWhenCancelled(t *testing.T) {
	tests := []struct {
		name  string
		start func(context.Context, int, life.CellIO) pool
	}{
		{"broken", startBroken},
		{"fixed", startSingleStage},
		{"phased", startPhased},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				slow := life.Latency(latency)
				p := tt.start(ctx, 5, life.CellIO{Neighbors: slow, Logic: slow})
				var err error
				done := make(chan struct{})
				go func() {
					defer close(done)
					_, err = p.simulate(ctx, life.Glider())
				}()

				time.Sleep(250 * time.Millisecond) // mid-generation: round 3 of 9
				cancel()
				synctest.Wait()
				returned, running := isClosed(done), p.running()
				stuck := release(p)
				<-done
				assert.True(t, returned, "the generation did not return after cancel: its fan-out send or fan-in receive ignores ctx")
				assert.Zero(t, running, "workers still running after cancel: a worker's receive or result send ignores ctx")
				assert.Empty(t, stuck, "goroutines still blocked on the pool's channels after cancel")
				if returned {
					assert.ErrorIs(t, err, context.Canceled)
				}
				p.stop()
			})
		})
	}
}

// TestSimulatePipeline_WaitsForItsFanOut cancels a generation while the goroutine that fans the
// cells out is inside countNeighbors' I/O, a call that ignores ctx (as a blocking read may). The
// coordinator must not return before that goroutine has: once returned, the pool belongs to the
// next generation, and a cell sent late would be taken as one of its own. (The broken coordinator
// fans out on its own goroutine, so it waits by construction; a learner's fix must too.)
func TestSimulatePipeline_WaitsForItsFanOut(t *testing.T) {
	for _, tt := range []struct {
		name  string
		start func(context.Context, int, life.CellIO) pool
	}{{"broken", startBroken}, {"fixed", startSingleStage}} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				gate := make(chan struct{})
				held := func(ctx context.Context, y, x int) error {
					if y == 0 && x == 1 {
						<-gate // ignores ctx, on purpose
					}
					return nil
				}
				p := tt.start(ctx, 5, life.CellIO{Neighbors: held})
				done := make(chan struct{})
				go func() {
					defer close(done)
					p.simulate(ctx, life.Glider())
				}()
				synctest.Wait() // the fan-out is held in cell (0, 1)'s I/O
				cancel()
				synctest.Wait()
				assert.False(t, isClosed(done), "the coordinator returned while its fan-out goroutine was still running: it may yet send a cell into the pool")
				close(gate)
				// Before Stop closes in, nothing may still be sending on it (that would panic).
				stuck := release(p)
				<-done
				assert.Empty(t, stuck, "goroutines still blocked on the pool's channels after cancel")
				p.stop()
			})
		})
	}
}

// TestPipelines_IdleWorkersReturnWhenCancelled: cancelling the context of an idle pool (no
// generation running, no Stop) ends every worker: their receive watches ctx too.
func TestPipelines_IdleWorkersReturnWhenCancelled(t *testing.T) {
	for _, d := range []design{singleStage, phased} {
		t.Run(d.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				p := d.start(ctx, 5, nil)
				synctest.Wait()
				cancel()
				synctest.Wait()
				assert.Zero(t, p.running(), "idle workers still waiting on the input channel after cancel")
				p.stop() // releases them if they did not return
			})
		})
	}
}

// TestRunPipeline_LeaksWorkersWithoutClose is one proof over both drivers: both print the right
// table, but only the fixed one stops its workers before it returns. goleak names the leaked worker
// goroutines; the test then stops them and looks again. It runs inside a synctest bubble, so
// goleak's retries sleep on the fake clock and cost no real time. This is step 2 of the exercise.
func TestRunPipeline_LeaksWorkersWithoutClose(t *testing.T) {
	tests := []struct {
		name     string
		driver   string // for messages
		run      func(context.Context, *Pipeline) (string, error)
		wantLeak bool
	}{
		{"broken", "brokenRunPipeline", brokenRunPipeline, !exercise},
		{"fixed", "runPipeline", runPipeline, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				bubble := goleak.IgnoreCurrent() // synctest's goroutines and this one: not the pool's
				ctx, cancel := watchdog(t)
				p := StartPipeline(ctx, 5, life.CellIO{})
				table, err := tt.run(ctx, p)
				running := p.Running()
				require.NoError(t, err)
				assert.Equal(t, lifetest.GliderTable, table, "the table is right either way")

				if tt.wantLeak {
					leaked := goleak.Find(bubble)
					require.Error(t, leaked, "the workers should still be running")
					assert.Contains(t, leaked.Error(), "item58.worker[", "goleak should name the worker loop")
					assert.Equal(t, 5, running)
					p.Stop() // release them, as the fixed driver would have
				} else if running != 0 {
					t.Errorf("%s returned with %d of 5 workers still running: it must close p.in and wait for every worker (Stop does both)", tt.driver, running)
					cancel() // release them without a second close
				}
				assert.NoError(t, goleak.Find(bubble), "no worker may outlive Stop")
				assert.Zero(t, p.Running())
			})
		})
	}
}

// TestPipelines_PrintGliderTable: the book's driver prints the glider table on both pipelines,
// and both stop every worker.
func TestPipelines_PrintGliderTable(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context) (string, func() int, error)
	}{
		{"single stage", func(ctx context.Context) (string, func() int, error) {
			p := StartPipeline(ctx, 5, life.CellIO{})
			table, err := runPipeline(ctx, p)
			return table, p.Running, err
		}},
		{"phased", func(ctx context.Context) (string, func() int, error) {
			p := StartPhasedPipeline(ctx, 5, life.CellIO{})
			table, err := runPhasedPipeline(ctx, p)
			return table, p.Running, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, _ := watchdog(t)
				table, running, err := tt.run(ctx)
				require.NoError(t, err)
				assert.Equal(t, lifetest.GliderTable, table)
				assert.Zero(t, running(), "the driver stops every worker")
			})
		})
	}
}

// TestPipelines_AgreeWithSimulate: on a seeded set of random grids, from 1×1 to 8×13, every design
// computes what life.Simulate does. One pool serves all the grids, so this also checks that nothing
// carries over from one generation to the next. Under -race it also shows that the phased
// pipeline's five goroutines may read the old grid at once without a LockingGrid.
func TestPipelines_AgreeWithSimulate(t *testing.T) {
	for _, d := range []design{singleStage, singleStageBothIO, phased} {
		t.Run(d.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, _ := watchdog(t)
				p := d.start(ctx, 5, nil)
				defer p.stop()
				lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return p.simulate(ctx, g) })
			})
		})
	}
}

// TestPipelines_WrapErrorsAndStayUsable: a failing I/O call comes back as a *SimulationError naming
// the cell, with the injected error (and life.ErrIO) in its chain: listing 4 (gameLogic on a 1×1
// grid), listing 11 (countNeighbors in the phased pipeline), the same on an 8×1 grid where other
// cells are still in flight when the failure arrives, and two failures a round apart, of which the
// first is kept. Then the same pool runs the glider correctly and stops cleanly: the fan-in read
// every result before it returned the error, so none is left for the next generation.
func TestPipelines_WrapErrorsAndStayUsable(t *testing.T) {
	first := fmt.Errorf("%w in the test", life.ErrIO)
	second := fmt.Errorf("%w a round later", life.ErrIO)
	const none = -1
	tests := []struct {
		name        string
		start       func(context.Context, int, life.CellIO) pool
		failLogic   bool // gameLogic fails; otherwise countNeighbors
		height      int
		failY       int // fails in the first round of I/O (cells 0–4)
		alsoFailY   int // fails in the second round, or none
		wantWorkers int
	}{
		{"single stage/gameLogic on 1×1 (listing 4)", startSingleStage, true, 1, 0, none, 5},
		{"single stage/gameLogic on 8×1", startSingleStage, true, 8, 1, none, 5},
		{"single stage/countNeighbors on 8×1", startSingleStage, false, 8, 1, none, 5},
		{"single stage/two failures on 8×1, the first kept", startSingleStage, true, 8, 1, 6, 5},
		{"phased/countNeighbors on 1×1 (listing 11)", startPhased, false, 1, 0, none, 10},
		{"phased/countNeighbors on 8×1", startPhased, false, 8, 1, none, 10},
		{"phased/gameLogic on 8×1", startPhased, true, 8, 1, none, 10},
		{"phased/two failures on 8×1, the first kept", startPhased, false, 8, 1, 6, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				fails := failOnceAt(tt.failY, 0, first, life.Latency(latency))
				if tt.alsoFailY != none {
					fails = failOnceAt(tt.alsoFailY, 0, second, fails)
				}
				io := life.CellIO{Neighbors: life.Latency(latency), Logic: life.Latency(latency)}
				if tt.failLogic {
					io.Logic = fails
				} else {
					io.Neighbors = fails
				}
				p := tt.start(ctx, 5, io)

				_, err := generation(t, ctx, cancel, p, life.NewGrid(tt.height, 1))
				var simErr *SimulationError
				require.ErrorAs(t, err, &simErr)
				assert.Equal(t, tt.failY, simErr.Y, "the cell of the first failure")
				assert.Equal(t, 0, simErr.X)
				assert.ErrorIs(t, err, first)
				assert.NotErrorIs(t, err, second, "the first error is kept, not the last")
				assert.ErrorIs(t, err, life.ErrIO)

				glider := life.Glider()
				next, err := generation(t, ctx, cancel, p, glider)
				require.NoError(t, err, "the pool should still work after an error")
				assert.Equal(t, life.Simulate(glider).String(), next.String())
				assert.Equal(t, tt.wantWorkers, p.running())

				stopped := make(chan struct{})
				go func() {
					defer close(stopped)
					p.stop()
				}()
				synctest.Wait()
				if !isClosed(stopped) {
					cancel() // release the worker that holds a result nobody read
					<-stopped
					t.Error("Stop blocked: a worker still held a result from an earlier generation")
				}
			})
		})
	}
}

// generation runs one generation of grid on p in a goroutine of its own and waits, on the fake
// clock, far longer than any generation here needs. If it has not finished by the time every
// goroutine in the bubble is durably blocked, it is stuck: generation fails the test and cancels
// ctx to release it, so the bubble can end.
func generation(t *testing.T, ctx context.Context, cancel context.CancelFunc, p pool, grid *life.Grid) (*life.Grid, error) {
	t.Helper()
	var next *life.Grid
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		next, err = p.simulate(ctx, grid)
	}()
	time.Sleep(time.Hour)
	synctest.Wait()
	if !isClosed(done) {
		cancel()
		<-done
		t.Fatalf("the generation of a %d×%d grid is stuck (released: %v)", grid.Height, grid.Width, err)
	}
	return next, err
}

// TestPipelines_StopFinishesCellsInFlight calls Stop while five cells are in the first stage's I/O.
// Stop must let them through: every result still comes out, the phased pipeline closes its logic
// channel only after the first stage has returned (a worker that sent on it after the close would
// panic), and Stop returns only once every worker of every stage has returned.
func TestPipelines_StopFinishesCellsInFlight(t *testing.T) {
	for _, d := range []design{singleStage, phased} {
		t.Run(d.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := watchdog(t)
				var abandon atomic.Bool
				slow := life.Latency(latency)
				firstStage := func(ctx context.Context, y, x int) error {
					err := slow(ctx, y, x)
					if abandon.Load() {
						// The logic channel was closed under this worker: end it here, as a
						// panic in it would end the test binary.
						runtime.Goexit()
					}
					return err
				}
				start, io := startSingleStage, life.CellIO{Logic: firstStage}
				if d == phased {
					start, io = startPhased, life.CellIO{Neighbors: firstStage, Logic: slow}
				}
				p := start(ctx, 5, io)
				for y := range 5 {
					p.feed(y, 0) // each of the 5 first-stage workers now holds a cell in its I/O
				}
				var runningAtStop int
				stopped := make(chan struct{})
				go func() {
					defer close(stopped)
					p.stop()
					runningAtStop = p.running()
				}()
				synctest.Wait()
				if p.logicClosed != nil && p.logicClosed() {
					t.Error("Stop closed the logic channel while the first stage still held 5 cells: their sends would panic (send on closed channel)")
					abandon.Store(true)
				}

				results := 0
			receive:
				for results < 5 {
					select {
					case <-p.out:
						results++
					case <-time.After(10 * time.Minute):
						break receive
					}
				}
				if !abandon.Load() {
					assert.Equal(t, 5, results, "results that came out of the cells in flight when Stop was called")
				}
				synctest.Wait()
				if !isClosed(stopped) {
					t.Errorf("Stop has not returned after the last result came out: %d workers still running (a channel never closed?)", p.running())
					cancel()
					<-stopped
				}
				assert.Zero(t, runningAtStop, "Stop returned while workers were still running")
			})
		})
	}
}

// TestGeneration_TakesModelTime: on the fake clock a generation takes exactly what generationTime
// says: ⌈cells/workers⌉ rounds of 100 ms in the single stage, one round more in the phased pipeline
// (its stages overlap), and cells + 1 rounds when the single stage's coordinator must do
// countNeighbors' I/O itself. The big grid is the book's warning in numbers: 10,000 cells on 5
// workers need 200 s per generation. Under -race it has 1,000 cells (20 s): the detector makes
// each of its thousands of channel hand-offs cost many times more, and the rule does not depend
// on the size.
func TestGeneration_TakesModelTime(t *testing.T) {
	bigHeight, bigRounds := 100, 2000 // 100 × 100 cells on 5 workers
	if raceEnabled {
		bigHeight, bigRounds = 10, 200
	}
	tests := []struct {
		design        design
		height, width int
		workers       int
		want          time.Duration
		shape         []float64 // I/O calls in flight per 100 ms, as the lesson's chart draws it; nil: not checked
		summary       string    // the chart's last line
	}{
		{singleStage, 5, 9, 5, 9 * latency, waves(45, 5), "5 ×9"},
		{singleStage, 5, 9, 10, 5 * latency, waves(45, 10), "10 ×4, 5"},
		{singleStage, 1, 1, 5, 1 * latency, []float64{1}, "1"},
		{singleStage, bigHeight, 100, 5, time.Duration(bigRounds) * latency, nil, ""},
		{singleStageBothIO, 5, 9, 5, 46 * latency, slices.Concat([]float64{1}, slices.Repeat([]float64{2}, 44), []float64{1}), "1, 2 ×44, 1"},
		{phased, 5, 9, 5, 10 * latency, slices.Concat([]float64{5}, slices.Repeat([]float64{10}, 8), []float64{5}), "5, 10 ×8, 5"},
		{phased, 1, 1, 5, 2 * latency, []float64{1, 1}, "1 ×2"},
		{phased, bigHeight, 100, 5, time.Duration(bigRounds+1) * latency, nil, ""},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%d×%d on %d workers", tt.design, tt.height, tt.width, tt.workers)
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, _ := watchdog(t)
				tl := life.NewTimeline()
				io := life.Latency(latency)
				if tt.shape != nil {
					io = life.Recorded(io, tl) // not the 10,000-cell grids: recording them costs more than it shows
				}
				p := tt.design.start(ctx, tt.workers, io)
				defer p.stop()
				grid := life.NewGrid(tt.height, tt.width)
				start := time.Now()
				_, err := p.simulate(ctx, grid)
				require.NoError(t, err)
				assert.Equal(t, tt.want, time.Since(start), "fake-clock time of one generation")
				assert.Equal(t, tt.want, generationTime(tt.design, grid.Cells(), tt.workers, latency), "the model")
				if tt.shape != nil {
					assert.Equal(t, tt.shape, tl.InFlight(latency), "I/O calls in flight per 100 ms")
					assert.Contains(t, tl.Chart(latency, 45), "calls in flight per 100ms: "+tt.summary+"\n")
				}
			})
		})
	}
}

// waves is the shape of cells on a pool of workers with I/O in one stage: full waves of workers
// calls in flight, then what is left.
func waves(cells, workers int) []float64 {
	s := slices.Repeat([]float64{float64(workers)}, cells/workers)
	if cells%workers != 0 {
		s = append(s, float64(cells%workers))
	}
	return s
}

// ExampleSimulationError is listing 4's error demo, as runnable documentation.
func ExampleSimulationError() {
	ctx, cancel := context.WithCancel(context.Background())
	cause := fmt.Errorf("%w in gameLogic", life.ErrIO)
	p := StartPipeline(ctx, 5, life.CellIO{Logic: life.FailAt(0, 0, cause, nil)})
	defer p.Stop()
	defer cancel() // runs first: should Stop ever hang (a fix undone), the workers still return

	_, err := simulatePipeline(ctx, life.NewGrid(1, 1), p)
	fmt.Println(err)
	var simErr *SimulationError
	if errors.As(err, &simErr) { // the typed error says which cell failed
		fmt.Println("failed cell:", simErr.Y, simErr.X)
	}
	fmt.Println(errors.Is(err, life.ErrIO))
	// Output:
	// simulation error at (0, 0): problem with I/O in gameLogic
	// failed cell: 0 0
	// true
}

// TestRun_RejectsBadFlags: -h prints the usage and exits 0; a latency out of bounds, a -trace file
// that cannot be created, a value the flag package cannot parse, an unknown flag or a stray argument
// exits 2 and says why. None starts the lesson.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item58 [flags]\nItem 58: "},
		{[]string{"-latency", "0s"}, 2, "item58: -latency must be between 1ms and 100ms (got 0s): at the book's 100ms the lesson already takes about 18 s\n"},
		{[]string{"-latency", "1h"}, 2, "item58: -latency must be between 1ms and 100ms (got 1h0m0s): at the book's 100ms the lesson already takes about 18 s\n"},
		{[]string{"-trace", "no/such/dir/trace.out"}, 2, "item58: -trace: open no/such/dir/trace.out: "},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s"},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`},
		{[]string{"-workers", "5"}, 2, "flag provided but not defined: -workers\nUsage: go run ./item58 [flags]\n"},
		{[]string{"extra"}, 2, "item58: unexpected argument \"extra\"\n"},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-latency 1h", "-trace no/such/dir/trace.out", "extra")
}

// varying masks what differs between real-time runs: durations, and the charts' bars and summary
// lines, which may differ by a column at the edges (TestGeneration_TakesModelTime proves their
// shapes exactly on the fake clock).
var varying = []mask{
	{regexp.MustCompile(`\d+(\.\d+)?(h|m|s|ms|µs|ns)(\d+(\.\d+)?(m|s|ms|µs|ns))*\b`), "<time>"},
	{regexp.MustCompile(`(?m)^(\d+| +) ┤.*$`), "<bar>"},
	{regexp.MustCompile(`(?m)^ +└─*$`), "<axis>"},
	{regexp.MustCompile(`(?m)^ +calls in flight per <time>: .*$`), "<calls in flight>"},
}

// lessonBound is how long TestRun_MatchesREADME waits for the lesson, in real time: at 1 ms of I/O
// per call it needs about 0.3 s, so this is generous even on a loaded machine.
const lessonBound = 5 * time.Second

// lastLine begins the last line the lesson prints.
const lastLine = "a goroutine per cell (item 57):"

// leakCheck is the lesson's stdout in TestRun_MatchesREADME. It keeps what the lesson prints, and
// when the lesson prints its last line it looks for goroutines the lesson started and did not stop:
// then, and not after run returns, because run then cancels the lesson's context, which releases
// any pool left running.
type leakCheck struct {
	bytes.Buffer
	ignore goleak.Option // the goroutines that are not the lesson's
	leaked error
}

// Write keeps p; when p is the lesson's last line, it first looks for the lesson's goroutines.
func (w *leakCheck) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte(lastLine)) {
		w.leaked = goleak.Find(w.ignore) // goleak leaves out -trace's writer (runtime.ReadTrace)
	}
	return w.Buffer.Write(p)
}

// TestRun_MatchesREADME: `go run ./item58 -trace FILE`, run in process with 1 ms of I/O per call
// (which changes nothing but durations, so that it stays quick), prints what README.md shows for
// `go run ./item58`, every duration masked; every section stops its pool (no goroutine of the
// lesson is left when it prints its last line); and FILE is a Go execution trace, with the tracer
// stopped when run returns.
func TestRun_MatchesREADME(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	path := filepath.Join(t.TempDir(), "trace.out")
	out := &leakCheck{ignore: goleak.IgnoreCurrent()} // this test's goroutines are not the lesson's
	var errOut bytes.Buffer
	status := make(chan int, 1)
	go func() { status <- run([]string{"-latency", "1ms", "-trace", path}, out, &errOut) }()
	select {
	case code := <-status:
		require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	case <-time.After(lessonBound):
		// A pool whose workers ignore ctx cannot be released; the other tests say which.
		t.Fatalf("the lesson has not finished after %v (it needs well under a second): a pool is stuck", lessonBound)
	}
	assertMatchesREADME(t, "go run ./item58", out.String(), varying...)
	assert.NoError(t, out.leaked, "the lesson left goroutines running: a section did not stop its pool")

	assert.False(t, trace.IsEnabled(), "run returned with the tracer still running")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(data), 1000, "the trace is nearly empty")
	assert.Regexp(t, `^go 1\.\d+ trace`, string(data[:16]), "a Go execution trace starts with its header")
}
