package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"
)

// TestMain lets the test binary be a child too: with ITEM52_ROLE set it does that role's job
// (testChild) and exits, before the testing package parses a single flag. Otherwise it runs the
// tests, checks that no goroutine leaked (goleak) and that no child process is left
// (leftoverChildren).
func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(testChild(role))
	}
	// Children of a -race test binary inherit this: a clean race-enabled process otherwise sleeps
	// 1 s before it exits, and these tests start dozens of them. (It is read at process start, so
	// it does not change this process.)
	if raceEnabled {
		os.Setenv("GORACE", os.Getenv("GORACE")+" atexit_sleep_ms=0")
	}
	// The proofs wait on children, not on the CPU: a broken row in exercise mode waits its whole
	// watchOK bound for what the fix would do, and with -parallel at its default (GOMAXPROCS) those
	// 8 s waits would run two at a time. Unless -parallel is given, let them all wait at once.
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", "8")
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if left, err := leftoverChildren(); err != nil {
			fmt.Fprintf(os.Stderr, "item52: cannot list child processes: %v\n", err)
			code = 1
		} else if len(left) > 0 {
			fmt.Fprintf(os.Stderr, "item52: the tests left child processes behind: %v\n", left)
			code = 1
		}
		os.Exit(code)
	}))
}

// testSpawn starts children from this test binary, which TestMain turns into the child role, with
// env added to each child's environment (a later entry wins over an earlier one of the same name).
func testSpawn(env ...string) spawner {
	self := selfAs(os.Args[0])
	return func(ctx context.Context, role string, args ...string) *exec.Cmd {
		cmd := self(ctx, role, args...)
		cmd.Env = append(cmd.Env, env...)
		return cmd
	}
}
