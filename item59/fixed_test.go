package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sync/errgroup"

	"workbook/item56/life"
	"workbook/item56/life/lifetest"
)

// TestMain runs the tests under goleak: a test that leaves a goroutine behind fails the run.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// latency is the simulated I/O time in the fake-clock tests; any value gives exact multiples.
const latency = 100 * time.Millisecond

// poolBubble is synctest.Test for a test that runs a pool on the fake clock. A pool that never
// returns (a limit of 0, say: every task then waits for a slot that is never freed) leaves every
// goroutine in the bubble durably blocked, and synctest panics ("deadlock: all goroutines in
// bubble are blocked"), which would end the test binary; so would errgroup's panic when SetLimit is
// called while tasks run. poolBubble takes the panic back and fails the test instead. A goroutine
// blocked on a mutex is not durably blocked, so a lock never unlocked hangs the bubble without a
// panic: returnsWithin ends that run after poolLimit of real time instead.
func poolBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%v: the pool never returned (is the limit above 0, and set before the first Go?)", p)
		}
	}()
	returnsWithin(t, func() { synctest.Test(t, f) })
}

// pool is the shape both pools share, so one table can check them both.
type pool func(ctx context.Context, limit int, io life.CellIO, grid *life.Grid) (*life.Grid, error)

// pools are both pools, named, for the tests that check them the same way.
var pools = []struct {
	name string
	pool pool
}{
	{"simulatePool", simulatePool},
	{"simulatePoolHandmade", simulatePoolHandmade},
}

// The book's driver with simulatePool prints the glider table, and on the fake clock five
// generations of 45 cells at limit 10 take exactly 5 × ⌈45/10⌉ latencies.
func TestSimulatePool_PrintsGliderTable(t *testing.T) {
	poolBubble(t, func(t *testing.T) {
		io := life.CellIO{Logic: life.Latency(latency)}
		start := time.Now()
		table, err := life.Table(func(g *life.Grid) (*life.Grid, error) {
			return simulatePool(t.Context(), 10, io, g)
		})
		require.NoError(t, err)
		assert.Equal(t, lifetest.GliderTable, table)
		assert.Equal(t, life.Generations*5*latency, time.Since(start))
	})
}

// poolLimit is how long TestPools_AgreeWithSimulate lets a pool run on a small grid with no I/O.
const poolLimit = 5 * time.Second

// returnsWithin runs f, and ends the whole test run if f has not returned after poolLimit, printing
// every goroutine's stack: a pool that never returns (a lock never unlocked, a semaphore slot never
// released) would otherwise hang each later test until the package's timeout.
func returnsWithin(t *testing.T, f func()) {
	stuck := time.AfterFunc(poolLimit, func() {
		fmt.Fprintf(os.Stderr, "--- FAIL: %s: the pool had not returned after %v; its goroutines:\n", t.Name(), poolLimit)
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		os.Exit(1)
	})
	defer stuck.Stop()
	f()
}

// Both pools compute what the serial life.Simulate computes, at any limit — the hand-made pool is
// only wrong when a cell fails. This test runs first among those that call the hand-made pool, in
// real time, so a pool that hangs is reported here within seconds.
func TestPools_AgreeWithSimulate(t *testing.T) {
	for _, tc := range pools {
		for _, limit := range []int{1, 3, 10} {
			t.Run(fmt.Sprintf("%s/limit %d", tc.name, limit), func(t *testing.T) {
				lifetest.AgreesWithSimulate(t, func(g *life.Grid) (next *life.Grid, err error) {
					returnsWithin(t, func() { next, err = tc.pool(t.Context(), limit, life.CellIO{}, g) })
					return next, err
				})
			})
		}
	}
}

// Two cells' I/O fails, (1, 2) and (1, 4), both in the second wave of five and both alive in the
// next generation. errgroup hands a failure to the caller; the hand-made pool's shared error
// variable is overwritten by the cells that finish later (on the fake clock the later waves' nils
// always come after it), so it returns nil and a grid in which the failed cells were never written.
// Two failures at the same instant also let the race detector see a fix that drops the mutex.
// In exercise mode (go test -tags exercise) the hand-made pool must behave as errgroup does.
func TestPool_WorkerErrorReachesCaller(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pool    pool
		wantBug bool
	}{
		{"simulatePool", simulatePool, false},
		{"simulatePoolHandmade", simulatePoolHandmade, !exercise},
	} {
		t.Run(tc.name, func(t *testing.T) {
			poolBubble(t, func(t *testing.T) {
				glider := life.Glider()
				want := life.Simulate(glider)
				require.Equal(t, life.Alive, want.Get(1, 2), "precondition: the failing cells come alive")
				require.Equal(t, life.Alive, want.Get(1, 4), "precondition: the failing cells come alive")
				io := life.CellIO{Logic: life.FailAt(1, 2, life.ErrIO, life.FailAt(1, 4, life.ErrIO, life.Latency(latency)))}
				start := time.Now()
				next, err := tc.pool(t.Context(), 10, io, glider)
				if tc.wantBug {
					require.NoError(t, err, "the failures should have been overwritten by later successes")
					assert.Equal(t, life.Empty, next.Get(1, 2), "the failed cell was never written")
					assert.Equal(t, life.Empty, next.Get(1, 4), "the failed cell was never written")
					return
				}
				require.ErrorIs(t, err, life.ErrIO, "%s lost the error of cells (1, 2) and (1, 4): a later success overwrote it", tc.name)
				assert.Nil(t, next, "%s returned a grid with an error: the failed cells in it were never written", tc.name)
				if tc.name == "simulatePool" {
					// errgroup without a context cancels nothing, like the executor.
					assert.Equal(t, 5*latency, time.Since(start), "no cancellation: every wave runs")
				}
			})
		})
	}
}

