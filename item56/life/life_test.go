package life

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// A new grid is all Empty and draws one line per row, each ending in a newline.
func TestGrid_StartsEmptyAndDrawsRows(t *testing.T) {
	grid := NewGrid(2, 3)
	assert.Equal(t, "---\n---\n", grid.String())
	grid.Set(1, 2, Alive)
	assert.Equal(t, "---\n--*\n", grid.String())
	assert.Equal(t, 6, grid.Cells())
}

// Get and Set wrap any index, negative or past the edge, onto the grid, as Python's % does. A wrap
// that misses some index fails here by assertion, naming the call, instead of the index-out-of-range
// panic ending the test binary.
func TestGrid_WrapsAround(t *testing.T) {
	grid := NewGrid(5, 9)
	grid.Set(4, 8, Alive) // bottom-right corner
	get := func(y, x int) (state State) {
		t.Helper()
		assert.NotPanics(t, func() { state = grid.Get(y, x) }, "Get(%d, %d) indexed outside the 5×9 grid: wrap must map every index, however negative or large, onto 0..n-1", y, x)
		return state
	}
	set := func(y, x int, state State) {
		t.Helper()
		assert.NotPanics(t, func() { grid.Set(y, x, state) }, "Set(%d, %d) indexed outside the 5×9 grid: wrap must map every index, however negative or large, onto 0..n-1", y, x)
	}
	for _, c := range []struct{ y, x int }{
		{4, 8}, {-1, -1}, {-1, 8}, {4, -1}, {9, 17}, {-6, -10}, {14, 26},
	} {
		assert.Equal(t, Alive, get(c.y, c.x), "Get(%d, %d) should reach (4, 8)", c.y, c.x)
	}
	assert.Equal(t, Empty, get(-1, 0), "Get(-1, 0) must read row 4, column 0")

	set(-1, 0, Alive) // Python's grid.set(-1, 0): row height-1
	assert.Equal(t, Alive, get(4, 0))
	set(5, 9, Alive) // one past both edges: (0, 0)
	assert.Equal(t, Alive, get(0, 0))
}

// A grid with no rows or no columns is a programming error: NewGrid panics and says why.
func TestNewGrid_RejectsEmptyDimensions(t *testing.T) {
	assert.PanicsWithValue(t, "life: grid must be at least 1×1, got 0×3", func() { NewGrid(0, 3) })
	assert.Panics(t, func() { NewGrid(2, -1) })
}

// The book's check: Alive at (9,5) and (9,6); count_neighbors(10, 5) is 2 and asks for exactly the
// eight cells around (10, 5) — here also in the order the doc comment gives: N, NE, E, SE, S, SW, W, NW.
func TestCountNeighbors_AsksForTheEightNeighbours(t *testing.T) {
	alive := map[[2]int]bool{{9, 5}: true, {9, 6}: true}
	var asked [][2]int
	get := func(y, x int) State {
		asked = append(asked, [2]int{y, x})
		if alive[[2]int{y, x}] {
			return Alive
		}
		return Empty
	}
	assert.Equal(t, 2, CountNeighbors(10, 5, get))
	assert.Equal(t, [][2]int{
		{9, 5}, {9, 6}, {10, 6}, {11, 6}, {11, 5}, {11, 4}, {10, 4}, {9, 4},
	}, asked)
}

// Cell (0, 0) counts its neighbours across both edges: the case a plain Go % gets wrong.
func TestCountNeighbors_WrapsOnTheFirstCell(t *testing.T) {
	grid := NewGrid(5, 9)
	grid.Set(4, 8, Alive) // NW of (0, 0) across both edges
	grid.Set(4, 0, Alive) // N
	grid.Set(0, 8, Alive) // W
	assert.Equal(t, 3, CountNeighbors(0, 0, grid.Get))
}

// The book's ten game_logic checks.
func TestGameLogic_BookCases(t *testing.T) {
	tests := []struct {
		state     State
		neighbors int
		want      State
	}{
		{Alive, 0, Empty}, {Alive, 1, Empty}, {Alive, 2, Alive}, {Alive, 3, Alive}, {Alive, 4, Empty},
		{Empty, 0, Empty}, {Empty, 1, Empty}, {Empty, 2, Empty}, {Empty, 3, Alive}, {Empty, 4, Empty},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%c_with_%d", tt.state, tt.neighbors), func(t *testing.T) {
			assert.Equal(t, string(tt.want), string(GameLogic(tt.state, tt.neighbors)))
		})
	}
}

// The book's three step_cell checks.
func TestStepCell_BookCases(t *testing.T) {
	step := func(alive ...[2]int) State {
		set := map[[2]int]bool{}
		for _, c := range alive {
			set[c] = true
		}
		get := func(y, x int) State {
			if set[[2]int{y, x}] {
				return Alive
			}
			return Empty
		}
		var got State
		StepCell(10, 5, get, func(y, x int, s State) {
			require.Equal(t, [2]int{10, 5}, [2]int{y, x}, "step_cell must write its own cell")
			got = s
		})
		return got
	}
	assert.Equal(t, string(Alive), string(step([2]int{10, 5}, [2]int{9, 5}, [2]int{9, 6})), "stays alive with 2")
	assert.Equal(t, string(Empty), string(step([2]int{9, 5}, [2]int{9, 6})), "stays empty with 2")
	assert.Equal(t, string(Alive), string(step([2]int{9, 5}, [2]int{9, 6}, [2]int{10, 6})), "regenerates with 3")
}

// The driver returns a step's error at once, naming the generation it happened in.
func TestTable_StopsAtTheFirstError(t *testing.T) {
	calls := 0
	_, err := Table(func(g *Grid) (*Grid, error) {
		calls++
		if calls == 3 {
			return nil, ErrIO
		}
		return Simulate(g), nil
	})
	require.ErrorIs(t, err, ErrIO)
	assert.EqualError(t, err, "generation 2: problem with I/O")
	assert.Equal(t, 3, calls)
}

