package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// The naive versions, each the same shape as its twin in fixed.go: `diff broken.go fixed.go`.
// In the lesson each runs under a watchdog context that kills the children when it expires, so a
// hang can be shown and still end; the code below never sets a bound of its own.

// runSleepersOneByOne runs n `sleep d` children the way a loop of subprocess.run calls would:
// start one, wait for it, then start the next. It takes n × d: at most one child is ever alive.
func runSleepersOneByOne(ctx context.Context, spawn spawner, n int, d time.Duration) error {
	for i := range n {
		cmd := spawn(ctx, roleSleep, d.String())
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("sleep child %d: %w", i, err)
		}
		if err := cmd.Wait(); err != nil { // BUG: waits for this child before starting the next, so they never overlap: n × d in all.
			return fmt.Errorf("sleep child %d: %w", i, err)
		}
	}
	return nil
}

// runEncryptWriteFirst is the book's listing 5, run_encrypt: start an encrypt child and write all
// the data to its stdin before returning; the caller reads stdout afterwards (communicate). Fine
// for 10 bytes. With 1 MiB it deadlocks: the child streams, writing ciphertext as it reads, and
// nobody reads its stdout yet, so once that pipe is full the child stops reading, then the stdin
// pipe fills, and the Write below waits for a child that waits for us.
func runEncryptWriteFirst(ctx context.Context, spawn spawner, password string, data []byte) (*exec.Cmd, io.Reader, error) {
	cmd := newEncrypt(ctx, spawn, password)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	n, err := stdin.Write(data) // BUG: nobody reads stdout until we return; past the pipes' capacity both sides wait forever.
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("stdin: wrote %d of %d bytes: %w", n, len(data), err), cmd.Wait())
	}
	if err := stdin.Close(); err != nil { // the child sees EOF and can finish
		return nil, nil, errors.Join(err, cmd.Wait())
	}
	return cmd, stdout, nil
}

// startPipelineKeepPipe is the book's listings 9–10 loop body without its close(): it joins an
// encrypt child to a hash child with a pipe and starts both. The encrypt child finishes, but the
// hash child never sees EOF: a pipe reports EOF only when every copy of its write end is closed,
// and the parent still holds one.
func startPipelineKeepPipe(ctx context.Context, spawn spawner, password string, data []byte) (*pipeline, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := newPipeline(ctx, spawn, password, data, r, w)
	err = p.start() // BUG: the parent keeps r and w open after this, so the hash child's EOF never comes.
	if err != nil {
		return nil, err
	}
	return p, nil
}

// waitSleeperNoTimeout starts `sleep d` and waits for it: the book's listing 11 without its
// timeout. A child that hangs hangs the caller too; only ctx (in the lesson, the watchdog) ends
// the wait, and then with SIGKILL. It returns how the child ended (nil if it never started).
func waitSleeperNoTimeout(ctx context.Context, spawn spawner, d, timeout time.Duration) (*os.ProcessState, error) {
	cmd := spawn(ctx, roleSleep, d.String())
	err := cmd.Run() // BUG: timeout is never applied: a child that never exits blocks us forever.
	return cmd.ProcessState, err
}
