package main

import (
	"context"
	"errors"
	"strings"
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

// TestMain runs the tests under goleak: a test that leaves a goroutine behind fails the run.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// latency is the simulated I/O time in the fake-clock tests; any value gives exact multiples.
const latency = 100 * time.Millisecond

// gather is the shape both strategies share in the tables below; release frees whatever the
// strategy left behind (nothing, for simulate).
type gather func(ctx context.Context, io life.CellIO, grid *life.Grid) (next *life.Grid, release func(), err error)

// gathers are the fixed and the broken strategy, with whether each has the bug.
var gathers = []struct {
	name    string
	gather  gather
	wantBug bool
}{
	{"simulate", func(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, func(), error) {
		next, err := simulate(ctx, io, grid)
		return next, func() {}, err
	}, false},
	{"simulateGather", func(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, func(), error) {
		next, leaked, err := simulateGather(ctx, io, grid)
		return next, leaked.release, err
	}, true},
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

// Both strategies compute what the serial life.Simulate computes when nothing fails: the hand-made
// gather is only wrong on the error path.
func TestGathers_AgreeWithSimulate(t *testing.T) {
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) {
				next, release, err := tc.gather(t.Context(), life.CellIO{}, g)
				release()
				return next, err
			})
		})
	}
}

// The book's error demo: game_logic raising OSError on a 1 × 1 grid reaches the caller. The error
// names the cell and errors.Is finds the cause.
func TestSimulate_ErrorReachesCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := life.CellIO{Logic: life.FailAt(0, 0, life.ErrIO, life.Latency(latency))}
		next, err := simulate(t.Context(), io, life.NewGrid(1, 1))
		require.ErrorIs(t, err, life.ErrIO)
		assert.EqualError(t, err, "cell (0, 0): problem with I/O")
		assert.Nil(t, next)
	})
}

// peakIO wraps io and records the most calls ever in flight at once.
func peakIO(io life.IO, peak *atomic.Int64) life.IO {
	var inFlight atomic.Int64
	return func(ctx context.Context, y, x int) error {
		n := inFlight.Add(1)
		for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
		}
		defer inFlight.Add(-1)
		return io(ctx, y, x)
	}
}

// A goroutine per cell means every cell's I/O overlaps: on the fake clock a generation takes exactly
// one latency whatever its size, 10,000 cells included, with every cell in flight at once; I/O in
// countNeighbors as well makes it two, with no change to simulate. (Under -race the 10,000 goroutines
// cost ~22 KB each, ~220 MB in all, for a quarter of a second.)
func TestSimulate_GenerationTakesOneLatency(t *testing.T) {
	const big = 10_000
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
				var peak atomic.Int64
				wait := peakIO(life.Latency(latency), &peak)
				io := life.CellIO{Logic: wait}
				if tc.neighborsIO {
					io.Neighbors = wait
				}
				start := time.Now()
				_, err := simulate(t.Context(), io, gridFor(tc.cells))
				require.NoError(t, err)
				assert.Equal(t, time.Duration(tc.latencies)*latency, time.Since(start), "%d cells", tc.cells)
				assert.Equal(t, int64(tc.cells), peak.Load(), "every cell's I/O in flight at once")
			})
		})
	}
}

// Cell (0, 0) fails once the 999 others have begun their I/O, at time 0. Both strategies return the
// error at once. errgroup cancels the 999 and waits for them, so when simulate returns no I/O is left
// running; the hand-made gather cancels nothing, so all 999 run to the end of their latency, and
// then block forever on their send (the test releases them).
func TestGathers_FirstErrorCancelsIOInFlight(t *testing.T) {
	const cells = 1_000
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				io, tally := failFirst(cells, latency)
				start := time.Now()
				_, release, err := tc.gather(t.Context(), life.CellIO{Logic: io}, gridFor(cells))
				defer release()
				require.ErrorIs(t, err, life.ErrIO)
				assert.Zero(t, time.Since(start), "the error comes back at once")

				synctest.Wait() // let everything that can run, run
				if tc.wantBug {
					assert.Zero(t, tally.cancelled.Load(), "nothing was cancelled")
					tally.pending.Wait()
					assert.Equal(t, latency, time.Since(start), "the abandoned I/O ran its full latency")
					assert.EqualValues(t, cells-1, tally.completed.Load())
					return
				}
				assert.EqualValues(t, cells-1, tally.cancelled.Load(), "every other cell's I/O was cancelled")
				assert.Zero(t, tally.completed.Load())
				assert.Zero(t, time.Since(start), "nothing waited out its latency")
			})
		})
	}
}

// The leak itself: after the hand-made gather returns its error, goleak finds its goroutines still
// alive, blocked sending results nobody will read; once released, none are left. The same check
// finds nothing after simulate. (Real time, not synctest: goleak inspects the whole process.)
func TestGathers_LeakGoroutines(t *testing.T) {
	grid := life.Glider()
	for _, tc := range gathers {
		t.Run(tc.name, func(t *testing.T) {
			io, tally := failFirst(grid.Cells(), time.Millisecond)
			_, release, err := tc.gather(t.Context(), life.CellIO{Logic: io}, grid)
			require.ErrorIs(t, err, life.ErrIO)
			tally.pending.Wait()

			leaks := goleak.Find()
			if tc.wantBug {
				require.Error(t, leaks, "the abandoned goroutines should still be alive")
				report := leaks.Error()
				assert.True(t, strings.Contains(report, "in state chan send, with workbook/item60.simulateGather.func1 on top of the stack"),
					"goleak should name the blocked send in simulateGather:\n%.600s", report)
				assert.Equal(t, grid.Cells()-1, goroutinesIn(".simulateGather.func"), "one stuck goroutine per unfinished cell")
			}
			release()
			require.NoError(t, goleak.Find(), "nothing may be left once released")
			if !tc.wantBug {
				assert.NoError(t, leaks, "simulate leaves no goroutine behind")
			}
		})
	}
}

// errgroup makes the first error the one reported even when later cells fail too — here because
// they were cancelled.
func TestSimulate_ReportsTheFirstError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io, _ := failFirst(45, latency)
		_, err := simulate(t.Context(), life.CellIO{Logic: io}, life.Glider())
		require.Error(t, err)
		assert.EqualError(t, err, "cell (0, 0): problem with I/O")
		assert.False(t, errors.Is(err, context.Canceled))
	})
}
