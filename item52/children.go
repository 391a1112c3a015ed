package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"workbook/item56/life"
)

// The steps the broken and fixed listings share: how a child is made, and what happens once the
// children of listings 6–7 and 9–10 are started.

// spawner returns an unstarted child running role with args: Go's counterpart of the book's
// `subprocess.Popen(['sleep', '1'])` before it starts. exec.Cmd only describes the child; nothing
// runs until Start or Run.
type spawner func(ctx context.Context, role string, args ...string) *exec.Cmd

// selfAs returns the spawner whose children are the program at path started again, the role in
// their environment (child.go). ctx kills a child (SIGKILL) if it is done before the child exits.
func selfAs(path string) spawner {
	return func(ctx context.Context, role string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Env = append(os.Environ(), roleEnv+"="+role)
		return cmd
	}
}

// newEncrypt returns an unstarted encrypt child with the password in its environment — never in
// argv, which every user of the machine can read (`ps`, /proc/PID/cmdline).
func newEncrypt(ctx context.Context, spawn spawner, password string) *exec.Cmd {
	cmd := spawn(ctx, roleEncrypt)
	cmd.Env = append(cmd.Env, passwordEnv+"="+password)
	return cmd
}

// communicate is Popen.communicate() for a started child whose stdin is taken care of: read
// stdout to EOF, then Wait. The order matters: Wait closes the stdout pipe once the child has
// exited, so output not yet read would be lost, and a child blocked writing a full stdout pipe
// never exits, so waiting before reading would hang.
func communicate(cmd *exec.Cmd, stdout io.Reader) ([]byte, error) {
	out, err := io.ReadAll(stdout)
	return out, errors.Join(err, cmd.Wait())
}

// encryptAll is the book's listings 6–7: start one encrypt child per input with start
// (runEncryptWriteFirst or runEncrypt), all of them first, then communicate with each in turn.
// It returns each child's output: a 16-byte IV, then the ciphertext.
func encryptAll(ctx context.Context, spawn spawner, password string, inputs [][]byte,
	start func(context.Context, spawner, string, []byte) (*exec.Cmd, io.Reader, error)) ([][]byte, error) {
	var cmds []*exec.Cmd
	var stdouts []io.Reader
	var errs []error
	for i, data := range inputs {
		cmd, stdout, err := start(ctx, spawn, password, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("encrypt child %d: %w", i, err))
			break // still communicate below with those already started, so none is left behind
		}
		cmds, stdouts = append(cmds, cmd), append(stdouts, stdout)
	}
	outs := make([][]byte, len(cmds))
	for i, cmd := range cmds {
		out, err := communicate(cmd, stdouts[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("encrypt child %d: %w", i, err))
		}
		outs[i] = out
	}
	return outs, errors.Join(errs...)
}

// pipeline is one encrypt → hash pair of the book's listings 9–10.
type pipeline struct {
	encrypt, hash *exec.Cmd
	digest        bytes.Buffer // the hash child's output, copied here by exec
}

// newPipeline returns an unstarted pipeline: the encrypt child reads data and writes to w; the
// hash child (the book's listing 8, run_hash) reads r and writes its 32-byte digest to p.digest.
// An *os.File is handed to a child as it is, with no copying goroutine in between.
func newPipeline(ctx context.Context, spawn spawner, password string, data []byte, r, w *os.File) *pipeline {
	p := &pipeline{encrypt: newEncrypt(ctx, spawn, password), hash: spawn(ctx, roleHash)}
	p.encrypt.Stdin, p.encrypt.Stdout = bytes.NewReader(data), w
	p.hash.Stdin, p.hash.Stdout = r, &p.digest
	return p
}

// start starts both children; if the hash child fails to start, it kills and reaps the encrypt
// child, so none is left behind.
func (p *pipeline) start() error {
	if err := p.encrypt.Start(); err != nil {
		return fmt.Errorf("encrypt child: %w", err)
	}
	if err := p.hash.Start(); err != nil {
		_ = p.encrypt.Process.Kill()
		_ = p.encrypt.Wait()
		return fmt.Errorf("hash child: %w", err)
	}
	return nil
}

// runPipelines is the book's listings 9–10: start one pipeline per input with start
// (startPipelineKeepPipe or startPipeline), then wait for every encrypt child, then every hash
// child; both must exit 0.
func runPipelines(ctx context.Context, spawn spawner, password string, inputs [][]byte,
	start func(context.Context, spawner, string, []byte) (*pipeline, error)) ([]*pipeline, error) {
	var pipes []*pipeline
	var errs []error
	for i, data := range inputs {
		p, err := start(ctx, spawn, password, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("pipeline %d: %w", i, err))
			break // still wait below for those already started, so none is left behind
		}
		pipes = append(pipes, p)
	}
	for i, p := range pipes {
		if err := p.encrypt.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("pipeline %d: encrypt child: %w", i, err))
		}
	}
	for i, p := range pipes {
		if err := p.hash.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("pipeline %d: hash child: %w", i, err))
		}
	}
	return pipes, errors.Join(errs...)
}

// exitStatus reports a finished child's status the way Python's returncode does: the exit code,
// or minus the signal number if a signal ended it (SIGTERM gives -15). Go's own
// ProcessState.ExitCode() says -1 for every signal; the signal itself is in the WaitStatus.
func exitStatus(ps *os.ProcessState) int {
	if ps == nil {
		return -1 // never started, or not yet waited for
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return ps.ExitCode()
}

// closeAll closes files, ignoring errors: it is only used on pipe ends the parent is done with.
func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// recording returns a spawner whose children are recorded in tl, for the lesson's chart: each
// from the moment its command is made (just before Start) until it exits, which is when exec's
// copy of its stdout reaches EOF. The recording rides on what exec does anyway, so the listings
// themselves stay as they are.
func recording(spawn spawner, tl *life.Timeline) spawner {
	return func(ctx context.Context, role string, args ...string) *exec.Cmd {
		cmd := spawn(ctx, role, args...)
		cmd.Stdout = untilEOF{end: tl.Begin()}
		return cmd
	}
}

// untilEOF is a child's stdout that discards what the child writes and calls end when the child
// closes its end of the pipe, as it does when it exits. exec copies the pipe into it with io.Copy,
// which hands the whole stream to ReadFrom.
type untilEOF struct{ end func() }

// Write discards p.
func (u untilEOF) Write(p []byte) (int, error) { return len(p), nil }

// ReadFrom reads r to EOF, then records the end.
func (u untilEOF) ReadFrom(r io.Reader) (int64, error) {
	defer u.end()
	return io.Copy(io.Discard, r)
}
