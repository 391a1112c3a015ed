package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeMasks hide what varies between runs: wall times, and the blanks that align them in a table.
var readmeMasks = []mask{
	// A chart from a real run can differ by a column at its edges; the fake-clock tests
	// (TestPools_DrawWavesOfTheLimit) prove its shape exactly.
	{regexp.MustCompile(`(?m)^ *\d* ┤.*$`), "<chart bars>"},
	{regexp.MustCompile(`(?m)^ *└─*$`), "<chart axis>"},
	{regexp.MustCompile(`(?m)(calls in flight per \S+:) .*$`), "$1 <counts>"},
	{regexp.MustCompile(`(?:\d+(?:\.\d+)?(?:ns|µs|ms|h|m|s))+`), "<duration>"},
	{regexp.MustCompile(`[ \t]+`), " "},
}

// The README shows a real run; the lesson's output must still match it, durations aside. The book's
// examples and the hand-made pool run on synctest's fake clock, so which cell finishes last is
// decided by the I/O's latency alone, never by how busy the machine is; the limit table (10,000
// goroutines at once, slow in a bubble under -race) runs in real time, where only durations vary.
func TestRun_MatchesREADME(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	const latency = 2 * time.Millisecond
	var out bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		require.NoError(t, lesson(t.Context(), &out, latency, 10))
	})
	require.NoError(t, limitTable(t.Context(), &out, latency, 10))
	assertMatchesREADME(t, "go run ./item59 -latency 2ms", out.String(), readmeMasks...)
}

// -h explains the lesson and exits 0; a value the flag package cannot parse exits 2 after its usual
// message (and, for a duration without a unit, a hint); a value that parses but makes no sense gets
// one line naming the flag, its bounds and why, and exits 2.
func TestRun_ValidatesFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantErr  string // the whole of stderr, or a part of it when usage
		usage    bool
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item59 [flags]\nItem 59: errgroup with SetLimit is Go's ThreadPoolExecutor", true},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`, true},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s", true},
		{[]string{"extra"}, 2, "item59: unexpected argument \"extra\"\n", false},
		{[]string{"-latency", "0s"}, 2, "item59: -latency must be between 1ms and 100ms (got 0s): the glider at -limit 1 then takes at most 22.5s\n", false},
		{[]string{"-latency", "1h"}, 2, "item59: -latency must be between 1ms and 100ms (got 1h0m0s): the glider at -limit 1 then takes at most 22.5s\n", false},
		{[]string{"-limit", "0"}, 2, "item59: -limit must be between 1 and 10000 (got 0): the largest grid here has 10,000 cells\n", false},
		{[]string{"-trace", "/no/such/dir/trace.out"}, 2, "item59: -trace: open /no/such/dir/trace.out: no such file or directory\n", false},
		{[]string{"-limit", "99999999999"}, 2, "item59: -limit must be between 1 and 10000 (got 99999999999): the largest grid here has 10,000 cells\n", false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tc.wantCode, run(tc.args, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			if tc.usage {
				assert.Contains(t, stderr.String(), tc.wantErr)
				assert.Contains(t, stderr.String(), "Usage: go run ./item59 [flags]\nItem 59: ", "usage: command line first, then the lesson")
				assert.Contains(t, stderr.String(), "-limit int")
			} else {
				assert.Equal(t, tc.wantErr, stderr.String())
			}
		})
	}
}

// -trace writes Go's execution trace of the run, a file go tool trace reads: it starts with the
// trace format's header, "go 1.NN trace".
func TestRun_WritesTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.out")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-latency", "1ms", "-trace", path}, &stdout, &stderr), stderr.String())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Regexp(t, `^go 1\.\d+ trace`, string(data[:min(len(data), 16)]))
}
