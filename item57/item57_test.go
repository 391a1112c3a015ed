package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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

// childEnv tells a re-executed test binary (reexec) which workload to run as a child process.
const childEnv = "ITEM57_CHILD"

// TestMain runs a child's role when this binary is a child, and otherwise the tests under goleak.
// A child runs TestChild only, so its workload has a *testing.T (synctest and lifetest need one).
func TestMain(m *testing.M) {
	if role, ok := os.LookupEnv(lessonChildEnv); ok { // the lesson's own child (Example 5)
		os.Exit(lessonChild(role, os.Stderr))
	}
	if _, ok := os.LookupEnv(childEnv); ok {
		flag.Parse()
		if err := flag.Set("test.run", "^TestChild$"); err != nil {
			panic(err)
		}
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// TestChild is a child process's workload, named by childEnv as "role:version"; it prints what the
// parent test checks. The broken version races on every run, so it runs only here, never in the
// test process itself, where the detector would fail the whole binary.
func TestChild(t *testing.T) {
	role, version, ok := strings.Cut(os.Getenv(childEnv), ":")
	if !ok {
		t.Skip("runs only as a child process (see reexec)")
	}
	switch role {
	case "run":
		os.Exit(run(strings.Fields(version), os.Stdout, os.Stderr))
	case "grid":
		role, grid, _ := strings.Cut(version, ":")
		fmt.Print(sharedCells(role, grid))
		return
	}
	step := versionNamed(t, version)
	if role == "panic" { // its own process: the panic ends it
		_, err := step(t.Context(), life.CellIO{Logic: panicsAt(2, 3)}, life.Glider())
		fmt.Printf("returned error: %v\n", err)
		return
	}
	if role != "check" {
		t.Fatalf("unknown child role %q", role)
	}
	// "check" runs every workload that does not end the process, one after another, each under a
	// "== name ==" line, so four tests share one child per version. A real-time watchdog ends a
	// child that hangs (say, a goroutine holding a lock while it waits for its I/O, which synctest's
	// fake clock cannot see past) in seconds, naming the workload, and the tests fail with that line.
	var current atomic.Pointer[string]
	watchdog := time.AfterFunc(5*time.Second, func() {
		fmt.Printf("stuck: %s did not finish the %q workload within 5s: does a goroutine hold a lock while it waits for its I/O?\n", version, *current.Load())
		os.Exit(3)
	})
	defer watchdog.Stop()
	for _, w := range []struct {
		name string
		run  func()
	}{
		{"race", func() {
			next, err := step(t.Context(), life.CellIO{Logic: allArrive(45)}, life.Glider())
			fmt.Printf("error: %v\n%s", err, next)
		}},
		{"shape", func() {
			synctest.Test(t, func(t *testing.T) {
				tl := life.NewTimeline()
				_, err := step(t.Context(), life.CellIO{Logic: life.Recorded(life.Latency(100*time.Millisecond), tl)}, life.Glider())
				fmt.Printf("error: %v\nin flight per 100ms: %v\n", err, tl.InFlight(100*time.Millisecond))
			})
		}},
		{"fail", func() {
			synctest.Test(t, func(t *testing.T) {
				// A fake-clock watchdog: cells that never stop waiting end at 1m, not in synctest's panic.
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				start := time.Now()
				next, err := step(ctx, life.CellIO{Logic: failsFirst(2, 3, 100*time.Millisecond)}, life.Glider())
				fmt.Printf("took %s\nerror: %v\n", time.Since(start), err)
				if next != nil {
					fmt.Printf("grid cell (2, 3): %c\n", next.Get(2, 3))
				}
			})
		}},
		{"glider", func() { // last: a failing property check ends the child here
			lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return step(t.Context(), life.CellIO{}, g) })
			fmt.Println("agrees with life.Simulate")
			table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return step(t.Context(), life.CellIO{}, g) })
			fmt.Printf("error: %v\n%s\n", err, table)
		}},
	} {
		current.Store(&w.name)
		fmt.Printf("== %s ==\n", w.name)
		w.run()
	}
}

