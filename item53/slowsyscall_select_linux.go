package main

import "syscall"

// selectTimeout calls select(2) with no file descriptors, so it only waits for the timeout.
// On Linux, syscall.Select also returns how many descriptors are ready (always 0 here).
func selectTimeout(tv *syscall.Timeval) error {
	_, err := syscall.Select(0, nil, nil, nil, tv)
	return err
}
