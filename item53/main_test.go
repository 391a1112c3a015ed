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

// readmeRun returns the command line and output lines of the real run in README.md: the fenced
// block whose first line starts with "$ go run ./item53", flags and all.
func readmeRun(t *testing.T) (args, lines []string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "\n$ go run ./item53")
	require.True(t, found, "README.md has no fenced block starting with `$ go run ./item53`")
	block, _, found := strings.Cut(after, "\n```")
	require.True(t, found, "the README's run block is not closed")
	command, output, _ := strings.Cut(block, "\n")
	return strings.Fields(command), strings.Split(output, "\n")
}

// maskers hide what changes from run to run or machine to machine: measured figures, the
// platform, and the name of the blocking call (select(2) here, time.Sleep where there is none).
// Runs of spaces are squeezed too, since a masked figure changes a column's width.
var maskers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`machine: \S+, \d+ CPUs`), "machine: <platform>, <n> CPUs"},
	{regexp.MustCompile(`\d+\.\d+`), "<x>"},
	{regexp.MustCompile(` +`), " "},
}

// mask applies maskers to one line.
func mask(line string) string {
	for _, m := range maskers {
		line = m.re.ReplaceAllString(line, m.with)
	}
	return strings.TrimRight(line, " ")
}

// TestRun_MatchesREADME runs the lesson with the flags of the README's sample and compares it line
// by line with that run, figures masked, so the README cannot drift from the program. The sample
// uses -latency 20ms, not the book's 100 ms, to keep this test fast. GOMAXPROCS is set to 2 for the
// run because the README's machine has two cores and the table prints the default.
func TestRun_MatchesREADME(t *testing.T) {
	args, want := readmeRun(t)
	var out, errOut bytes.Buffer
	var code int
	withGOMAXPROCS(2, func() { code = run(args, &out, &errOut) })
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	assert.Empty(t, errOut.String())

	got := strings.Split(strings.TrimRight(strings.ReplaceAll(out.String(), systemcallName, "<call>"), "\n"), "\n")
	require.Equal(t, len(want), len(got), "line count; got:\n%s", out.String())
	for i := range want {
		wantLine := mask(strings.ReplaceAll(want[i], "select(2) with a timeout", "<call>"))
		assert.Equal(t, wantLine, mask(got[i]), "line %d", i+1)
	}
}

// TestRun_Flags checks the command line: -h explains the lesson and exits 0, a value the flag
// package cannot parse exits 2 with its usage, and a value that parses but makes no sense gets
// one line naming the flag and the rule, exit 2, without running the lesson.
func TestRun_Flags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string // the whole of stderr if wantLine, else a part of it
		wantLine bool
	}{
		{"help", []string{"-h"}, 0, "Usage: go run ./item53 [flags]\nItem 53: goroutines overlap blocking system calls even at GOMAXPROCS=1", false},
		{"unparsable latency", []string{"-latency", "soon"}, 2, "invalid value \"soon\" for flag -latency", false},
		{"zero latency", []string{"-latency", "0s"}, 2, "item53: -latency must be positive (got 0s)\n", true},
		{"negative latency", []string{"-latency", "-5ms"}, 2, "item53: -latency must be positive (got -5ms)\n", true},
		{"no calls", []string{"-calls", "0"}, 2, "item53: -calls must be between 1 and 100 (got 0)\n", true},
		{"too many calls", []string{"-calls", "101"}, 2, "item53: -calls must be between 1 and 100 (got 101)\n", true},
		{"negative reps", []string{"-reps", "-3"}, 2, "item53: -reps must be positive (got -3)\n", true},
		{"stray argument", []string{"now"}, 2, "item53: unexpected argument \"now\" (this lesson takes only flags; -h lists them)\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.wantCode, run(tt.args, &out, &errOut))
			assert.Empty(t, out.String(), "no lesson output")
			if tt.wantLine {
				assert.Equal(t, tt.wantErr, errOut.String())
			} else {
				assert.Contains(t, errOut.String(), tt.wantErr)
			}
		})
	}
}
