package main

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	rtrace "runtime/trace"
	"slices"
	"strings"
	"sync"
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
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// version is one of the item's two ways of computing a generation: the same answer, different time.
type version struct {
	name    string
	who     string // for failure messages: which file's function
	step    step
	wantBug bool // true: one cell at a time, cells × latency
}

// versions drives every proof over both: the broken row expects the bug, except in exercise mode
// (go test -tags exercise), where it must pass what the fixed row passes.
var versions = []version{
	{"simulate", "broken.go's simulate", simulate, !exercise},
	{"simulateFanOut", "fixed.go's simulateFanOut", simulateFanOut, false},
}

// forEachVersion runs check for each version in its own subtest and synctest bubble (fake clock),
// after checking that the version returns at all: a fan-in that waits for a goroutine that never
// finishes would otherwise end in synctest's deadlock panic, which names no culprit.
func forEachVersion(t *testing.T, check func(t *testing.T, v version)) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			mustReturn(t, v)
			synctest.Test(t, func(t *testing.T) { check(t, v) })
		})
	}
}

// hung holds the names of versions that did not return, so a stuck version costs its 5 s once,
// not in every test.
var hung sync.Map

// mustReturn fails the test if v does not return within 5 s of real time on the glider with no
// I/O at all (it takes microseconds): then it is waiting for something that never happens.
func mustReturn(t *testing.T, v version) {
	t.Helper()
	if _, found := hung.Load(v.name); found {
		t.Fatalf("%s did not return in an earlier test (see above)", v.who)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = v.step(context.Background(), life.CellIO{}, life.Glider())
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		hung.Store(v.name, true)
		t.Fatalf("%s did not return within 5 s with no I/O at all: does it wait for a goroutine that never finishes (an Add without its Done)?", v.who)
	}
}

// diagnose says in a few words what a wrong fan-out generation time means.
func diagnose(took, latency time.Duration, cells int) string {
	switch took {
	case 0:
		return ": it returns before the cells' I/O is done (no fan-in: wg.Wait?)"
	case time.Duration(cells) * latency:
		return ": still one cell at a time"
	}
	return ""
}

// The timing claim, on synctest's fake clock (exact, and no real waiting): with the book's 100 ms
// per cell, the serial simulate takes cells × latency per generation (4.5 s for 45 cells, 16m40s
// for 10,000) and fan-out/fan-in takes exactly one latency, for the glider and for 10,000 cells.
// Both give the same grid as life.Simulate. Under -race the big grid has 1,000 cells (1m40s
// serial): the detector makes each goroutine and timer cost many times more, and the claim does
// not depend on the size.
func TestSimulate_GenerationTimeOnFakeClock(t *testing.T) {
	t.Parallel() // alongside TestRun_MatchesREADMEAndWritesTrace, which partly waits on the real clock
	const latency = bookLatency
	big := life.NewGrid(bigSide, bigSide)
	if raceEnabled {
		big = life.NewGrid(bigSide/10, bigSide)
	}
	forEachVersion(t, func(t *testing.T, v version) {
		for _, grid := range []*life.Grid{life.Glider(), big} {
			cells := grid.Cells()
			start := time.Now()
			next, err := v.step(t.Context(), life.CellIO{Logic: life.Latency(latency)}, grid)
			took := time.Since(start)
			require.NoError(t, err, "%s on %d cells", v.who, cells)
			require.NotNil(t, next, "%s on %d cells returned no grid", v.who, cells)
			assert.Equal(t, life.Simulate(grid).String(), next.String(), "%s on %d cells: wrong next generation", v.who, cells)
			if v.wantBug {
				assert.Equal(t, time.Duration(cells)*latency, took, "%s, serial: cells × latency", v.who)
			} else {
				assert.Equal(t, latency, took, "%s took %s for %s cells, want one latency (%s)%s",
					v.who, took, life.Thousands(cells), latency, diagnose(took, latency, cells))
			}
		}
	})
}

