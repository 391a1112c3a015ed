package main

import (
	"sync"

	"workbook/item56/life"
)

// LockingGrid is the book's LockingGrid: a grid whose Get, Set and String each hold one lock, so any
// number of goroutines may read and write any cells at the same time.
//
// In Go it is needed only when goroutines really share cells: two writing the same cell, or one
// reading or drawing the grid while others write it. A goroutine per cell does not need it (neither
// simulation uses it), because no two goroutines ever touch the same cell.
type LockingGrid struct {
	Height, Width int // fixed at creation, so reading them needs no lock

	mu   sync.Mutex // guards grid
	grid *life.Grid
}

// NewLockingGrid returns a height × width LockingGrid with every cell Empty.
func NewLockingGrid(height, width int) *LockingGrid {
	return &LockingGrid{Height: height, Width: width, grid: life.NewGrid(height, width)}
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
