//go:build unix

package main

import (
	"syscall"
	"time"
)

// processCPUTime returns the user plus system CPU time the whole process has used so far, and
// true. getrusage counts every thread, so the spinning main goroutine and the polling workers
// all show up.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
