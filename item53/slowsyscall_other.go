//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package main

import "time"

// systemcallName says in the lesson's output what slowSystemcall does on this platform.
const systemcallName = "time.Sleep (no select(2) in package syscall here)"

// slowSystemcall stands in for the book's listing 6 where package syscall has no select (Windows,
// for one). time.Sleep makes no system call: the goroutine is parked by the Go scheduler and
// holds no thread while it waits, so the calls still overlap, for a different reason.
func slowSystemcall(d time.Duration) error {
	time.Sleep(d)
	return nil
}
