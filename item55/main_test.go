package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// masks hide what varies from run to run: timings, poll and check counts, and the sampled
// peak of a channel. Lines are compared with runs of spaces collapsed, so a wider number does
// not shift a table.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d+\.\d+ ms`), "<ms>"},
	{regexp.MustCompile(`after polling \d+ times`), "after polling <n> times"},
	{regexp.MustCompile(`done queue \d+ times`), "done queue <n> times"},
	{regexp.MustCompile(`polled \d+ more times`), "polled <n> more times"},
	{regexp.MustCompile(`^broken \(polling\) \d+ `), "broken (polling) <n> "},
	{regexp.MustCompile(`^(fixed, \S+ 0 <ms> <ms>) \d+ items$`), "$1 <n> items"},
}

// masked normalises one line of lesson output for comparison.
func masked(line string) string {
	line = strings.Join(strings.Fields(line), " ")
	for _, m := range masks {
		line = m.re.ReplaceAllString(line, m.with)
	}
	return line
}

// readmeRun returns the output lines of the README's "Run it" sample, the block that starts
// with "$ go run ./item55".
func readmeRun(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "```console\n$ go run ./item55\n")
	require.True(t, found, "README.md has no ```console block starting with $ go run ./item55")
	block, _, found := strings.Cut(after, "```")
	require.True(t, found, "the Run it block is not closed")
	return strings.Split(strings.TrimRight(block, "\n"), "\n")
}

// TestRun_MatchesREADME runs the lesson and compares it, line by line, with the README's
// sample run, so the README cannot drift from the program.
func TestRun_MatchesREADME(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(nil, &out, &errOut), "stderr: %s", errOut.String())
	assert.Empty(t, errOut.String())

	want := readmeRun(t)
	got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = masked(want[i])
		}
		if i < len(got) {
			g = masked(got[i])
		}
		assert.Equal(t, w, g, "line %d (README vs run)", i+1)
	}
}

// TestRun_Flags checks the command line: -h explains the lesson and exits 0, a value the flag
// package cannot parse exits 2 with its usage, and a value that parses but makes no sense
// gets one line naming the flag and the rule, exit 2.
func TestRun_Flags(t *testing.T) {
	tests := []struct {
		args       []string
		wantStatus int
		wantStderr string // the whole of stderr when wantLine is true, else a part of it
		wantLine   bool
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item55 [flags]\nItem 55: a hand-made polling queue burns CPU", false},
		{[]string{"-items", "many"}, 2, `invalid value "many" for flag -items`, false},
		{[]string{"-items", "many"}, 2, "\nUsage: go run ./item55 [flags]\n", false},
		{[]string{"-items", "0"}, 2, "item55: -items must be positive (got 0)\n", true},
		{[]string{"-poll", "0s"}, 2, "item55: -poll must be positive (got 0s)\n", true},
		{[]string{"-buffer", "-1"}, 2, "item55: -buffer must be zero or more (got -1)\n", true},
		{[]string{"-download", "0"}, 2, "item55: -download must be positive (got 0)\n", true},
		{[]string{"-resize", "-4"}, 2, "item55: -resize must be positive (got -4)\n", true},
		{[]string{"-upload", "0"}, 2, "item55: -upload must be positive (got 0)\n", true},
		{[]string{"-latency", "-1ms"}, 2, "item55: -latency must be zero or more (got -1ms)\n", true},
		{[]string{"-idle", "-1s"}, 2, "item55: -idle must be zero or more (got -1s)\n", true},
		{[]string{"now"}, 2, "item55: unexpected argument \"now\" (the lesson takes only flags)\n", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.wantStatus, run(tt.args, &out, &errOut))
			assert.Empty(t, out.String(), "nothing on stdout")
			switch {
			case tt.wantLine:
				assert.Equal(t, tt.wantStderr, errOut.String())
			case tt.wantStatus == 0: // the usage text opens with these lines
				assert.True(t, strings.HasPrefix(errOut.String(), tt.wantStderr), "usage:\n%s", errOut.String())
			default:
				assert.Contains(t, errOut.String(), tt.wantStderr)
			}
		})
	}
}
