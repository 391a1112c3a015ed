package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind. In a child process (exercise
// mode, see inBrokenChild) it runs the one test row the parent names instead.
func TestMain(m *testing.M) {
	if pattern := os.Getenv(childEnv); pattern != "" {
		os.Exit(runChild(m, pattern))
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(exit))
}

// lessonMasks hide what varies from run to run: timings and the broken pipeline's poll and
// check counts. Each also eats the padding before its number, so a wider number does not shift
// the table.
var lessonMasks = []mask{
	{regexp.MustCompile(` +\d+\.\d ms`), " <ms>"},
	{regexp.MustCompile(`after polling \d+ times`), "after polling <n> times"},
	{regexp.MustCompile(`done queue \d+ times`), "done queue <n> times"},
	{regexp.MustCompile(`polled \d+ more times`), "polled <n> more times"},
	{regexp.MustCompile(`(?m)^broken \(polling\) +\d+`), "broken (polling) <n>"},
	{regexp.MustCompile(`(?m) +\d+ items$`), " <n> items"},
}

// chartMasks hide the bars of the charts a real run draws with -latency (TestStages_Busy proves
// their shapes exactly on the fake clock): what stays checked is which charts there are, their
// captions, their tops and their order.
var chartMasks = []mask{
	{regexp.MustCompile(`(?m)┤.*$`), "┤<bars>"},
	{regexp.MustCompile(`(?m)└─*$`), "└<axis>"},
	{regexp.MustCompile(`(?m)calls in flight per .*$`), "calls in flight per <slice>: <counts>"},
}

// TestRun_MatchesREADME runs the lesson, as "Run it" and "See it" do, and compares it with the
// README's samples, so the README cannot drift from the program. The two runs wait mostly on the
// real clock (polls, the idle watch), so they run side by side.
func TestRun_MatchesREADME(t *testing.T) {
	requireFixedEnds(t)
	requireDemosEnd(t)
	if exercise {
		t.Skip("exercise mode: your broken.go changes the lesson's output")
	}
	for _, command := range []string{"go run ./item55", tracedCommand} {
		t.Run(command, func(t *testing.T) {
			t.Parallel() // beside the other subtest only: the parent test is not parallel
			var out, errOut string
			if command == tracedCommand {
				r := tracedRun(t)
				assert.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
				out, errOut = r.stdout, r.stderr
			} else {
				var stdout, stderr bytes.Buffer
				assert.Equal(t, 0, run(strings.Fields(command)[3:], &stdout, &stderr), "exit status; stderr: %s", stderr.String())
				out, errOut = stdout.String(), stderr.String()
			}
			assert.Empty(t, errOut, "stderr")
			assertMatchesREADME(t, command, out, append(lessonMasks, chartMasks...)...)

			// The peaks are masked above, as they depend on the schedule; TestPipeline_PeakQueue
			// checks them exactly on the fake clock. Here: the table prints them, within what the
			// run allows.
			rows := tableRow.FindAllStringSubmatch(out, -1)
			require.Len(t, rows, 3, "the comparison table's rows")
			for _, row := range rows {
				peak, _ := strconv.Atoi(row[2])
				if row[1] == "broken (polling)" {
					assert.Greater(t, peak, 10, "broken peak queue: the download queue takes many items at once")
				} else {
					assert.LessOrEqual(t, peak, 10, "%s peak queue: never above the channels' capacity", row[1])
				}
			}
		})
	}
}

// tracedCommand is the README's "See it" sample; its run, with -trace added (which prints
// nothing), serves both TestRun_MatchesREADME and TestRun_Trace.
const tracedCommand = "go run ./item55 -items 30 -latency 1ms"

// lessonRun is one run of the lesson in process: what it printed, the trace it wrote, its status.
type lessonRun struct {
	stdout, stderr string
	trace          []byte
	code           int
}

// shared holds tracedCommand's run, with -trace into a temporary file. Each run serves each test
// once, so with -count=N every round of the tests runs it anew.
var shared struct {
	mu       sync.Mutex
	servedTo map[string]bool // tests that already had this run
	run      lessonRun
}

// tracedRun returns the shared run of tracedCommand with -trace, running it when this test
// already had the last one.
func tracedRun(t *testing.T) lessonRun {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.servedTo == nil || shared.servedTo[t.Name()] {
		path := filepath.Join(t.TempDir(), "trace.out")
		var out, errOut bytes.Buffer
		code := run(append(strings.Fields(tracedCommand)[3:], "-trace", path), &out, &errOut)
		trace, _ := os.ReadFile(path)
		shared.run = lessonRun{out.String(), errOut.String(), trace, code}
		shared.servedTo = map[string]bool{}
	}
	shared.servedTo[t.Name()] = true
	return shared.run
}

// tableRow is a row of the lesson's comparison table: the pipeline and its peak queue.
var tableRow = regexp.MustCompile(`(?m)^(broken \(polling\)|fixed, \S+) .* (\d+) items$`)

// TestRun_RejectsBadFlags checks the command line: -h explains the lesson and exits 0; a value
// the flag package cannot parse exits 2 with its usage (and, for a duration, the hint that it
// needs a unit); a value out of bounds gets a line naming the flag, its bounds and why, exit 2.
func TestRun_RejectsBadFlags(t *testing.T) {
	assertRefused(t, []refusal{
		{[]string{"-h"}, 0, "Usage: go run ./item55 [flags]\nItem 55: a hand-made polling queue burns CPU"},
		{[]string{"-items", "many"}, 2, `invalid value "many" for flag -items`},
		{[]string{"-items", "many"}, 2, "\nUsage: go run ./item55 [flags]\n"},
		{[]string{"-latency", "10"}, 2, `invalid value "10" for flag -latency: parse error`},
		{[]string{"-latency", "10"}, 2, "hint: a duration needs a unit, e.g. 10ms or 1.5s\n"},
		{[]string{"-items", "0"}, 2, "item55: -items must be between 1 and 100000 (got 0): more only make the lesson slower\n"},
		{[]string{"-items", "99999999"}, 2, "item55: -items must be between 1 and 100000 (got 99999999): more only make the lesson slower\n"},
		{[]string{"-buffer", "-1"}, 2, "item55: -buffer must be between 0 and 100000 (got -1): each of the 4 channels allocates its buffer up front\n"},
		{[]string{"-buffer", "99999999999"}, 2, "item55: -buffer must be between 0 and 100000 (got 99999999999): each of the 4 channels allocates its buffer up front\n"},
		{[]string{"-latency", "-1ms"}, 2, "item55: -latency must be between 0s and 100ms (got -1ms): a stage's simulated I/O per item\n"},
		{[]string{"-latency", "1h"}, 2, "item55: -latency must be between 0s and 100ms (got 1h0m0s): a stage's simulated I/O per item\n"},
		{[]string{"-items", "10000", "-latency", "1ms"}, 2, "item55: -items × -latency must be between 0s and 2s (got 10s): the broken and the 1/1/1 pipelines each take about that long\n"},
		{[]string{"-trace", "/nonexistent/trace.out"}, 2, "item55: -trace: open /nonexistent/trace.out: no such file or directory\n"},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"now"}, 2, "item55: unexpected argument \"now\"\n"},
	})
}

// A value out of bounds, a stray argument or a -trace file that cannot be created gets one line:
// what is wrong, not the usage.
func TestRun_BadValueGetsOneLine(t *testing.T) {
	assertOneLine(t, "-buffer -1", "-items 10000 -latency 1ms", "-trace /nonexistent/trace.out", "now")
}

// TestRun_Trace checks -trace: the lesson writes a Go execution trace, which go tool trace opens.
// The run is the README's "See it" command with -trace (tracedRun), shared with
// TestRun_MatchesREADME.
func TestRun_Trace(t *testing.T) {
	requireFixedEnds(t)
	requireDemosEnd(t)
	r := tracedRun(t)
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	require.NotEmpty(t, r.trace, "no trace written; stderr: %s", r.stderr)
	assert.Regexp(t, `^go 1\.\d+ trace`, string(r.trace[:min(len(r.trace), 16)]), "the file's header")
}
