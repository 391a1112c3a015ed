package main

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
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

// TestMain runs a child role if this process is one (see reexec), and otherwise the tests under
// goleak: a test that leaves a goroutine behind fails the run.
func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role))
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// latency is the simulated I/O time in the fake-clock tests; any value gives exact multiples.
const latency = 100 * time.Millisecond

// gathers are the fixed and the broken version, with whether each has the bug. In exercise mode
// (go test -tags exercise) the broken one must behave as the fixed one does.
var gathers = []struct {
	name    string
	gather  gather
	wantBug bool
}{
	{"simulate", simulate, false},
	{"simulateGather", simulateGather, !exercise},
}

// The book's driver with simulate prints the glider table, and on the fake clock each of the five
// generations takes exactly one latency, as asyncio.gather does in the book.
func TestSimulate_PrintsGliderTable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := life.CellIO{Logic: life.Latency(latency)}
		start := time.Now()
		table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulate(t.Context(), io, g) })
		require.NoError(t, err)
		assert.Equal(t, lifetest.GliderTable, table)
		assert.Equal(t, life.Generations*latency, time.Since(start))
	})
}

// Both versions compute what the serial life.Simulate computes when nothing fails: the hand-made
// gather is only wrong on the error path.
func TestGathers_AgreeWithSimulate(t *testing.T) {
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) {
				return tc.gather(t.Context(), life.CellIO{}, g)
			})
		})
	}
}

// The chart the lesson draws, exactly, on the fake clock: with a goroutine per cell, one generation
// of the glider is a single latency with all 45 calls in flight, for both versions (and for your
// fixed broken.go).
func TestGathers_DrawOneColumnOf45(t *testing.T) {
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tl := life.NewTimeline()
				_, err := tc.gather(t.Context(), life.CellIO{Logic: life.Recorded(life.Latency(latency), tl)}, life.Glider())
				require.NoError(t, err)
				assert.Equal(t, []float64{45}, tl.InFlight(latency), "calls in flight per latency")
				assert.Contains(t, tl.Chart(latency, 45), "calls in flight per 100ms: 45\n")
			})
		})
	}
}

// The book's error demo: game_logic raising OSError on a 1 × 1 grid reaches the caller, and no
// grid comes back.
func TestSimulate_ErrorReachesCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := life.CellIO{Logic: life.FailAt(0, 0, life.ErrIO, life.Latency(latency))}
		next, err := simulate(t.Context(), io, life.NewGrid(1, 1))
		require.ErrorIs(t, err, life.ErrIO)
		assert.Nil(t, next)
	})
}

// A goroutine per cell means every cell's I/O overlaps: on the fake clock a generation takes exactly
// one latency whatever its size, 10,000 cells included, with every cell in flight at once; I/O in
// countNeighbors as well makes it two, with no change to simulate. Under -race the big grid has
// 1,001 cells, as few as still catch a cap on the goroutines at a round 1,000 (g.SetLimit(1000) fits
// 1,000 cells exactly and passes unseen): the detector makes each goroutine cost many times more.
func TestSimulate_GenerationTakesOneLatency(t *testing.T) {
	big := 10_000
	if raceEnabled {
		big = 1_001
	}
	for _, tc := range []struct {
		name        string
		cells       int
		neighborsIO bool
		latencies   int
	}{
		{"45 cells", 45, false, 1},
		{"45 cells, countNeighbors I/O too", 45, true, 2},
		{"big grid", big, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tl := life.NewTimeline()
				wait := life.Recorded(life.Latency(latency), tl)
				io := life.CellIO{Logic: wait}
				if tc.neighborsIO {
					io.Neighbors = wait
				}
				start := time.Now()
				_, err := simulate(t.Context(), io, life.NewGrid(1, tc.cells))
				require.NoError(t, err)
				assert.Equal(t, time.Duration(tc.latencies)*latency, time.Since(start), "%d cells", tc.cells)
				most, _ := tl.Peak()
				assert.Equal(t, tc.cells, most, "every cell's I/O in flight at once")
			})
		})
	}
}

// returnLimit is how long TestGathers_FirstErrorCancelsIOInFlight waits for a version to return
// before it calls it stuck: the replies it could be waiting for come only after it returns.
const returnLimit = 3 * time.Second

// waitFor waits for wg, or fails the test if it is still waiting after returnLimit, naming what.
func waitFor(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(returnLimit):
		t.Fatalf("%s: still running %v after the replies came", what, returnLimit)
	}
}

