//go:build race

package main

import (
	"os"
	"syscall"
)

// raceEnabled reports whether this test binary was built with -race.
const raceEnabled = true

// exit ends the test binary; TestMain passes it to goleak.VerifyTestMain. After a clean run it
// skips the race detector's pause at exit (GORACE's atexit_sleep_ms, 1 s by default:
// go.dev/doc/articles/race_detector#Options), which gives goroutines still running a last chance to
// race. goleak has just shown that none is running, a race during a test fails that test, and m.Run
// fails on one outside the tests. os.Exit pauses; syscall.Exit does not.
func exit(code int) {
	if code == 0 {
		syscall.Exit(0)
	}
	os.Exit(code)
}
