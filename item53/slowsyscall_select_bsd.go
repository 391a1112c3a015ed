//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "syscall"

// selectTimeout calls select(2) with no file descriptors, so it only waits for the timeout.
// On macOS and the BSDs, syscall.Select returns only an error.
func selectTimeout(tv *syscall.Timeval) error {
	return syscall.Select(0, nil, nil, nil, tv)
}