// checkRuns holds each version's "check" child, run once and shared by the tests that read it.
var checkRuns sync.Map // version name → *checkRun

// checkRun is one "check" child's output.
type checkRun struct {
	once           sync.Once
	stdout, stderr string
	err            error
}

// checkChild runs version's "check" child (once) and returns the named workload's part of its
// stdout, its whole stderr and its exit error. It fails the test if the child's watchdog ended it.
func checkChild(t *testing.T, version, workload string) (stdout, stderr string, err error) {
	t.Helper()
	c, _ := checkRuns.LoadOrStore(version, new(checkRun))
	run := c.(*checkRun)
	run.once.Do(func() { run.stdout, run.stderr, run.err = reexec(t, "check:"+version) })
	if _, after, found := strings.Cut(run.stdout, "stuck: "); found { // the child's own line
		line, _, _ := strings.Cut(after, "\n")
		t.Fatal(line)
	}
	_, part, found := strings.Cut(run.stdout, "== "+workload+" ==\n")
	require.True(t, found, "the child never reached the %q workload; its stdout:\n%s\nstderr:\n%s", workload, run.stdout, run.stderr)
	if before, _, found := strings.Cut(part, "\n== "); found {
		part = before + "\n"
	}
	return part, run.stderr, run.err
}

// versions are the item's two goroutine-per-cell simulations. One table drives both: the check that
// finds the bug in the broken one is the check the fixed one passes. Under -tags exercise the broken
// row expects what the fixed row expects (README.md, "Your turn").
var versions = []struct {
	name    string
	step    simulation
	wantBug bool
}{
	{"simulateThreaded", simulateThreaded, !exercise},
	{"simulateThreadedSafe", simulateThreadedSafe, false},
}

// versionNamed returns the version called name.
func versionNamed(t testing.TB, name string) simulation {
	for _, v := range versions {
		if v.name == name {
			return v.step
		}
	}
	t.Fatalf("no version %q", name)
	return nil
}

// raceSite is where the first race report in stderr points ("broken.go:25"), or "" if there is none.
var raceSite = regexp.MustCompile(`WARNING: DATA RACE\n[^\n]*\n[^\n]*\n\s+\S*/([^/\s]+\.go:\d+)`)

// assertCleanChild checks that a child ended well; a race report fails it in one line naming where.
func assertCleanChild(t *testing.T, name string, err error, stderr string) {
	t.Helper()
	if m := raceSite.FindStringSubmatch(stderr); m != nil {
		t.Errorf("%s still races: the detector reports WARNING: DATA RACE at %s (goroutines writing shared memory with nothing ordering the writes)", name, m[1])
		return
	}
	if strings.Contains(stderr, "WARNING: DATA RACE") {
		t.Errorf("%s still races: the detector reports WARNING: DATA RACE; stderr:\n%s", name, stderr)
		return
	}
	assert.NoError(t, err, "stderr:\n%s", stderr)
}

// When nothing fails, both versions compute the right generations: the property check on random
// grids, and the book's glider table. (Each runs in a child: the broken one races even then.)
func TestSimulateThreaded_ComputesTheBooksGlider(t *testing.T) {
	t.Parallel() // the work is in child processes: let them overlap
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := checkChild(t, v.name, "glider")
			assert.Contains(t, stdout, "agrees with life.Simulate\nerror: <nil>\n"+lifetest.GliderTable+"\n", "stderr:\n%s", stderr)
			if !raceEnabled || !v.wantBug {
				assertCleanChild(t, v.name, err, stderr)
			}
		})
	}
}

// Both versions start all 45 cells' I/O at once: on the fake clock, one generation is exactly one
// latency with 45 calls in flight (the chart's single column of height 45). In a child, because
// the broken version races.
func TestSimulateThreaded_AllCellsInFlightAtOnce(t *testing.T) {
	t.Parallel() // the work is in child processes: let them overlap
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := checkChild(t, v.name, "shape")
			assert.Contains(t, stdout, "error: <nil>\nin flight per 100ms: [45]\n",
				"%s should have all 45 cells' I/O in flight for one latency; stderr:\n%s", v.name, stderr)
			if !raceEnabled || !v.wantBug {
				assertCleanChild(t, v.name, err, stderr)
			}
		})
	}
}

