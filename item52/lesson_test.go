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

// TestRun_Flags checks the flag handling: -h prints the usage and exits 0; a value the flag
// package cannot parse exits 2 with its usual message; a value that parses but makes no sense, or
// a stray argument, exits 2 with one line naming the problem. None of these starts a child.
func TestRun_Flags(t *testing.T) {
	tests := []struct {
		args       []string
		wantCode   int
		wantStderr string // the first line of stderr
	}{
		{[]string{"-h"}, 0, "Usage: go run ./item52 [flags]"},
		{[]string{"-sleep", "soon"}, 2, `invalid value "soon" for flag -sleep: parse error`},
		{[]string{"-children", "0"}, 2, "item52: -children must be between 1 and 100 (got 0)"},
		{[]string{"-children", "101"}, 2, "item52: -children must be between 1 and 100 (got 101)"},
		{[]string{"-sleep", "-1s"}, 2, "item52: -sleep must be positive (got -1s)"},
		{[]string{"-timeout", "0s"}, 2, "item52: -timeout must be positive and at most 5s, so listing 11's 10s sleeper is still asleep (got 0s)"},
		{[]string{"-timeout", "11s"}, 2, "item52: -timeout must be positive and at most 5s, so listing 11's 10s sleeper is still asleep (got 11s)"},
		{[]string{"-watchdog", "0s"}, 2, "item52: -watchdog must be between 100ms (time for a child to start) and 5s (got 0s)"},
		{[]string{"-watchdog", "1m"}, 2, "item52: -watchdog must be between 100ms (time for a child to start) and 5s (got 1m0s)"},
		{[]string{"-size", "-3"}, 2, "item52: -size must be between 1 and 67108864 bytes (got -3)"},
		{[]string{"-size", "100000000000000"}, 2, "item52: -size must be between 1 and 67108864 bytes (got 100000000000000)"},
		{[]string{"now"}, 2, `item52: unexpected argument "now" (this lesson takes only flags; -h lists them)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code)
			assert.Empty(t, stdout.String())
			lines := strings.Split(stderr.String(), "\n")
			assert.Equal(t, tt.wantStderr, lines[0])
			if strings.HasPrefix(tt.wantStderr, "item52: ") {
				assert.Equal(t, tt.wantStderr+"\n", stderr.String(), "one line, no usage")
			}
		})
	}
}

// readmeMasks hide what changes from run to run: timings, random bytes, how far the stuck write
// got, the exit status of an encrypt child the watchdog may have caught, and how many times
// Working... was printed.
var readmeMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`Finished in \d+\.\d+ s`), "Finished in N.NNN s"},
	{regexp.MustCompile(`\b[0-9a-f]{20}\b`), "<10 random bytes>"},
	{regexp.MustCompile(`after \d+(\.\d)? KiB of`), "after N KiB of"},
	{regexp.MustCompile(`^(\d+) +-?\d+ +(-9)$`), "${1} S ${2}"},
}

// maskRun applies readmeMasks to every line of a run and drops the Working... lines.
func maskRun(text string) string {
	var kept []string
	for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
		if line == "Working..." {
			continue
		}
		for _, m := range readmeMasks {
			line = m.re.ReplaceAllString(line, m.with)
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}

// readmeRun returns the command line and output of the README's "Run it" sample: the fenced block
// whose first line starts with "$ go run ./item52".
func readmeRun(t *testing.T) (args []string, output string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, block, found := strings.Cut(string(readme), "```console\n$ go run ./item52")
	require.True(t, found, "README.md needs a ```console block starting with $ go run ./item52")
	block, _, found = strings.Cut(block, "```")
	require.True(t, found, "the block never ends")
	command, output, _ := strings.Cut(block, "\n")
	return strings.Fields(command), output
}

// TestRun_MatchesREADME runs the lesson with the README sample's flags, this test binary being
// every child, and compares the output with the sample line by line, masks applied to both.
func TestRun_MatchesREADME(t *testing.T) {
	t.Parallel()
	args, want := readmeRun(t)
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	assert.Equal(t, maskRun(want), maskRun(stdout.String()))
	assert.Contains(t, stdout.String(), "Working...\n", "listing 2 prints Working... at least once")
}
