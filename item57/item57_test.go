package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
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

// childEnv tells a re-executed test binary which workload to run as a child process.
const childEnv = "ITEM57_CHILD"

// TestMain dispatches the child-process roles that need no test, then runs the tests under goleak.
func TestMain(m *testing.M) {
	if role, ok := os.LookupEnv(lessonChildEnv); ok { // the lesson's own child (the panic demo)
		os.Exit(lessonChild(role, os.Stdout, os.Stderr))
	}
	if os.Getenv(childEnv) == "run" {
		os.Exit(run(nil, os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

// step is one generation with the cells' I/O; both versions have this shape (the broken one through
// simulateThreadedOn, which copies the grid in and out of a LockingGrid as the book's driver does).
type step func(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error)

// versions are the item's two goroutine-per-cell simulations.
var versions = []struct {
	name    string
	step    step
	wantBug bool
}{
	{"simulateThreaded", simulateThreadedOn, true},
	{"simulateThreadedSafe", simulateThreadedSafe, false},
}

// versionNamed returns the version called name.
func versionNamed(t testing.TB, name string) step {
	for _, v := range versions {
		if v.name == name {
			return v.step
		}
	}
	t.Fatalf("no version %q", name)
	return nil
}

// childRole returns the workload this process must run if it is a child, as "role:version".
func childRole() (role, version string, ok bool) {
	env, ok := os.LookupEnv(childEnv)
	if !ok || env == "run" {
		return "", "", false
	}
	role, version, _ = strings.Cut(env, ":")
	return role, version, true
}

// child re-executes this test binary to run only test (which then runs role's workload) and
// returns the child's stdout, stderr and exit error. The broken version races on every run, so it
// must never run inside this process under -race: the detector would fail the whole binary.
func child(t *testing.T, test, role string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, "GORACE=atexit_sleep_ms=0")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// When nothing fails, both versions compute the right generations: the property check on random
// grids, and the book's glider table. (Each runs in a child: the broken one races even then.)
func TestSimulateThreaded_ComputesTheBooksGlider(t *testing.T) {
	if _, version, ok := childRole(); ok {
		s := versionNamed(t, version)
		lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return s(t.Context(), life.CellIO{}, g) })
		fmt.Println("agrees with life.Simulate")
		table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return s(t.Context(), life.CellIO{}, g) })
		fmt.Printf("error: %v\n%s\n", err, table)
		return
	}
	t.Parallel() // the work is in child processes: let them overlap
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := child(t, "TestSimulateThreaded_ComputesTheBooksGlider", "glider:"+v.name)
			if !raceEnabled || !v.wantBug {
				require.NoError(t, err, "stderr:\n%s", stderr)
			}
			assert.Contains(t, stdout, "agrees with life.Simulate\nerror: <nil>\n"+lifetest.GliderTable+"\n")
		})
	}
}

// allArrive returns I/O that holds every cell until all n cells have called it: a barrier. All n
// goroutines are then alive when they write their result, by construction, not by timing. That
// matters because the race detector remembers a finished goroutine's accesses only until its slot
// is reused by later goroutines (a few hundred later): two writes far apart in a long run of
// short-lived goroutines can race unreported.
func allArrive(n int) life.IO {
	var arrived sync.WaitGroup
	arrived.Add(n)
	return func(ctx context.Context, y, x int) error {
		arrived.Done()
		arrived.Wait()
		return nil
	}
}

