package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
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
	goleak.VerifyTestMain(m)
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

// TestSimulatePipeline_DeadlocksWhenCellsExceedWorkers is one proof over both coordinators, on
// the fake clock: each runs a generation on 5 workers and the test sleeps a minute (a generation
// needs 9 × 100 ms), then waits until every goroutine in the bubble is durably blocked. The broken
// one has then sent 5 cells and stopped for good — but only when the grid has more cells than
// workers; on the 1×1 grid of the error demo it finishes, which is how this bug slips past small
// tests. The fixed one finishes on both.
func TestSimulatePipeline_DeadlocksWhenCellsExceedWorkers(t *testing.T) {
	type simulateFunc func(context.Context, *life.Grid, *Pipeline) (*life.Grid, error)
	tests := []struct {
		name     string
		simulate simulateFunc
		grid     func() *life.Grid
		wantBug  bool
	}{
		{"broken/1×1", brokenSimulatePipeline, func() *life.Grid { return life.NewGrid(1, 1) }, false},
		{"broken/glider 5×9", brokenSimulatePipeline, life.Glider, true},
		{"fixed/1×1", simulatePipeline, func() *life.Grid { return life.NewGrid(1, 1) }, false},
		{"fixed/glider 5×9", simulatePipeline, life.Glider, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := watchdog(t)
				p := StartPipeline(ctx, 5, life.CellIO{Logic: life.Latency(latency)})
				grid := tt.grid()
				var next *life.Grid
				var err error
				done := make(chan struct{})
				go func() {
					defer close(done)
					next, err = tt.simulate(ctx, grid, p)
				}()

				time.Sleep(time.Minute)
				synctest.Wait() // every goroutine in the bubble is now durably blocked, or gone
				finished := isClosed(done)

				if tt.wantBug {
					require.False(t, finished, "the generation finished: the deadlock is gone")
					assert.Equal(t, 5, p.Running(), "the workers are stuck, not gone")
					cancel() // release: the coordinator and the workers all watch ctx
					<-done
					require.ErrorIs(t, err, context.Canceled)
					assert.Contains(t, err.Error(), "sent 5 of 45 cells, received no result")
				} else {
					require.True(t, finished, "the generation is stuck: a deadlock")
					require.NoError(t, err)
					assert.Equal(t, life.Simulate(grid).String(), next.String())
				}
				p.Stop()
				assert.Zero(t, p.Running())
			})
		})
	}
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