// allArrive returns I/O that holds every cell until all n cells have called it: a barrier. All n
// goroutines are then alive, none ordered before another, when they write their result, by
// construction. Without it an early goroutine could finish before a late one starts, and whether
// the detector still connects their two writes would depend on the schedule and on how much history
// it keeps; the proof must not depend on either.
func allArrive(n int) life.IO {
	var arrived sync.WaitGroup
	arrived.Add(n)
	return func(ctx context.Context, y, x int) error {
		arrived.Done()
		arrived.Wait()
		return nil
	}
}

// Step 1 of the exercise. Under -race the detector reports the broken version's shared err, and
// nothing in the fixed one.
func TestSimulateThreaded_RaceDetectorFlagsOnlyBroken(t *testing.T) {
	t.Parallel() // the work is in child processes: let them overlap
	if !raceEnabled {
		t.Skip("run go test -race to see the race detector catch simulateThreaded")
	}
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := checkChild(t, v.name, "race")
			require.Contains(t, stdout, "error: <nil>", "the child did not run its workload; stderr:\n%s", stderr)
			if v.wantBug {
				require.Error(t, err, "the child should fail when the detector reports a race")
				assert.Contains(t, stderr, "WARNING: DATA RACE")
				assert.Contains(t, stderr, "item57.simulateThreaded.func1", "the report should name the goroutine's closure")
			} else {
				assertCleanChild(t, v.name, err, stderr)
			}
		})
	}
}

// Step 2 of the exercise. The book's failing game_logic at cell (2, 3), on the fake clock so the
// order is exact: the cell fails at once, the other 44 succeed 100 ms later. The broken version
// returns nil (the last goroutines to write err wrote nil) and a wrong grid; the fixed one returns
// the error, naming the cell, and no grid. In a child, because the broken version races.
func TestSimulateThreaded_ReturnsTheFailingCellsError(t *testing.T) {
	t.Parallel() // the work is in child processes: let them overlap
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := checkChild(t, v.name, "fail")
			require.Contains(t, stdout, "took 100ms\n", "stderr:\n%s", stderr)
			got, _, _ := strings.Cut(strings.SplitAfter(stdout, "error: ")[1], "\n")
			if v.wantBug {
				assert.Equal(t, "<nil>", got, "the failure should be lost")
				assert.Contains(t, stdout, "grid cell (2, 3): -\n", "the failed cell is left Empty; it should be Alive")
				if !raceEnabled {
					require.NoError(t, err, "stderr:\n%s", stderr)
				}
				return
			}
			assert.Equal(t, "cell (2, 3): problem with I/O", got,
				"%s returned the wrong error for the one failing cell (2, 3): it must not be lost, and must name its cell", v.name)
			if got != "<nil>" {
				assert.NotContains(t, stdout, "grid cell", "%s returned a grid with its error; it should return nil", v.name)
			}
			assertCleanChild(t, v.name, err, stderr)
		})
	}
}

// A panic in one cell's goroutine ends the whole program, in both versions: Go's design, not a bug
// either version fixes (README.md, "A panic ends the program"). Exit status 2, the panic on stderr,
// nothing printed after it.
func TestSimulateThreaded_PanicEndsTheProgram(t *testing.T) {
	t.Parallel() // the work is in child processes: let them overlap
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := reexec(t, "panic:"+v.name)
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the child should die of the panic; stdout:\n%s", stdout)
			assert.Equal(t, 2, exit.ExitCode(), "a Go panic exits with status 2")
			assert.Contains(t, stderr, "panic: I/O client: no connection for cell (2, 3)")
			assert.NotContains(t, stdout, "returned error", "nothing runs after the panic")
		})
	}
}

