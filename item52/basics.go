package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Listings 1 and 2 have no broken twin: they are the basic moves every later listing builds on.

// runEcho is the book's listing 1: run a child, capture its output and check its exit status.
// Output is Python's `subprocess.run(..., capture_output=True)` followed by
// `check_returncode()`: it starts the child, collects all of stdout, waits, and returns an
// *exec.ExitError (with the child's stderr inside) if the exit status is not 0.
func runEcho(ctx context.Context, spawn spawner) (string, error) {
	out, err := spawn(ctx, roleEcho, bookPhrase).Output()
	if err != nil {
		return "", fmt.Errorf("echo child: %w", err)
	}
	return string(out), nil
}

// pollSleeper is the book's listing 2: start a child, keep working while it runs, then print its
// exit status. Go has no poll(): Wait blocks until the child exits, so it runs in a goroutine of
// its own that reports over a channel, and select takes whichever comes first — the child's end or
// the ticker saying it is time for the next slice of work. It returns the exit status.
func pollSleeper(ctx context.Context, spawn spawner, d, tick time.Duration, w io.Writer) (int, error) {
	cmd := spawn(ctx, roleSleep, d.String())
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("sleep child: %w", err)
	}
	done := make(chan error)
	go func() { done <- cmd.Wait() }() // the loop below always receives, so this goroutine ends
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		fmt.Fprintln(w, "Working...") // some time-consuming work would go here
		select {
		case err := <-done:
			status := exitStatus(cmd.ProcessState)
			fmt.Fprintln(w, "Exit status", status)
			if err != nil {
				return status, fmt.Errorf("sleep child: %w", err)
			}
			return status, nil
		case <-ticker.C:
		}
	}
}
