package life_test

// The tests of lifetest.AgreesWithSimulate live here, beside the model it checks, rather than in
// lifetest itself: one test binary for both keeps go test -race ./item56/... a second faster (every
// -race test binary sleeps 1 s before it exits: GORACE's atexit_sleep_ms defaults to 1000,
// go.dev/doc/articles/race_detector#Options).

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"workbook/item56/life"
	"workbook/item56/life/lifetest"
)

// The driver over the serial Simulate prints the book's table, so lifetest.GliderTable, which every
// strategy in items 56–60 is held to, is the book's output and not just whatever Simulate prints.
func TestTable_PrintsTheBooksGlider(t *testing.T) {
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
	if err != nil {
		t.Fatal(err)
	}
	assert.Equal(t, lifetest.GliderTable, table)
}

// The property check passes the serial Simulate itself.
func TestAgreesWithSimulate_AcceptsSimulate(t *testing.T) {
	lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
}

// recorder is a testing.TB that records a failure instead of ending the test, so the check itself
// can be shown to fail.
type recorder struct {
	testing.TB
	failure string
}

// Fatalf records the message and unwinds lifetest.AgreesWithSimulate, as t.Fatalf would.
func (r *recorder) Fatalf(format string, args ...any) {
	r.failure = fmt.Sprintf(format, args...)
	panic(r)
}

// Helper does nothing: there is no test output to attribute.
func (r *recorder) Helper() {}

// failureOn returns the message lifetest.AgreesWithSimulate fails with on step, or "" if step passes.
func failureOn(step life.Step) (failure string) {
	r := &recorder{}
	defer func() {
		if p := recover(); p != nil && p != any(r) {
			panic(p)
		}
		failure = r.failure
	}()
	lifetest.AgreesWithSimulate(r, step)
	return ""
}

// stepCells advances every cell of from with StepCell, reading through get and writing into to.
func stepCells(from *life.Grid, get life.Getter, to *life.Grid) {
	for y := range from.Height {
		for x := range from.Width {
			life.StepCell(y, x, get, to.Set)
		}
	}
}

// Each way a strategy can go wrong makes the check fail, with a message saying which.
func TestAgreesWithSimulate_RejectsWrongSteps(t *testing.T) {
	tests := []struct {
		name, want string
		step       life.Step
	}{
		{"no wrap-around", "disagrees with life.Simulate", func(g *life.Grid) (*life.Grid, error) {
			next := life.NewGrid(g.Height, g.Width)
			stepCells(g, func(y, x int) life.State {
				if y < 0 || x < 0 || y >= g.Height || x >= g.Width {
					return life.Empty // off the edge counts as empty: a flat board, not a torus
				}
				return g.Get(y, x)
			}, next)
			return next, nil
		}},
		{"not in lockstep", "disagrees with life.Simulate", func(g *life.Grid) (*life.Grid, error) {
			next := life.NewGrid(g.Height, g.Width)
			for y := range g.Height {
				for x := range g.Width {
					next.Set(y, x, g.Get(y, x))
				}
			}
			stepCells(next, next.Get, next) // in place on a copy: later cells see neighbours already advanced
			return next, nil
		}},
		{"writes its input", "changed its input grid", func(g *life.Grid) (*life.Grid, error) {
			stepCells(g, g.Get, g)
			return g, nil
		}},
		{"no grid", "returned no grid", func(g *life.Grid) (*life.Grid, error) { return nil, nil }},
		{"error", "returned error: problem with I/O", func(g *life.Grid) (*life.Grid, error) { return nil, life.ErrIO }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, failureOn(tt.step), tt.want)
		})
	}
}
