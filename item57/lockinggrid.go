package main

import (
	"sync"

	"workbook/item56/life"
)

// LockingGrid is the book's LockingGrid: a grid whose Get, Set and String each hold one lock, so any
// number of goroutines may read and write any cells at the same time.
//
// In Go it is needed only when goroutines really share cells: two writing the same cell, or one
// drawing the grid while others write it. simulateThreaded uses it as the book does; the fixed
// simulateThreadedSafe shows that a goroutine per cell does not need it, because no two goroutines
// ever touch the same cell.
type LockingGrid struct {
	Height, Width int // fixed at creation, so reading them needs no lock

	mu   sync.Mutex // guards grid
	grid *life.Grid
}

// NewLockingGrid returns a height × width LockingGrid with every cell EMPTY.
func NewLockingGrid(height, width int) *LockingGrid {
	return &LockingGrid{Height: height, Width: width, grid: life.NewGrid(height, width)}
}

// LockingGridFrom returns a LockingGrid holding a copy of grid.
func LockingGridFrom(grid *life.Grid) *LockingGrid {
	g := NewLockingGrid(grid.Height, grid.Width)
	for y := range grid.Height {
		for x := range grid.Width {
			g.grid.Set(y, x, grid.Get(y, x))
		}
	}
	return g
}

// Get returns the state at (y, x), wrapping around the edges.
func (g *LockingGrid) Get(y, x int) life.State {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.grid.Get(y, x)
}

// Set stores state at (y, x), wrapping around the edges.
func (g *LockingGrid) Set(y, x int, state life.State) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.grid.Set(y, x, state)
}

// String draws the grid, one line per row.
func (g *LockingGrid) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.grid.String()
}

// Snapshot returns a copy of the grid as a plain life.Grid, taken under the lock.
func (g *LockingGrid) Snapshot() *life.Grid {
	g.mu.Lock()
	defer g.mu.Unlock()
	copied := life.NewGrid(g.Height, g.Width)
	for y := range g.Height {
		for x := range g.Width {
			copied.Set(y, x, g.grid.Get(y, x))
		}
	}
	return copied
}
