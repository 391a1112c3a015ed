package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
// decided by the I/O's latency alone, never by how busy the machine is. The limit table (10,000
// goroutines at once, far slower in a bubble under -race) is that of the README's command run for
// real, in process, with -trace added; the same run shows that -trace writes Go's execution trace,
// a file go tool trace reads, which starts with the format's header, "go 1.NN trace".
func TestRun_MatchesREADME(t *testing.T) {
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	var out bytes.Buffer
	poolBubble(t, func(t *testing.T) { require.NoError(t, lesson(t.Context(), &out, readmeLatency, 10)) })
	if t.Failed() {
		return
	}
	trace := filepath.Join(t.TempDir(), "trace.out")
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"-latency", readmeLatency.String(), "-trace", trace}, &stdout, &stderr) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(realRunLimit):
		t.Fatalf("go run ./item59 -latency %v had not returned after %v (it takes about a second): is a pool stuck? A limit of 0 blocks every Go", readmeLatency, realRunLimit)
	}
	require.Equal(t, 0, code, "stderr:\n%s", stderr.String())
	_, limits, found := strings.Cut(stdout.String(), "\n"+limitHeader)
	require.True(t, found, "the real run printed no limit table; stdout:\n%s", stdout.String())
	out.WriteString(limitHeader + limits)
	assertMatchesREADME(t, "go run ./item59 -latency 2ms", out.String(), readmeMasks...)

	data, err := os.ReadFile(trace)
	require.NoError(t, err, "-trace wrote no file")
	assert.Regexp(t, `^go 1\.\d+ trace`, string(data[:min(len(data), 16)]), "-trace should write a Go execution trace")
}

// realRunLimit bounds TestRun_MatchesREADME's real run, so a pool that never returns fails the
// test instead of hanging it until the package's timeout.
const realRunLimit = 20 * time.Second

// readmeLatency is the README sample's -latency.
const readmeLatency = 2 * time.Millisecond

// limitHeader begins the limit table's part of the lesson.
const limitHeader = "== The limit in numbers:"

// TestRun_RejectsBadFlags: -h explains the lesson and exits 0; a value the flag package cannot
// parse or an unknown flag exits 2 after its usual message (and, for a duration without a unit, a
// hint); a value that parses but makes no sense gets one line naming the flag, its bounds and why,
// and exits 2. None starts the lesson.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		// The usage: the command line, the lesson in one sentence, then the flags.
		{[]string{"-h"}, 0, "Usage: go run ./item59 [flags]\nItem 59: errgroup with SetLimit is Go's ThreadPoolExecutor: bounded, error-returning, and capped at limit cells of I/O at a time.\n  -latency duration\n"},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s"},
		{[]string{"-workers", "5"}, 2, "flag provided but not defined: -workers\nUsage: go run ./item59 [flags]\n"},
		{[]string{"extra"}, 2, "item59: unexpected argument \"extra\"\n"},
		{[]string{"-latency", "0s"}, 2, "item59: -latency must be between 1ms and 100ms (got 0s): the glider at -limit 1 then takes at most 22.5s\n"},
		{[]string{"-latency", "1h"}, 2, "item59: -latency must be between 1ms and 100ms (got 1h0m0s): the glider at -limit 1 then takes at most 22.5s\n"},
		{[]string{"-limit", "0"}, 2, "item59: -limit must be between 1 and 10000 (got 0): the largest grid here has 10,000 cells\n"},
		{[]string{"-limit", "99999999999"}, 2, "item59: -limit must be between 1 and 10000 (got 99999999999): the largest grid here has 10,000 cells\n"},
		{[]string{"-trace", "/no/such/dir/trace.out"}, 2, "item59: -trace: open /no/such/dir/trace.out: no such file or directory\n"},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-limit 0", "-latency 1h", "-trace /no/such/dir/trace.out", "extra")
}