// Under -race the detector reports the broken version's shared err, and nothing in the fixed one.
func TestSimulateThreaded_RaceDetectorFlagsOnlyBroken(t *testing.T) {
	if _, version, ok := childRole(); ok {
		next, err := versionNamed(t, version)(t.Context(), life.CellIO{Logic: allArrive(45)}, life.Glider())
		fmt.Printf("error: %v\n%s", err, next)
		return
	}
	t.Parallel() // the work is in child processes: let them overlap
	if !raceEnabled {
		t.Skip("run go test -race to see the race detector catch simulateThreaded")
	}
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := child(t, "TestSimulateThreaded_RaceDetectorFlagsOnlyBroken", "race:"+v.name)
			require.Contains(t, stdout, "error: <nil>", "the child did not run its workload; stderr:\n%s", stderr)
			if v.wantBug {
				require.Error(t, err, "the child should fail when the detector reports a race")
				assert.Contains(t, stderr, "WARNING: DATA RACE")
				assert.Contains(t, stderr, "item57.simulateThreaded.func1", "the report should name the goroutine's closure")
			} else {
				assert.NoError(t, err, "stderr:\n%s", stderr)
				assert.NotContains(t, stderr, "WARNING: DATA RACE")
			}
		})
	}
}

// The book's failing game_logic at cell (2, 3), on the fake clock so the order is exact: the cell
// fails at once, the other 44 succeed 100 ms later. The broken version returns nil (the last
// goroutines to write err wrote nil) and a wrong grid; the fixed one returns the error, naming the
// cell. In a child, because the broken version races.
func TestSimulateThreaded_ReturnsTheFailingCellsError(t *testing.T) {
	if _, version, ok := childRole(); ok {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			next, err := versionNamed(t, version)(t.Context(), life.CellIO{Logic: failsFirst(2, 3, bookLatency)}, life.Glider())
			fmt.Printf("took %s\nerror: %v\n", time.Since(start), err)
			if next != nil {
				fmt.Printf("grid cell (2, 3): %c\n", next.Get(2, 3))
			}
		})
		return
	}
	t.Parallel() // the work is in child processes: let them overlap
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := child(t, "TestSimulateThreaded_ReturnsTheFailingCellsError", "fail:"+v.name)
			if !raceEnabled || !v.wantBug {
				require.NoError(t, err, "stderr:\n%s", stderr)
			}
			require.Contains(t, stdout, "took 100ms\n", "stderr:\n%s", stderr)
			if v.wantBug {
				assert.Contains(t, stdout, "error: <nil>\n", "the failure should be lost")
				assert.Contains(t, stdout, "grid cell (2, 3): -\n", "the failed cell is left EMPTY; it should be ALIVE")
			} else {
				assert.Contains(t, stdout, "error: cell (2, 3): problem with I/O\n")
				assert.NotContains(t, stdout, "grid cell", "no grid comes back with an error")
			}
		})
	}
}

// A panic in one cell's goroutine: the broken version's process dies with the panic (exit status
// 2, nothing printed after); the fixed one recovers it and returns it as that cell's error.
func TestSimulateThreaded_PanicKillsOnlyBroken(t *testing.T) {
	if _, version, ok := childRole(); ok {
		_, err := versionNamed(t, version)(t.Context(), life.CellIO{Logic: crashesAt(2, 3, nil)}, life.Glider())
		fmt.Printf("returned error: %v\n", err)
		return
	}
	t.Parallel() // the work is in child processes: let them overlap
	const message = "I/O client: no connection for cell (2, 3)"
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			stdout, stderr, err := child(t, "TestSimulateThreaded_PanicKillsOnlyBroken", "panic:"+v.name)
			if v.wantBug {
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit)
				assert.Equal(t, 2, exit.ExitCode(), "a Go panic exits with status 2")
				assert.Contains(t, stderr, "panic: "+message)
				assert.NotContains(t, stdout, "returned error", "nothing runs after the panic")
			} else {
				require.NoError(t, err, "stderr:\n%s", stderr)
				assert.Contains(t, stdout, "returned error: cell (2, 3): panic: "+message+"\n")
			}
		})
	}
}

