package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeMasks hide what a real run decides: durations, memory figures (TestScale_MemoryPerGoroutine
// proves what they measure), the blanks that align a table, and the chart's bars, length and counts.
// A real run blurs the chart's one column of 45 at its edges (the sample's "44, 7");
// TestGathers_DrawOneColumnOf45 proves its shape exactly, on the fake clock. The chart's rows and
// its scale (45 at the top) are compared as they are.
var readmeMasks = []mask{
	{regexp.MustCompile(`┤[ ▁▂▃▄▅▆▇█]*`), "┤<bars>"},
	{regexp.MustCompile(`└─+`), "└<axis>"},
	{regexp.MustCompile(`(calls in flight per \S+:) .*`), "$1 <counts>"},
	{regexp.MustCompile(`(?:\d+(?:\.\d+)?(?:ns|µs|ms|h|m|s))+`), "<duration>"},
	{regexp.MustCompile(`\d+(?:\.\d+)? (?:KiB|B)\b`), "<size>"},
	{regexp.MustCompile(`[ \t]+`), " "},
}

// The README shows a real run; the program's output must still match it, durations and memory
// figures aside. The lesson runs in a child process, as go run would: its broken gather leaks
// goroutines that only the end of the process frees. The child also takes -trace, which prints
// nothing, so this one run of the whole lesson checks that -trace writes Go's execution trace too:
// a file go tool trace reads starts with the format's header, "go 1.NN trace".
func TestRun_MatchesREADME(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	t.Parallel() // a child process: it can run while the others do
	trace := filepath.Join(t.TempDir(), "trace.out")
	stdout, stderr, err := reexec(t, "lesson", traceEnv+"="+trace)
	require.NoError(t, err, "the lesson failed; its stderr:\n%s", stderr)
	assert.Empty(t, stderr)
	assertMatchesREADME(t, "go run ./item60 "+strings.Join(readmeArgs, " "), stdout, readmeMasks...)
	data, err := os.ReadFile(trace)
	require.NoError(t, err, "-trace wrote no file")
	assert.Regexp(t, `^go 1\.\d+ trace`, string(data[:min(len(data), 16)]), "-trace should write a Go execution trace")
}

// TestRun_RejectsBadFlags: -h prints the usage and exits 0. A value out of bounds or a stray argument
// gets one line naming the problem (for a bound, the range and why), a file -trace cannot create
// gets the file's error, and a value the flag package cannot parse or an unknown flag gets its
// message and the usage (for a duration without a unit, a hint too); each exits 2. None starts the
// lesson.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item60 [flags]\nItem 60: a goroutine per cell is Go's coroutine design; errgroup.WithContext gathers them and cancels on the first error.\n  -cells int\n"},
		{[]string{"-latency", "0s"}, 2, "item60: -latency must be between 1ms and 1s (got 0s): the lesson waits 18 latencies in all\n"},
		{[]string{"-latency", "1h"}, 2, "item60: -latency must be between 1ms and 1s (got 1h0m0s): the lesson waits 18 latencies in all\n"},
		{[]string{"-cells", "999"}, 2, "item60: -cells must be between 1000 and 100000 (got 999): fewer are too few to measure; 100,000 goroutines already hold about 500 MB\n"},
		{[]string{"-cells", "1000000"}, 2, "item60: -cells must be between 1000 and 100000 (got 1000000): fewer are too few to measure; 100,000 goroutines already hold about 500 MB\n"},
		{[]string{"extra"}, 2, "item60: unexpected argument \"extra\"\n"},
		{[]string{"-trace", "/no/such/dir/trace.out"}, 2, "item60: -trace: open /no/such/dir/trace.out: no such file or directory\n"},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s"},
		{[]string{"-limit", "10"}, 2, "flag provided but not defined: -limit\nUsage: go run ./item60 [flags]\n"}, // item 59's flag
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-latency 0s", "-cells 1000000", "extra", "-trace /no/such/dir/trace.out")
}
