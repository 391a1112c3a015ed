//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// systemcallName says in the lesson's output what slowSystemcall does on this platform.
const systemcallName = "select(2) with a timeout"

// slowSystemcall is the book's listing 6, slow_systemcall: it blocks in a real select(2) that
// watches no file descriptors and times out after d, as Python's select.select([], [], [], 0.1)
// does. syscall.Select tells the runtime it is entering a system call; if the call is still
// blocked a moment later, the runtime hands the goroutine's processor (its P) to another
// goroutine, starting another OS thread if needed. That hand-off is why these calls overlap
// even at GOMAXPROCS=1, where only one goroutine at a time may run Go code.
func slowSystemcall(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		tv := syscall.NsecToTimeval(left.Nanoseconds())
		// A signal (the Go runtime sends some to its own threads) ends select early with EINTR,
		// and select is never restarted for us: wait again for what is left.
		if err := selectTimeout(&tv); err != nil && !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("select with a %v timeout: %w", left, err)
		}
	}
}