// In process: the fixed version reports every failing cell, by coordinates, joined, keeping the
// error chain (errors.Is finds life.ErrIO); and a panic that carries an error keeps it too.
func TestSimulateThreadedSafe_ReturnsEveryErrorWithItsCell(t *testing.T) {
	errOther := errors.New("timeout")
	io := life.CellIO{Logic: life.FailAt(1, 2, life.ErrIO, life.FailAt(4, 8, errOther, nil))}
	next, err := simulateThreadedSafe(t.Context(), io, life.Glider())
	assert.Nil(t, next)
	require.ErrorIs(t, err, life.ErrIO)
	require.ErrorIs(t, err, errOther)
	assert.EqualError(t, err, "cell (1, 2): problem with I/O\ncell (4, 8): timeout")

	panics := life.CellIO{Logic: func(ctx context.Context, y, x int) error {
		if y == 0 && x == 0 {
			panic(life.ErrIO)
		}
		return nil
	}}
	_, err = simulateThreadedSafe(t.Context(), panics, life.Glider())
	assert.ErrorIs(t, err, life.ErrIO)
	assert.EqualError(t, err, "cell (0, 0): panic: problem with I/O")
}

// A goroutine per cell needs no lock when each writes only its own cell: the fixed version takes
// exactly one latency per generation on the fake clock and agrees with life.Simulate, and this
// test runs it in process, so under -race the detector checks it too.
func TestSimulateThreadedSafe_OneLatencyPerGenerationRaceFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		io := life.CellIO{Logic: life.Latency(bookLatency)}
		start := time.Now()
		next, err := simulateThreadedSafe(t.Context(), io, life.Glider())
		require.NoError(t, err)
		assert.Equal(t, bookLatency, time.Since(start))
		assert.Equal(t, life.Simulate(life.Glider()).String(), next.String())
		lifetest.AgreesWithSimulate(t, func(g *life.Grid) (*life.Grid, error) { return simulateThreadedSafe(t.Context(), io, g) })
	})
}

// grid is what LockingGrid and life.Grid have in common for the shared-cell workload.
type grid interface {
	Get(y, x int) life.State
	Set(y, x int, state life.State)
	String() string
}

// When goroutines really share cells — here four write one cell — a plain life.Grid races and the
// book's LockingGrid does not. When each goroutine writes only its
// own cell (what simulateThreadedSafe does), the plain grid does not race either.
func TestLockingGrid_NeededOnlyForSharedCells(t *testing.T) {
	if role, version, ok := childRole(); ok {
		var g grid = life.NewGrid(1, 4)
		if version == "LockingGrid" {
			g = NewLockingGrid(1, 4)
		}
		// The gate keeps all four alive at once, so the detector sees four goroutines, each with its
		// own history.
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for x := range 4 {
			wg.Go(func() {
				<-gate
				if role == "shared" {
					g.Set(0, 0, life.Alive) // every goroutine writes cell (0, 0)
				} else {
					g.Set(0, x, life.Alive) // each goroutine writes its own cell
				}
			})
		}
		close(gate)
		wg.Wait()
		fmt.Print(g)
		return
	}
	t.Parallel() // the work is in child processes: let them overlap
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
			stdout, stderr, err := child(t, "TestLockingGrid_NeededOnlyForSharedCells", tt.role+":"+tt.grid)
			require.Contains(t, stdout, "*", "the child did not run its workload; stderr:\n%s", stderr)
			if tt.wantRace {
				require.Error(t, err, "the child should fail when the detector reports a race")
				assert.Contains(t, stderr, "WARNING: DATA RACE")
			} else {
				assert.NoError(t, err, "stderr:\n%s", stderr)
				assert.NotContains(t, stderr, "WARNING: DATA RACE")
			}
		})
	}
}

