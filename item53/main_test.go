package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/trace"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// childEnv names the role a re-executed test binary plays (reexec_test.go).
const childEnv = "ITEM53_CHILD"

// childRoles are the workloads a child process can run, by role; a role prints its findings on
// stdout for the parent test to check, and returns the exit status.
var childRoles = map[string]func() int{}

// TestMain runs a child's role when this binary is a child, and otherwise the tests, failing the
// package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		f, ok := childRoles[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
			os.Exit(2)
		}
		os.Exit(f())
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// readmeCommand is the command line of the README's sample run. It uses 20 ms calls instead of
// the book's 100 ms only to keep TestRun_MatchesREADME fast.
const readmeCommand = "go run ./item53 -latency 20ms"

// TestRun_MatchesREADME runs the lesson as the README's sample did and compares the two, with
// what changes from run to run or machine to machine masked: measured figures, the platform, and
// the blocking call's name (select(2) here, time.Sleep where package syscall has no select).
// GOMAXPROCS is 2 for the run because the README's machine has two cores. The run also writes
// an execution trace (-trace, which changes nothing printed), and the test checks the file is
// one: this saves running the whole lesson a second time just for -trace.
func TestRun_MatchesREADME(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	// Parallel with the tests whose children do their work in another process: the lesson sets
	// this process's GOMAXPROCS (withGOMAXPROCS), which no parallel test reads after t.Parallel,
	// and parallel tests start only once every other test is done.
	t.Parallel()
	var out, errOut bytes.Buffer
	var code int
	tracePath := filepath.Join(t.TempDir(), "trace.out")
	withGOMAXPROCS(2, func() {
		finishes(t, "run -latency 20ms (its real blocking calls, slowSystemcall)", func() {
			code = run([]string{"-latency", "20ms", "-trace", tracePath}, &out, &errOut)
		})
	})
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	assert.Empty(t, errOut.String())
	assert.False(t, trace.IsEnabled(), "run returned with the execution tracer still running: -trace was never stopped")
	traced, err := os.ReadFile(tracePath)
	require.NoError(t, err)
	header, _, _ := strings.Cut(string(traced[:min(len(traced), 32)]), "\x00")
	assert.Regexp(t, `^go 1\.\d+ trace`, header, "-trace wrote a file that does not start like a Go execution trace")

	assertMatchesREADME(t, readmeCommand, out.String(),
		mask{regexp.MustCompile(`machine: \S+, \d+ CPUs`), "machine: <platform>, <n> CPUs"},
		mask{regexp.MustCompile(`select\(2\) with a timeout|time\.Sleep \([^)]*\)`), "<call>"},
		mask{regexp.MustCompile(`┤.*`), "┤<bars>"}, // the fake-clock proofs check the chart's shape exactly
		mask{regexp.MustCompile(`└─*`), "└<axis>"},
		mask{regexp.MustCompile(`(calls in flight per \S+): .*`), "$1: <shape>"},
		mask{regexp.MustCompile(`\d+\.\d+`), "<x>"},
		mask{regexp.MustCompile(` +`), " "}) // a masked figure changes its column's width
}

// TestRun_RejectsBadFlags: -h explains the lesson and exits 0; a value the flag package cannot parse
// (and, for a duration without a unit, the hint), a value out of bounds (one line naming the flag,
// its bounds and why), an unknown flag, a stray argument or a -trace file that cannot be created
// exits 2. None of them starts the lesson.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item53 [flags]\nItem 53: goroutines overlap blocking system calls even at GOMAXPROCS=1"},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s"},
		{[]string{"-latency", "0s"}, 2, "item53: -latency must be between 1ms and 1s (got 0s): the broken row takes calls × latency, and the lesson must end within 30 s"},
		{[]string{"-latency", "1h"}, 2, "item53: -latency must be between 1ms and 1s (got 1h0m0s)"},
		{[]string{"-calls", "0"}, 2, "item53: -calls must be between 1 and 20 (got 0): each call blocked at once holds an OS thread, and the broken row takes calls × latency"},
		{[]string{"-calls", "99999999"}, 2, "item53: -calls must be between 1 and 20 (got 99999999)"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"now"}, 2, `item53: unexpected argument "now"`},
		{[]string{"-trace", filepath.Join("no such dir", "trace.out")}, 2, "item53: -trace: "},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-latency 0s", "-calls 0", "now")
}
