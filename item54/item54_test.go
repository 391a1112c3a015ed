package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// childEnv tells a re-executed test binary which workload to run as a child process.
const childEnv = "ITEM54_CHILD"

func TestMain(m *testing.M) {
	if role, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(role))
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// childWatchdog bounds a child's run; a healthy one takes well under a second.
const childWatchdog = 8 * time.Second

// The child's workload: the book's five goroutines, 100,000 increments in all, plus a reader.
const childWorkers, childHowMany = 5, 20_000

// runChild is the child process's whole life: "count" runs the workload on each counter in turn
// (racy on the broken one), announcing each on stderr and printing its final count on stdout;
// "run" runs the lesson at readmeArgs, with -trace to the file named in traceEnv.
func runChild(role string) int {
	// A child that cannot finish (workers never released, a Close that never returns) says so and
	// exits, so its test fails by assertion in seconds instead of at reexec's 20 s limit.
	time.AfterFunc(childWatchdog, func() {
		fmt.Fprintf(os.Stderr, "child %q: still running after %s: a goroutine is stuck\n", role, childWatchdog)
		os.Exit(4)
	})
	if role == "count" {
		for _, tt := range counters {
			// The detector prints each report as it finds the race, before the counter's workers
			// are done, so the report lands in that counter's section of stderr.
			fmt.Fprintln(os.Stderr, countingWith+tt.name)
			c, done := newCounter(tt.name)
			fmt.Println("count", tt.name, countWhileReading(c))
			done()
		}
		return 0
	}
	if role == "run" { // traced to the file named in traceEnv: -trace prints nothing
		code := run(append(readmeArgs, "-trace", os.Getenv(traceEnv)), os.Stdout, os.Stderr)
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "the lesson left a goroutine running: %v\n", err)
			return 5
		}
		return code
	}
	fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
	return 3
}

// countWhileReading runs the workers on c while one more goroutine keeps calling Count, as a
// program showing progress would, so a Count that skips the lock races with the increments.
// The reader calls Count at least once before it looks at stop, so it always overlaps.
func countWhileReading(c counter) int {
	stop := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			c.Count()
			select {
			case <-stop:
				return
			default:
			}
		}
	})
	runWorkers(childWorkers, childHowMany, c)
	close(stop)
	reader.Wait()
	return c.Count()
}

// newCounter builds a counter by name, with the function that releases it.
func newCounter(name string) (counter, func()) {
	switch name {
	case "Counter":
		return &Counter{}, func() {}
	case "LockingCounter":
		return &LockingCounter{}, func() {}
	case "atomicCounter":
		return &atomicCounter{}, func() {}
	case "ownedCounter":
		c := newOwnedCounter()
		return c, c.Close
	}
	panic("unknown counter " + name)
}

// counters is the one table every proof runs: the broken Counter and the three fixes. In exercise
// mode (go test -tags exercise) the broken row expects what the fixed rows expect.
var counters = []struct {
	name    string
	wantBug bool
}{
	{"Counter", !exercise},
	{"LockingCounter", false},
	{"atomicCounter", false},
	{"ownedCounter", false},
}

// countingWith opens a counter's section of the "count" child's stderr.
const countingWith = "child: counting with "

// countSection returns what the "count" child printed on stderr while it ran counter: its race
// reports, if any.
func countSection(stderr, counter string) string {
	_, section, _ := strings.Cut(stderr, countingWith+counter+"\n")
	section, _, _ = strings.Cut(section, countingWith)
	return section
}

// Under -race the detector reports Counter and none of the fixes, while a reader calls Count
// during the increments. They run in a child process, because a race reported in this process
// would fail the whole test binary: one child runs the four in turn (the same child as
// TestCounters_CountExactly's: sharedChild), and each counter's row reads its own section of the
// child's stderr. The detector works from happens-before, not from luck: two unsynchronized
// accesses are reported however the goroutines happened to be scheduled.
func TestCounters_RaceDetectorFlagsOnlyCounter(t *testing.T) {
	if !raceEnabled {
		t.Skip("run go test -race to see the race detector catch Counter")
	}
	t.Parallel()
	for _, tt := range counters {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sharedChild(t, "count")
			stderr := countSection(r.stderr, tt.name)
			require.Contains(t, r.stdout, "count "+tt.name+" ", "the child did not finish this counter's workload; its stderr:\n%s", firstLines(stderr, 12))
			raced := strings.Contains(stderr, "WARNING: DATA RACE")
			if tt.wantBug {
				require.True(t, raced, "the detector should report Counter; stderr:\n%s", firstLines(stderr, 12))
				assert.Error(t, r.err, "a child whose detector reports a race exits non-zero")
				assert.Contains(t, stderr, "(*Counter).Increment", "the report should name the racing method")
				return
			}
			assert.False(t, raced, "%s still has a data race: %s (every read and write of the count needs the same guard)", tt.name, raceSites(stderr))
			if !strings.Contains(r.stderr, "WARNING: DATA RACE") {
				assert.NoError(t, r.err, "no counter raced, so the child should pass; stderr:\n%s", firstLines(r.stderr, 12))
			}
		})
	}
}

