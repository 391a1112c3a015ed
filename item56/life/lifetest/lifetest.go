// Package lifetest holds what every Game of Life strategy in items 56–60 must pass: it prints the
// book's glider table (GliderTable), and on random grids it computes the same next generation as
// the serial life.Simulate (AgreesWithSimulate). Their own tests are in ../lifetest_test.go.
package lifetest

import (
	"math/rand/v2"
	"testing"

	"workbook/item56/life"
)

// GliderTable is the book's output for every Game of Life item: the glider over five generations,
// printed by the driver (life.Table), byte for byte (the header line has trailing spaces). Each
// strategy in items 56–60 must print exactly this.
const GliderTable = "" +
	"    0     |     1     |     2     |     3     |     4    \n" +
	"---*----- | --------- | --------- | --------- | ---------\n" +
	"----*---- | --*-*---- | ----*---- | ---*----- | ----*----\n" +
	"--***---- | ---**---- | --*-*---- | ----**--- | -----*---\n" +
	"--------- | ---*----- | ---**---- | ---**---- | ---***---\n" +
	"--------- | --------- | --------- | --------- | ---------"

// sizes covers the shapes where wrap-around is most likely to go wrong: a single cell (all eight
// neighbours are the cell itself), one row, one column, 2×2, and ordinary boards.
var sizes = [][2]int{{1, 1}, {1, 7}, {6, 1}, {2, 2}, {3, 3}, {5, 9}, {8, 13}}

// RandomGrid returns a height × width grid in which each cell is Alive with probability density.
func RandomGrid(rng *rand.Rand, height, width int, density float64) *life.Grid {
	grid := life.NewGrid(height, width)
	for y := range height {
		for x := range width {
			if rng.Float64() < density {
				grid.Set(y, x, life.Alive)
			}
		}
	}
	return grid
}

// AgreesWithSimulate runs step on a fixed, seeded set of random grids (every size above, at three
// densities, three grids each) and fails the test on the first grid where step returns an error,
// returns no grid, changes its input, or computes a next generation that differs from
// life.Simulate's (showing both).
func AgreesWithSimulate(t testing.TB, step life.Step) {
	t.Helper()
	rng := rand.New(rand.NewPCG(56, 60)) // fixed seed: a failure is reproducible
	for _, size := range sizes {
		for _, density := range []float64{0.2, 0.4, 0.7} {
			for range 3 {
				grid := RandomGrid(rng, size[0], size[1], density)
				want := life.Simulate(grid).String()
				before := grid.String()
				next, err := step(grid)
				if err != nil {
					t.Fatalf("step on %d×%d grid:\n%s\nreturned error: %v", size[0], size[1], before, err)
				}
				if next == nil {
					t.Fatalf("step on %d×%d grid:\n%s\nreturned no grid and no error", size[0], size[1], before)
				}
				if grid.String() != before {
					t.Fatalf("step changed its input grid (it must write a new one):\nbefore:\n%s\nafter:\n%s", before, grid)
				}
				if got := next.String(); got != want {
					t.Fatalf("step disagrees with life.Simulate on %d×%d grid:\n%s\ngot:\n%s\nwant:\n%s",
						size[0], size[1], before, got, want)
				}
			}
		}
	}
}