// Both versions compute the same next generation as life.Simulate on random grids (the property
// every strategy of items 56–60 must pass), here with I/O on the fake clock.
func TestSimulate_AgreesWithSimulate(t *testing.T) {
	t.Parallel() // random grids under -race: a few hundred ms of CPU, overlapping the other proofs
	forEachVersion(t, func(t *testing.T, v version) {
		cellIO := life.CellIO{Neighbors: life.Latency(time.Millisecond), Logic: life.Latency(bookLatency)}
		lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) {
			return v.step(t.Context(), cellIO, g)
		})
	})
}

// The book's driver prints the glider table through either version.
func TestTable_PrintsTheBooksGlider(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v version) {
		table, err := life.Table(func(g *life.Grid) (*life.Grid, error) {
			return v.step(t.Context(), life.CellIO{Logic: life.Latency(bookLatency)}, g)
		})
		require.NoError(t, err, v.who)
		assert.Equal(t, lifetest.GliderTable, table, v.who)
	})
}

// Failing cells, on the fake clock. Fan-out returns every failing cell's error, joined, and no
// grid, in exactly one latency: a failing call costs its latency too (life.FailAt), at the same
// time as the others. The serial simulate stops at the first failure, cell (1, 2) — the 12th cell,
// after 12 latencies — and never reaches the second.
func TestSimulate_ReturnsEveryError(t *testing.T) {
	const latency = bookLatency
	errA, errB := errors.New("cell (1, 2) failed"), errors.New("cell (3, 4) failed")
	forEachVersion(t, func(t *testing.T, v version) {
		cellIO := life.CellIO{Logic: life.FailAt(1, 2, errA, life.FailAt(3, 4, errB, life.Latency(latency)))}
		start := time.Now()
		next, err := v.step(t.Context(), cellIO, life.Glider())
		took := time.Since(start)
		assert.Nil(t, next, "%s returned a grid with an error", v.who)
		assert.ErrorIs(t, err, errA, "%s lost cell (1, 2)'s error", v.who)
		if v.wantBug {
			assert.NotErrorIs(t, err, errB, "%s, serial: stops at the first failing cell", v.who)
			assert.Equal(t, 12*latency, took, "%s, serial: twelve cells' I/O, the last one failing", v.who)
		} else {
			assert.ErrorIs(t, err, errB, "%s lost cell (3, 4)'s error: collect every cell's error, then errors.Join them", v.who)
			hint := diagnose(took, latency, 45)
			if took == 12*latency {
				hint = ": still one cell at a time, stopping at the first failure"
			}
			assert.Equal(t, latency, took, "%s: every cell's I/O, failing or not, in one latency%s", v.who, hint)
		}
	})
}

// Cancelling the context ends either version at once, on the fake clock: the cell whose I/O is in
// flight returns the cancellation and no cell waits out its latency.
func TestSimulate_StopsWhenCancelled(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v version) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := v.step(ctx, life.CellIO{Logic: life.Latency(bookLatency)}, life.Glider())
		assert.ErrorIs(t, err, context.DeadlineExceeded, v.who)
		assert.Equal(t, 30*time.Millisecond, time.Since(start), "%s: the deadline ends the generation", v.who)
	})
}

// The shape the lesson's charts draw, exactly, on the fake clock (life.Timeline, one slice per
// latency): serial has one call in flight for 45 latencies, fan-out all 45 calls for one.
func TestSimulate_CallsInFlightOnFakeClock(t *testing.T) {
	const latency = bookLatency
	forEachVersion(t, func(t *testing.T, v version) {
		tl := life.NewTimeline()
		_, err := v.step(t.Context(), life.CellIO{Logic: life.Recorded(life.Latency(latency), tl)}, life.Glider())
		require.NoError(t, err, v.who)
		if v.wantBug {
			assert.Equal(t, slices.Repeat([]float64{1}, 45), tl.InFlight(latency), "%s, serial: one call at a time", v.who)
		} else {
			assert.Equal(t, []float64{45}, tl.InFlight(latency), "%s: all 45 calls in flight in one latency", v.who)
		}
	})
}

