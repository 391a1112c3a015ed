package main

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain lets the test binary be a child too: with ITEM52_ROLE set it does that role's job and
// exits, before the testing package parses a single flag. Otherwise it runs the tests, checks
// that no goroutine leaked (goleak) and that no child process is left (leftoverChildren).
func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		if role == os.Getenv(quitEnv) {
			os.Exit(0) // a test wants this child to die at once, reading nothing
		}
		os.Exit(runChild(role, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	// Children of a -race test binary inherit this: a clean race-enabled process otherwise sleeps
	// 1 s before it exits, and these tests start dozens of them. (It is read at process start, so
	// it does not change this process.)
	os.Setenv("GORACE", os.Getenv("GORACE")+" atexit_sleep_ms=0")
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

// quitEnv names a role whose children exit at once without reading stdin (tests only).
const quitEnv = "ITEM52_QUIT"

// testSelf starts children from this test binary, which TestMain turns into the child role.
func testSelf(env ...string) self {
	return self{path: os.Args[0], env: env}
}