// Every fix counts exactly, with a reader calling Count meanwhile (and under -race when the suite
// runs with it), in the child TestCounters_RaceDetectorFlagsOnlyCounter reads too. Counter's loss
// is not asserted: how many updates it loses depends on how the goroutines happen to overlap, and
// can be none; TestCounters_RaceDetectorFlagsOnlyCounter is its proof.
func TestCounters_CountExactly(t *testing.T) {
	t.Parallel()
	for _, tt := range counters {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sharedChild(t, "count")
			m := regexp.MustCompile(`(?m)^count ` + tt.name + ` (\d+)$`).FindStringSubmatch(r.stdout)
			require.NotNil(t, m, "the child did not print this counter's count; its stderr:\n%s", firstLines(countSection(r.stderr, tt.name), 12))
			got, _ := strconv.Atoi(m[1])
			want := childWorkers * childHowMany
			if tt.wantBug {
				t.Logf("Counter (broken) got %d of %d this time; the loss varies from run to run", got, want)
				return
			}
			assert.Equal(t, want, got, "%s lost %d of %d updates", tt.name, want-got, want)
		})
	}
}

// raceSites sums up the race reports in one line: for each report, its two accesses and the file
// lines they happened at, e.g. "read at broken.go:19, previous write at broken.go:20".
func raceSites(stderr string) string {
	access := regexp.MustCompile(`(?m)^((?:Previous )?(?:read|write|Read|Write)) at .*$`)
	where := regexp.MustCompile(`[^/\s]+\.go:\d+`)
	var reports []string
	for _, report := range strings.Split(stderr, "WARNING: DATA RACE")[1:] {
		var sites []string
		for _, loc := range access.FindAllStringSubmatchIndex(report, 2) {
			sites = append(sites, strings.ToLower(report[loc[2]:loc[3]])+" at "+where.FindString(report[loc[1]:]))
		}
		if r := strings.Join(sites, ", "); !slices.Contains(reports, r) {
			reports = append(reports, r)
		}
	}
	if len(reports) == 0 {
		return "no race report"
	}
	return strings.Join(reports, "; ")
}

// firstLines returns at most n lines of text, enough of a child's stderr to see what went wrong.
func firstLines(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

// LockingCounter's lock really spans the read and the write: this test plays goroutine A of the
// book's example 6 itself, holding the lock between its read and its write, while goroutine B
// calls Increment. B must block on the lock (seen in its stack, not guessed from a sleep), and
// after A writes and unlocks, B must read A's write: two increments, count 2.
func TestLockingCounter_IncrementWaitsForTheLock(t *testing.T) {
	c := &LockingCounter{}
	c.mu.Lock() // goroutine A: lock, then read
	valueA := c.count
	bDone := make(chan struct{})
	go func() { // goroutine B
		defer close(bDone)
		c.Increment(1)
	}()
	bFinished := !waitBlockedOnLock(t, bDone, "(*LockingCounter).Increment")
	c.count = valueA + 1 // goroutine A: write, then unlock
	c.mu.TryLock()       // takes the lock back only if an Increment without Lock unlocked A's lock
	c.mu.Unlock()
	select {
	case <-bDone:
	case <-time.After(10 * time.Second):
		t.Fatal("B's Increment did not finish within 10 s of A unlocking")
	}
	require.False(t, bFinished, "B's Increment finished while A held the lock between its read and write: Increment does not take c.mu")
	require.True(t, c.mu.TryLock(), "Increment returned with c.mu still locked: it never unlocks")
	c.mu.Unlock()
	assert.Equal(t, 2, c.count, "two increments; 1 means B read the count before it took the lock")
}

// waitBlockedOnLock waits until a goroutine running fn is blocked in sync.Mutex.Lock (true) or
// done is closed (false), failing the test if neither happens within 10 s.
func waitBlockedOnLock(t *testing.T, done <-chan struct{}, fn string) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "[sync.Mutex.Lock") && strings.Contains(g, fn) {
				return true
			}
		}
		runtime.Gosched()
	}
	t.Fatalf("after 10 s, %s neither finished nor blocked on the mutex", fn)
	return false
}

