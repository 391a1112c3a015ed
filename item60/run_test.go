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

// readmeMasks hide what varies between runs: wall times, memory figures (TestScale_MemoryPerGoroutine
// checks them), and the blanks that align them in a table.
var readmeMasks = []mask{
	// A chart from a real run can differ by a column at its edges; the fake-clock test
	// (TestGathers_DrawOneColumnOf45) proves its shape exactly.
	{regexp.MustCompile(`(?m)^ *\d* ┤.*$`), "<chart bars>"},
	{regexp.MustCompile(`(?m)^ *└─*$`), "<chart axis>"},
	{regexp.MustCompile(`(?m)(calls in flight per \S+:) .*$`), "$1 <counts>"},
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

// -h explains the lesson and exits 0; a value the flag package cannot parse exits 2 after its usual
// message (and, for a duration without a unit, a hint); a value that parses but makes no sense gets
// one line naming the flag, its bounds and why, and exits 2.
func TestRun_ValidatesFlags(t *testing.T) {
	const (
		latencyRule = "the lesson waits 18 latencies in all\n"
		cellsRule   = "fewer are too few to measure; 100,000 goroutines already hold about 500 MB\n"
	)
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantErr  string // the whole of stderr, or a part of it when usage
		usage    bool
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item60 [flags]\nItem 60: a goroutine per cell is Go's coroutine design", true},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`, true},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s", true},
		{[]string{"extra"}, 2, "item60: unexpected argument \"extra\"\n", false},
		{[]string{"-latency", "0s"}, 2, "item60: -latency must be between 1ms and 1s (got 0s): " + latencyRule, false},
		{[]string{"-latency", "1h"}, 2, "item60: -latency must be between 1ms and 1s (got 1h0m0s): " + latencyRule, false},
		{[]string{"-trace", "/no/such/dir/trace.out"}, 2, "item60: -trace: open /no/such/dir/trace.out: no such file or directory\n", false},
		{[]string{"-cells", "999"}, 2, "item60: -cells must be between 1000 and 100000 (got 999): " + cellsRule, false},
		{[]string{"-cells", "1000000"}, 2, "item60: -cells must be between 1000 and 100000 (got 1000000): " + cellsRule, false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tc.wantCode, run(tc.args, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			if tc.usage {
				assert.Contains(t, stderr.String(), tc.wantErr)
				assert.Contains(t, stderr.String(), "Usage: go run ./item60 [flags]\nItem 60: ", "usage: command line first, then the lesson")
				assert.Contains(t, stderr.String(), "-cells int")
			} else {
				assert.Equal(t, tc.wantErr, stderr.String())
			}
		})
	}
}
