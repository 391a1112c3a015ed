package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

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
	if raceEnabled {
		// Children that are this -race binary (if buildChild fails) inherit this: a clean
		// race-enabled process otherwise sleeps 1 s before it exits. (It is read at process
		// start, so it does not change this process.)
		os.Setenv("GORACE", os.Getenv("GORACE")+" atexit_sleep_ms=0")
		childExe = buildChild()
		executable = func() (string, error) { return childExe, nil }
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
		exit(code)
	}))
}

// childExe is the program every child of the tests runs: this test binary, or under -race the
// same test package built without -race (buildChild).
var childExe = os.Args[0]

// buildChild returns the path of this package's tests built without -race, building them if
// need be; if that fails, it says so and returns this test binary's own path.
//
// Why: a race-enabled process costs ~0.1 s of CPU just to start (the detector's runtime sets
// itself up), and the tests start dozens of children; without -race a child starts for about a
// quarter of that. Nothing is lost: the children are the same code (a role runs once on one
// goroutine and exits, and TestRunChild_Roles runs every role under the detector in-process),
// while the parent — where exec's copying goroutines, the watchdogs and the timeline run — stays
// under the detector.
//
// The build (`go test -c`; `go test` puts its own go command first on PATH) links a binary, which
// costs ~1.5 s of CPU, so it is kept in the user's cache directory under the SHA-256 of this test
// binary: the same -race binary comes from the same sources, which give the same child. Only the
// newest few builds are kept.
func buildChild() string {
	fail := func(err error, detail []byte) string {
		fmt.Fprintf(os.Stderr, "item52: the children run this -race binary (no build without -race: %v)\n%s", err, detail)
		return os.Args[0]
	}
	sum, err := fileSum(os.Args[0])
	if err != nil {
		return fail(err, nil)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return fail(err, nil)
	}
	dir := filepath.Join(cache, "workbook-item52-children")
	exe := filepath.Join(dir, hex.EncodeToString(sum[:12])+".test")
	if _, err := os.Stat(exe); err == nil {
		now := time.Now()
		_ = os.Chtimes(exe, now, now) // the newest in use, for the pruning below
		return exe
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err, nil)
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return fail(err, nil)
	}
	defer os.RemoveAll(tmp)
	info, ok := debug.ReadBuildInfo() // its Path is this package's, wherever the test binary runs
	if !ok {
		return fail(errors.New("the test binary has no build information"), nil)
	}
	built := filepath.Join(tmp, "item52.test")
	if out, err := exec.Command("go", "test", "-c", "-vet=off", "-o", built, info.Path).CombinedOutput(); err != nil {
		return fail(err, out)
	}
	if err := os.Rename(built, exe); err != nil { // atomic: a concurrent run sees all of it or none
		return fail(err, nil)
	}
	pruneChildren(dir, 6)
	return exe
}

// fileSum returns the SHA-256 of the file at path, read through one small buffer: reading the
// whole binary into memory at once makes the race detector shadow all of it (~0.3 s here).
func fileSum(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, 64<<10)); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// pruneChildren removes all but the keep most recently used builds in dir.
func pruneChildren(dir string, keep int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type build struct {
		path string
		used time.Time
	}
	var builds []build
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ".test") {
			builds = append(builds, build{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	slices.SortFunc(builds, func(a, b build) int { return b.used.Compare(a.used) })
	for _, b := range builds[min(keep, len(builds)):] {
		_ = os.Remove(b.path)
	}
}

// testSpawn starts children from this test binary, which TestMain turns into the child role, with
// env added to each child's environment (a later entry wins over an earlier one of the same name).
func testSpawn(env ...string) spawner {
	self := selfAs(childExe)
	return func(ctx context.Context, role string, args ...string) *exec.Cmd {
		cmd := self(ctx, role, args...)
		cmd.Env = append(cmd.Env, env...)
		return cmd
	}
}