// Cancelling the caller's context ends a generation at once, on the fake clock, for both pools:
// every task hands ctx to the cell's I/O, so the calls in flight return the cancellation and the
// cells still waiting for a slot fail as soon as they start, instead of each waiting out its
// latency (5 waves, 500 ms, for the glider at limit 10).
func TestPools_StopWhenCancelled(t *testing.T) {
	for _, tc := range pools {
		t.Run(tc.name, func(t *testing.T) {
			poolBubble(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
				defer cancel()
				start := time.Now()
				next, err := tc.pool(ctx, 10, life.CellIO{Logic: life.Latency(latency)}, life.Glider())
				assert.ErrorIs(t, err, context.DeadlineExceeded, "%s ignored its context's deadline: does every task pass ctx to the cell's I/O?", tc.name)
				assert.Nil(t, next, "%s returned a grid with an error", tc.name)
				assert.Equal(t, 30*time.Millisecond, time.Since(start), "%s: the deadline ends the generation", tc.name)
			})
		})
	}
}

// The chart the lesson draws, exactly, on the fake clock: one generation of the glider at limit 10
// is four waves of 10 calls in flight and one of 5, for both pools (and for your fixed broken.go).
func TestPools_DrawWavesOfTheLimit(t *testing.T) {
	for _, tc := range pools {
		t.Run(tc.name, func(t *testing.T) {
			poolBubble(t, func(t *testing.T) {
				tl := life.NewTimeline()
				_, err := tc.pool(t.Context(), 10, life.CellIO{Logic: life.Recorded(life.Latency(latency), tl)}, life.Glider())
				require.NoError(t, err)
				assert.Equal(t, []float64{10, 10, 10, 10, 5}, tl.InFlight(latency), "calls in flight per latency")
				assert.Contains(t, tl.Chart(latency, 45), "calls in flight per 100ms: 10 ×4, 5\n")
			})
		})
	}
}

// The book's error demo: pool.submit(game_logic, ALIVE, 3).result() raises the I/O error in the
// caller. Without the failure the same call returns the rule's answer.
func TestSubmitGameLogic_ErrorReachesCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wait := life.Latency(latency)
		_, err := submitGameLogic(t.Context(), life.FailAt(0, 0, life.ErrIO, wait), life.Alive, 3)
		require.ErrorIs(t, err, life.ErrIO)

		next, err := submitGameLogic(t.Context(), wait, life.Alive, 3)
		require.NoError(t, err)
		assert.Equal(t, life.Alive, next)
	})
}

// The book's warning in numbers: a generation takes ⌈cells/limit⌉ waves of I/O, exactly, on the fake
// clock; no more than limit cells are ever in flight; and an I/O call in countNeighbors doubles the
// time without any change to simulatePool. No limit is one wave (item 60 proves it for 10,000 cells).
func TestSimulatePool_GenerationTakesWavesTimesLatency(t *testing.T) {
	big := life.NewGrid(100, 100) // the book's 10,000 cells; under -race 1,000, where each goroutine costs the detector far more
	if raceEnabled {
		big = life.NewGrid(10, 100)
	}
	for _, tc := range []struct {
		name           string
		grid           *life.Grid
		limit          int
		neighborsIO    bool
		waves, maxPeak int
	}{
		{"45 cells, limit 10", life.Glider(), 10, false, 5, 10},
		{"45 cells, limit 10, countNeighbors I/O too", life.Glider(), 10, true, 2 * 5, 10},
		{"big grid, limit 10", big, 10, false, big.Cells() / 10, 10},
		{"big grid, limit 100", big, 100, false, big.Cells() / 100, 100},
		{"45 cells, no limit", life.Glider(), -1, false, 1, 45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			poolBubble(t, func(t *testing.T) {
				tl := life.NewTimeline()
				wait := life.Recorded(life.Latency(latency), tl)
				io := life.CellIO{Logic: wait}
				if tc.neighborsIO {
					io.Neighbors = wait
				}
				start := time.Now()
				_, err := simulatePool(t.Context(), tc.limit, io, tc.grid)
				require.NoError(t, err)
				assert.Equal(t, time.Duration(tc.waves)*latency, time.Since(start))
				most, _ := tl.Peak()
				assert.Equal(t, tc.maxPeak, most, "most I/O calls in flight at once")
			})
		})
	}
}

// Why simulatePool makes a new group every generation instead of keeping one for the whole run as
// the book keeps its pool: a Group's first error sticks, so a reused group reports an old
// generation's failure after a clean one; and a WithContext group cancels its context when Wait
// returns, so the next generation's I/O would start cancelled. (The package says it plainly: "A
// Group should not be reused for different tasks.")
func TestErrgroup_ReuseReportsAnOldError(t *testing.T) {
	var g errgroup.Group
	g.Go(func() error { return life.ErrIO }) // generation 1 fails
	require.ErrorIs(t, g.Wait(), life.ErrIO)
	g.Go(func() error { return nil }) // generation 2 succeeds
	assert.ErrorIs(t, g.Wait(), life.ErrIO, "the first error sticks")

	g2, ctx := errgroup.WithContext(t.Context())
	g2.Go(func() error { return nil })
	require.NoError(t, g2.Wait())
	assert.ErrorIs(t, ctx.Err(), context.Canceled, "Wait cancels the group's context, even on success")
}
