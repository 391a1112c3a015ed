//go:build !unix

package main

import "time"

// processCPUTime reports false: syscall.Getrusage exists only on Unix-like systems, and this
// item measures CPU time with nothing else. The lesson then prints "n/a" for CPU time.
func processCPUTime() (time.Duration, bool) {
	return 0, false
}
