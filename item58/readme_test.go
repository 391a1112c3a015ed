package main

// README-sample helpers that every item copies word for word (CONVENTIONS.md: one helper, one form).

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mask is one substitution applied before comparing a run's output with README.md: what varies
// between runs (durations, addresses, racy counts) becomes a fixed placeholder.
type mask struct {
	re   *regexp.Regexp
	with string
}

// readmeSample returns the output block that follows the line "$ command" in README.md.
func readmeSample(t *testing.T, command string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "$ "+command+"\n")
	require.True(t, found, "README.md has no line %q", "$ "+command)
	sample, _, found := strings.Cut(after, "```")
	require.True(t, found, "the sample after %q is not closed with ```", command)
	return sample
}

// assertMatchesREADME checks that got, masked, is the README's sample for command, masked the
// same way. On a difference it prints only the first differing line with two lines of context,
// so a failure reads in a few lines, not as the whole README.
func assertMatchesREADME(t *testing.T, command, got string, masks ...mask) {
	t.Helper()
	apply := func(text string) []string {
		for _, m := range masks {
			text = m.re.ReplaceAllString(text, m.with)
		}
		return strings.Split(strings.TrimRight(text, "\n"), "\n")
	}
	want, have := apply(readmeSample(t, command)), apply(got)
	for i := 0; i < max(len(want), len(have)); i++ {
		if i < len(want) && i < len(have) && want[i] == have[i] {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "`%s` no longer prints README.md's sample (masked); first difference at line %d:\n", command, i+1)
		for j := max(0, i-2); j <= min(i+2, max(len(want), len(have))-1); j++ {
			line := func(lines []string) string {
				if j < len(lines) {
					return fmt.Sprintf("%q", lines[j])
				}
				return "(no line)"
			}
			fmt.Fprintf(&b, "  line %d\n    README: %s\n    run:    %s\n", j+1, line(want), line(have))
		}
		t.Error(b.String())
		return
	}
}
