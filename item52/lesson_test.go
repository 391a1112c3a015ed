package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun_RejectsBadFlags: -h prints the usage and exits 0; a value the flag package cannot parse
// (and, for a duration without a unit, the hint), a value out of bounds, an unknown flag, a stray
// argument or a -trace file that cannot be created exits 2. None of them starts the lesson.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item52 [flags]"},
		{[]string{"-sleep", "soon"}, 2, `invalid value "soon" for flag -sleep: parse error`},
		{[]string{"-sleep", "10"}, 2, `invalid value "10" for flag -sleep: parse error`},
		{[]string{"-sleep", "10"}, 2, "hint: a duration needs a unit"},
		{[]string{"-sleep", "0s"}, 2, "item52: -sleep must be between 1ms and 2s (got 0s): the broken listings 3–4 sleep one child after another"},
		{[]string{"-sleep", "1h"}, 2, "item52: -sleep must be between 1ms and 2s (got 1h0m0s): the broken listings 3–4 sleep one child after another"},
		{[]string{"-children", "0"}, 2, "item52: -children must be between 1 and 100 (got 0): each child is a process of its own"},
		{[]string{"-children", "101"}, 2, "item52: -children must be between 1 and 100 (got 101): each child is a process of its own"},
		{[]string{"-children", "100", "-sleep", "1s"}, 2, "item52: -children × -sleep must be between 0s and 20s (got 1m40s): the broken listings 3–4 take that long"},
		{[]string{"-size", "0"}, 2, "item52: -size must be between 1 and 67108864 (got 0): the input is held in memory"},
		{[]string{"-size", "100000000000000"}, 2, "item52: -size must be between 1 and 67108864 (got 100000000000000): the input is held in memory"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"now"}, 2, `item52: unexpected argument "now"`},
		{[]string{"-trace", "/no/such/dir/trace.out"}, 2, "item52: -trace: open /no/such/dir/trace.out: no such file or directory"},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-children 0", "now", "-trace /no/such/dir/trace.out")
}

// readmeCommand is the command of the README's sample run: two 10 ms sleepers keep the test
// quick (every child is a process to start, and the sleeps of listings 2–4 run one after another)
// while every section still prints.
const readmeCommand = "go run ./item52 -sleep 10ms -children 2"

// readmeMasks hide what changes from run to run: timings, random bytes, how far the stuck write
// got, the broken pipelines' rows, and how many times Working... was printed.
var readmeMasks = []mask{
	{regexp.MustCompile(`Finished in \d+\.\d+ s`), "Finished in N.NNN s"},
	{regexp.MustCompile(`\b[0-9a-f]{20}\b`), "<10 random bytes>"},
	{regexp.MustCompile(`wrote \d+ of`), "wrote N of"},
	{regexp.MustCompile(`(?m)^\d +-?\d+ +-9\n`), ""}, // the broken pipelines' rows: on a busy machine the watchdog may fire before all have started
	{regexp.MustCompile(`(?m)^(Working\.\.\.\n)+`), "Working...\n"},
	{regexp.MustCompile(`(?m)^( *\d* ┤).*$`), "$1<bars>"},                         // the charts' bars: real time,
	{regexp.MustCompile(`(?m)^( *└)─+$`), "$1<axis>"},                             // their length,
	{regexp.MustCompile(`(calls in flight per) \S+: .*`), "$1 <slice>: <counts>"}, // and their counts vary (a column's time too, past 60 columns)
}

// TestRun_MatchesREADME runs the lesson with the README sample's flags, the tests' child binary
// (childExe) being every child, and compares the output with the sample, masks applied to both.
// The same run also takes -trace (which changes nothing on stdout), so the one costly run of the
// whole lesson also checks that -trace writes a Go execution trace.
func TestRun_MatchesREADME(t *testing.T) {
	t.Parallel()
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	trace := filepath.Join(t.TempDir(), "trace.out")
	var stdout, stderr bytes.Buffer
	code := run(append(strings.Fields(readmeCommand)[3:], "-trace", trace), &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	assertMatchesREADME(t, readmeCommand, stdout.String(), readmeMasks...)
	written, err := os.ReadFile(trace)
	require.NoError(t, err)
	header, _, _ := bytes.Cut(written, []byte("\n"))
	assert.Regexp(t, `^go 1\.\d+ trace`, string(header), "-trace should write a Go execution trace")
}