// In process (so under -race the detector watches it): the fixed version reports every failing
// cell, by coordinates, joined, keeping each error's chain for errors.Is.
func TestSimulateThreadedSafe_ReturnsEveryErrorWithItsCell(t *testing.T) {
	errOther := errors.New("timeout")
	io := life.CellIO{Logic: life.FailAt(1, 2, life.ErrIO, life.FailAt(4, 8, errOther, nil))}
	next, err := simulateThreadedSafe(t.Context(), io, life.Glider())
	assert.Nil(t, next)
	require.ErrorIs(t, err, life.ErrIO)
	require.ErrorIs(t, err, errOther)
	assert.EqualError(t, err, "cell (1, 2): problem with I/O\ncell (4, 8): timeout")
}

// A goroutine per cell needs no lock when each writes only its own cell: the fixed version takes
// exactly one latency per generation on the fake clock and agrees with life.Simulate, and this
// test runs it in process, so under -race the detector checks it too.
func TestSimulateThreadedSafe_OneLatencyPerGenerationRaceFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := life.CellIO{Logic: life.Latency(100 * time.Millisecond)}
		start := time.Now()
		next, err := simulateThreadedSafe(t.Context(), io, life.Glider())
		require.NoError(t, err)
		assert.Equal(t, 100*time.Millisecond, time.Since(start))
		assert.Equal(t, life.Simulate(life.Glider()).String(), next.String())
		lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return simulateThreadedSafe(t.Context(), io, g) })
	})
}

// sharedCells is the workload of TestLockingGrid_NeededOnlyForSharedCells; it returns the grid,
// drawn. With role "shared", two goroutines write the one cell of a 1 × 1 grid while a third
// reads it with Get and a fourth draws the grid with String; with role "own", four goroutines each
// write their own cell of a 1 × 4 grid. A gate keeps all four alive at once, so the detector sees four goroutines,
// each with its own history. The shared grid has one cell because the detector remembers only a few
// accesses per 8 bytes of memory: String reading four cells could crowd out its own read of the
// shared one, and the race would be reported only sometimes.
func sharedCells(role, kind string) string {
	width := 1
	if role == "own" {
		width = 4
	}
	var g interface {
		Get(y, x int) life.State
		Set(y, x int, state life.State)
		String() string
	} = life.NewGrid(1, width)
	if kind == "LockingGrid" {
		g = NewLockingGrid(1, width)
	}
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for x := range 4 {
		wg.Go(func() {
			<-gate
			switch {
			case role == "own":
				g.Set(0, x, life.Alive)
			case x < 2:
				g.Set(0, 0, life.Alive)
			case x == 2:
				_ = g.Get(0, 0)
			default:
				_ = g.String()
			}
		})
	}
	close(gate)
	wg.Wait()
	return g.String()
}

// When goroutines really share cells — two write one cell while others read it with Get and String
// — a plain life.Grid races and the book's LockingGrid does not (take out any of its three locks and
// the detector reports it). When each goroutine writes only its own cell (what both simulations
// do), the plain grid does not race either. Only the racy workload runs in a child process; the
// others run here, where a race the detector reports fails the test.
func TestLockingGrid_NeededOnlyForSharedCells(t *testing.T) {
	t.Parallel() // the racy workload is in a child process: let it overlap the other tests
	if !raceEnabled {
		t.Skip("run go test -race to see the race detector check the grids")
	}
	for _, tt := range []struct {
		role, grid string
		wantRace   bool
	}{
		{"shared", "life.Grid", true},
		{"shared", "LockingGrid", false},
		{"own", "life.Grid", false},
	} {
		t.Run(tt.role+"_cell/"+tt.grid, func(t *testing.T) {
			if !tt.wantRace {
				assert.Contains(t, sharedCells(tt.role, tt.grid), "*", "no goroutine wrote the grid")
				return
			}
			stdout, stderr, err := reexec(t, "grid:"+tt.role+":"+tt.grid)
			require.Contains(t, stdout, "*", "the child did not run its workload; stderr:\n%s", stderr)
			require.Error(t, err, "the child should fail when the detector reports a race")
			assert.Contains(t, stderr, "WARNING: DATA RACE")
		})
	}
}

