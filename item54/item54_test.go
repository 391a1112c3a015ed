package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
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
	goleak.VerifyTestMain(m)
}

// runChild is the child process's whole life: "race:<variant>" runs a small workload on that
// counter (racy if it is broken); "run" runs the lesson at the book's printed size.
func runChild(role string) int {
	if name, ok := strings.CutPrefix(role, "race:"); ok {
		c, done := newCounter(name)
		defer done()
		runWorkers(2, 1000, c)
		fmt.Println("count", c.Count())
		return 0
	}
	if role == "run" {
		return run(readmeArgs, os.Stdout, os.Stderr)
	}
	fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
	return 3
}

// newCounter builds a counter by name, with the function that releases it.
func newCounter(name string) (counter, func()) {
	switch name {
	case "Counter":
		return &Counter{}, func() {}
	case "LockingCounter":
		return &LockingCounter{}, func() {}
	case "AtomicCounter":
		return &AtomicCounter{}, func() {}
	case "OwnedCounter":
		c := NewOwnedCounter()
		return c, c.Close
	}
	panic("unknown counter " + name)
}

// child re-executes this test binary in the given role and returns its stdout, stderr and error.
func child(t *testing.T, role string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, "GORACE=atexit_sleep_ms=0")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// The forced interleaving of listings 5–6: A reads, is paused, B increments, A writes. Without a
// lock B slips in and its update is lost (two increments → 1); with the lock B must wait (→ 2).
func TestIncrement_PausedReaderLosesUpdateOnlyWithoutLock(t *testing.T) {
	tests := []struct {
		name    string
		c       counter
		pause   func(c counter, p func())
		wantBug bool
		wait    time.Duration // how long B may take while A is paused
	}{
		// Without a lock B finishes at once; the long wait only bounds a Counter someone locked.
		{"Counter", &Counter{}, func(c counter, p func()) { c.(*Counter).pause = p }, true, 10 * time.Second},
		// With the lock B cannot finish while A is paused; if it does within this wait, the lock
		// is gone. Either way the count must be 2.
		{"LockingCounter", &LockingCounter{}, func(c counter, p func()) { c.(*LockingCounter).pause = p }, false, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := forceInterleaving(tt.c, func(p func()) { tt.pause(tt.c, p) }, tt.wait)
			if tt.wantBug {
				require.True(t, seen.bInBetween, "B could not finish while A was paused: is %s locked now?", tt.name)
				assert.Equal(t, 1, seen.afterB, "B's increment")
				assert.Equal(t, 1, seen.final, "two increments with one lost")
			} else {
				assert.False(t, seen.bInBetween, "B finished while A was between its read and write: no mutual exclusion")
				assert.Equal(t, 2, seen.final, "two increments")
			}
		})
	}
}

// Under -race the detector reports Counter and none of the fixes. Each runs in a child process,
// because a race reported in this process would fail the whole test binary.
func TestCounters_RaceDetectorFlagsOnlyCounter(t *testing.T) {
	if !raceEnabled {
		t.Skip("run go test -race to see the race detector catch Counter")
	}
	t.Parallel()
	for _, tt := range []struct {
		name     string
		wantRace bool
	}{
		{"Counter", true},
		{"LockingCounter", false},
		{"AtomicCounter", false},
		{"OwnedCounter", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := child(t, "race:"+tt.name)
			require.Contains(t, stdout, "count ", "the child did not run its workload; stderr:\n%s", stderr)
			if tt.wantRace {
				require.Error(t, err, "the child should fail when the detector reports a race")
				assert.Contains(t, stderr, "WARNING: DATA RACE")
				assert.Contains(t, stderr, "(*Counter).Increment", "the report should name the racing method")
			} else {
				assert.NoError(t, err, "the child should pass")
				assert.False(t, strings.Contains(stderr, "WARNING: DATA RACE"),
					"the detector reported a race in %s:\n%s", tt.name, firstLines(stderr, 12))
			}
		})
	}
}