// TestRunPipeline_LeaksWorkersWithoutClose is one proof over both drivers: both print the right table, but only the fixed one stops its
// workers. goleak names the leaked worker goroutines; the test then stops them and looks again. It
// runs inside a synctest bubble, so goleak's retries (it looks again for about 0.4 s before it
// reports) sleep on the fake clock and cost no real time.
func TestRunPipeline_LeaksWorkersWithoutClose(t *testing.T) {
	tests := []struct {
		name     string
		run      func(context.Context, *Pipeline) (string, error)
		wantLeak bool
	}{
		{"broken", brokenRunPipeline, true},
		{"fixed", runPipeline, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				bubble := goleak.IgnoreCurrent() // synctest's goroutines and this one: not the pool's
				ctx, _ := watchdog(t)
				p := StartPipeline(ctx, 5, life.CellIO{})
				table, err := tt.run(ctx, p)
				require.NoError(t, err)
				assert.Equal(t, lifetest.GliderTable, table, "the table is right either way")

				leaked := goleak.Find(bubble)
				if tt.wantLeak {
					require.Error(t, leaked, "the workers should still be running")
					assert.Contains(t, leaked.Error(), "item58.worker[", "goleak should name the worker loop")
					assert.Equal(t, 5, p.Running())
					p.Stop() // release them, as the fixed driver would have
				} else {
					assert.NoError(t, leaked)
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

// TestPipelines_AgreeWithSimulate: on a seeded set of random grids, from 1×1 to 8×13, every design computes what life.Simulate
// does. One pool serves all the grids, so this also checks that nothing carries over from one
// generation to the next. Under -race it also shows that the phased pipeline's five goroutines may
// read the old grid at once without a LockingGrid.
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

// TestPipelines_WrapErrorsAndStayUsable: a failing I/O call comes back as a *SimulationError naming the cell, with the injected error
// (and life.ErrIO) in its chain — listing 4 (gameLogic on a 1×1 grid), listing 11 (countNeighbors in
// the phased pipeline), and the same on an 8×1 grid where other cells are still in flight when the
// failure arrives. Then the same pool runs the glider correctly and stops cleanly: the fan-in read
// every result before it returned the error, so none is left for the next generation.
func TestPipelines_WrapErrorsAndStayUsable(t *testing.T) {
	cause := fmt.Errorf("%w in the test", life.ErrIO)
	tests := []struct {
		name        string
		start       func(context.Context, int, life.CellIO) pool
		failLogic   bool // gameLogic fails; otherwise countNeighbors
		height      int
		failY       int
		wantWorkers int
	}{
		{"single stage/gameLogic on 1×1 (listing 4)", startSingleStage, true, 1, 0, 5},
		{"single stage/gameLogic on 8×1", startSingleStage, true, 8, 1, 5},
		{"single stage/countNeighbors on 8×1", startSingleStage, false, 8, 1, 5},
		{"phased/countNeighbors on 1×1 (listing 11)", startPhased, false, 1, 0, 10},
		{"phased/countNeighbors on 8×1", startPhased, false, 8, 1, 10},
		{"phased/gameLogic on 8×1", startPhased, true, 8, 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				io := life.CellIO{Neighbors: life.Latency(latency), Logic: life.Latency(latency)}
				if tt.failLogic {
					io.Logic = failOnceAt(tt.failY, 0, cause, io.Logic)
				} else {
					io.Neighbors = failOnceAt(tt.failY, 0, cause, io.Neighbors)
				}
				p := tt.start(ctx, 5, io)

				_, err := generation(t, ctx, cancel, p, life.NewGrid(tt.height, 1))
				var simErr *SimulationError
				require.ErrorAs(t, err, &simErr)
				assert.Equal(t, tt.failY, simErr.Y)
				assert.Equal(t, 0, simErr.X)
				assert.ErrorIs(t, err, cause)
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

// TestGeneration_TakesModelTime: on the fake clock a generation takes exactly what generationTime says: ⌈cells/workers⌉ rounds of
// 100 ms in the single stage, one round more in the phased pipeline (its stages overlap), and
// cells + 1 rounds when the single stage's coordinator must do countNeighbors' I/O itself. The big
// grid is the book's warning in numbers: 10,000 cells on 5 workers need 200 s per generation.
func TestGeneration_TakesModelTime(t *testing.T) {
	tests := []struct {
		design        design
		height, width int
		workers       int
		want          time.Duration
	}{
		{singleStage, 5, 9, 5, 9 * latency},
		{singleStage, 5, 9, 10, 5 * latency},
		{singleStage, 1, 1, 5, 1 * latency},
		{singleStage, 100, 100, 5, 2000 * latency},
		{singleStageBothIO, 5, 9, 5, 46 * latency},
		{phased, 5, 9, 5, 10 * latency},
		{phased, 1, 1, 5, 2 * latency},
		{phased, 100, 100, 5, 2001 * latency},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%d×%d on %d workers", tt.design, tt.height, tt.width, tt.workers)
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, _ := watchdog(t)
				p := tt.design.start(ctx, tt.workers, life.Latency(latency))
				defer p.stop()
				grid := life.NewGrid(tt.height, tt.width)
				start := time.Now()
				_, err := p.simulate(ctx, grid)
				require.NoError(t, err)
				assert.Equal(t, tt.want, time.Since(start), "fake-clock time of one generation")
				assert.Equal(t, tt.want, generationTime(tt.design, grid.Cells(), tt.workers, latency), "the model")
			})
		})
	}
}

// ExampleSimulationError is listing 4's error demo, as runnable documentation.
func ExampleSimulationError() {
	ctx, cancel := context.WithCancel(context.Background())
	cause := fmt.Errorf("%w in gameLogic", life.ErrIO)
	p := StartPipeline(ctx, 5, life.CellIO{Logic: life.FailAt(0, 0, cause, nil)})
	defer p.Stop()
	defer cancel() // runs first: should Stop ever hang (a fix undone), the workers still return

	_, err := simulatePipeline(ctx, life.NewGrid(1, 1), p)
	var simErr *SimulationError
	fmt.Println(err)
	fmt.Println(errors.As(err, &simErr), simErr.Y, simErr.X)
	fmt.Println(errors.Is(err, life.ErrIO))
	// Output:
	// simulation error at (0, 0): problem with I/O in gameLogic
	// true 0 0
	// true
}

// TestRun_RejectsBadFlags checks the command line: -h prints the usage and exits 0; a value the
// flag package cannot parse, an unknown flag, a senseless value or a stray argument exits 2.
func TestRun_RejectsBadFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item58 [flags]\nItem 58: "},
		{[]string{"-workers", "0"}, 2, "item58: -workers must be positive (got 0)\n"},
		{[]string{"-workers", "-3"}, 2, "item58: -workers must be positive (got -3)\n"},
		{[]string{"-latency", "-1ms"}, 2, "item58: -latency must not be negative (got -1ms)\n"},
		{[]string{"-watchdog", "0s"}, 2, "item58: -watchdog must be positive (got 0s)\n"},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item58: unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.wantCode, run(tt.args, &out, &errOut))
			assert.Empty(t, out.String(), "nothing on stdout")
			assert.Contains(t, errOut.String(), tt.wantErr)
			if tt.wantCode == 0 {
				assert.True(t, strings.HasPrefix(errOut.String(), tt.wantErr), "the usage opens with:\n%s", tt.wantErr)
			}
			if tt.wantCode == 2 && strings.HasPrefix(tt.wantErr, "item58:") {
				assert.Equal(t, 1, strings.Count(errOut.String(), "\n"), "one line")
			}
			assert.NotContains(t, errOut.String(), "panic")
		})
	}
}

