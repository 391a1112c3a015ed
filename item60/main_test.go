package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// duration matches any printed time.Duration ("51ms", "1.071s", "6.65µs"): wall times vary by run.
var duration = regexp.MustCompile(`(?:\d+(?:\.\d+)?(?:ns|µs|ms|h|m|s))+`)

// size matches a measured memory figure ("4.2 KiB", "224 B"), which varies too. Inside this test
// binary it may even be "0.0 KiB" or below zero: earlier tests leave stacks the runtime reuses (see
// memoryPerGoroutine), so the sign is masked with the number.
var size = regexp.MustCompile(`-?\d+(?:\.\d+)? (?:KiB|B)\b`)

// spaces matches runs of blanks, which change with the width of a masked duration in a table.
var spaces = regexp.MustCompile(`[ \t]+`)

// masked returns text's lines with durations replaced and blanks collapsed, so two real runs compare
// equal.
func masked(text string) []string {
	var lines []string
	for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
		line = duration.ReplaceAllString(line, "<duration>")
		line = size.ReplaceAllString(line, "<size>")
		lines = append(lines, strings.TrimSpace(spaces.ReplaceAllString(line, " ")))
	}
	return lines
}

// readmeRun returns the output under command in the README's fenced block that starts with it.
func readmeRun(t *testing.T, command string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "```console\n"+command+"\n")
	require.True(t, found, "README.md has no ```console block starting with %q", command)
	block, _, found := strings.Cut(after, "```")
	require.True(t, found, "the block starting with %q is not closed", command)
	return block
}

// The README shows a real run; the program's output must still match it, durations aside. The run
// uses short flags to keep the test quick; the README shows the same command line.
func TestRun_MatchesREADME(t *testing.T) {
	args := []string{"-latency", "10ms", "-cells", "1000"}
	want := readmeRun(t, "$ go run ./item60 "+strings.Join(args, " "))
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(args, &stdout, &stderr), stderr.String())
	assert.Empty(t, stderr.String())
	assert.Equal(t, masked(want), masked(stdout.String()))
}

// -h explains the lesson and exits 0; a value the flag package cannot parse exits 2 after its usual
// message; a value that parses but makes no sense gets one line and exits 2.
func TestRun_ValidatesFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantErr  string // the whole of stderr, or a part of it when usage
		usage    bool
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item60 [flags]\nItem 60: a goroutine per cell is Go's coroutine design", true},
		{[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`, true},
		{[]string{"extra"}, 2, "item60: unexpected argument \"extra\" (this lesson takes only flags)\n", false},
		{[]string{"-latency", "0s"}, 2, "item60: -latency must be positive (got 0s)\n", false},
		{[]string{"-cells", "999"}, 2, "item60: -cells must be between 1000 and 1000000 (got 999)\n", false},
		{[]string{"-cells", "2000000"}, 2, "item60: -cells must be between 1000 and 1000000 (got 2000000)\n", false},
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