// firstLines returns at most n lines of text, enough of a race report to see where it is.
func firstLines(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

// Every fix counts exactly at the lesson's full size, under -race when the suite runs with it.
//
// The slow tests run in parallel to keep the suite fast. That cannot confuse the goleak proof:
// parallel tests wait until every sequential test (TestOwnedCounter_LeaksUntilClosed among them)
// has finished.
func TestFixedCounters_CountExactly(t *testing.T) {
	t.Parallel()
	const workers, howMany = 5, 1_000_000
	for _, name := range []string{"LockingCounter", "AtomicCounter", "OwnedCounter"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, done := newCounter(name)
			defer done()
			runWorkers(workers, howMany, c)
			assert.Equal(t, workers*howMany, c.Count())
		})
	}
}

// OwnedCounter's owner goroutine runs until Close: forgetting Close leaks it, and goleak says so.
//
// It runs in a synctest bubble so that goleak's retries (it looks again for about 0.4 s before it
// reports a leak) sleep on the fake clock and cost no real time.
func TestOwnedCounter_LeaksUntilClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		outside := goleak.IgnoreCurrent() // this goroutine and synctest's: not the counter's
		c := NewOwnedCounter()
		c.Increment(1)
		err := goleak.Find(outside)
		require.Error(t, err, "the owner goroutine should still be running before Close")
		assert.Contains(t, err.Error(), "(*OwnedCounter).own")

		c.Close()
		assert.NoError(t, goleak.Find(outside), "Close should end the owner goroutine")
	})
}

func ExampleLockingCounter() {
	c := &LockingCounter{}
	runWorkers(5, 100_000, c)
	fmt.Printf("Counter should be %d, got %d\n", 5*100_000, c.Count())
	// Output: Counter should be 500000, got 500000
}

func TestRun_RejectsBadFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item54"},
		{[]string{"-workers", "0"}, 2, "item54: -workers must be positive (got 0)\n"},
		{[]string{"-n", "-5"}, 2, "item54: -n must be positive (got -5)\n"},
		{[]string{"-n", "lots"}, 2, `invalid value "lots" for flag -n`},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `item54: unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.wantCode, run(tt.args, &out, &errOut))
			assert.Empty(t, out.String(), "nothing on stdout")
			assert.Contains(t, errOut.String(), tt.wantErr)
			assert.NotContains(t, errOut.String(), "panic")
		})
	}
}

// readmeArgs are the flags of the run shown in README.md: the book's printed size, small enough
// for a child process under -race.
var readmeArgs = []string{"-n", "100000"}

// varying masks what differs between runs: durations, and the broken counter's result.
var varying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d+(\.\d+)?(ns|µs|ms|s)\b`), "<time>"},
	{regexp.MustCompile(`got \d+  \(\d+ updates lost`), "got <N>  (<N> updates lost"},
}

func mask(text string) []string {
	for _, v := range varying {
		text = v.re.ReplaceAllString(text, v.with)
	}
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}

// readmeSample returns the output block that follows the "$ go run ./item54 ..." line in README.md.
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

// The lesson prints what README.md shows. It runs racy code, so it runs in a child process and only
// stdout is compared (under -race the detector reports on stderr and the child exits 66).
func TestRun_MatchesREADME(t *testing.T) {
	t.Parallel()
	stdout, stderr, err := child(t, "run")
	if !raceEnabled {
		require.NoError(t, err, "stderr:\n%s", stderr)
	}
	want := readmeSample(t, "go run ./item54 "+strings.Join(readmeArgs, " "))
	assert.Equal(t, mask(want), mask(stdout))
}

// BenchmarkCounters compares the three fixes, on one goroutine and under contention.
func BenchmarkCounters(b *testing.B) {
	for _, name := range []string{"LockingCounter", "AtomicCounter", "OwnedCounter"} {
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