// ownedCounter's goroutine runs until Close: forgetting Close leaks it, and goleak says so.
// It runs in a synctest bubble so that goleak's retries (it looks again for about 0.4 s before it
// reports a leak) sleep on the fake clock and cost no real time.
func TestOwnedCounter_LeaksUntilClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		outside := goleak.IgnoreCurrent() // this goroutine and synctest's: not the counter's
		c := newOwnedCounter()
		c.Increment(1)
		err := goleak.Find(outside)
		require.Error(t, err, "the owner goroutine should still be running before Close")
		assert.Contains(t, err.Error(), "(*ownedCounter).own")

		assertClosed(t, c, closing(c), "Close did not return: the owner never ended (ops not closed?) or never closed done")
		assert.NoError(t, goleak.Find(outside), "Close should end the owner goroutine")
	})
}

// Close returns only once the owner goroutine has ended. The test keeps the owner busy (a Count
// request nobody collects the answer to), calls Close, and checks Close is still waiting; then it
// lets the owner go and checks Close returns.
func TestOwnedCounter_CloseWaitsForOwner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newOwnedCounter()
		reply := make(chan int)
		c.ops <- ownedOp{reply: reply} // the owner blocks until someone takes its answer
		closed := closing(c)
		synctest.Wait()
		select {
		case <-closed:
			t.Error("Close returned while the owner goroutine was still running: it must wait for own to end")
		default:
		}
		select {
		case <-reply: // the owner goes on, finds ops closed and ends
		default:
			t.Error("the owner never answered the Count request sent before Close")
		}
		assertClosed(t, c, closed, "Close is still blocked after the owner goroutine ended: own never closes done")
	})
}

// closing calls c.Close on a goroutine of its own and returns a channel closed when Close returns.
func closing(c *ownedCounter) <-chan struct{} {
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		c.Close()
	}()
	return closed
}

// assertClosed checks, inside a synctest bubble, that Close has returned once everything else in
// the bubble is blocked; if not, it fails with msg instead of hanging, and releases the Close.
func assertClosed(t *testing.T, c *ownedCounter, closed <-chan struct{}, msg string) {
	t.Helper()
	synctest.Wait()
	select {
	case <-closed:
	default:
		t.Error(msg)
		release(c, closed)
	}
}

// release ends a Close that a broken ownedCounter left blocked, so the bubble can finish and the
// test fails by its assertion rather than by synctest's deadlock panic.
func release(c *ownedCounter, closed <-chan struct{}) {
	func() {
		defer func() { _ = recover() }() // ops may already be closed
		close(c.ops)
	}()
	synctest.Wait()
	select {
	case <-closed:
	default:
		close(c.done) // the owner ended without closing done
		<-closed
	}
}