// A goroutine blocked in its cell's I/O holds a few KiB — not a thread's 8 MB — and all of them
// end once released (goleak checks nothing is left at the end of the run). The bound is loose on
// purpose (the race detector adds to every goroutine); BenchmarkGoroutinePerCell reports the figure.
func TestGoroutineCost_FewKiBNotMegabytes(t *testing.T) {
	c := goroutineCost(10_000)
	assert.Equal(t, 10_000, c.goroutines)
	assert.Greater(t, c.stackPerG, 1024.0, "every goroutine has its own stack, at least 2 KiB")
	assert.Less(t, c.perG, float64(threadStack)/100, "a goroutine should cost under 1%% of a thread's 8 MB")
}

// BenchmarkGoroutinePerCell measures the memory a goroutine per cell holds while its I/O is in
// flight, at the book's 10,000 cells and at 1,000,000 (not under -race: the detector's own
// per-goroutine state would make that many goroutines need tens of GB). Run it with
// go test -run '^$' -bench GoroutinePerCell -benchtime 1x ./item57
func BenchmarkGoroutinePerCell(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
			if raceEnabled && n > 10_000 {
				b.Skip("a million goroutines under -race need far too much memory")
			}
			var c cost
			for b.Loop() {
				c = goroutineCost(n)
			}
			b.ReportMetric(c.perG, "bytes/goroutine")
			b.ReportMetric(c.stackPerG, "stack-bytes/goroutine")
			b.ReportMetric(float64(c.startPerG.Nanoseconds()), "start-ns/goroutine")
		})
	}
}

// -h explains the lesson and exits 0; a bad value gets one line (or the flag package's usage) and 2.
func TestRun_RejectsBadFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item57 [flags]\nItem 57: a goroutine per cell is cheap"},
		{[]string{"-latency", "0s"}, 2, "item57: -latency must be positive (got 0s)\n"},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`},
		{[]string{"-measure", "0"}, 2, "item57: -measure must be a list of goroutine counts from 1 to 5000000 (got \"0\")\n"},
		{[]string{"-measure", "10000,lots"}, 2, "item57: -measure must be a list of goroutine counts from 1 to 5000000 (got \"10000,lots\")\n"},
		{[]string{"-measure", "10000000"}, 2, "item57: -measure must be a list"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item57: unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.wantCode, run(tt.args, &out, &errOut))
			assert.Empty(t, out.String(), "nothing on stdout")
			assert.Contains(t, errOut.String(), tt.wantErr)
			assert.NotContains(t, errOut.String(), "panic:")
		})
	}
}

// varying masks what differs between runs: measured times, goroutine numbers and the cost row.
var varying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`  +`), " "}, // column widths follow the measured figures
	{regexp.MustCompile(`\S+ measured`), "<time> measured"},
	{regexp.MustCompile(`goroutine \d+ \[`), "goroutine N ["},
	{regexp.MustCompile(`(?m)^ ?([\d,]+) [\d,]+ bytes [\d,]+ bytes [\d.]+ (KiB|MiB|GiB) \S+ (\d+ [GT]B)$`), "$1 <bytes> <bytes> <bytes> <time> $3"},
}

// mask applies the masks and splits the text into lines for comparison.
func mask(text string) []string {
	for _, v := range varying {
		text = v.re.ReplaceAllString(text, v.with)
	}
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}

// readmeSample returns the output block that follows the "$ command" line in README.md.
func readmeSample(t *testing.T, command string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "$ "+command+"\n")
	require.True(t, found, "README.md has no line %q", "$ "+command)
	sample, _, found := strings.Cut(after, "```")
	require.True(t, found, "the sample after %q is not closed", command)
	return sample
}

// The default lesson prints what README.md shows. It runs the broken, racy version, so it runs in a
// child process and only stdout is compared (under -race the detector reports on stderr and the child
// exits 66).
func TestRun_MatchesREADME(t *testing.T) {
	t.Parallel()
	stdout, stderr, err := child(t, "^$", "run")
	if !raceEnabled {
		require.NoError(t, err, "stderr:\n%s", stderr)
	}
	want := readmeSample(t, "go run ./item57")
	assert.Equal(t, mask(want), mask(stdout))
}