// -h explains the lesson and exits 0; a bad value gets one line (or the flag package's usage) and 2.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item56 [flags]\nItem 56: with blocking I/O"},
		{[]string{"-latency", "0s"}, 2, "item56: -latency must be between 1ms and 500ms (got 0s): the lesson waits"},
		{[]string{"-latency", "-5ms"}, 2, "item56: -latency must be between 1ms and 500ms (got -5ms)"},
		{[]string{"-latency", "1h"}, 2, "item56: -latency must be between 1ms and 500ms (got 1h0m0s)"},
		{[]string{"-latency", "100"}, 2, "invalid value \"100\" for flag -latency: parse error\n"},
		{[]string{"-latency", "100"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s\n"},
		{[]string{"-trace", "no/such/dir/trace.out"}, 2, "item56: -trace: open no/such/dir/trace.out: no such file or directory\n"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item56: unexpected argument "extra"`},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-latency 0s", "-latency 1h", "-trace no/such/dir/trace.out", "extra")
}

// readmeArgs are the flags of README.md's sample run: 2 ms of I/O instead of the default 10 ms, so
// the lesson's real-time waits (the serial glider alone is 45 latencies) stay short.
const readmeArgs = "-latency 2ms"

// The lesson prints what README.md shows, measured times and real-clock charts aside (the exact
// shapes are TestSimulate_CallsInFlightOnFakeClock's), and -trace writes a Go execution trace of
// that same run. It runs the lesson on the real clock (the serial glider is 45 × 2 ms), in parallel
// with the fake-clock proofs, which use the CPU while this test waits. (In a synctest bubble it
// would wait for nothing, but under -race its 10,000 goroutines cost three times the CPU there.)
// First, on the fake clock, it checks that fan-out still takes one latency: a fan-out turned
// serial would make the lesson wait 10,000 latencies.
func TestRun_MatchesREADMEAndWritesTrace(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	t.Parallel()
	const latency = 2 * time.Millisecond // readmeArgs
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		_, err := simulateFanOut(t.Context(), life.CellIO{Logic: life.Latency(latency)}, life.Glider())
		require.NoError(t, err)
		require.Equal(t, latency, time.Since(start),
			"fixed.go's simulateFanOut no longer takes one latency: the lesson would wait 10,000 latencies, so it is not run")
	})
	tracePath := filepath.Join(t.TempDir(), "trace.out")
	var out, errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() { exited <- run(append(strings.Fields(readmeArgs), "-trace", tracePath), &out, &errOut) }()
	select {
	case code := <-exited:
		require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	case <-time.After(60 * time.Second): // it takes about a second; this is for a real hang
		t.Fatal("the lesson did not finish within 60 s")
	}
	assertMatchesREADME(t, "go run ./item56 "+readmeArgs, out.String(),
		mask{regexp.MustCompile(`\S+ measured +`), "<time> measured "},
		mask{regexp.MustCompile(`(\S) {2,}`), "$1  "}, // a long measured time widens its column
		mask{regexp.MustCompile(`(?m)^( +|\d+) ┤.*$`), "<bars>"},
		mask{regexp.MustCompile(`(?m)^ +└─*$`), "<axis>"},
		mask{regexp.MustCompile(`calls in flight per \S+: \S.*`), "calls in flight per <slice>: <counts>"}) // \S: a chart with no counts recorded nothing

	trace, err := os.ReadFile(tracePath)
	require.NoError(t, err)
	assert.Regexp(t, `^go 1\.\d+ trace\x00`, string(trace[:min(len(trace), 16)]), "-trace wrote no Go execution trace")
	assert.False(t, rtrace.IsEnabled(), "the execution trace is still running after run returned")
	assert.NotContains(t, openFiles(), tracePath, "run left the trace file open")
}

// openFiles lists the files this process has open (Linux's /proc/self/fd; nil elsewhere).
func openFiles() []string {
	fds, _ := os.ReadDir("/proc/self/fd")
	var files []string
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil {
			files = append(files, target)
		}
	}
	return files
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