// TestRun_RejectsBadFlags: -h exits 0; each bound's low and high (-n's high falls as -workers
// grows: workers × n is at most 20,000,000), an unparsable value, an unknown flag, a stray argument
// or a -trace file that cannot be created exits 2. None of them starts the lesson (-workers
// 99999999 would start a hundred million goroutines).
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item54"},
		{[]string{"-workers", "0"}, 2, "item54: -workers must be between 1 and 1000 (got 0)"},
		{[]string{"-workers", "99999999"}, 2, "item54: -workers must be between 1 and 1000 (got 99999999)"},
		{[]string{"-n", "-5"}, 2, "item54: -n must be between 1 and 4000000 (got -5)"},
		{[]string{"-n", "4000001"}, 2, "item54: -n must be between 1 and 4000000 (got 4000001)"},
		{[]string{"-workers", "100", "-n", "1000000"}, 2, "item54: -n must be between 1 and 200000 (got 1000000): workers × n is at most 20,000,000"},
		{[]string{"-n", "lots"}, 2, `invalid value "lots" for flag -n`},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item54: unexpected argument "extra"`},
		{[]string{"-trace", filepath.Join("no such dir", "trace.out")}, 2, "item54: -trace: open "},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-workers 0", "-workers 100 -n 1000000", "extra", "-trace /no/such/dir/trace.out")
}

// traceEnv names the trace file for the "run" child.
const traceEnv = "ITEM54_TRACE"

// children holds the child processes two tests share, by role: TestCounters_RaceDetectorFlagsOnlyCounter
// and TestCounters_CountExactly read the same "count" child, TestRun_WritesTrace and
// TestRun_MatchesREADME the same "run" child (with -trace into a temporary file).
var children sync.Map // role → *childRun

// childRun is one run of a shared child. Each run serves each test once, so with -count=N every
// round of the tests runs it anew.
type childRun struct {
	mu             sync.Mutex
	servedTo       map[string]bool // tests that already had this run
	stdout, stderr string
	trace          []byte // what the "run" child wrote to its trace file
	err            error
}

// sharedChild returns the shared run of role's child process, running it (reexec) when this test
// already had the last one.
func sharedChild(t *testing.T, role string) *childRun {
	t.Helper()
	c, _ := children.LoadOrStore(role, new(childRun))
	r := c.(*childRun)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.servedTo == nil || r.servedTo[t.Name()] {
		path := filepath.Join(t.TempDir(), "trace.out")
		r.stdout, r.stderr, r.err = reexec(t, role, traceEnv+"="+path)
		r.trace, _ = os.ReadFile(path)
		r.servedTo = map[string]bool{}
	}
	r.servedTo[t.Name()] = true
	return r
}

// -trace writes a Go execution trace of the run, one that go tool trace can open (a file that
// cannot be created: TestRun_RejectsBadFlags). The lesson runs racy code, so the traced run is a
// child process: TestRun_MatchesREADME's, the README's command with -trace.
func TestRun_WritesTrace(t *testing.T) {
	t.Parallel()
	r := sharedChild(t, "run")
	if !raceEnabled {
		require.NoError(t, r.err, "stderr:\n%s", firstLines(r.stderr, 12))
	}
	trace := r.trace
	require.NotEmpty(t, trace, "the traced run wrote no file; stderr:\n%s", firstLines(r.stderr, 12))
	assert.Regexp(t, `^go 1\.\d+ trace`, string(trace[:min(len(trace), 16)]), "not a Go execution trace")
	// A stopped trace of this run holds hundreds of kilobytes of events (about 360 KB here; a run
	// at -n 1000, about 10 KB); one that was never stopped holds little more than its header
	// (69 bytes here), and go tool trace cannot read it.
	assert.Greater(t, len(trace), 1024, "the trace was not stopped and flushed before run returned")
}

// readmeArgs are the flags of the run shown in README.md: the book's printed size, small enough
// for a child process under -race.
var readmeArgs = []string{"-n", "100000"}

// The lesson prints what README.md shows. It runs racy code, so it runs in a child process and only
// stdout is compared (under -race the detector reports on stderr and the child exits 66). The child
// also writes the trace TestRun_WritesTrace checks (-trace prints nothing on stdout).
func TestRun_MatchesREADME(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	t.Parallel()
	r := sharedChild(t, "run")
	assert.NotContains(t, r.stderr, "the lesson left a goroutine running")
	if !raceEnabled {
		require.NoError(t, r.err, "stderr:\n%s", r.stderr)
	}
	assertMatchesREADME(t, "go run ./item54 "+strings.Join(readmeArgs, " "), r.stdout,
		mask{regexp.MustCompile(`\d+(\.\d+)?(ns|µs|ms|s)\b`), "<time>"},
		mask{regexp.MustCompile(`got \d+  \(\d+ updates lost`), "got <N>  (<N> updates lost"})
}

// BenchmarkCounters compares the three fixes, on one goroutine and under contention.
func BenchmarkCounters(b *testing.B) {
	for _, name := range []string{"LockingCounter", "atomicCounter", "ownedCounter"} {
		b.Run(name+"/sequential", func(b *testing.B) {
			c, done := newCounter(name)
			defer done()
			for b.Loop() {
				c.Increment(1)
			}
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			c, done := newCounter(name)
			defer done()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c.Increment(1)
				}
			})
		})
	}
}
