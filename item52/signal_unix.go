//go:build unix

package main

import (
	"os"
	"syscall"
)

// terminate asks p to exit, as Python's Popen.terminate() does on Unix: SIGTERM, which a program
// may catch to clean up (a Go program that does not catch it exits at once, ended by the signal).
func terminate(p *os.Process) error {
	return p.Signal(syscall.SIGTERM)
}