// Cell (0, 0) of the glider fails once the other 44 cells' I/O has begun; their replies are held
// back until the call returns, so only cancellation can end their I/O sooner. errgroup cancels all
// 44 and waits for them: when simulate returns, none is still running. The hand-made gather cancels
// nothing and waits for nothing: it returns with all 44 still running, and they run to the end.
// No real time decides any count: the replies come only when the test releases them.
func TestGathers_FirstErrorCancelsIOInFlight(t *testing.T) {
	grid := life.Glider()
	others := int64(grid.Cells() - 1)
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			reply := make(chan struct{})
			deliver := sync.OnceFunc(func() { close(reply) })
			defer deliver()
			io, tally := failFirst(grid.Cells(), reply)
			// An I/O call that ends after the version returned exits its goroutine instead of
			// returning into it, so the broken version leaks nothing into this process (the leak
			// itself is TestGathers_LeakGoroutines, in a child process).
			var returned atomic.Bool
			exitLate := func(ctx context.Context, y, x int) error {
				err := io(ctx, y, x)
				if returned.Load() {
					runtime.Goexit()
				}
				return err
			}
			done := make(chan error, 1)
			go func() {
				_, err := tc.gather(t.Context(), life.CellIO{Logic: exitLate}, grid)
				returned.Store(true)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(returnLimit):
				t.Errorf("%s had not returned %v after cell (0, 0) failed: it waits for the other cells' I/O instead of cancelling it", tc.name, returnLimit)
				deliver()
				select {
				case err = <-done:
				case <-time.After(returnLimit):
					t.Fatalf("%s had not returned %v after the other cells' I/O ended either: is a goroutine or its receive stuck?", tc.name, returnLimit)
				}
			}
			cancelled, completed := tally.cancelled.Load(), tally.completed.Load()
			running := others - cancelled - completed
			require.ErrorIs(t, err, life.ErrIO)

			if tc.wantBug {
				assert.Zero(t, cancelled, "nothing was cancelled")
				assert.Equal(t, others, running, "it returned with every other cell's I/O still running")
				deliver()
				waitFor(t, &tally.ended, "the other cells' I/O")
				assert.Equal(t, others, tally.completed.Load(), "the abandoned I/O ran to the end")
				return
			}
			assert.Zero(t, running, "%s returned with %d of the other %d cells' I/O still running: nothing cancelled it or waited for it", tc.name, running, others)
			assert.Equal(t, others, cancelled, "%s cancelled %d of the other %d cells' I/O after the first error (and %d ran to the end)", tc.name, cancelled, others, completed)
			deliver()
			waitFor(t, &tally.ended, "the other cells' I/O")
		})
	}
}

// The leak itself, in a child process whose exit ends it: after the hand-made gather returns its
// error and the other cells' I/O has finished, goleak finds their 44 goroutines still alive,
// blocked sending results nobody will read. After simulate it finds nothing.
func TestGathers_LeakGoroutines(t *testing.T) {
	t.Parallel() // child processes: they can run while the other tests do
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each child pays goleak's retries; the parent itself runs no goleak here
			stdout, stderr, err := reexec(t, "leak "+tc.name)
			require.NoError(t, err, "the child failed; its stderr:\n%s", stderr)
			require.Contains(t, stdout, "error: problem with I/O\n", "the first error reaches the caller")
			if tc.wantBug {
				assert.Contains(t, stdout, "left behind: 44\n", "one stuck goroutine per cell that had not reported")
				assert.Contains(t, stdout, "in state chan send, with workbook/item60.simulateGather.func1 on top of the stack",
					"goleak should name the blocked send in simulateGather")
				return
			}
			left, _, _ := strings.Cut(strings.SplitN(stdout, "left behind: ", 2)[1], "\n")
			_, blocked, _ := strings.Cut(stdout, "[Goroutine ")
			blocked, _, _ = strings.Cut(blocked, ":\n")
			assert.True(t, strings.Contains(stdout, "goleak: no leaks\n"),
				"%s left %s goroutines behind after the first error, e.g. goroutine %s", tc.name, left, blocked)
		})
	}
}

// errgroup reports the first error even when later cells fail too, here because it cancelled them
// (each of their errors wraps the cause, life.ErrIO, as well): the error returned is the failing
// cell's own, and it comes back at once.
func TestSimulate_ReportsTheFirstError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wait := life.Latency(latency)
		io := func(ctx context.Context, y, x int) error {
			if y == 0 && x == 0 {
				return life.ErrIO
			}
			return wait(ctx, y, x)
		}
		start := time.Now()
		_, err := simulate(t.Context(), life.CellIO{Logic: io}, life.Glider())
		assert.Equal(t, life.ErrIO, err, "the failing cell's own error, not a cancellation it caused")
		assert.Zero(t, time.Since(start), "the error comes back at once: the other cells' waits were cancelled")
	})
}
