package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
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

// TestMain checks that no test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// versions are the item's two ways of computing a generation: the same answer, different time.
var versions = []struct {
	name    string
	step    step
	wantBug bool // true: one cell at a time, cells × latency
}{
	{"simulate", simulate, true},
	{"simulateFanOut", simulateFanOut, false},
}

// The timing claim, on synctest's fake clock (exact, and no real waiting): with the book's 100 ms
// per cell, the serial simulate takes cells × latency per generation (4.5 s for 45 cells, 16m40s
// for 10,000) and fan-out/fan-in takes exactly one latency, for the glider and for 10,000 cells.
func TestSimulate_GenerationTimeOnFakeClock(t *testing.T) {
	t.Parallel() // alongside TestRun_MatchesREADME, which mostly waits on the real clock
	const latency = bookLatency
	for _, v := range versions {
		for _, size := range []struct{ height, width int }{{5, 9}, {bigSide, bigSide}} {
			cells := size.height * size.width
			t.Run(fmt.Sprintf("%s/%d_cells", v.name, cells), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					grid := life.NewGrid(size.height, size.width)
					if size.height == 5 {
						grid = life.Glider()
					}
					start := time.Now()
					next, err := v.step(t.Context(), life.CellIO{Logic: life.Latency(latency)}, grid)
					took := time.Since(start)
					require.NoError(t, err)
					assert.Equal(t, life.Simulate(grid).String(), next.String(), "the answer does not depend on the time")
					if v.wantBug {
						assert.Equal(t, time.Duration(cells)*latency, took, "serial: cells × latency")
					} else {
						assert.Equal(t, latency, took, "fan-out/fan-in: one latency")
					}
				})
			})
		}
	}
}

// Both versions compute the same next generation as life.Simulate on random grids (the property
// every strategy of items 56–60 must pass), here with I/O on the fake clock.
func TestSimulate_AgreesWithSimulate(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				io := life.CellIO{Neighbors: life.Latency(time.Millisecond), Logic: life.Latency(bookLatency)}
				lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) {
					return v.step(t.Context(), io, g)
				})
			})
		})
	}
}

// The book's driver prints the glider table through either version.
func TestTable_PrintsTheBooksGlider(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				table, err := life.Table(func(g *life.Grid) (*life.Grid, error) {
					return v.step(t.Context(), life.CellIO{Logic: life.Latency(bookLatency)}, g)
				})
				require.NoError(t, err)
				assert.Equal(t, lifetest.GliderTable, table)
			})
		})
	}
}

// Fan-out must not lose a failing cell: every cell's error comes back, joined, and no grid.
func TestSimulateFanOut_ReturnsEveryError(t *testing.T) {
	errA, errB := errors.New("cell A failed"), errors.New("cell B failed")
	io := life.CellIO{Logic: life.FailAt(1, 2, errA, life.FailAt(3, 4, errB, nil))}
	next, err := simulateFanOut(t.Context(), io, life.Glider())
	assert.Nil(t, next)
	assert.ErrorIs(t, err, errA)
	assert.ErrorIs(t, err, errB)
}

// Cancelling the context ends the fan-out at once, on the fake clock: no cell waits out its latency.
func TestSimulateFanOut_StopsWhenCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := simulateFanOut(ctx, life.CellIO{Logic: life.Latency(bookLatency)}, life.Glider())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 30*time.Millisecond, time.Since(start))
	})
}

// -h explains the lesson and exits 0; a bad value gets one line (or the flag package's usage) and 2.
func TestRun_RejectsBadFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item56 [flags]\nItem 56: with blocking I/O"},
		{[]string{"-latency", "0s"}, 2, "item56: -latency must be between 1ms and 500ms (got 0s): the lesson waits"},
		{[]string{"-latency", "-5ms"}, 2, "item56: -latency must be between 1ms and 500ms (got -5ms)"},
		{[]string{"-latency", "1h"}, 2, "item56: -latency must be between 1ms and 500ms (got 1h0m0s)"},
		{[]string{"-latency", "100"}, 2, "invalid value \"100\" for flag -latency: parse error\n"},
		{[]string{"-latency", "100"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s\n"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item56: unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.wantCode, run(tt.args, &out, &errOut))
			assert.Empty(t, out.String(), "nothing on stdout")
			assert.Contains(t, errOut.String(), tt.wantErr)
			assert.NotContains(t, errOut.String(), "panic")
			if strings.HasPrefix(tt.wantErr, "item56:") {
				assert.Equal(t, 1, strings.Count(errOut.String(), "\n"), "one line")
			}
		})
	}
}

// The lesson prints what README.md shows, measured times aside. It runs the default lesson on the
// real clock (about half a second: the serial generation is 45 × 10 ms), in parallel with the
// fake-clock proofs, which need the CPU while this test waits.
func TestRun_MatchesREADME(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(nil, &out, &errOut), "stderr:\n%s", errOut.String())
	assertMatchesREADME(t, "go run ./item56", out.String(),
		mask{regexp.MustCompile(`\S+ measured +`), "<time> measured "})
}

// funcBody returns the body of function name in file, printed without comments or blank lines.
func funcBody(t *testing.T, file, name string) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0) // 0: comments dropped
	require.NoError(t, err)
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.Name == name {
			var b strings.Builder
			require.NoError(t, printer.Fprint(&b, fset, fn.Body))
			var lines []string
			for line := range strings.Lines(b.String()) {
				if strings.TrimSpace(line) != "" {
					lines = append(lines, line)
				}
			}
			return strings.Join(lines, "")
		}
	}
	t.Fatalf("%s has no function %s", file, name)
	return ""
}

// broken.go's simulate is life.SimulateIO spelled out (the README and both doc comments say so):
// the same statements, with package life's names qualified. The copy exists so the learner can edit
// it; this keeps it from drifting.
func TestSimulate_IsLifeSimulateIO(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: broken.go is yours to change")
	}
	shared := funcBody(t, "life/io.go", "SimulateIO")
	ours := strings.ReplaceAll(funcBody(t, "broken.go", "simulate"), "life.", "")
	assert.Equal(t, shared, ours, "broken.go's simulate and life.SimulateIO have drifted apart")
}