// -h explains the lesson and exits 0; a bad value gets one line (or the flag package's usage) and 2.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item57 [flags]\nItem 57: a goroutine per cell"},
		{[]string{"-latency", "0s"}, 2, "item57: -latency must be between 1ms and 300ms (got 0s): the lesson waits it about 60 times; below 1ms"},
		{[]string{"-latency", "500µs"}, 2, "item57: -latency must be between 1ms and 300ms (got 500µs)"},
		{[]string{"-latency", "1s"}, 2, "item57: -latency must be between 1ms and 300ms (got 1s)"},
		{[]string{"-latency", "10"}, 2, `invalid value "10" for flag -latency: parse error`},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit"},
		{[]string{"-cells", "99"}, 2, "item57: -cells must be between 100 and 10000 (got 99): fewer make the figures page-size noise"},
		{[]string{"-cells", "5000000"}, 2, "item57: -cells must be between 100 and 10000 (got 5000000)"},
		{[]string{"-cells", "lots"}, 2, `invalid value "lots" for flag -cells`},
		{[]string{"-trace", "/no/such/dir/trace.out"}, 2, "item57: -trace: open /no/such/dir/trace.out: no such file or directory\n"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item57: unexpected argument "extra"`},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-latency 0s", "-cells 5000000", "-trace /no/such/dir/trace.out", "extra")
}

// readmeMasks hide what differs between runs: measured times and figures, the machine's limits,
// the cell count (the test runs -cells 100), column widths, and the Go release's panic suffix.
var readmeMasks = []mask{
	{regexp.MustCompile(`\S+ measured`), "<time> measured"},
	{regexp.MustCompile(` \[recovered.*\]`), ""},
	{regexp.MustCompile(`(?m)^( *)(goroutine|OS thread) .*$`), "$2 <figures>"},
	{regexp.MustCompile(`-?[\d.]+ (bytes|KiB|MiB|GiB)`), "<size>"},
	{regexp.MustCompile(`(threads-max|pid_max|max_map_count|SetMaxThreads) [\d,]+`), "$1 <n>"},
	{regexp.MustCompile(`[\d,]+ cells`), "<n> cells"},
	{regexp.MustCompile(`(?m)^( *\d*) ┤.*$`), "$1 ┤<bars>"},
	{regexp.MustCompile(`(?m)^( *)└─*$`), "$1└<axis>"},
	{regexp.MustCompile(`calls in flight per \S+: \S.*`), "calls in flight per <slice>: <counts>"}, // a slow run widens columns; \S: a chart with no counts recorded nothing
	{regexp.MustCompile(`  +`), " "},
}

// readmeArgs are the flags of the README's sample run: 2 ms of I/O instead of the default 10 ms, so
// the lesson's real-time waits (the serial chart alone is 45 latencies) stay short.
const readmeArgs = "-latency 2ms"

// The lesson prints what README.md shows, and -trace FILE writes a Go execution trace of that same
// run, for go tool trace FILE. The lesson runs the broken, racy version, so it runs in a child
// (readmeArgs, -cells 100), and only stdout is compared: under -race the detector reports on
// stderr and the child exits 66.
func TestRun_MatchesREADMEAndWritesTrace(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("the lesson's cost table reads /proc (Linux)")
	}
	t.Parallel()
	tracePath := filepath.Join(t.TempDir(), "trace.out")
	stdout, stderr, err := reexec(t, "run:"+readmeArgs+" -cells 100 -trace "+tracePath)
	if !raceEnabled {
		require.NoError(t, err, "stderr:\n%s", stderr)
	}
	assertMatchesREADME(t, "go run ./item57 "+readmeArgs, stdout, readmeMasks...)

	traced, err := os.ReadFile(tracePath)
	require.NoError(t, err, "no trace written; stderr:\n%s", stderr)
	header, _, _ := strings.Cut(string(traced), "\x00")
	assert.Regexp(t, `^go 1\.\d+ trace`, header, "a Go execution trace starts with its header")
}
