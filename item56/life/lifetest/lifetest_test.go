package lifetest

import (
	"testing"

	"go.uber.org/goleak"

	"workbook/item56/life"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestAgreesWithSimulate_AcceptsSimulate(t *testing.T) {
	AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
}

// recorder is a testing.TB that records a failure instead of ending the test, so the check itself
// can be shown to fail.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(r) }
func (r *recorder) Helper()               {}

func failsOn(step life.Step) (failed bool) {
	r := &recorder{}
	defer func() {
		if p := recover(); p != nil && p != any(r) {
			panic(p)
		}
		failed = r.failed
	}()
	AgreesWithSimulate(r, step)
	return false
}

func TestAgreesWithSimulate_RejectsWrongSteps(t *testing.T) {
	// Wrong wrap-around: counting neighbours on a grid that does not wrap.
	noWrap := func(g *life.Grid) (*life.Grid, error) {
		next := life.NewGrid(g.Height, g.Width)
		get := func(y, x int) life.State {
			if y < 0 || x < 0 || y >= g.Height || x >= g.Width {
				return life.EMPTY
			}
			return g.Get(y, x)
		}
		for y := range g.Height {
			for x := range g.Width {
				life.StepCell(y, x, get, next.Set)
			}
		}
		return next, nil
	}
	// In place: cells read neighbours that were already advanced (not lockstep).
	inPlace := func(g *life.Grid) (*life.Grid, error) {
		for y := range g.Height {
			for x := range g.Width {
				life.StepCell(y, x, g.Get, g.Set)
			}
		}
		return g, nil
	}
	if !failsOn(noWrap) {
		t.Error("a step that does not wrap around passed the property check")
	}
	if !failsOn(inPlace) {
		t.Error("a step that updates the grid in place passed the property check")
	}
}
