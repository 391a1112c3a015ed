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

// slowSystemcall is the book's listing 6, slow_systemcall, made to block for real. The book calls
// select.select([socket.socket()], [], [], 0.1); on Linux that returns at once, because a socket
// that was never connected counts as ready (TestBookSelect_ReturnsAtOnceOnLinux), so the book's
// code prints "Took 0.000 seconds" there. This select(2) watches no file descriptor at all, so
// only its timeout, d, can end it.
//
// syscall.Select tells the runtime it is entering a system call. If other goroutines are waiting
// to run and the call is still blocked when the runtime's monitor thread next looks (every 20 µs
// to 10 ms), the runtime hands the goroutine's processor (its P) to another OS thread, starting
// one if needed, which runs them (sysmon and retake in runtime/proc.go). That hand-off is why these calls overlap even at
// GOMAXPROCS=1, where only one goroutine at a time may run Go code.
func slowSystemcall(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		tv := syscall.NsecToTimeval(left.Nanoseconds())
		// A signal ends select early with EINTR: Linux never restarts select after a signal
		// handler (signal(7)), and the Go runtime signals its own threads (SIGURG, to preempt a
		// goroutine). So wait again, for what is left.
		if err := selectTimeout(&tv); err != nil && !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("select with a %v timeout: %w", left, err)
		}
	}
}
