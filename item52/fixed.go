package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// The recommended versions, each the same shape as its twin in broken.go: `diff` the pair.

// waitDelay is how long Wait gives a child to exit after its context's Cancel (SIGTERM) before it
// kills the child outright and closes the pipes. Generous: a child that handles SIGTERM has time
// to clean up; one that ignores it is still bounded.
const waitDelay = 2 * time.Second

// runSleepers is the book's listings 3–4: start n `sleep d` children, all of them first, then wait
// for each. They run in parallel with each other (and with us), so the whole takes about 1 × d.
func runSleepers(ctx context.Context, s self, n int, d time.Duration) error {
	var errs []error
	procs := make([]*exec.Cmd, 0, n)
	for i := range n {
		cmd := s.command(ctx, roleSleep, d.String())
		if err := cmd.Start(); err != nil {
			errs = append(errs, fmt.Errorf("sleep child %d: %w", i, err))
			break // still wait below for those already started, so none is left behind
		}
		procs = append(procs, cmd) // FIX: start every child before waiting for any, so they all sleep at once.
	}
	for i, cmd := range procs {
		if err := cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("sleep child %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// runEncrypt is run_encrypt done right: start an encrypt child and feed its stdin from a goroutine,
// so the caller can read stdout while the data is still going in. Any size works. (Setting
// cmd.Stdin to a bytes.Reader does the same: exec then runs that goroutine for you.)
func runEncrypt(ctx context.Context, s self, password string, data []byte) (*encryptProc, error) {
	cmd := newEncrypt(ctx, s, password)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	fed := make(chan error, 1)
	go func() { fed <- feed(stdin, data) }() // FIX: stdin is written concurrently while communicate reads stdout.
	return &encryptProc{cmd: cmd, stdout: stdout, fed: fed}, nil
}

// startPipeline is the book's listings 9–10 loop body: join an encrypt child to a hash child with a
// pipe, start both, then close the parent's copies of the pipe. The children hold their own; the
// parent has no use for them. With the write end closed, the hash child sees EOF as soon as the
// encrypt child exits. With the read end closed, a hash child that dies leaves the pipe with no
// reader, so the encrypt child's next write to its stdout raises SIGPIPE and the signal kills it
// (exit status -13), instead of it blocking forever on a pipe nobody will read.
func startPipeline(ctx context.Context, s self, password string, data []byte) (*pipeline, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	enc := newEncrypt(ctx, s, password)
	enc.Stdin = bytes.NewReader(data)
	enc.Stdout = w
	hash, digest := runHash(ctx, s, r)
	p := &pipeline{encrypt: enc, hash: hash, digest: digest}
	if err := p.startBoth(); err != nil {
		closeAll(r, w)
		return nil, err
	}
	closeAll(r, w) // FIX: the parent lets go of the pipe at once; only the children hold it now.
	return p, nil
}

// waitSleeperWithTimeout is the book's listing 11: start `sleep d`, wait at most timeout, and then
// terminate the child and wait for it to go. exec.CommandContext alone would SIGKILL it; Cancel
// makes that Python's terminate() (SIGTERM), and WaitDelay bounds the wait after it. The child
// ends by signal 15, and Wait reaps it, so it leaves no zombie or orphan behind. It returns how
// the child ended (nil if it never started).
func waitSleeperWithTimeout(ctx context.Context, s self, d, timeout time.Duration) (*os.ProcessState, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout) // FIX: a bound on the wait, like communicate(timeout=0.1).
	defer cancel()
	cmd := s.command(ctx, roleSleep, d.String())
	cmd.Cancel = func() error { return terminate(cmd.Process) } // FIX: on timeout send SIGTERM, as terminate() does, not the default SIGKILL.
	cmd.WaitDelay = waitDelay                                   // FIX: a child that ignores SIGTERM is killed after this, so Wait still returns.
	err := cmd.Run()
	return cmd.ProcessState, err
}
