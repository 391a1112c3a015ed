// Package life is the Game of Life model of Effective Python items 56–60: a wrap-around grid, the
// rules, one serial simulation step and the column printer. Items 56–60 import it and add only their
// own way of running the cells concurrently.
//
// The book's premise is that every cell's step needs blocking network I/O (about 100 ms). That I/O
// is modelled by an [IO] value the caller injects, so tests run it on testing/synctest's fake clock
// and the lessons on a real one.
package life

import (
	"fmt"
	"strings"
)

// State is what a cell holds.
type State byte

// The two cell states: the book's ALIVE and EMPTY in Go's MixedCaps, with its characters.
const (
	Alive State = '*'
	Empty State = '-'
)

// Grid is a height × width board that wraps around at the edges (a torus), so every cell has eight
// neighbours.
type Grid struct {
	Height, Width int
	rows          [][]State
}

// NewGrid returns a grid with every cell Empty (the book's Grid(height, width)). It panics if a
// dimension is not positive: that is a programming error, not a runtime condition.
func NewGrid(height, width int) *Grid {
	if height <= 0 || width <= 0 {
		panic(fmt.Sprintf("life: grid must be at least 1×1, got %d×%d", height, width))
	}
	rows := make([][]State, height)
	for y := range rows {
		rows[y] = make([]State, width)
		for x := range rows[y] {
			rows[y][x] = Empty
		}
	}
	return &Grid{Height: height, Width: width, rows: rows}
}

// wrap maps any index onto 0..n-1. Python's % takes the sign of the divisor, so the book's
// `y % self.height` is never negative (CPython 3.13: -1 % 5 == 4). Go's % truncates and keeps the
// sign of the dividend (-1 % 5 == -1; go.dev/ref/spec#Arithmetic_operators), so the plain port would
// index row -1 and panic on the very first neighbour of cell (0, 0) (TestGrid_WrapsAround).
func wrap(i, n int) int {
	return ((i % n) + n) % n
}

// Get returns the state at (y, x), wrapping around the edges.
func (g *Grid) Get(y, x int) State {
	return g.rows[wrap(y, g.Height)][wrap(x, g.Width)]
}

// Set stores state at (y, x), wrapping around the edges.
func (g *Grid) Set(y, x int, state State) {
	g.rows[wrap(y, g.Height)][wrap(x, g.Width)] = state
}

// String draws the grid: one line per row, every line ending in a newline.
func (g *Grid) String() string {
	var b strings.Builder
	for _, row := range g.rows {
		for _, cell := range row {
			b.WriteByte(byte(cell))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Cells is the number of cells, the amount of I/O one generation does.
func (g *Grid) Cells() int { return g.Height * g.Width }

// Getter reads a cell. CountNeighbors takes one instead of a *Grid to keep the rules apart from the
// storage, as the book does: a strategy may pass any grid's Get, a locked one for example.
type Getter func(y, x int) State

// Setter writes a cell.
type Setter func(y, x int, state State)

// CountNeighbors asks get for the eight neighbours of (y, x), in the order N, NE, E, SE, S, SW, W,
// NW, and counts the Alive ones.
func CountNeighbors(y, x int, get Getter) int {
	neighbors := [8]State{
		get(y-1, x+0), // North
		get(y-1, x+1), // Northeast
		get(y+0, x+1), // East
		get(y+1, x+1), // Southeast
		get(y+1, x+0), // South
		get(y+1, x-1), // Southwest
		get(y+0, x-1), // West
		get(y-1, x-1), // Northwest
	}
	count := 0
	for _, state := range neighbors {
		if state == Alive {
			count++
		}
	}
	return count
}

// GameLogic is Conway's rule: a live cell with fewer than two or more than three live neighbours
// dies, an empty cell with exactly three comes alive, and every other cell keeps its state.
func GameLogic(state State, neighbors int) State {
	switch {
	case state == Alive && neighbors < 2:
		return Empty // Die: too few
	case state == Alive && neighbors > 3:
		return Empty // Die: too many
	case state == Empty && neighbors == 3:
		return Alive // Regenerate
	}
	return state
}

// StepCell advances one cell: read it, count its neighbours, apply the rule, write the result.
func StepCell(y, x int, get Getter, set Setter) {
	state := get(y, x)
	neighbors := CountNeighbors(y, x, get)
	set(y, x, GameLogic(state, neighbors))
}

// Simulate returns the next generation. It reads only the old grid and writes only the new one, so
// every cell advances in lockstep.
func Simulate(grid *Grid) *Grid {
	next := NewGrid(grid.Height, grid.Width)
	for y := range grid.Height {
		for x := range grid.Width {
			StepCell(y, x, grid.Get, next.Set)
		}
	}
	return next
}
