package main

// The flag test that every item copies word for word (CONVENTIONS.md: one helper, one form).

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime/trace"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusal is a command line that run must answer without starting the lesson: -h (status 0) or a
// bad flag (status 2), with wantErr somewhere in what it prints on stderr.
type refusal struct {
	args     []string
	wantCode int
	wantErr  string
}

// assertRefused runs each command line as a subtest and checks its exit status and its stderr.
// The stdout it gets fails the test at the lesson's first line, so a lost bound fails at once
// instead of running the lesson at the refused value (an hour of latency, say).
func assertRefused(t *testing.T, refusals []refusal) {
	t.Helper()
	for _, r := range refusals {
		t.Run(strings.Join(r.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			assert.Equal(t, r.wantCode, run(r.args, refusedStdout{t}, &stderr), "exit status")
			assert.Contains(t, stderr.String(), r.wantErr)
			assert.NotContains(t, stderr.String(), "panic:")
		})
	}
}

// assertOneLine checks that each command line is refused (status 2) with one line on stderr: what
// is wrong, with no usage after it.
func assertOneLine(t *testing.T, cmdlines ...string) {
	t.Helper()
	for _, cmdline := range cmdlines {
		var stderr bytes.Buffer
		assert.Equal(t, 2, run(strings.Fields(cmdline), refusedStdout{t}, &stderr), "%s: exit status", cmdline)
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "%s should print one line:\n%s", cmdline, &stderr)
	}
}

// refusedStdout is the stdout of a run that must not start its lesson.
type refusedStdout struct{ *testing.T }

func (t refusedStdout) Write(p []byte) (int, error) {
	t.Fatalf("the lesson started instead of refusing its flags: %q", p)
	return len(p), nil
}

// A lesson that fails makes runLesson print the error after the item's name and return 1, and the
// execution trace that -trace started is stopped and written either way.
func TestRunLesson_FailureExits1AndStopsTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.out")
	var stderr bytes.Buffer
	code := runLesson(newFlagSet("itemNN", "a lesson that fails", &stderr), []string{"-trace", path},
		func() error { return nil },
		func() error {
			require.True(t, trace.IsEnabled(), "-trace did not start the execution tracer")
			return errors.New("the lesson failed")
		})
	assert.Equal(t, 1, code, "exit status")
	assert.Equal(t, "itemNN: the lesson failed\n", stderr.String())
	assert.False(t, trace.IsEnabled(), "runLesson returned with the execution tracer still running")
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(written, []byte("go 1.")), "the trace file does not start with a trace header: %.20q", written)
}
