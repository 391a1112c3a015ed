package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// The naive versions. Each runs under a context; in the lesson that context is a watchdog, which
// kills the children when it expires so a hang can be shown and still end. The watchdog is the
// lesson's safety net, not part of the pattern: the code below never sets a bound of its own.

// runSleepersOneByOne runs n `sleep d` children the way a loop of subprocess.run calls would:
// start one, wait for it, then start the next. It takes n × d, and at most one child is ever
// alive — which a barrier in the children proves (see sleepChild).
func runSleepersOneByOne(ctx context.Context, s self, n int, d time.Duration) error {
	var errs []error
	for i := range n {
		cmd := s.command(ctx, roleSleep, d.String())
		if err := cmd.Start(); err != nil {
			errs = append(errs, fmt.Errorf("sleep child %d: %w", i, err))
			break
		}
		if err := cmd.Wait(); err != nil { // BUG: waits for this child before starting the next, so they never overlap: n × d in all.
			errs = append(errs, fmt.Errorf("sleep child %d: %w", i, err))
			break
		}
	}
	return errors.Join(errs...)
}

// runEncryptWriteFirst is the book's listing 5, run_encrypt: start an encrypt child and write the
// data to its stdin before returning. Fine for 10 bytes; with 1 MiB it deadlocks. The child
// streams — it writes ciphertext as it reads — and nobody reads its stdout until this returns, so
// once that pipe is full the child stops reading, then the stdin pipe fills, and the Write below
// waits for a child that waits for us.
func runEncryptWriteFirst(ctx context.Context, s self, password string, data []byte) (*encryptProc, error) {
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
	fed <- feed(stdin, data) // BUG: writes all of stdin before anyone reads stdout; past the pipes' capacity both sides wait forever.
	return &encryptProc{cmd: cmd, stdout: stdout, fed: fed}, nil
}

// startPipelineKeepWriteEnd is the book's listings 9–10 loop body without its close(): it joins an
// encrypt child to a hash child with a pipe, starts both, and keeps the parent's copies of the
// pipe until the end. The encrypt child finishes, but the hash child never sees EOF: a pipe reports
// EOF only when every copy of its write end is closed, and the parent still holds one.
func startPipelineKeepWriteEnd(ctx context.Context, s self, password string, data []byte) (*pipeline, error) {
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
	p.closeAfterWait = []*os.File{r, w} // BUG: the parent's write end stays open while the hash child reads, so its EOF never comes.
	return p, nil
}

// waitSleeperNoTimeout starts `sleep d` and waits for it: the book's listing 11 without its
// timeout. A child that hangs hangs the caller too; only ctx (in the lesson, the watchdog) ends the
// wait, and then with SIGKILL, giving the child no chance to clean up. It returns how the child
// ended (nil if it never started).
func waitSleeperNoTimeout(ctx context.Context, s self, d time.Duration) (*os.ProcessState, error) {
	cmd := s.command(ctx, roleSleep, d.String())
	err := cmd.Run() // BUG: nothing bounds this wait: a child that never exits blocks us forever.
	return cmd.ProcessState, err
}
