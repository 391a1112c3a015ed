package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// The recommended versions, each the same shape as its twin in broken.go: `diff broken.go fixed.go`.

// waitDelay is how long Wait gives a child after Cancel (SIGTERM) before it kills the child
// outright and closes its pipes: time for a child that handles SIGTERM to clean up, and a bound
// for one that ignores it.
const waitDelay = 500 * time.Millisecond

// runSleepers is the book's listings 3–4: start n `sleep d` children, all of them first, then wait
// for each. They run in parallel with each other (and with us), so the whole takes about 1 × d.
func runSleepers(ctx context.Context, spawn spawner, n int, d time.Duration) error {
	var cmds []*exec.Cmd
	var errs []error
	for i := range n {
		cmd := spawn(ctx, roleSleep, d.String())
		if err := cmd.Start(); err != nil {
			errs = append(errs, fmt.Errorf("sleep child %d: %w", i, err))
			break // still wait below for those already started, so none is left behind
		}
		cmds = append(cmds, cmd) // FIX: start every child before waiting for any, so they all sleep at once.
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("sleep child %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// runEncrypt is run_encrypt done right: start an encrypt child whose stdin exec feeds from a
// goroutine of its own, so the caller can read stdout while the data is still going in. Any size
// works. (By hand: a goroutine that writes to a StdinPipe, then closes it.)
func runEncrypt(ctx context.Context, spawn spawner, password string, data []byte) (*exec.Cmd, io.Reader, error) {
	cmd := newEncrypt(ctx, spawn, password)
	cmd.Stdin = bytes.NewReader(data) // FIX: exec writes stdin concurrently (and closes it) while the caller reads stdout.
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return cmd, stdout, nil
}

// startPipeline is the book's listings 9–10 loop body: join an encrypt child to a hash child with
// a pipe, start both, then close the parent's copies of the pipe; the children hold their own.
// With the write end closed, the hash child sees EOF as soon as the encrypt child exits. With the
// read end closed, a hash child that dies leaves the pipe with no reader, so the encrypt child's
// next write to its stdout raises SIGPIPE, which kills it (exit status -13), instead of blocking
// forever on a pipe nobody will read.
func startPipeline(ctx context.Context, spawn spawner, password string, data []byte) (*pipeline, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := newPipeline(ctx, spawn, password, data, r, w)
	err = p.start()
	closeAll(r, w) // FIX: the parent lets go of the pipe at once; only the children hold it now.
	if err != nil {
		return nil, err
	}
	return p, nil
}

// waitSleeperWithTimeout is the book's listing 11: start `sleep d`, wait at most timeout, then
// terminate the child and wait for it to go. exec.CommandContext alone would SIGKILL it; Cancel
// makes that Python's terminate() (SIGTERM), and WaitDelay bounds the wait after it. Wait reaps
// the child, so no zombie is left. It returns how the child ended (nil if it never started).
func waitSleeperWithTimeout(ctx context.Context, spawn spawner, d, timeout time.Duration) (*os.ProcessState, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout) // FIX: a bound on the wait, like communicate(timeout=0.1).
	defer cancel()
	cmd := spawn(ctx, roleSleep, d.String())
	cmd.Cancel = func() error { return terminate(cmd.Process) } // FIX: on timeout send SIGTERM, as terminate() does, not the default SIGKILL.
	cmd.WaitDelay = waitDelay                                   // FIX: a child that ignores SIGTERM is killed after this, so Wait still returns.
	err := cmd.Run()
	return cmd.ProcessState, err
}