// readmeArgs are the flags of the run shown in README.md: short latencies, so the test is quick.
var readmeArgs = []string{"-latency", "1ms", "-watchdog", "50ms"}

// varying masks what differs between runs: durations (measured ones, and the model's, which
// depend on -latency and are checked by TestGeneration_TakesModelTime), and the spaces that align
// them.
var varying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d+(\.\d+)?(h|m|s|ms|µs|ns)(\d+(\.\d+)?(m|s|ms|µs|ns))*\b`), "<time>"},
	{regexp.MustCompile(` +`), " "},
}

// mask applies varying and splits text into lines.
func mask(text string) []string {
	for _, v := range varying {
		text = v.re.ReplaceAllString(text, v.with)
	}
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}

// readmeSample returns the output block that follows the "$ command" line in README.md.
func readmeSample(t *testing.T, command string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "$ "+command+"\n")
	require.True(t, found, "README.md has no line %q", "$ "+command)
	sample, _, found := strings.Cut(after, "```")
	require.True(t, found, "the sample after %q is not closed", command)
	return sample
}

// TestRun_MatchesREADME: the lesson prints what README.md shows, durations masked.
func TestRun_MatchesREADME(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(readmeArgs, &out, &errOut), "stderr:\n%s", errOut.String())
	want := readmeSample(t, "go run ./item58 "+strings.Join(readmeArgs, " "))
	assert.Equal(t, mask(want), mask(out.String()))
}
