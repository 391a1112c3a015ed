package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Test-only behaviours of a child, switched on by environment variables that only the tests set,
// so the child roles in child.go stay as a learner would write them.
const (
	quitEnv     = "ITEM52_QUIT"     // a child in this role exits at once, reading nothing
	barrierEnv  = "ITEM52_BARRIER"  // "n,wait,dir": a sleeper first waits until n sleepers have started
	teeEnv      = "ITEM52_TEE"      // an encrypt child also copies its output to this file, renamed to file.done once complete
	stubbornEnv = "ITEM52_STUBBORN" // a sleeper ignores SIGTERM, then says so on stderr
	barrierCode = 3                 // exit status of a sleeper whose barrier never filled
)

// testChild runs a child role in the test binary, with the test-only behaviours above.
func testChild(role string) int {
	switch {
	case role == os.Getenv(quitEnv):
		return 0
	case role == roleSleep && os.Getenv(barrierEnv) != "":
		if err := awaitBarrier(os.Getenv(barrierEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return barrierCode
		}
	case role == roleSleep && os.Getenv(stubbornEnv) != "":
		signal.Ignore(syscall.SIGTERM)
		fmt.Fprintln(os.Stderr, "ignoring SIGTERM")
	case role == roleEncrypt && os.Getenv(teeEnv) != "":
		return teeEncrypt(os.Getenv(teeEnv))
	}
	return runChild(role, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
}

// teeEncrypt is the encrypt role, also writing its output to the file tee, which it renames to
// tee+".done" once all of it is written. A test can then see exactly what went down the pipe, and
// when the child has finished writing it.
func teeEncrypt(tee string) int {
	f, err := os.Create(tee)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return usageCode
	}
	code := runChild(roleEncrypt, os.Args[1:], os.Getenv, os.Stdin, io.MultiWriter(os.Stdout, f), os.Stderr)
	if err := f.Close(); err != nil || code != 0 {
		return cmp.Or(code, usageCode)
	}
	if err := os.Rename(tee, tee+".done"); err != nil {
		return usageCode
	}
	return 0
}

// errBarrier marks a sleeper that gave up waiting for the others to start.
var errBarrier = errors.New("barrier not reached")

// awaitBarrier proves a sleeper overlaps with its siblings. spec is "n,wait,dir" (the directory
// last, since a path may itself hold commas): the sleeper records its start as a file in dir,
// then waits until n files are there — which can only happen if n sleepers are alive at the same
// moment. The wait is bounded, so a sleeper started one at a time gives up instead of hanging.
func awaitBarrier(spec string) error {
	parts := strings.SplitN(spec, ",", 3)
	if len(parts) != 3 {
		return fmt.Errorf("%s=%q: want n,wait,dir", barrierEnv, spec)
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil {
		return fmt.Errorf("%s: %w", barrierEnv, err)
	}
	wait, err := time.ParseDuration(parts[1])
	if err != nil {
		return fmt.Errorf("%s: %w", barrierEnv, err)
	}
	dir := parts[2]
	if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600); err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %d of %d sleepers started within %s", errBarrier, len(entries), n, wait)
		}
		time.Sleep(2 * time.Millisecond) // a child process has no channel to wait on; poll gently
	}
}