// A printer with no columns prints nothing.
func TestColumnPrinter_Empty(t *testing.T) {
	var p ColumnPrinter
	assert.Empty(t, p.String())
}

// referenceStep is an independent next-generation rule written with explicit modulo arithmetic, so
// Simulate is checked against something it does not share code with.
func referenceStep(g *Grid) *Grid {
	next := NewGrid(g.Height, g.Width)
	for y := range g.Height {
		for x := range g.Width {
			n := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if (dy != 0 || dx != 0) && g.rows[(y+dy+g.Height)%g.Height][(x+dx+g.Width)%g.Width] == Alive {
						n++
					}
				}
			}
			if n == 3 || (n == 2 && g.rows[y][x] == Alive) {
				next.rows[y][x] = Alive
			}
		}
	}
	return next
}

// Simulate matches an independent implementation of the rules for 40 generations of the glider.
func TestSimulate_AgreesWithReference(t *testing.T) {
	grid := Glider()
	for range 40 { // the glider crosses the whole torus and comes back
		want := referenceStep(grid)
		grid = Simulate(grid)
		require.Equal(t, want.String(), grid.String())
	}
}

// The injected I/O waits exactly its latency, on the fake clock.
func TestLatency_TakesExactlyItsDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		require.NoError(t, Latency(100*time.Millisecond).Do(t.Context(), 0, 0))
		assert.Equal(t, 100*time.Millisecond, time.Since(start))
	})
}

// Cancelling the context ends the wait early, with an error that names the cell and wraps the cause.
func TestLatency_StopsWhenCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := errors.New("stop")
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(30*time.Millisecond, func() { cancel(stop) })
		start := time.Now()
		err := Latency(100*time.Millisecond).Do(ctx, 2, 3)
		assert.ErrorIs(t, err, stop)
		assert.EqualError(t, err, "I/O for cell (2, 3) cancelled: stop")
		assert.Equal(t, 30*time.Millisecond, time.Since(start))
	})
}

// A failing I/O call still costs its latency: FailAt runs the wrapped I/O first and fails after it,
// on the fake clock exactly as long as a call that succeeds. If the wrapped I/O fails itself
// (cancelled), that error comes back, not FailAt's.
func TestFailAt_FailingCallStillCostsItsLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := FailAt(1, 2, ErrIO, Latency(100*time.Millisecond))
		for _, c := range []struct {
			y, x    int
			wantErr error
		}{{1, 2, ErrIO}, {2, 1, nil}} {
			start := time.Now()
			err := io.Do(t.Context(), c.y, c.x)
			assert.Equal(t, c.wantErr, err, "cell (%d, %d)", c.y, c.x)
			assert.Equal(t, 100*time.Millisecond, time.Since(start), "cell (%d, %d) waits its latency, failing or not", c.y, c.x)
		}

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := io.Do(ctx, 1, 2)
		assert.ErrorIs(t, err, context.Canceled, "the wrapped I/O's own failure comes first")
		assert.NotErrorIs(t, err, ErrIO)
	})
}

// FailAt fails the one cell it names and no other.
func TestFailAt_FailsOnlyThatCell(t *testing.T) {
	io := FailAt(1, 2, ErrIO, nil)
	assert.NoError(t, io.Do(t.Context(), 2, 1))
	assert.ErrorIs(t, io.Do(t.Context(), 1, 2), ErrIO)
}

// The serial step with I/O takes exactly cells × (both calls' latencies) on the fake clock.
func TestSimulateIO_SerialTakesCellsTimesLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := CellIO{Neighbors: Latency(time.Millisecond), Logic: Latency(10 * time.Millisecond)}
		start := time.Now()
		next, err := SimulateIO(t.Context(), io, Glider())
		require.NoError(t, err)
		assert.Equal(t, 45*11*time.Millisecond, time.Since(start))
		assert.Equal(t, Simulate(Glider()).String(), next.String())
	})
}

// counting is an IO that succeeds at once and counts its calls (only one goroutine calls it here).
func counting(calls *int) IO {
	return func(context.Context, int, int) error { *calls++; return nil }
}

// The serial step stops at the first failing cell: no I/O is done for the cells after it.
func TestSimulateIO_ReturnsTheFirstError(t *testing.T) {
	calls := 0
	_, err := SimulateIO(t.Context(), CellIO{Logic: FailAt(2, 3, ErrIO, counting(&calls))}, Glider())
	assert.ErrorIs(t, err, ErrIO)
	assert.Equal(t, 2*9+3+1, calls, "cells (0, 0) … (2, 3) in row order, then nothing")
	_, err = SimulateIO(t.Context(), CellIO{Neighbors: FailAt(0, 0, ErrIO, nil)}, Glider())
	assert.ErrorIs(t, err, ErrIO)
}

// StepCellIO writes the cell only if both of its I/O calls succeed.
func TestStepCellIO_WritesOnlyOnSuccess(t *testing.T) {
	for _, tt := range []struct {
		name      string
		io        CellIO
		wantWrite bool
	}{
		{"no failure", CellIO{}, true},
		{"neighbors fail", CellIO{Neighbors: FailAt(0, 0, ErrIO, nil)}, false},
		{"logic fails", CellIO{Logic: FailAt(0, 0, ErrIO, nil)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wrote := false
			err := StepCellIO(t.Context(), tt.io, 0, 0, Glider().Get, func(int, int, State) { wrote = true })
			assert.Equal(t, tt.wantWrite, err == nil, "error: %v", err)
			assert.Equal(t, tt.wantWrite, wrote, "written")
		})
	}
}
